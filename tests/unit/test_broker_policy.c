/* SPDX-License-Identifier: MIT */
/* Unit tests of the broker's memory policy and activity tracking (guests/broker/policy.c). */
#include <string.h>

#include "../../guests/broker/policy.h"
#include "utest.h"

#define PERIOD_US 100000ull

enum { BROKER = 0, REQUESTER = 1 };

static struct broker_vm vms[8];
static unsigned int nvms;
static struct policy_config cfg;

static struct broker_vm *add_vm(u32 id, u32 state, u64 memory, u64 committed)
{
	struct broker_vm *v = &vms[nvms++];

	memset(v, 0, sizeof(*v));
	v->info.id = id;
	v->info.state = state;
	v->info.memory = memory;
	v->info.committed = committed;
	v->info.quota = memory;
	snprintf(v->info.name, sizeof(v->info.name), "vm%u", id);
	return v;
}

/* The broker itself (privileged, very idle) and the requester with 128 MiB of memory. */
static void setup(void)
{
	nvms = 0;
	policy_config_default(&cfg);
	add_vm(BROKER, SPROUT_VM_RUNNING, MiB(64), MiB(4))->info.privileged = 1;
	vms[0].act.idle_periods = 1000;
	add_vm(REQUESTER, SPROUT_VM_RUNNING, MiB(128), MiB(64));
}

static struct policy_request mem_req(u64 needed, u64 committed, u64 quota)
{
	return (struct policy_request){.type = SPROUT_MSG_MEM_REQUEST,
				       .vm_id = REQUESTER,
				       .needed = needed,
				       .committed = committed,
				       .quota = quota};
}

static struct policy_decision decide(const struct policy_request *r, u64 free_bytes, u64 reserve)
{
	struct policy_host h = {free_bytes, reserve};

	return policy_decide(&cfg, r, &h, vms, nvms);
}

UTEST(broker_policy_grant_raises_quota)
{
	struct policy_request r;
	struct policy_decision d;

	setup();
	r = mem_req(MiB(2), MiB(64), MiB(64));
	d = decide(&r, MiB(180), MiB(16));
	CHECK_EQ(d.action, POLICY_GRANT);
	CHECK_EQ(d.reason, POLICY_OK);
	CHECK_EQ(d.new_quota, MiB(82)); /* 64 + 2 + the 16 MiB step */

	/* A quota above committed + needed is the base of the raise. */
	r = mem_req(KiB(4), MiB(64), MiB(70));
	d = decide(&r, MiB(180), MiB(16));
	CHECK_EQ(d.new_quota, MiB(86));

	cfg.step = MiB(1);
	r = mem_req(KiB(4), MiB(64), MiB(64));
	d = decide(&r, MiB(180), MiB(16));
	CHECK_EQ(d.new_quota, MiB(65) + KiB(4));
}

UTEST(broker_policy_quota_capped_at_memory)
{
	struct policy_request r;
	struct policy_decision d;

	setup();
	vms[1].info.memory = MiB(70);
	r = mem_req(MiB(2), MiB(64), MiB(64));
	d = decide(&r, MiB(180), MiB(16));
	CHECK_EQ(d.action, POLICY_GRANT);
	CHECK_EQ(d.new_quota, MiB(70));

	/* Exactly one step below memory: still capped at memory, never past it. */
	vms[1].info.memory = MiB(82);
	d = decide(&r, MiB(180), MiB(16));
	CHECK_EQ(d.new_quota, MiB(82));

	/* The fault fills memory exactly: granted, quota = memory. */
	vms[1].info.memory = MiB(66);
	d = decide(&r, MiB(180), MiB(16));
	CHECK_EQ(d.action, POLICY_GRANT);
	CHECK_EQ(d.new_quota, MiB(66));
}

