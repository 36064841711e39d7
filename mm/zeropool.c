// SPDX-License-Identifier: MIT
/* Pre-zeroed 2 MiB blocks: zeroing happens in idle time, not in the guest's fault. */
#include <hv/percpu.h>
#include <hv/pmm.h>
#include <hv/spinlock.h>
#include <hv/string.h>
#include <hv/zeropool.h>

static hpa_t pool[ZEROPOOL_BLOCKS];
static u32 pooled;
static spinlock_t pool_lock = SPINLOCK_INIT;
static bool pool_on = true;

void zeropool_set_enabled(bool on)
{
	pool_on = on;
	if (!on)
		zeropool_drain();
}

hpa_t zeropool_take(void)
{
	hpa_t pa = INVALID_HPA;

	spin_lock(&pool_lock);
	if (pooled)
		pa = pool[--pooled];
	spin_unlock(&pool_lock);
	return pa;
}

/* The pool wants another block and the host can spare one beyond keep_frames. */
static bool pool_short(u64 keep_frames)
{
	return pool_on && __atomic_load_n(&pooled, __ATOMIC_RELAXED) < ZEROPOOL_BLOCKS &&
	       pmm_free_frames() >= keep_frames + (1ULL << PMM_ORDER_2M);
}

/* A zeroed block joins the pool, or goes back to the allocator if the pool filled meanwhile. */
static bool pool_put(hpa_t pa)
{
	bool kept = false;

	spin_lock(&pool_lock);
	if (pooled < ZEROPOOL_BLOCKS) {
		pool[pooled++] = pa;
		kept = true;
	}
	spin_unlock(&pool_lock);
	if (!kept)
		pmm_free(pa, PMM_ORDER_2M);
	return kept;
}

/* A 2 MiB block to zero for the pool, or INVALID_HPA when the pool needs none. */
static hpa_t block_to_zero(u64 keep_frames)
{
	return pool_short(keep_frames) ? pmm_alloc(PMM_ORDER_2M) : INVALID_HPA;
}

bool zeropool_refill_one(u64 keep_frames)
{
	hpa_t pa = block_to_zero(keep_frames);

	if (pa == INVALID_HPA)
		return false;
	/* Zero outside the lock: this is the slow part, and the point of the pool. */
	memset((void *)(uintptr_t)pa, 0, LARGE_PAGE_SIZE);
	return pool_put(pa);
}

/*
 * The block each CPU is zeroing step by step. Only that CPU touches its entry.
 * A block under way is not in the pool yet: zeropool_drain() leaves it, and
 * it joins the pool (or the allocator) at its last step.
 */
static struct {
	hpa_t pa;
	u32 done;
} under_way[MAX_CPUS];

bool zeropool_refill_step(u32 cpu, u64 keep_frames)
{
	typeof(&under_way[0]) w;

	if (cpu >= MAX_CPUS)
		return false;
	w = &under_way[cpu];
	if (!w->pa) {
		hpa_t pa = block_to_zero(keep_frames);

		if (pa == INVALID_HPA)
			return false;
		w->pa = pa;
		w->done = 0;
	}
	memzero_nt((void *)(uintptr_t)(w->pa + w->done), ZEROPOOL_STEP);
	w->done += ZEROPOOL_STEP;
	if (w->done == LARGE_PAGE_SIZE) {
		pool_put(w->pa);
		w->pa = 0;
	}
	return true;
}

void zeropool_drain(void)
{
	hpa_t pa;

	while ((pa = zeropool_take()) != INVALID_HPA)
		pmm_free(pa, PMM_ORDER_2M);
}

u32 zeropool_count(void)
{
	return __atomic_load_n(&pooled, __ATOMIC_RELAXED);
}

u64 zeropool_held_bytes(void)
{
	u64 blocks = zeropool_count();

	for (u32 i = 0; i < MAX_CPUS; i++)
		blocks += __atomic_load_n(&under_way[i].pa, __ATOMIC_RELAXED) != 0;
	return blocks * LARGE_PAGE_SIZE;
}

u64 host_free_bytes(void)
{
	return (pmm_free_frames() + (u64)zeropool_count() * (1ULL << PMM_ORDER_2M)) * PAGE_SIZE;
}
