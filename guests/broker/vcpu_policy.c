/* SPDX-License-Identifier: MIT */
/* Broker vCPU load policy: per-VM load streaks from the load area, add and park decisions. */
#include "vcpu_policy.h"
#include "cmd.h"

#include <public/place.h>

void vcpu_policy_config_default(struct vcpu_policy_config *cfg)
{
	*cfg = (struct vcpu_policy_config){
		.enabled = true,
		.high_pct = VCPU_DEFAULT_HIGH,
		.low_pct = VCPU_DEFAULT_LOW,
		.up_periods = VCPU_DEFAULT_UP,
		.down_periods = VCPU_DEFAULT_DOWN,
		.settle = VCPU_DEFAULT_SETTLE,
	};
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static bool parse_in(const char *val, u32 lo, u32 hi, u32 *out)
{
	u32 v;

	if (!cmd_parse_u32(val, &v) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

bool vcpu_policy_option(struct vcpu_policy_config *cfg, const char *key, const char *val)
{
	if (streq(key, "vcpu-policy")) {
		if (streq(val, "on") || streq(val, "off")) {
			cfg->enabled = streq(val, "on");
			return true;
		}
		return false;
	}
	if (streq(key, "vcpu-high"))
		return parse_in(val, 1, 100, &cfg->high_pct);
	if (streq(key, "vcpu-low"))
		return parse_in(val, 0, 99, &cfg->low_pct);
	if (streq(key, "vcpu-up"))
		return parse_in(val, 1, VCPU_PERIODS_MAX, &cfg->up_periods);
	if (streq(key, "vcpu-down"))
		return parse_in(val, 1, VCPU_PERIODS_MAX, &cfg->down_periods);
	if (streq(key, "vcpu-settle"))
		return parse_in(val, 0, VCPU_PERIODS_MAX, &cfg->settle);
	return false;
}

bool vcpu_policy_config_valid(const struct vcpu_policy_config *cfg)
{
	return cfg->low_pct < cfg->high_pct && cfg->high_pct <= 100 && cfg->up_periods >= 1 &&
	       cfg->down_periods >= 1;
}

void vcpu_policy_init(struct vcpu_policy *p, const struct vcpu_policy_config *cfg)
{
	*p = (struct vcpu_policy){.cfg = *cfg};
}

static void streaks_reset(struct vcpu_track *t)
{
	t->high_periods = 0;
	t->high_sum = 0;
	t->low_periods = 0;
	t->low_sum = 0;
	t->wait_told = false;
}

/* Take this sample as the base of the next period, with no streak. */
static void prime(struct vcpu_track *t, const struct vcpu_sample *s, u8 mask)
{
	for (unsigned int i = 0; i < VCPU_POLICY_MAX_VCPUS; i++)
		t->last_busy[i] = s->busy_us[i];
	t->online_mask = mask;
	t->load_bp = 0;
	t->primed = true;
	streaks_reset(t);
}

static u8 online_mask(const struct vcpu_sample *s)
{
	u8 mask = 0;

	for (unsigned int i = 0; i < VCPU_POLICY_MAX_VCPUS; i++) {
		if (s->vcpu_state[i] != SPROUT_VCPU_OFF)
			mask |= (u8)(1u << i);
	}
	return mask;
}

static u32 popcount8(u8 m)
{
	u32 n = 0;

	for (; m; m &= (u8)(m - 1))
		n++;
	return n;
}

/*
 * Average load of the online vCPUs over period_us, in basis points; false
 * if a counter went backwards (the VM or a reused vCPU slot started again).
 */
static bool vm_load(const struct vcpu_track *t, const struct vcpu_sample *s, u8 mask, u64 period_us,
		    u32 *load_bp)
{
	u64 sum = 0;
	u32 online = popcount8(mask);

	for (unsigned int i = 0; i < VCPU_POLICY_MAX_VCPUS; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (s->busy_us[i] < t->last_busy[i])
			return false;
		sum += MIN(s->busy_us[i] - t->last_busy[i], period_us);
	}
	*load_bp = (u32)(sum * VCPU_LOAD_FULL / (period_us * online));
	return true;
}

static void streaks_update(const struct vcpu_policy_config *cfg, struct vcpu_track *t)
{
	if (t->load_bp >= cfg->high_pct * 100) {
		t->high_periods++;
		t->high_sum += t->load_bp;
	} else {
		/* The back-off belongs to one streak: the next may find what was missing. */
		t->high_periods = 0;
		t->high_sum = 0;
		t->wait_told = false;
		t->refusals = 0;
	}
	if (t->load_bp <= cfg->low_pct * 100) {
		t->low_periods++;
		t->low_sum += t->load_bp;
	} else {
		t->low_periods = 0;
		t->low_sum = 0;
	}
}

/*
 * Account one period of one VM. Returns true when its load was measured
 * (the VM can be decided on); otherwise its history starts again here.
 */
static bool track(struct vcpu_policy *p, const struct vcpu_sample *s, u64 period_us)
{
	struct vcpu_track *t = &p->vm[s->vm_id];
	u8 mask = online_mask(s);

	if (s->state != SPROUT_VM_RUNNING || s->privileged || !mask) {
		*t = (struct vcpu_track){0};
		return false;
	}
	if (!t->primed || !period_us) {
		prime(t, s, mask);
		return false;
	}
	if (mask != t->online_mask) {
		/* A vCPU came or went: give the new set a period to show its load. */
		prime(t, s, mask);
		t->refusals = 0;
		return false;
	}
	if (!vm_load(t, s, mask, period_us, &t->load_bp)) {
		*t = (struct vcpu_track){0};
		prime(t, s, mask);
		return false;
	}
	for (unsigned int i = 0; i < VCPU_POLICY_MAX_VCPUS; i++)
		t->last_busy[i] = s->busy_us[i];
	streaks_update(&p->cfg, t);
	if (t->since_last < VCPU_PERIODS_MAX)
		t->since_last++;
	return true;
}

static u32 mean_pct(u64 sum, u32 periods)
{
	return periods ? (u32)((sum / periods + 50) / 100) : 0;
}

static struct vcpu_decision decision(enum vcpu_action a, const struct vcpu_sample *s,
				     const struct vcpu_track *t, u32 idle)
{
	bool park = a == VCPU_PARK;
	u32 periods = park ? t->low_periods : t->high_periods;

	return (struct vcpu_decision){
		.action = a,
		.vm_id = s->vm_id,
		.load_pct = mean_pct(park ? t->low_sum : t->high_sum, periods),
		.periods = periods,
		.online = popcount8(t->online_mask),
		.vcpus_min = s->vcpus_min,
		.vcpus_max = s->vcpus_max,
		.idle_cores = park ? 0 : idle,
	};
}

/* An add right after a park (or a park right after an add) waits for settle periods. */
static bool settled(const struct vcpu_policy_config *cfg, const struct vcpu_track *t,
		    enum vcpu_action next)
{
	return !t->decided || t->last == next || t->since_last >= cfg->settle;
}

static void decided(struct vcpu_track *t, enum vcpu_action a)
{
	streaks_reset(t);
	t->decided = true;
	t->last = a;
	t->since_last = 0;
}

static bool wants_add(const struct vcpu_policy_config *cfg, const struct vcpu_track *t,
		      const struct vcpu_sample *s)
{
	u32 need = cfg->up_periods << MIN(t->refusals, (u32)VCPU_BACKOFF_MAX);

	return t->high_periods >= need && settled(cfg, t, VCPU_ADD) &&
	       popcount8(t->online_mask) < MIN(s->vcpus_max, (u32)VCPU_POLICY_MAX_VCPUS);
}

static bool wants_park(const struct vcpu_policy_config *cfg, const struct vcpu_track *t,
		       const struct vcpu_sample *s)
{
	return t->low_periods >= cfg->down_periods && settled(cfg, t, VCPU_PARK) &&
	       popcount8(t->online_mask) > s->vcpus_min;
}

/* Add candidates (indexes into s) busiest first; ties keep table order. */
static void sort_by_load(const struct vcpu_policy *p, const struct vcpu_sample *s,
			 unsigned int *idx, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		unsigned int cur = idx[i], j = i;

		while (j > 0 && p->vm[s[idx[j - 1]].vm_id].load_bp < p->vm[s[cur].vm_id].load_bp) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = cur;
	}
}

/* The period since the last sample; 0 (no decisions) for the first one or a clock gone back. */
static u64 period_of(struct vcpu_policy *p, const struct vcpu_host *h)
{
	u64 period = p->primed && h->now_us > p->last_now_us ? h->now_us - p->last_now_us : 0;

	p->primed = true;
	p->last_now_us = h->now_us;
	return period;
}

/* VMs that left the page: a new VM with the same id starts from nothing. */
static void forget_missing(struct vcpu_policy *p, const struct vcpu_sample *s, unsigned int n)
{
	bool seen[VCPU_POLICY_MAX_VMS] = {false};

	for (unsigned int i = 0; i < n; i++) {
		if (s[i].vm_id < VCPU_POLICY_MAX_VMS)
			seen[s[i].vm_id] = true;
	}
	for (unsigned int id = 0; id < VCPU_POLICY_MAX_VMS; id++) {
		if (!seen[id])
			p->vm[id] = (struct vcpu_track){0};
	}
}

static unsigned int give_cores(struct vcpu_policy *p, const struct vcpu_sample *s,
			       unsigned int *adds, unsigned int nadds, u32 idle,
			       struct vcpu_decision *out, unsigned int max)
{
	unsigned int nout = 0;

	sort_by_load(p, s, adds, nadds);
	for (unsigned int i = 0; i < nadds && nout < max; i++) {
		struct vcpu_track *t = &p->vm[s[adds[i]].vm_id];

		if (idle) {
			out[nout++] = decision(VCPU_ADD, &s[adds[i]], t, idle);
			idle--;
			decided(t, VCPU_ADD);
		} else if (!t->wait_told) {
			out[nout++] = decision(VCPU_WAIT, &s[adds[i]], t, 0);
			t->wait_told = true;
		}
	}
	return nout;
}

unsigned int vcpu_policy_period(struct vcpu_policy *p, const struct vcpu_host *h,
				const struct vcpu_sample *s, unsigned int n,
				struct vcpu_decision *out, unsigned int max)
{
	u64 period_us = period_of(p, h);
	unsigned int adds[VCPU_POLICY_MAX_VMS], nadds = 0, nout = 0;

	forget_missing(p, s, n);
	for (unsigned int i = 0; i < n; i++) {
		struct vcpu_track *t;

		if (s[i].vm_id >= VCPU_POLICY_MAX_VMS || !track(p, &s[i], period_us))
			continue;
		t = &p->vm[s[i].vm_id];
		if (!p->cfg.enabled)
			continue;
		if (wants_park(&p->cfg, t, &s[i]) && nout < max) {
			out[nout++] = decision(VCPU_PARK, &s[i], t, 0);
			decided(t, VCPU_PARK);
		} else if (wants_add(&p->cfg, t, &s[i]) && nadds < ARRAY_SIZE(adds)) {
			adds[nadds++] = i;
		}
	}
	return nout + give_cores(p, s, adds, nadds, h->idle_cores, out + nout, max - nout);
}

void vcpu_policy_result(struct vcpu_policy *p, const struct vcpu_decision *d, long ret)
{
	struct vcpu_track *t;

	if (d->vm_id >= VCPU_POLICY_MAX_VMS || d->action != VCPU_ADD)
		return;
	t = &p->vm[d->vm_id];
	if (ret >= 0)
		t->refusals = 0;
	else if (t->refusals < VCPU_BACKOFF_MAX)
		t->refusals++;
}

/* Index of VM id's row on the page, or -1. */
static int page_slot(const struct sprout_stats_page *pg, u32 id)
{
	for (unsigned int i = 0; i < SPROUT_STATS_VMS; i++) {
		if (pg->vm[i].state != SPROUT_VM_EMPTY && pg->vm[i].id == id)
			return (int)i;
	}
	return -1;
}

u32 vcpu_idle_cores(const struct sprout_stats_page *pg, u32 self_id)
{
	struct sprout_core_load core[SPROUT_STATS_CPUS];
	int self = page_slot(pg, self_id);

	for (unsigned int c = 0; c < SPROUT_STATS_CPUS; c++)
		core[c] = pg->core[c];
	/*
	 * The broker makes the call from its core and waits again after it, as
	 * the hypervisor counts it then; the page may have caught it running.
	 */
	if (self >= 0 && pg->vm[self].vcpu_state[0] == SPROUT_VCPU_RUNNABLE &&
	    pg->vm[self].vcpu_cpu[0] < SPROUT_STATS_CPUS)
		place_caller_waits(&core[pg->vm[self].vcpu_cpu[0]]);
	return place_free_count(core, SPROUT_STATS_CPUS);
}