UTEST(broker_policy_hard_limit_denied)
{
	struct policy_request r;
	struct policy_decision d;

	setup();
	vms[1].info.memory = MiB(64);
	r = mem_req(MiB(2), MiB(64), MiB(64));
	d = decide(&r, GiB(4), MiB(16));
	CHECK_EQ(d.action, POLICY_DENY);
	CHECK_EQ(d.reason, POLICY_HARD_LIMIT);

	r = mem_req(KiB(4), MiB(64), MiB(64));
	d = decide(&r, GiB(4), MiB(16));
	CHECK_EQ(d.reason, POLICY_HARD_LIMIT);

	/* Even a host-low request past memory is refused, and reclaiming would not help. */
	add_vm(2, SPROUT_VM_RUNNING, MiB(64), MiB(64));
	r.type = SPROUT_MSG_HOST_LOW;
	d = decide(&r, 0, MiB(16));
	CHECK_EQ(d.action, POLICY_DENY);
	CHECK_EQ(d.reason, POLICY_HARD_LIMIT);
}

UTEST(broker_policy_reserve_boundary)
{
	struct policy_request r;
	struct policy_decision d;

	setup();
	r = mem_req(MiB(2), MiB(64), MiB(64));
	/* free - needed == reserve exactly: the reserve is kept, grant. */
	d = decide(&r, MiB(18), MiB(16));
	CHECK_EQ(d.action, POLICY_GRANT);
	/* One page less: the reserve would be touched; nothing to reclaim. */
	d = decide(&r, MiB(18) - KiB(4), MiB(16));
	CHECK_EQ(d.action, POLICY_DENY);
	CHECK_EQ(d.reason, POLICY_NO_MEMORY);
	/* Less free than needed must not wrap around. */
	d = decide(&r, MiB(1), 0);
	CHECK_EQ(d.action, POLICY_DENY);
	d = decide(&r, MiB(2), 0);
	CHECK_EQ(d.action, POLICY_GRANT);

	CHECK(policy_host_has(&(struct policy_host){MiB(10), MiB(8)}, MiB(2)));
	CHECK(!policy_host_has(&(struct policy_host){MiB(10), MiB(8)}, MiB(2) + 1));
	CHECK(!policy_host_has(&(struct policy_host){0, 0}, 1));
}

UTEST(broker_policy_reclaim_picks_idlest)
{
	struct policy_request r;
	struct policy_decision d;

	setup();
	add_vm(2, SPROUT_VM_RUNNING, MiB(64), MiB(32))->act.idle_periods = 5;
	add_vm(3, SPROUT_VM_RUNNING, MiB(64), MiB(32))->act.idle_periods = 12;
	add_vm(4, SPROUT_VM_PAUSED, MiB(64), MiB(32))->act.idle_periods = 3;
	r = mem_req(MiB(2), MiB(64), MiB(64));
	d = decide(&r, MiB(10), MiB(16));
	CHECK_EQ(d.action, POLICY_RECLAIM);
	CHECK_EQ(d.reclaim_id, 3);
	/* The requester is never the victim, however idle it is. */
	vms[1].act.idle_periods = 500;
	d = decide(&r, MiB(10), MiB(16));
	CHECK_EQ(d.reclaim_id, 3);
}

UTEST(broker_policy_reclaim_ties)
{
	setup();
	add_vm(2, SPROUT_VM_RUNNING, MiB(64), MiB(8))->act.idle_periods = 7;
	add_vm(3, SPROUT_VM_RUNNING, MiB(64), MiB(8))->act.idle_periods = 7;
	add_vm(4, SPROUT_VM_RUNNING, MiB(64), MiB(8))->act.idle_periods = 7;
	vms[2].act.busy_avg = 300;
	vms[3].act.busy_avg = 100;
	vms[4].act.busy_avg = 200;
	/* Same idle periods: least busy wins. */
	CHECK_EQ(policy_pick_reclaim(vms, nvms, REQUESTER, NULL, 0), 3);
	/* Same idle periods and busy: more committed wins. */
	vms[4].act.busy_avg = 100;
	vms[4].info.committed = MiB(16);
	CHECK_EQ(policy_pick_reclaim(vms, nvms, REQUESTER, NULL, 0), 4);
	/* All equal: the first in the table. */
	vms[4].info.committed = MiB(8);
	CHECK_EQ(policy_pick_reclaim(vms, nvms, REQUESTER, NULL, 0), 3);
	vms[2].act.busy_avg = 100;
	CHECK_EQ(policy_pick_reclaim(vms, nvms, REQUESTER, NULL, 0), 2);
	/* More idle periods beat being less busy. */
	vms[4].act.idle_periods = 8;
	vms[4].act.busy_avg = 5000;
	CHECK_EQ(policy_pick_reclaim(vms, nvms, REQUESTER, NULL, 0), 4);
}

