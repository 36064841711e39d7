// SPDX-License-Identifier: MIT
/* Unit tests of the zero pool: whole blocks at boot, step by step in idle time. */
#include <stdlib.h>
#include <string.h>

#include <hv/percpu.h>
#include <hv/pmm.h>
#include <hv/zeropool.h>

#include "utest.h"

#define STEPS_PER_BLOCK (LARGE_PAGE_SIZE / ZEROPOOL_STEP)
#define FRAMES_2M	(LARGE_PAGE_SIZE / PAGE_SIZE)

static u8 *arena;

/* A pmm over bytes of host memory, every byte dirty, and an empty pool. */
static void setup(u64 bytes)
{
	struct mem_range r;

	arena = aligned_alloc(MiB(4), bytes);
	memset(arena, 0xa5, bytes);
	r = (struct mem_range){(u64)(uintptr_t)arena, (u64)(uintptr_t)arena + bytes};
	CHECK_EQ(pmm_init(&r, 1), 0);
	zeropool_set_enabled(true);
}

static void teardown(void)
{
	zeropool_drain();
	pmm_reset();
	free(arena);
	arena = NULL;
}

static bool all_zero(hpa_t pa)
{
	const u64 *p = (const u64 *)(uintptr_t)pa;

	for (u64 i = 0; i < LARGE_PAGE_SIZE / sizeof(*p); i++)
		if (p[i])
			return false;
	return true;
}

/* A block joins the pool at its last step, zeroed whole, and not before. */
UTEST(zeropool_step_fills_a_block_in_steps)
{
	hpa_t pa;

	setup(MiB(16));
	CHECK_EQ(zeropool_count(), 0);
	for (u32 i = 0; i < STEPS_PER_BLOCK - 1; i++)
		CHECK(zeropool_refill_step(1, 0));
	CHECK_EQ(zeropool_count(), 0);
	CHECK(zeropool_refill_step(1, 0));
	CHECK_EQ(zeropool_count(), 1);
	pa = zeropool_take();
	CHECK(pa != INVALID_HPA);
	CHECK(all_zero(pa));
	pmm_free(pa, PMM_ORDER_2M);
	teardown();
}

/* Two CPUs zero two blocks at once, each at its own pace. */
UTEST(zeropool_step_per_cpu)
{
	hpa_t a, b;

	setup(MiB(16));
	for (u32 i = 0; i < STEPS_PER_BLOCK; i++) {
		CHECK(zeropool_refill_step(0, 0));
		if (i < STEPS_PER_BLOCK / 2)
			CHECK(zeropool_refill_step(3, 0));
	}
	CHECK_EQ(zeropool_count(), 1); /* CPU 3's block is half done */
	for (u32 i = 0; i < STEPS_PER_BLOCK / 2; i++)
		CHECK(zeropool_refill_step(3, 0));
	CHECK_EQ(zeropool_count(), 2);
	a = zeropool_take();
	b = zeropool_take();
	CHECK(a != b);
	CHECK(all_zero(a) && all_zero(b));
	pmm_free(a, PMM_ORDER_2M);
	pmm_free(b, PMM_ORDER_2M);
	teardown();
}

/* Nothing to do: the pool full, the host short of memory, the pool off, a bad CPU. */
UTEST(zeropool_step_stops)
{
	u64 before;

	setup(MiB(16)); /* 8 blocks at most */
	before = pmm_free_frames();
	CHECK(!zeropool_refill_step(0, before)); /* would dip into keep_frames */
	CHECK(!zeropool_refill_step(MAX_CPUS, 0));
	zeropool_set_enabled(false);
	CHECK(!zeropool_refill_step(0, 0));
	zeropool_set_enabled(true);
	while (zeropool_refill_step(0, 0))
		;
	/* The allocator ran out before the pool filled; every whole block is pooled. */
	CHECK_EQ(zeropool_count(), before / FRAMES_2M);
	CHECK(pmm_free_frames() < FRAMES_2M);
	CHECK(!zeropool_refill_step(0, 0));
	teardown();
}

/* Boot's whole-block refill and the steps share the pool's limit. */
UTEST(zeropool_limit)
{
	u32 steps = 0;

	setup(MiB(2) * (ZEROPOOL_BLOCKS + 4));
	while (zeropool_refill_one(0))
		;
	CHECK_EQ(zeropool_count(), ZEROPOOL_BLOCKS);
	CHECK(!zeropool_refill_step(0, 0));
	pmm_free(zeropool_take(), PMM_ORDER_2M);
	while (zeropool_refill_step(2, 0))
		steps++;
	CHECK_EQ(steps, STEPS_PER_BLOCK);
	CHECK_EQ(zeropool_count(), ZEROPOOL_BLOCKS);
	teardown();
}
