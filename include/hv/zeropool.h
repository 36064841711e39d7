/* SPDX-License-Identifier: MIT */
/* A pool of 2 MiB blocks zeroed ahead of time, so a 2 MiB fault only has to map one. */
#ifndef HV_ZEROPOOL_H
#define HV_ZEROPOOL_H

#include <hv/types.h>

/* Blocks the pool keeps ready (64 MiB). */
#define ZEROPOOL_BLOCKS 32

/* A zeroed 2 MiB block from the pool, or INVALID_HPA when it is empty. */
hpa_t zeropool_take(void);

/* Bytes an idle CPU zeroes between two looks for work (zeropool_refill_step()). */
#define ZEROPOOL_STEP (64 * 1024)

/*
 * Zero one more block for the pool if it is short and the host can spare a
 * 2 MiB block beyond keep_frames; returns true if it added one. Boot calls
 * this until the pool is full.
 */
bool zeropool_refill_one(u64 keep_frames);

/*
 * Zero the next ZEROPOOL_STEP bytes of the block CPU cpu has under way, taking
 * a block first when it has none and the pool is short (same rule as above);
 * a block whose last step is done joins the pool. Returns false when there
 * was nothing to do. Idle CPUs call this between looks at their run queue,
 * so a vCPU launched or woken on an idle core waits for one step, not for a
 * whole block.
 */
bool zeropool_refill_step(u32 cpu, u64 keep_frames);

/*
 * Keep the pool or not (config [sprout] zero_pool): off, it stays empty and
 * every 2 MiB fault zeroes its block on the faulting core.
 */
void zeropool_set_enabled(bool on);

/* Give every pooled block back to the frame allocator (host memory is short). */
void zeropool_drain(void);

/* Blocks in the pool now. */
u32 zeropool_count(void);

/* Bytes the pool holds: its blocks and those idle CPUs are zeroing for it (a report's figure). */
u64 zeropool_held_bytes(void);

/* Host memory free for VMs: the allocator's free frames plus the pooled blocks. */
u64 host_free_bytes(void);

#endif
