/* SPDX-License-Identifier: MIT */
/* vCPU load policy, broker side: read the load area, run the policy, add or park vCPUs, log. */
#include "guest.h"
#include "sprout.h"
#include "x86.h"
#include "broker.h"
#include "timeline.h"
#include "cmd.h"
#include "fmt.h"
#include "vcpu_policy.h"

/* The hypervisor's -ERANGE (HC_VCPU_PARK at the minimum): not in the public header. */
#define VCPU_ERANGE 34

/*
 * Copies of the load area tried before this period is given up, and spins
 * waiting for an update under way to end. An update takes microseconds, but
 * under an emulator the CPU writing it can be descheduled for milliseconds.
 */
#define STATS_READ_TRIES 16
#define STATS_WAIT_SPINS (1u << 20)

/* The options of the broker's command line, with what each wants. */
struct option {
	const char *key;
	const char *want;
};

static const struct option options[] = {
	{.key = "vcpu-policy", .want = "on or off"},
	{.key = "vcpu-high", .want = "1 to 100 (percent)"},
	{.key = "vcpu-low", .want = "0 to 99 (percent)"},
	{.key = "vcpu-up", .want = "1 to 1000 (periods)"},
	{.key = "vcpu-down", .want = "1 to 1000 (periods)"},
	{.key = "vcpu-settle", .want = "0 to 1000 (periods)"},
};

static struct vcpu_policy policy;
/* This period's copy of the load area. */
static struct sprout_stats_page fresh;
static bool read_failure_told;

/*
 * Copy the load area with its seq protocol: seq is odd while the hypervisor
 * rewrites the page, and changes when it has; retry until it was even and
 * the same before and after the copy.
 */
static bool stats_read(struct sprout_stats_page *out)
{
	const volatile u32 *seq = (const volatile u32 *)(uintptr_t)SPROUT_STATS_GPA;
	const void *page = (const void *)(uintptr_t)SPROUT_STATS_GPA;

	for (unsigned int i = 0; i < STATS_READ_TRIES; i++) {
		u32 before = *seq;

		for (unsigned int spin = 0; (before & 1) && spin < STATS_WAIT_SPINS; spin++) {
			cpu_relax();
			before = *seq;
		}
		if (before & 1)
			return false;
		asm volatile("" ::: "memory");
		memcpy(out, page, sizeof(*out));
		asm volatile("" ::: "memory");
		if (*seq == before)
			return true;
	}
	return false;
}

static u32 self_id(void)
{
	for (unsigned int i = 0; i < vm_count; i++) {
		if (vm_table[i].info.privileged)
			return vm_table[i].info.id;
	}
	return ~0u;
}

/* One sample per VM on the page that the VM table knows too (it has the minimum). */
static unsigned int build_samples(const struct sprout_stats_page *pg, struct vcpu_sample *s)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < SPROUT_STATS_VMS; i++) {
		const struct broker_vm *v;

		if (pg->vm[i].state == SPROUT_VM_EMPTY)
			continue;
		v = table_find(pg->vm[i].id);
		if (!v)
			continue;
		s[n] = (struct vcpu_sample){
			.vm_id = pg->vm[i].id,
			.state = pg->vm[i].state,
			.privileged = v->info.privileged != 0,
			.vcpus_min = v->info.vcpus_min,
			.vcpus_max = v->info.vcpus_max,
		};
		for (unsigned int j = 0; j < VCPU_POLICY_MAX_VCPUS; j++) {
			s[n].busy_us[j] = pg->vm[i].vcpu_busy_us[j];
			s[n].vcpu_state[j] = pg->vm[i].vcpu_state[j];
		}
		n++;
	}
	return n;
}

/* Why the hypervisor refused, in the words of HC_VCPU_ADD / HC_VCPU_PARK. */
static const char *refusal_text(enum vcpu_action a, long ret)
{
	switch (-ret) {
	case SPROUT_EBUSY:
		return a == VCPU_ADD ? "no idle core" : "every vCPU it could park is being parked";
	case SPROUT_ENOSPC: return "at its vCPU maximum";
	case SPROUT_ENOENT:
		return a == VCPU_ADD ? "the guest registered no vCPU entry" : "no such VM";
	case SPROUT_EINVAL: return "the VM is not running";
	case VCPU_ERANGE: return "at its vCPU minimum";
	default: return cmd_err_text(ret);
	}
}

static void log_decision(const struct vcpu_decision *d, long ret)
{
	const struct vcpu_policy_config *c = &policy.cfg;
	const char *s = d->periods == 1 ? "" : "s";
	char result[96];

	if (d->action == VCPU_WAIT)
		fmt_snprintf(result, sizeof(result),
			     "wait (no idle core; the work stays on %u vCPU%s)", d->online,
			     d->online == 1 ? "" : "s");
	else if (ret >= 0)
		fmt_snprintf(result, sizeof(result), "vCPU %ld", ret);
	else
		fmt_snprintf(result, sizeof(result), "%s (%s)", cmd_err_name(ret),
			     refusal_text(d->action, ret));
	if (d->action == VCPU_PARK)
		broker_log("vcpu park vm %u (%s): load %u%% <= %u%% for %u period%s, %u/%u vCPUs "
			   "-> %s",
			   d->vm_id, table_name(d->vm_id), d->load_pct, c->low_pct, d->periods, s,
			   d->online, d->vcpus_max, result);
	else
		broker_log("vcpu add vm %u (%s): load %u%% >= %u%% for %u period%s, %u/%u vCPUs, "
			   "%u idle core%s -> %s",
			   d->vm_id, table_name(d->vm_id), d->load_pct, c->high_pct, d->periods, s,
			   d->online, d->vcpus_max, d->idle_cores, d->idle_cores == 1 ? "" : "s",
			   result);
}

