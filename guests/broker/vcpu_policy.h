/* SPDX-License-Identifier: MIT */
/* Broker vCPU load policy: add a vCPU to a busy VM, park one of an idle VM (pure C, host-tested). */
#ifndef BROKER_VCPU_POLICY_H
#define BROKER_VCPU_POLICY_H

#include <hv/types.h>
#include <public/hypercall.h>

/* VMs and vCPUs per VM the policy follows: what the load area reports. */
#define VCPU_POLICY_MAX_VMS   SPROUT_STATS_VMS
#define VCPU_POLICY_MAX_VCPUS SPROUT_STATS_VCPUS

#define VCPU_DEFAULT_HIGH     80 /* percent */
#define VCPU_DEFAULT_LOW      20
#define VCPU_DEFAULT_UP	      3 /* periods */
#define VCPU_DEFAULT_DOWN     5
#define VCPU_DEFAULT_SETTLE   10 /* periods */
#define VCPU_PERIODS_MAX      1000

/*
 * A refused add (no core after all, no vCPU entry registered, ...) doubles
 * the periods the next add of that VM waits for, up to 2^VCPU_BACKOFF_MAX
 * times up_periods, so a VM that cannot grow does not log a line every few
 * periods for ever. A period below the high mark ends the back-off with the
 * streak: Linux refused while it boots (no vCPU entry yet) must grow at the
 * first load after it.
 */
#define VCPU_BACKOFF_MAX 4

/* Loads are kept in basis points: 10000 is one vCPU busy for the whole period. */
#define VCPU_LOAD_FULL 10000u

struct vcpu_policy_config {
	bool enabled;	  /* vcpu-policy=on|off */
	u32 high_pct;	  /* vcpu-high: add at or above this average load */
	u32 low_pct;	  /* vcpu-low: park at or below it; low_pct < high_pct */
	u32 up_periods;	  /* vcpu-up: consecutive high periods before an add */
	u32 down_periods; /* vcpu-down: consecutive low periods before a park */
	u32 settle;	  /* vcpu-settle: periods before a decision may undo the last one */
};

/*
 * One VM in one period: its load area row (vm[] of struct sprout_stats_page)
 * plus what only the VM table knows (minimum, privileged).
 */
struct vcpu_sample {
	u32 vm_id;
	u32 state; /* enum sprout_vm_state */
	bool privileged;
	u32 vcpus_min;
	u32 vcpus_max;
	u64 busy_us[VCPU_POLICY_MAX_VCPUS];   /* time in the guest per vCPU, as on the page */
	u8 vcpu_state[VCPU_POLICY_MAX_VCPUS]; /* enum sprout_vcpu_state */
};

/* The host in that period. */
struct vcpu_host {
	u64 now_us;	/* the load area's clock: the period is the difference to the last one */
	u32 idle_cores; /* cores an added vCPU could start on (vcpu_idle_cores()) */
};

enum vcpu_action {
	VCPU_ADD,  /* HC_VCPU_ADD, then vcpu_policy_result() */
	VCPU_PARK, /* HC_VCPU_PARK, then vcpu_policy_result() */
	VCPU_WAIT, /* an add is due but no core is idle: the vCPUs share the work (once a streak) */
};

struct vcpu_decision {
	enum vcpu_action action;
	u32 vm_id;
	u32 load_pct; /* average vCPU load over the streak, rounded */
	u32 periods;  /* length of the streak */
	u32 online;   /* vCPUs online */
	u32 vcpus_min;
	u32 vcpus_max;
	u32 idle_cores; /* ADD, WAIT: idle cores seen before this decision */
};

/* What the policy remembers of one VM between periods. */
struct vcpu_track {
	bool primed;	/* last_busy and online_mask hold a sample */
	u8 online_mask; /* vCPUs not OFF at the last sample */
	u64 last_busy[VCPU_POLICY_MAX_VCPUS];
	u32 load_bp;		       /* average vCPU load of the last period */
	u32 high_periods, low_periods; /* current streaks */
	u64 high_sum, low_sum;	       /* their loads added up (for the mean) */
	u32 refusals;		       /* adds refused in a row (back-off) */
	bool wait_told;		       /* VCPU_WAIT given for the current high streak */
	bool decided;		       /* an ADD or PARK was decided for this VM */
	enum vcpu_action last;	       /* then: the last one */
	u32 since_last;		       /* and the periods measured since */
};

struct vcpu_policy {
	struct vcpu_policy_config cfg;
	bool primed; /* last_now_us holds the clock of a sample */
	u64 last_now_us;
	struct vcpu_track vm[VCPU_POLICY_MAX_VMS]; /* by VM id */
};

/* vcpu-policy=on, 80%, 20%, 3 and 5 periods, settle 10 periods. */
void vcpu_policy_config_default(struct vcpu_policy_config *cfg);

/*
 * Set one broker option: key "vcpu-policy" (on|off), "vcpu-high",
 * "vcpu-low" (percent), "vcpu-up" or "vcpu-down" (periods, 1 to
 * VCPU_PERIODS_MAX), "vcpu-settle" (periods, 0 to VCPU_PERIODS_MAX). Returns false, cfg unchanged, for a bad value or key.
 */
bool vcpu_policy_option(struct vcpu_policy_config *cfg, const char *key, const char *val);

/* True when the marks make sense together: low_pct < high_pct <= 100. */
bool vcpu_policy_config_valid(const struct vcpu_policy_config *cfg);

/* Start with no history. */
void vcpu_policy_init(struct vcpu_policy *p, const struct vcpu_policy_config *cfg);

/*
 * One period: samples s[0..n) of every VM on the load area. Writes at most
 * max decisions to out and returns how many; parks come first, then adds
 * (and waits) with the busiest VM first, one add per idle core.
 *
 * A vCPU's load is its busy time since the last sample over the period,
 * capped at 100%; a VM's load is the mean over its online vCPUs. Adds need
 * up_periods periods at or above high_pct in a row, fewer vCPUs than the
 * maximum and an idle core; parks down_periods at or below low_pct and more
 * vCPUs than the minimum. Never decided: the broker (privileged), a VM not
 * running, a VM whose set of online vCPUs changed since the last sample or
 * whose counters went backwards (restarted). Every ADD or PARK starts the
 * VM's streaks again, and the opposite decision (a park after an add, an add
 * after a park) waits until settle periods were measured since: the work of
 * the change itself (a guest onlining or offlining a CPU) does not undo it.
 */
unsigned int vcpu_policy_period(struct vcpu_policy *p, const struct vcpu_host *h,
				const struct vcpu_sample *s, unsigned int n,
				struct vcpu_decision *out, unsigned int max);

/* The hypercall's result for an ADD or PARK decision: a refused add backs off. */
void vcpu_policy_result(struct vcpu_policy *p, const struct vcpu_decision *d, long ret);

/*
 * Cores the hypervisor could start a new vCPU on when the broker, VM
 * self_id, asks now: the cores of the page pg that are free by the placement
 * rule the hypervisor itself applies (public/place.h), with the broker's own
 * vCPU counted as waiting, as the hypervisor counts the vCPU making the call.
 * A core where only the halted broker queues is free; one that ran vCPUs for
 * more than half of the last SPROUT_PLACE_WINDOW_MS is not.
 */
u32 vcpu_idle_cores(const struct sprout_stats_page *pg, u32 self_id);

/* ---- vcpu.c: the broker side (reads the load area, makes the calls, logs) ---- */

/* Read the vcpu-* options from the broker's command line and log the settings. */
void vcpu_read_options(void);

/* Called every period after the VM table refresh: sample, decide, act, log. */
void vcpu_period(void);

#endif