UTEST(broker_policy_reclaim_never_picks_the_wrong_vms)
{
	struct policy_request r;
	struct policy_decision d;

	setup();
	add_vm(2, SPROUT_VM_STOPPED, MiB(64), MiB(32))->act.idle_periods = 99;
	add_vm(3, SPROUT_VM_CREATED, MiB(64), MiB(32))->act.idle_periods = 99;
	add_vm(4, SPROUT_VM_RUNNING, MiB(64), 0)->act.idle_periods = 99;
	add_vm(5, SPROUT_VM_EMPTY, MiB(64), MiB(32))->act.idle_periods = 99;
	add_vm(6, 77, MiB(64), MiB(32))->act.idle_periods = 99;
	r = mem_req(MiB(2), MiB(64), MiB(64));
	d = decide(&r, MiB(10), MiB(16));
	CHECK_EQ(d.action, POLICY_DENY);
	CHECK_EQ(d.reason, POLICY_NO_MEMORY);
	CHECK_EQ(policy_pick_reclaim(vms, nvms, REQUESTER, NULL, 0), -1);

	/* A privileged VM that is not id 0 is still the broker. */
	add_vm(7, SPROUT_VM_RUNNING, MiB(64), MiB(32))->info.privileged = 1;
	CHECK_EQ(policy_pick_reclaim(vms, nvms, REQUESTER, NULL, 0), -1);
	vms[nvms - 1].info.privileged = 0;
	CHECK_EQ(policy_pick_reclaim(vms, nvms, REQUESTER, NULL, 0), (int)nvms - 1);
	/* Nor one already reclaimed from for this request. */
	CHECK_EQ(policy_pick_reclaim(vms, nvms, REQUESTER, (u32[]){7}, 1), -1);
}

/* Play the broker's loop: reclaim gives back half of the victim's memory. */
static struct policy_decision run_rounds(struct policy_request *r, u64 *free_bytes, u64 reserve)
{
	struct policy_decision d;

	for (int guard = 0; guard < 10; guard++) {
		d = decide(r, *free_bytes, reserve);
		if (d.action != POLICY_RECLAIM)
			return d;
		for (unsigned int i = 0; i < nvms; i++) {
			if (vms[i].info.id == d.reclaim_id) {
				*free_bytes += vms[i].info.committed / 2;
				vms[i].info.committed /= 2;
			}
		}
		r->tried[r->rounds++] = d.reclaim_id;
	}
	return d;
}

/* Four VMs to take from, idlest first: 4, 4, 16 and 64 MiB committed. */
static void setup_four(void)
{
	setup();
	add_vm(2, SPROUT_VM_RUNNING, MiB(64), MiB(4))->act.idle_periods = 9;
	add_vm(3, SPROUT_VM_RUNNING, MiB(64), MiB(4))->act.idle_periods = 8;
	add_vm(4, SPROUT_VM_RUNNING, MiB(64), MiB(16))->act.idle_periods = 7;
	add_vm(5, SPROUT_VM_RUNNING, MiB(64), MiB(64))->act.idle_periods = 6;
}

