/* SPDX-License-Identifier: MIT */
/*
 * Where a new vCPU may go: the one placement rule, compiled into the
 * hypervisor (HC_VCPU_ADD, INIT/SIPI, the load area's cpus_idle) and into the
 * broker (how many vCPUs it may add), so the two agree by construction. Pure
 * C over struct sprout_core_load (public/hypercall.h); code: sched/place.c.
 */
#ifndef SPROUT_PUBLIC_PLACE_H
#define SPROUT_PUBLIC_PLACE_H

#include <stdbool.h>
#include <stdint.h>

#include <public/hypercall.h>

/*
 * A core with blocked vCPUs that ran vCPUs for more than this share of the
 * window is not free (per mille).
 */
#define PLACE_FREE_BUSY_PM 500

/*
 * A core is free for a new vCPU when it is online, no launch is pending on
 * it and none of its vCPUs runs or wants to run. Blocked vCPUs (HLT, waiting
 * for an event) may stay on it: the new vCPU shares the core with them and
 * they still wake on their events; but then the core must have run vCPUs
 * for at most PLACE_FREE_BUSY_PM of the window, so a core whose vCPU has
 * just halted after a busy spell (its VM's load is falling) is not free. An
 * empty core is free however busy it was: that time was spent by vCPUs that
 * have moved to other cores or were parked.
 */
bool place_core_free(const struct sprout_core_load *c);

/* How many of core[0..n) are free. */
uint32_t place_free_count(const struct sprout_core_load *core, uint32_t n);

/*
 * The free core a new vCPU goes to: the one with the fewest blocked vCPUs,
 * then the least busy, then the lowest number; -1 when none is free.
 */
int32_t place_pick(const struct sprout_core_load *core, uint32_t n);

/*
 * The vCPU that asks (the broker in HC_VCPU_ADD) runs on its core only for
 * the call and waits again after it: count it on c as blocked, not runnable.
 */
void place_caller_waits(struct sprout_core_load *c);

#endif
