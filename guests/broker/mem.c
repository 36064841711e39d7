/* SPDX-License-Identifier: MIT */
/* Memory requests: run the policy, reclaim, raise quotas, answer, and log one line each. */
#include "guest.h"
#include "sprout.h"
#include "broker.h"
#include "timeline.h"
#include "cmd.h"

/* Request ids answered lately, to tell a stale pending_request from an answered one. */
#define ANSWERED_MAX 32

/* A memory request with u64 figures (the ABI's uint64_t is unsigned long here). */
struct request {
	u32 type; /* SPROUT_MSG_MEM_REQUEST or SPROUT_MSG_HOST_LOW */
	u32 vm_id;
	u64 id;
	u64 needed;
	u64 gpa;
	u64 committed;
	u64 quota;
};

/* The last granted fault of each VM: the same fault again means the grant did not help. */
struct last_grant {
	u32 vm_id;
	u64 gpa;
	u64 committed;
	u32 grants;
};

static struct last_grant last_grants[BROKER_MAX_VMS];
static unsigned int last_grant_next;
static u64 answered[ANSWERED_MAX];
static unsigned int answered_next;

static struct last_grant *grant_record(u32 vm_id)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(last_grants); i++) {
		if (last_grants[i].grants && last_grants[i].vm_id == vm_id)
			return &last_grants[i];
	}
	return NULL;
}

static u32 repeats_of(const struct request *m)
{
	struct last_grant *g = grant_record(m->vm_id);

	return (g && g->gpa == m->gpa && g->committed == m->committed) ? g->grants : 0;
}

static void note_grant(const struct request *m)
{
	struct last_grant *g = grant_record(m->vm_id);

	if (g && g->gpa == m->gpa && g->committed == m->committed) {
		g->grants++;
		return;
	}
	if (!g) {
		g = &last_grants[last_grant_next];
		last_grant_next = (last_grant_next + 1) % ARRAY_SIZE(last_grants);
	}
	*g = (struct last_grant){m->vm_id, m->gpa, m->committed, 1};
}

static bool was_answered(u64 request_id)
{
	for (unsigned int i = 0; i < ANSWERED_MAX; i++) {
		if (answered[i] == request_id)
			return true;
	}
	return false;
}

static void answer(const struct request *m, unsigned long how)
{
	long ret = hypercall(HC_REQUEST_ANSWER, m->id, how, 0, 0);

	answered[answered_next] = m->id;
	answered_next = (answered_next + 1) % ANSWERED_MAX;
	if (ret < 0)
		broker_log("request %llu vm %u: answer %s failed: %s (%s)", m->id, m->vm_id,
			   how == SPROUT_ANSWER_GRANT ? "grant" : "deny", cmd_err_name(ret),
			   cmd_err_text(ret));
}

static struct policy_host host_now(void)
{
	/* Without figures the host is taken as roomy: the hypervisor checks again anyway. */
	if (!host_stats_ok)
		return (struct policy_host){~0ull, 0};
	return (struct policy_host){host_stats.free_bytes, host_stats.reserve_bytes};
}

static void reclaim(struct policy_request *req, u32 victim)
{
	struct broker_vm *v = table_find(victim);
	u32 idle = v ? v->act.idle_periods : 0;
	long ret = hypercall(HC_VM_RECLAIM, victim, 0, 0, 0);
	char size[32];

	if (req->rounds < POLICY_MAX_ROUNDS)
		req->tried[req->rounds++] = victim;
	if (ret < 0) {
		broker_log("reclaim vm %u (%s, idle for %u period%s): %s (%s)", victim,
			   table_name(victim), idle, idle == 1 ? "" : "s", cmd_err_name(ret),
			   cmd_err_text(ret));
		return;
	}
	history_event(victim, TL_RECLAIM, (u64)ret >> 10);
	broker_log("reclaim vm %u (%s, idle for %u period%s): %s returned", victim,
		   table_name(victim), idle, idle == 1 ? "" : "s", cmd_fmt_size(size, (u64)ret));
	host_refresh();
	table_refresh(false, 0);
}

/* bytes as "180 MiB" or "8.1 MiB" (one decimal, cut) for host figures. */
static char *host_mib(char *buf, u64 bytes)
{
	char *p = buf + strlen(cmd_fmt_dec1(buf, bytes, MiB(1), true));

	memcpy(p, " MiB", 5);
	return buf;
}

/* Host free and reserve for log lines. */
static void host_figures(char *free_buf, char *reserve_buf)
{
	struct policy_host h = host_now();

	if (!host_stats_ok) {
		memcpy(free_buf, "? MiB", 6);
		memcpy(reserve_buf, "? MiB", 6);
		return;
	}
	host_mib(free_buf, h.free_bytes);
	host_mib(reserve_buf, h.reserve_bytes);
}

static void log_deny(const struct request *m, const struct policy_decision *d,
		     const struct policy_request *req)
{
	const struct broker_vm *v = table_find(m->vm_id);
	char a[32], b[32];
	u64 kib = m->needed >> 10;

	host_figures(a, b);
	if (d->reason == POLICY_HARD_LIMIT && v)
		broker_log("request %llu vm %u (%s): deny: VM at its hard limit (memory size %s, "
			   "committed %s, needs %llu KiB)",
			   m->id, m->vm_id, v->info.name, cmd_fmt_size(a, v->info.memory),
			   cmd_fmt_size(b, m->committed), kib);
	else if (d->reason == POLICY_NO_MEMORY)
		broker_log("request %llu vm %u (%s): deny: host free %s below reserve %s and "
			   "nothing to reclaim (needs %llu KiB)",
			   m->id, m->vm_id, table_name(m->vm_id), a, b, kib);
	else if (d->reason == POLICY_ROUNDS)
		broker_log("request %llu vm %u (%s): deny: host free %s below reserve %s after %u "
			   "reclaim rounds (needs %llu KiB)",
			   m->id, m->vm_id, table_name(m->vm_id), a, b, req->rounds, kib);
	else
		broker_log(
			"request %llu vm %u (%s): deny: %s (type %u, needs %llu KiB, GPA 0x%llx, "
			"granted %u times before)",
			m->id, m->vm_id, table_name(m->vm_id), policy_reason_str(d->reason),
			m->type, kib, m->gpa, req->repeats);
}