/* Why no core was free: each online core's figures on the page, as the rule saw them. */
static void log_cores(void)
{
	char line[200];
	size_t len = 0;

	line[0] = 0;
	for (unsigned int c = 0; c < SPROUT_STATS_CPUS && len + 48 < sizeof(line); c++) {
		const struct sprout_core_load *k = &fresh.core[c];
		int n;

		if (!(k->flags & SPROUT_CORE_ONLINE))
			continue;
		n = fmt_snprintf(line + len, sizeof(line) - len,
				 "%s%u: %u runnable %u blocked busy %u%%%s", len ? ", " : "", c,
				 k->runnable, k->blocked, k->busy_pm / 10,
				 k->flags & SPROUT_CORE_LAUNCH ? " launch" : "");
		if (n < 0)
			break;
		len = MIN(len + (size_t)n, sizeof(line) - 1);
	}
	broker_log("vcpu cores: %s", line);
}

static void act(const struct vcpu_decision *d)
{
	long ret = 0;

	if (d->action == VCPU_ADD)
		ret = hypercall(HC_VCPU_ADD, d->vm_id, 0, 0, 0);
	else if (d->action == VCPU_PARK)
		ret = hypercall(HC_VCPU_PARK, d->vm_id, 0, 0, 0);
	log_decision(d, ret);
	if (ret >= 0 && d->action != VCPU_WAIT)
		history_event(d->vm_id, d->action == VCPU_ADD ? TL_ADD : TL_PARK, (u64)ret);
	if (d->action == VCPU_WAIT || (d->action == VCPU_ADD && ret == -SPROUT_EBUSY))
		log_cores();
	vcpu_policy_result(&policy, d, ret);
}

void vcpu_kept(const struct sprout_msg *m)
{
	if (m->arg1)
		broker_log("vcpu park vm %u (%s): the guest kept CPU %u (no eject within %u ms)",
			   m->vm_id, table_name(m->vm_id), (unsigned int)m->arg0,
			   (unsigned int)m->arg1);
	else
		broker_log("vcpu park vm %u (%s): the guest refused to eject CPU %u (_OST status "
			   "0x%x); it keeps the vCPU",
			   m->vm_id, table_name(m->vm_id), (unsigned int)m->arg0,
			   (unsigned int)m->arg2);
}

void vcpu_period(void)
{
	static struct vcpu_sample samples[SPROUT_STATS_VMS];
	static struct vcpu_decision d[SPROUT_STATS_VMS];
	struct vcpu_host h;
	unsigned int n;

	if (!policy.cfg.enabled)
		return;
	if (!stats_read(&fresh)) {
		if (!read_failure_told)
			broker_log("vcpu: no consistent copy of the load area (an update "
				   "under way on every try); no vCPU decisions this period");
		read_failure_told = true;
		return;
	}
	h = (struct vcpu_host){fresh.now_us, vcpu_idle_cores(&fresh, self_id())};
	n = build_samples(&fresh, samples);
	n = vcpu_policy_period(&policy, &h, samples, n, d, ARRAY_SIZE(d));
	for (unsigned int i = 0; i < n; i++)
		act(&d[i]);
}

void vcpu_read_options(void)
{
	struct vcpu_policy_config cfg, def;
	char val[16];

	vcpu_policy_config_default(&def);
	cfg = def;
	for (unsigned int i = 0; i < ARRAY_SIZE(options); i++) {
		int ret = cmd_opt_get(guest_cmdline, options[i].key, val, sizeof(val));

		if (ret && (ret < 0 || !vcpu_policy_option(&cfg, options[i].key, val)))
			broker_log("%s: want %s, keeping the default", options[i].key,
				   options[i].want);
	}
	if (!vcpu_policy_config_valid(&cfg)) {
		broker_log("vcpu-low=%u is not below vcpu-high=%u: keeping %u and %u", cfg.low_pct,
			   cfg.high_pct, def.low_pct, def.high_pct);
		cfg.low_pct = def.low_pct;
		cfg.high_pct = def.high_pct;
	}
	vcpu_policy_init(&policy, &cfg);
	if (!cfg.enabled) {
		broker_log("vcpu policy off");
		return;
	}
	broker_log("vcpu policy on: add at >= %u%% for %u periods, park at <= %u%% for %u periods, "
		   "%u periods before undoing a change",
		   cfg.high_pct, cfg.up_periods, cfg.low_pct, cfg.down_periods, cfg.settle);
}
