/* SPDX-License-Identifier: MIT */
/* Broker policy: who is idle, and whether a VM gets memory, from whom, or is denied. */
#include "policy.h"

void activity_reset(struct activity *a)
{
	*a = (struct activity){0};
}

static bool period_is_idle(u64 busy, u64 exits, u64 elapsed_us)
{
	return busy * ACTIVITY_IDLE_BUSY_DIV <= elapsed_us &&
	       exits * ACTIVITY_IDLE_EXIT_US <= elapsed_us;
}

void activity_sample(struct activity *a, u64 busy_us, u64 exits, u64 elapsed_us)
{
	if (a->primed && (busy_us < a->last_busy_us || exits < a->last_exits))
		activity_reset(a);
	if (!a->primed) {
		/* The first sample only sets the baseline: no period to judge yet. */
		a->last_busy_us = busy_us;
		a->last_exits = exits;
		a->primed = true;
		return;
	}
	a->busy_delta = busy_us - a->last_busy_us;
	a->exits_delta = exits - a->last_exits;
	a->last_busy_us = busy_us;
	a->last_exits = exits;
	a->busy_avg = (a->busy_avg * 3 + a->busy_delta) / 4;
	if (period_is_idle(a->busy_delta, a->exits_delta, elapsed_us)) {
		if (a->idle_periods != (u32)-1)
			a->idle_periods++;
	} else {
		a->idle_periods = 0;
	}
}

void policy_config_default(struct policy_config *cfg)
{
	cfg->step = POLICY_DEFAULT_STEP;
	cfg->max_rounds = POLICY_MAX_ROUNDS;
	cfg->max_repeats = POLICY_MAX_REPEATS;
}

bool policy_host_has(const struct policy_host *host, u64 needed)
{
	return host->free_bytes >= needed && host->free_bytes - needed >= host->reserve_bytes;
}

static bool was_tried(u32 id, const u32 *tried, unsigned int ntried)
{
	for (unsigned int i = 0; i < ntried; i++) {
		if (tried[i] == id)
			return true;
	}
	return false;
}

static bool can_give_back(const struct sprout_vm_info *v, u32 requester)
{
	return v->id != requester && !v->privileged && v->committed > 0 &&
	       (v->state == SPROUT_VM_RUNNING || v->state == SPROUT_VM_PAUSED);
}

/* True when a is a better reclaim victim than b (a strict order but for equal rows). */
static bool idler(const struct broker_vm *a, const struct broker_vm *b)
{
	if (a->act.idle_periods != b->act.idle_periods)
		return a->act.idle_periods > b->act.idle_periods;
	if (a->act.busy_avg != b->act.busy_avg)
		return a->act.busy_avg < b->act.busy_avg;
	return a->info.committed > b->info.committed;
}

int policy_pick_reclaim(const struct broker_vm *vms, unsigned int n, u32 requester,
			const u32 *tried, unsigned int ntried)
{
	int best = -1;

	for (unsigned int i = 0; i < n; i++) {
		if (!can_give_back(&vms[i].info, requester) ||
		    was_tried(vms[i].info.id, tried, ntried))
			continue;
		if (best < 0 || idler(&vms[i], &vms[best]))
			best = (int)i;
	}
	return best;
}

static const struct broker_vm *find_vm(const struct broker_vm *vms, unsigned int n, u32 id)
{
	for (unsigned int i = 0; i < n; i++) {
		if (vms[i].info.id == id)
			return &vms[i];
	}
	return NULL;
}

static struct policy_decision deny(enum policy_reason r)
{
	return (struct policy_decision){.action = POLICY_DENY, .reason = r};
}

/* Quota after a grant: what the fault needs plus a step of headroom, never past memory. */
static u64 raised_quota(const struct policy_config *cfg, const struct policy_request *req,
			u64 memory)
{
	u64 want = MAX(req->quota, req->committed + req->needed);

	if (want >= memory || memory - want <= cfg->step)
		return memory;
	return MIN(memory, ALIGN_UP(want + cfg->step, PAGE_SIZE));
}

static struct policy_decision grant(const struct policy_config *cfg,
				    const struct policy_request *req, u64 memory)
{
	struct policy_decision d = {.action = POLICY_GRANT, .reason = POLICY_OK};

	if (req->type == SPROUT_MSG_MEM_REQUEST)
		d.new_quota = raised_quota(cfg, req, memory);
	return d;
}

static bool malformed(const struct policy_request *req)
{
	if (req->type != SPROUT_MSG_MEM_REQUEST && req->type != SPROUT_MSG_HOST_LOW)
		return true;
	return !req->needed || req->committed + req->needed < req->committed;
}

struct policy_decision policy_decide(const struct policy_config *cfg,
				     const struct policy_request *req,
				     const struct policy_host *host, const struct broker_vm *vms,
				     unsigned int n)
{
	const struct broker_vm *vm = find_vm(vms, n, req->vm_id);
	unsigned int ntried = MIN(req->rounds, (u32)POLICY_MAX_ROUNDS);
	int victim;

	if (malformed(req))
		return deny(POLICY_MALFORMED);
	if (!vm)
		return deny(POLICY_UNKNOWN_VM);
	if (req->committed + req->needed > vm->info.memory)
		return deny(POLICY_HARD_LIMIT);
	if (req->repeats >= cfg->max_repeats)
		return deny(POLICY_REPEATS);
	if (policy_host_has(host, req->needed))
		return grant(cfg, req, vm->info.memory);
	if (req->rounds >= MIN(cfg->max_rounds, (u32)POLICY_MAX_ROUNDS))
		return deny(POLICY_ROUNDS);
	victim = policy_pick_reclaim(vms, n, req->vm_id, req->tried, ntried);
	if (victim < 0)
		return deny(POLICY_NO_MEMORY);
	return (struct policy_decision){
		.action = POLICY_RECLAIM, .reason = POLICY_OK, .reclaim_id = vms[victim].info.id};
}

const char *policy_reason_str(enum policy_reason r)
{
	switch (r) {
	case POLICY_OK: return "ok";
	case POLICY_HARD_LIMIT: return "VM at its hard limit (memory size)";
	case POLICY_NO_MEMORY: return "nothing to reclaim";
	case POLICY_ROUNDS: return "host memory still short after the reclaim rounds";
	case POLICY_REPEATS: return "the fault still fails after repeated grants";
	case POLICY_UNKNOWN_VM: return "VM not in the table";
	case POLICY_MALFORMED: return "malformed request";
	}
	return "?";
}