static void log_grant(const struct request *m, u64 new_quota)
{
	char committed[32], quota[32], raised[32], free_mib[32], reserve[32];

	host_figures(free_mib, reserve);
	cmd_fmt_size(committed, m->committed);
	cmd_fmt_size(quota, m->quota);
	if (m->type == SPROUT_MSG_HOST_LOW)
		broker_log("request %llu vm %u (%s) needs %llu KiB (host low; committed %s, quota "
			   "%s): grant, host free %s",
			   m->id, m->vm_id, table_name(m->vm_id), m->needed >> 10, committed, quota,
			   free_mib);
	else
		broker_log("request %llu vm %u (%s) needs %llu KiB (committed %s, quota %s): "
			   "grant, quota -> %s, host free %s",
			   m->id, m->vm_id, table_name(m->vm_id), m->needed >> 10, committed, quota,
			   cmd_fmt_size(raised, new_quota), free_mib);
}

static void grant(const struct request *m, const struct policy_decision *d)
{
	char raised[32];
	long ret;

	if (d->new_quota) {
		ret = hypercall(HC_VM_SET_QUOTA, m->vm_id, d->new_quota, 0, 0);
		if (ret < 0) {
			broker_log(
				"request %llu vm %u (%s): deny: quota raise to %s failed: %s (%s)",
				m->id, m->vm_id, table_name(m->vm_id),
				cmd_fmt_size(raised, d->new_quota), cmd_err_name(ret),
				cmd_err_text(ret));
			answer(m, SPROUT_ANSWER_DENY);
			history_event(m->vm_id, TL_DENY, 0);
			return;
		}
	}
	log_grant(m, d->new_quota);
	note_grant(m);
	answer(m, SPROUT_ANSWER_GRANT);
	history_event(m->vm_id, TL_GRANT, (d->new_quota ? d->new_quota : m->quota) >> 10);
}

static void decide(const struct request *m)
{
	struct policy_request req = {.type = m->type,
				     .vm_id = m->vm_id,
				     .needed = m->needed,
				     .committed = m->committed,
				     .quota = m->quota,
				     .repeats = repeats_of(m)};
	struct policy_decision d;
	struct policy_host h;

	/* Decide on figures of now, not of the last period. */
	host_refresh();
	table_refresh(false, 0);
	for (;;) {
		h = host_now();
		d = policy_decide(&broker_policy, &req, &h, vm_table, vm_count);
		if (d.action != POLICY_RECLAIM)
			break;
		reclaim(&req, d.reclaim_id);
	}
	if (d.action == POLICY_GRANT) {
		grant(m, &d);
		return;
	}
	log_deny(m, &d, &req);
	answer(m, SPROUT_ANSWER_DENY);
	history_event(m->vm_id, TL_DENY, 0);
}

void mem_request(const struct sprout_msg *msg)
{
	struct request r = {.type = msg->type,
			    .vm_id = msg->vm_id,
			    .id = msg->request_id,
			    .needed = msg->arg0,
			    .gpa = msg->arg1,
			    .committed = msg->arg2,
			    .quota = msg->arg3};

	decide(&r);
}

/* A request the table shows but the ring never brought: decide it from the row. */
static void decide_stale(const struct sprout_vm_info *v)
{
	struct request m = {
		.vm_id = v->id,
		.id = v->pending_request,
		.needed = PAGE_SIZE, /* the fault's size is unknown: ask for the least */
		.committed = v->committed,
		.quota = v->quota,
	};

	m.type = v->committed + PAGE_SIZE > v->quota ? SPROUT_MSG_MEM_REQUEST : SPROUT_MSG_HOST_LOW;
	broker_log("request %llu vm %u (%s) is pending but never came through the ring; "
		   "deciding it from the VM table",
		   m.id, m.vm_id, v->name);
	decide(&m);
}

/*
 * A request still pending a whole period after it showed up in the table,
 * and not answered by us, was lost on its way: decide it now so the VM's
 * vCPU does not wait for ever.
 */
void mem_check_stale(void)
{
	static u64 seen[BROKER_MAX_VMS];
	u64 now[BROKER_MAX_VMS] = {0};
	static struct sprout_vm_info stale[BROKER_MAX_VMS]; /* too big for the stack */
	unsigned int nstale = 0;

	for (unsigned int i = 0; i < vm_count; i++) {
		u64 id = vm_table[i].info.pending_request;

		if (!id || was_answered(id))
			continue;
		now[i] = id;
		for (unsigned int j = 0; j < BROKER_MAX_VMS; j++) {
			if (seen[j] == id) {
				stale[nstale++] = vm_table[i].info;
				break;
			}
		}
	}
	memcpy(seen, now, sizeof(seen));
	for (unsigned int i = 0; i < nstale; i++)
		decide_stale(&stale[i]);
}
