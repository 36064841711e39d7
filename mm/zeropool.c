// SPDX-License-Identifier: MIT
/* Pre-zeroed 2 MiB blocks: zeroing happens in idle time, not in the guest's fault. */
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

bool zeropool_refill_one(u64 keep_frames)
{
	hpa_t pa;
	bool kept = false;

	if (!pool_on || __atomic_load_n(&pooled, __ATOMIC_RELAXED) >= ZEROPOOL_BLOCKS ||
	    pmm_free_frames() < keep_frames + (1ULL << PMM_ORDER_2M))
		return false;
	pa = pmm_alloc(PMM_ORDER_2M);
	if (pa == INVALID_HPA)
		return false;
	/* Zero outside the lock: this is the slow part, and the point of the pool. */
	memset((void *)(uintptr_t)pa, 0, LARGE_PAGE_SIZE);
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

u64 host_free_bytes(void)
{
	return (pmm_free_frames() + (u64)zeropool_count() * (1ULL << PMM_ORDER_2M)) * PAGE_SIZE;
}