UTEST(broker_policy_reclaim_rounds_then_grant)
{
	struct policy_request r = mem_req(MiB(2), MiB(64), MiB(64));
	struct policy_decision d;
	u64 free_bytes = MiB(10);

	setup_four();
	/* 10 + 2 + 2 + 8 = 22 >= 16 + 2 after the third round: granted. */
	d = run_rounds(&r, &free_bytes, MiB(16));
	CHECK_EQ(d.action, POLICY_GRANT);
	CHECK_EQ(r.rounds, 3);
	CHECK_EQ(r.tried[0], 2);
	CHECK_EQ(r.tried[1], 3);
	CHECK_EQ(r.tried[2], 4);
	CHECK_EQ(d.new_quota, MiB(82));
}

UTEST(broker_policy_reclaim_rounds_limit)
{
	struct policy_request r = mem_req(MiB(2), MiB(64), MiB(64));
	struct policy_decision d;
	u64 free_bytes = MiB(10);

	/* One MiB more reserve: the fourth VM would help but three rounds is the limit. */
	setup_four();
	d = run_rounds(&r, &free_bytes, MiB(21));
	CHECK_EQ(d.action, POLICY_DENY);
	CHECK_EQ(d.reason, POLICY_ROUNDS);
	CHECK_EQ(r.rounds, 3);

	/* A lower configured limit is obeyed; a higher one is clamped to the array size. */
	setup_four();
	cfg.max_rounds = 1;
	r = mem_req(MiB(2), MiB(64), MiB(64));
	free_bytes = MiB(10);
	d = run_rounds(&r, &free_bytes, MiB(16));
	CHECK_EQ(d.reason, POLICY_ROUNDS);
	CHECK_EQ(r.rounds, 1);
	cfg.max_rounds = 100;
	r = mem_req(MiB(2), MiB(64), MiB(64));
	r.rounds = POLICY_MAX_ROUNDS;
	CHECK_EQ(decide(&r, MiB(10), MiB(16)).reason, POLICY_ROUNDS);
}

UTEST(broker_policy_reclaim_until_nothing_left)
{
	struct policy_request r;
	struct policy_decision d;
	u64 free_bytes = MiB(10);

	setup();
	add_vm(2, SPROUT_VM_RUNNING, MiB(64), MiB(2));
	r = mem_req(MiB(2), MiB(64), MiB(64));
	/* One victim, reclaimed once, not enough: nothing else to take from. */
	d = run_rounds(&r, &free_bytes, MiB(16));
	CHECK_EQ(d.action, POLICY_DENY);
	CHECK_EQ(d.reason, POLICY_NO_MEMORY);
	CHECK_EQ(r.rounds, 1);
}

UTEST(broker_policy_host_low)
{
	struct policy_request r;
	struct policy_decision d;
	u64 free_bytes = MiB(1);

	setup();
	r = mem_req(MiB(2), MiB(30), MiB(64));
	r.type = SPROUT_MSG_HOST_LOW;
	/* Memory came back meanwhile: grant without touching the quota. */
	d = decide(&r, MiB(100), MiB(16));
	CHECK_EQ(d.action, POLICY_GRANT);
	CHECK_EQ(d.new_quota, 0);
	/* Short, nothing to take: deny. */
	d = decide(&r, free_bytes, MiB(16));
	CHECK_EQ(d.action, POLICY_DENY);
	CHECK_EQ(d.reason, POLICY_NO_MEMORY);
	/* Short, an idle VM to take from: reclaim, then grant, still no quota change. */
	add_vm(2, SPROUT_VM_PAUSED, MiB(256), MiB(200))->act.idle_periods = 40;
	d = run_rounds(&r, &free_bytes, MiB(16));
	CHECK_EQ(d.action, POLICY_GRANT);
	CHECK_EQ(d.new_quota, 0);
	CHECK_EQ(r.rounds, 1);
}

