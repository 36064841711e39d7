/* SPDX-License-Identifier: MIT */
/* Broker policy: VM activity tracking and memory decisions, pure C (host-tested). */
#ifndef BROKER_POLICY_H
#define BROKER_POLICY_H

#include <hv/types.h>
#include <public/hypercall.h>

/* Reclaim rounds and unhelpful grants allowed for one fault before it is denied. */
#define POLICY_MAX_ROUNDS  3
#define POLICY_MAX_REPEATS 3

/* Quota headroom granted beyond what a fault needs. */
#define POLICY_DEFAULT_STEP MiB(16)

/*
 * A period is idle when the VM ran for less than 1/IDLE_BUSY_DIV of it and
 * exited less than once per IDLE_EXIT_US microseconds: an idle guest halts,
 * so it neither runs nor exits much, while a busy or I/O-bound one does one
 * or the other.
 */
#define ACTIVITY_IDLE_BUSY_DIV 100
#define ACTIVITY_IDLE_EXIT_US  1000

/* Recent activity of one VM, sampled once per broker period. */
struct activity {
	u64 last_busy_us; /* counters at the previous sample */
	u64 last_exits;
	u64 busy_delta; /* busy microseconds and exits in the last period */
	u64 exits_delta;
	u64 busy_avg;	  /* exponentially decayed average of busy_delta (weight 1/4) */
	u32 idle_periods; /* consecutive idle periods, 0 when the last one was busy */
	bool primed;	  /* the last_* counters hold a sample */
};

/* One row of the broker's VM table: the hypervisor's figures plus activity. */
struct broker_vm {
	struct sprout_vm_info info;
	struct activity act;
};

/* Forget the history, e.g. when the VM was started again. */
void activity_reset(struct activity *a);

/*
 * Account one period of elapsed_us microseconds, given the VM's counters
 * now. Counters that went backwards mean the VM was restarted: the history
 * is reset and this sample starts a new one.
 */
void activity_sample(struct activity *a, u64 busy_us, u64 exits, u64 elapsed_us);

enum policy_action {
	POLICY_GRANT,	/* set new_quota (if non-zero), then answer GRANT */
	POLICY_RECLAIM, /* HC_VM_RECLAIM reclaim_id, refresh, decide again */
	POLICY_DENY,	/* answer DENY, log the reason */
};

enum policy_reason {
	POLICY_OK,
	POLICY_HARD_LIMIT, /* committed + needed > memory size */
	POLICY_NO_MEMORY,  /* host short and nothing left to reclaim */
	POLICY_ROUNDS,	   /* host still short after POLICY_MAX_ROUNDS reclaims */
	POLICY_REPEATS,	   /* the same fault kept failing after grants */
	POLICY_UNKNOWN_VM, /* the requester is not in the table */
	POLICY_MALFORMED,  /* the message makes no sense (needs nothing, ...) */
};

struct policy_config {
	u64 step;	/* quota headroom; POLICY_DEFAULT_STEP */
	u32 max_rounds; /* <= POLICY_MAX_ROUNDS */
	u32 max_repeats;
};

/* A memory request or host-low message and what was done about it so far. */
struct policy_request {
	u32 type; /* SPROUT_MSG_MEM_REQUEST or SPROUT_MSG_HOST_LOW */
	u32 vm_id;
	u64 needed; /* bytes the fault needs */
	u64 committed;
	u64 quota;
	u32 rounds;		      /* reclaims already done for it */
	u32 tried[POLICY_MAX_ROUNDS]; /* VM ids reclaimed from so far */
	u32 repeats;		      /* earlier grants of this same fault */
};

struct policy_host {
	u64 free_bytes;
	u64 reserve_bytes;
};

struct policy_decision {
	enum policy_action action;
	enum policy_reason reason; /* POLICY_OK unless DENY */
	u64 new_quota;		   /* GRANT of a MEM_REQUEST: quota to set first */
	u32 reclaim_id;		   /* RECLAIM: the VM to take memory from */
};

/* step POLICY_DEFAULT_STEP, POLICY_MAX_ROUNDS rounds, POLICY_MAX_REPEATS repeats. */
void policy_config_default(struct policy_config *cfg);

/*
 * Decide one request against the table of n VMs (the requester included).
 * Grant when the host keeps its reserve after the fault and the VM stays
 * within its memory size; otherwise reclaim from the idlest other VM that
 * can give memory back; otherwise deny.
 */
struct policy_decision policy_decide(const struct policy_config *cfg,
				     const struct policy_request *req,
				     const struct policy_host *host, const struct broker_vm *vms,
				     unsigned int n);

/*
 * Index into vms of the VM to reclaim from for requester, or -1: not the
 * requester, not privileged, running or paused, something committed, not in
 * tried[0..ntried). Most idle periods first, then least busy, then most
 * committed, then first in the table.
 */
int policy_pick_reclaim(const struct broker_vm *vms, unsigned int n, u32 requester,
			const u32 *tried, unsigned int ntried);

/* True when the host keeps reserve_bytes free after handing out needed. */
bool policy_host_has(const struct policy_host *host, u64 needed);

/* One-line text of a deny reason, without figures. */
const char *policy_reason_str(enum policy_reason r);

#endif
