/* SPDX-License-Identifier: MIT */
/* memtouch bench=fault: the cost of a first touch per 4 KiB and per 2 MiB, and of zeroing 2 MiB. */
#include "memtouch.h"
#include "x86.h"

#define FAULT4K_BYTES MiB(8) /* 2048 pages, four 2 MiB regions */
#define FAULT2M_MAX   32
#define FAULT2M_MIN   4
#define ZERO_RUNS     8u
#define TOUCH_VALUE   1

/* One write per 4 KiB page of a fresh region: average cycles per page. */
static u64 bench_fault4k(u64 base, u64 bytes)
{
	u64 pages = bytes / PAGE_SIZE, t0 = rdtsc();

	for (u64 p = 0; p < pages; p++)
		*(volatile u64 *)(base + p * PAGE_SIZE) = TOUCH_VALUE;
	return (rdtsc() - t0) / pages;
}

/* One write per fresh 2 MiB region: average cycles per region. */
static u64 bench_fault2m(u64 base, u64 regions)
{
	u64 t0 = rdtsc();

	for (u64 i = 0; i < regions; i++)
		*(volatile u64 *)(base + i * LARGE_PAGE_SIZE) = TOUCH_VALUE;
	return (rdtsc() - t0) / regions;
}

static void zero_stosq(u64 addr, u64 bytes)
{
	u64 words = bytes / 8;

	asm volatile("rep stosq" : "+D"(addr), "+c"(words) : "a"(0ull) : "memory");
}

/* rep stosq over 2 MiB that is already backed (zeroed once first): average of ZERO_RUNS. */
static u64 bench_zero2m(u64 base)
{
	u64 t0;

	zero_stosq(base, LARGE_PAGE_SIZE);
	t0 = rdtsc();
	for (unsigned int i = 0; i < ZERO_RUNS; i++)
		zero_stosq(base, LARGE_PAGE_SIZE);
	return (rdtsc() - t0) / ZERO_RUNS;
}

/*
 * Layout from base: FAULT4K_BYTES for the 4 KiB walk, then up to FAULT2M_MAX
 * regions of 2 MiB for the 2 MiB walk; the first of those is reused, now
 * backed, for the zeroing figure.
 */
int memtouch_bench_fault(u64 base, u64 top)
{
	u64 base2m = base + FAULT4K_BYTES, regions, f4k, f2m, z2m;

	if (base < (u64)__image_end || !IS_ALIGNED(base, LARGE_PAGE_SIZE) || base2m > top ||
	    (top - base2m) / LARGE_PAGE_SIZE < FAULT2M_MIN) {
		printf("bench: RAM 0x%llx-0x%llx too small for bench=fault (want %llu MiB)\n", base,
		       top, (FAULT4K_BYTES + FAULT2M_MIN * LARGE_PAGE_SIZE) >> 20);
		return MEMTOUCH_EXIT_USAGE;
	}
	regions = MIN((top - base2m) / LARGE_PAGE_SIZE, (u64)FAULT2M_MAX);
	printf("bench: fault region 0x%llx-0x%llx pages_4k=%llu regions_2m=%llu zero_runs=%u\n",
	       base, base2m + regions * LARGE_PAGE_SIZE, FAULT4K_BYTES / PAGE_SIZE, regions,
	       ZERO_RUNS);
	f4k = bench_fault4k(base, FAULT4K_BYTES);
	f2m = bench_fault2m(base2m, regions);
	z2m = bench_zero2m(base2m);
	printf("bench: fault4k_cycles=%llu fault2m_cycles=%llu zero2m_cycles=%llu\n", f4k, f2m,
	       z2m);
	printf("bench: first_touch_cycles=%llu\n", f4k);
	printf("bench: first_touch_2m_cycles=%llu\n", f2m);
	memtouch_print_stats();
	return 0;
}