UTEST(broker_policy_repeats_and_bad_requests)
{
	struct policy_request r;

	setup();
	r = mem_req(MiB(2), MiB(64), MiB(64));
	r.repeats = POLICY_MAX_REPEATS - 1;
	CHECK_EQ(decide(&r, GiB(1), MiB(16)).action, POLICY_GRANT);
	r.repeats = POLICY_MAX_REPEATS;
	CHECK_EQ(decide(&r, GiB(1), MiB(16)).reason, POLICY_REPEATS);

	r = mem_req(MiB(2), MiB(64), MiB(64));
	r.vm_id = 42;
	CHECK_EQ(decide(&r, GiB(1), MiB(16)).reason, POLICY_UNKNOWN_VM);
	r = mem_req(0, MiB(64), MiB(64));
	CHECK_EQ(decide(&r, GiB(1), MiB(16)).reason, POLICY_MALFORMED);
	r = mem_req(MiB(2), ~0ull - KiB(4), MiB(64));
	CHECK_EQ(decide(&r, GiB(1), MiB(16)).reason, POLICY_MALFORMED);
	r = mem_req(MiB(2), MiB(64), MiB(64));
	r.type = SPROUT_MSG_VM_STOPPED;
	CHECK_EQ(decide(&r, GiB(1), MiB(16)).reason, POLICY_MALFORMED);
	CHECK(strlen(policy_reason_str(POLICY_HARD_LIMIT)) > 0);
	CHECK(!strcmp(policy_reason_str((enum policy_reason)99), "?"));
}

/* Feed busy_us deltas (and exits deltas) one period each; returns idle periods at the end. */
static u32 feed(struct activity *a, const u64 *busy, const u64 *exits, int n)
{
	static u64 busy_total = 1000000, exits_total = 5000;

	for (int i = 0; i < n; i++) {
		busy_total += busy[i];
		exits_total += exits ? exits[i] : 0;
		activity_sample(a, busy_total, exits_total, PERIOD_US);
	}
	return a->idle_periods;
}

UTEST(broker_activity_idle_periods)
{
	struct activity a;
	const u64 first[] = {0};
	const u64 busy_then_idle[] = {50000, 0, 0, 0};
	const u64 threshold[] = {1000, 1001, 1000};

	activity_reset(&a);
	/* The first sample is the baseline, not a period. */
	CHECK_EQ(feed(&a, first, NULL, 1), 0);
	CHECK(a.primed);
	CHECK_EQ(feed(&a, busy_then_idle, NULL, 1), 0);
	CHECK_EQ(a.busy_delta, 50000);
	CHECK_EQ(a.busy_avg, 12500);
	CHECK_EQ(feed(&a, busy_then_idle + 1, NULL, 3), 3);
	CHECK_EQ(a.busy_avg, 12500 * 3 / 4 * 3 / 4 * 3 / 4);
	/* 1% of the period is still idle, a microsecond more is not. */
	CHECK_EQ(feed(&a, threshold, NULL, 1), 4);
	CHECK_EQ(feed(&a, threshold + 1, NULL, 1), 0);
	CHECK_EQ(feed(&a, threshold + 2, NULL, 1), 1);
}

UTEST(broker_activity_exits_and_restart)
{
	struct activity a;
	const u64 zero[] = {0, 0, 0};
	const u64 exits[] = {100, 101, 0};

	activity_reset(&a);
	feed(&a, zero, NULL, 1);
	/* One exit per millisecond is idle; more means the VM is doing I/O. */
	CHECK_EQ(feed(&a, zero, exits, 1), 1);
	CHECK_EQ(feed(&a, zero, exits + 1, 1), 0);
	CHECK_EQ(feed(&a, zero, exits + 2, 1), 1);

	/* Counters going backwards: the VM restarted, history starts again. */
	a.idle_periods = 50;
	activity_sample(&a, 10, 10, PERIOD_US);
	CHECK_EQ(a.idle_periods, 0);
	CHECK_EQ(a.busy_avg, 0);
	CHECK(a.primed);
	activity_sample(&a, 10, 10, PERIOD_US);
	CHECK_EQ(a.idle_periods, 1);

	/* The count saturates instead of wrapping to "busy". */
	a.idle_periods = 0xffffffffu;
	activity_sample(&a, 10, 10, PERIOD_US);
	CHECK_EQ(a.idle_periods, 0xffffffffu);
}
