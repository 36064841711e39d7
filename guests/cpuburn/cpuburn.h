/* SPDX-License-Identifier: MIT */
/* cpuburn: a work queue that every online vCPU helps to drain, in heavy and light phases. */
#ifndef CPUBURN_H
#define CPUBURN_H

#include "util.h"
#include "smp.h"

/* Items of all heavy phases together: one byte of count and vCPU, one u32 result each. */
#define QUEUE_MAX_ITEMS	 (1u << 18)
#define QUEUE_MAX_PHASES 16u

/* Items no vCPU may claim: between heavy phases. */
#define QUEUE_CLOSED (~0u)

/* Fill the shared input buffer; work_bytes is what one item hashes (a multiple of 8). */
void queue_init(u32 work_bytes);

/*
 * Open heavy phase p, items [first, first + items) of the whole run: from now
 * on every vCPU that calls queue_work_one() takes items of it. Only vCPU 0
 * opens and closes phases; the previous one must be drained.
 */
void queue_open(u32 p, u32 first, u32 items);
void queue_close(void);

/* Items of phase p done so far (not only taken); drained: all of them. */
u32 queue_phase_done(u32 p);
bool queue_phase_drained(u32 p);

/*
 * Take the next item of the open phase (an atomic fetch-add on the phase's
 * counter), do it and mark it done by vcpu. False when there was none to take.
 */
bool queue_work_one(u32 vcpu);

/* Items done so far, all vCPUs; items done by one vCPU (over all its arrivals). */
u64 queue_done(void);
u64 queue_done_by(u32 vcpu);

/* The worker of secondary vCPUs (smp_set_worker()): take items, idle, park when asked. */
void queue_worker(u32 vcpu);

/* After the run: how many of the first total items were done 0 times, and more than once. */
void queue_count_marks(u32 total, u32 *missing, u32 *repeated);

/*
 * Recompute on the calling vCPU up to per_vcpu items done by each vCPU and
 * compare with the stored results. Returns the number that differ; *checked
 * gets how many were compared.
 */
u32 queue_verify_sample(u32 total, u32 per_vcpu, u32 *checked);

#endif
