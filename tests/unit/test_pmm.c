// SPDX-License-Identifier: MIT
/* Unit tests of the buddy frame allocator over ranges carved from a host arena. */
#include <stdlib.h>
#include <string.h>

#include <hv/errno.h>
#include <hv/pmm.h>
#include <hv/printk.h>

#include "utest.h"

extern char utest_log[16384];
extern size_t utest_log_len;

/*
 * The arena stands in for physical memory: its host addresses are used as
 * physical ones, which is the identity map the allocator expects. It is 4 MiB
 * aligned so that offsets decide which blocks can be naturally aligned.
 */
#define ARENA_SIZE   MiB(32)
#define ARENA_FRAMES (ARENA_SIZE / PAGE_SIZE)
#define HOLE_BYTE    0x5a

static u8 *arena;
static struct mem_range layout[512]; /* ranges of the current test, arena offsets */
static size_t nlayout;
static u8 shadow[ARENA_FRAMES]; /* 1 where a frame is handed out, per the test */

static const struct mem_range one_8m[] = {{0, MiB(8)}};

/* Ranges with holes, most not 4 MiB aligned: 6163 frames, metadata 2 frames. */
static const struct mem_range holes[] = {
	{KiB(12), MiB(3) + KiB(20)},		 /* 770 frames, starts misaligned */
	{MiB(5), MiB(13)},			 /* 2048, first largest: holds the metadata */
	{MiB(16), MiB(24)},			 /* 2048, 4 MiB aligned */
	{MiB(25) + KiB(4), MiB(25) + KiB(8)},	 /* a single frame */
	{MiB(26) + KiB(36), MiB(31) + KiB(100)}, /* 1296 */
};
#define HOLES_FRAMES	6163
#define HOLES_META_BASE (MiB(13) - KiB(8))

/* A block the test holds. */
struct live {
	hpa_t pa;
	unsigned order;
};

static hpa_t at(u64 off)
{
	return (hpa_t)(uintptr_t)arena + off;
}

static u64 off_of(hpa_t pa)
{
	return pa - (hpa_t)(uintptr_t)arena;
}

static void *ptr(hpa_t pa)
{
	return (void *)(uintptr_t)pa;
}

/* Build the allocator over ranges given as arena offsets; the rest of the arena is a hole. */
static void setup(const struct mem_range *rel, size_t n)
{
	static struct mem_range r[512];

	arena = aligned_alloc(MiB(4), ARENA_SIZE);
	memset(arena, HOLE_BYTE, ARENA_SIZE);
	memset(shadow, 0, sizeof(shadow));
	for (size_t i = 0; i < n; i++) {
		layout[i] = rel[i];
		r[i] = (struct mem_range){at(rel[i].base), at(rel[i].end)};
	}
	nlayout = n;
	CHECK_EQ(pmm_init(r, n), 0);
}

static void teardown(void)
{
	pmm_reset();
	free(arena);
	arena = NULL;
}

static u64 block_size(unsigned order)
{
	return PAGE_SIZE << order;
}

/* Is [pa, pa + size) wholly inside one range of the layout? */
static bool in_one_range(hpa_t pa, u64 size)
{
	u64 off = off_of(pa);

	for (size_t i = 0; i < nlayout; i++)
		if (off >= layout[i].base && off + size <= layout[i].end)
			return true;
	return false;
}

/* Check a block just handed out and claim its frames in the shadow map. */
static bool claim(hpa_t pa, unsigned order)
{
	u64 first = off_of(pa) / PAGE_SIZE, n = 1ULL << order;

	if (pa == INVALID_HPA || !IS_ALIGNED(pa, block_size(order)) ||
	    !in_one_range(pa, block_size(order)))
		return false;
	for (u64 i = first; i < first + n; i++) {
		if (shadow[i])
			return false;
		shadow[i] = 1;
	}
	return true;
}

static void unclaim(hpa_t pa, unsigned order)
{
	u64 first = off_of(pa) / PAGE_SIZE;

	memset(&shadow[first], 0, 1ULL << order);
}

static u64 rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void shuffle(hpa_t *a, size_t n, u64 *seed)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd(seed) % i;
		hpa_t t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

static hpa_t frames[ARENA_FRAMES];

/* Take every 4 KiB frame there is; checks each and returns how many. */
static size_t alloc_all_4k(void)
{
	size_t n = 0;
	hpa_t pa;

	while ((pa = pmm_alloc(0)) != INVALID_HPA) {
		CHECK(claim(pa, 0));
		CHECK(n < ARENA_FRAMES);
		if (n < ARENA_FRAMES)
			frames[n++] = pa;
	}
	return n;
}

static void free_all(hpa_t *a, size_t n, unsigned order)
{
	for (size_t i = 0; i < n; i++) {
		unclaim(a[i], order);
		pmm_free(a[i], order);
	}
}

static bool counts_equal(const u64 *a, const u64 *b)
{
	return !memcmp(a, b, sizeof(u64) * (PMM_MAX_ORDER + 1));
}

/* Bytes of the arena outside every range (layout sorted) still hold what setup() put there. */
static bool holes_intact(void)
{
	u64 off = 0;

	for (size_t i = 0; i <= nlayout; i++) {
		u64 end = i < nlayout ? layout[i].base : ARENA_SIZE;

		for (; off < end; off++)
			if (arena[off] != HOLE_BYTE)
				return false;
		if (i < nlayout)
			off = layout[i].end;
	}
	return true;
}

UTEST(pmm_init_single_range)
{
	u64 c[PMM_MAX_ORDER + 1];

	setup(one_8m, 1);
	/* 2048 frames, one of them metadata at the top: 4M + 2M + ... + 4K free. */
	CHECK_EQ(pmm_total_frames(), 2047);
	CHECK_EQ(pmm_free_frames(), 2047);
	pmm_free_blocks(c);
	for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
		CHECK_EQ(c[o], 1);
	CHECK_EQ(pmm_alloc(PMM_MAX_ORDER), at(0));
	CHECK_EQ(pmm_alloc(PMM_MAX_ORDER), INVALID_HPA);
	CHECK_EQ(pmm_alloc(PMM_MAX_ORDER + 1), INVALID_HPA);
	teardown();
}

UTEST(pmm_alloc_all_4k_frames)
{
	u64 before[PMM_MAX_ORDER + 1], after[PMM_MAX_ORDER + 1];
	u64 seed = 42;
	size_t n;

	setup(holes, ARRAY_SIZE(holes));
	CHECK_EQ(pmm_total_frames(), HOLES_FRAMES - 2);
	pmm_free_blocks(before);
	n = alloc_all_4k();
	CHECK_EQ(n, pmm_total_frames());
	CHECK_EQ(pmm_free_frames(), 0);
	CHECK_EQ(pmm_alloc(0), INVALID_HPA);
	CHECK_EQ(pmm_alloc(PMM_ORDER_2M), INVALID_HPA);
	for (size_t i = 0; i < n; i++)
		CHECK(off_of(frames[i]) < HOLES_META_BASE || off_of(frames[i]) >= MiB(13));
	shuffle(frames, n, &seed);
	free_all(frames, n, 0);
	CHECK_EQ(pmm_free_frames(), pmm_total_frames());
	pmm_free_blocks(after);
	CHECK(counts_equal(before, after));
	CHECK(holes_intact());
	teardown();
}

/* Two blocks of every order, largest first: the layout has three 4 MiB blocks. */
UTEST(pmm_alignment_every_order)
{
	hpa_t got[PMM_MAX_ORDER + 1][2];

	setup(holes, ARRAY_SIZE(holes));
	for (int o = PMM_MAX_ORDER; o >= 0; o--) {
		for (int i = 0; i < 2; i++) {
			got[o][i] = pmm_alloc((unsigned)o);
			/* aligned, inside one range, no overlap */
			CHECK(claim(got[o][i], (unsigned)o));
		}
	}
	CHECK_EQ(pmm_free_frames(), HOLES_FRAMES - 2 - 2 * ((1ULL << (PMM_MAX_ORDER + 1)) - 1));
	for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
		free_all(got[o], 2, o);
	CHECK_EQ(pmm_free_frames(), pmm_total_frames());
	teardown();
}

UTEST(pmm_free_reassembles_4m_block)
{
	u64 before[PMM_MAX_ORDER + 1], c[PMM_MAX_ORDER + 1];
	u64 seed = 7;
	size_t n;

	setup(one_8m, 1);
	pmm_free_blocks(before);
	n = alloc_all_4k();
	CHECK_EQ(n, 2047);
	pmm_free_blocks(c);
	CHECK_EQ(c[PMM_MAX_ORDER], 0);
	shuffle(frames, n, &seed);
	free_all(frames, n, 0);
	pmm_free_blocks(c);
	CHECK(counts_equal(before, c));
	CHECK_EQ(c[PMM_MAX_ORDER], 1);
	CHECK_EQ(pmm_alloc(PMM_MAX_ORDER), at(0));
	teardown();
}

UTEST(pmm_2m_blocks_after_fragmentation)
{
	u64 c[PMM_MAX_ORDER + 1];
	hpa_t big[4];
	size_t n, nodd = 0, nbig = 0;

	setup(one_8m, 1);
	n = alloc_all_4k();
	/* Free every odd frame: no two free frames are buddies, nothing merges. */
	for (size_t i = 0; i < n; i++) {
		if ((off_of(frames[i]) / PAGE_SIZE) % 2) {
			pmm_free(frames[i], 0);
			nodd++;
		}
	}
	pmm_free_blocks(c);
	CHECK_EQ(c[0], nodd);
	CHECK_EQ(pmm_free_frames(), nodd);
	CHECK_EQ(pmm_alloc(1), INVALID_HPA);
	CHECK_EQ(pmm_alloc(PMM_ORDER_2M), INVALID_HPA);
	for (size_t i = 0; i < n; i++)
		if ((off_of(frames[i]) / PAGE_SIZE) % 2 == 0)
			pmm_free(frames[i], 0);
	memset(shadow, 0, sizeof(shadow));
	while (nbig < ARRAY_SIZE(big) && (big[nbig] = pmm_alloc(PMM_ORDER_2M)) != INVALID_HPA)
		CHECK(claim(big[nbig++], PMM_ORDER_2M));
	CHECK_EQ(nbig, 3); /* the 4 MiB block split in two, and the 2 MiB one */
	free_all(big, nbig, PMM_ORDER_2M);
	CHECK_EQ(pmm_free_frames(), 2047);
	teardown();
}

static bool all_zero(hpa_t pa, unsigned order)
{
	const u8 *p = ptr(pa);

	for (u64 i = 0; i < block_size(order); i++)
		if (p[i])
			return false;
	return true;
}

UTEST(pmm_alloc_zeroed_clears_dirty_frames)
{
	static hpa_t blocks[ARENA_FRAMES];
	static unsigned orders[ARENA_FRAMES];
	size_t n, nb = 0;

	setup(one_8m, 1);
	n = alloc_all_4k();
	for (size_t i = 0; i < n; i++)
		memset(ptr(frames[i]), 0xa5, PAGE_SIZE);
	free_all(frames, n, 0);
	for (int o = PMM_MAX_ORDER; o >= 0; o--) {
		hpa_t pa;

		while ((pa = pmm_alloc_zeroed((unsigned)o)) != INVALID_HPA) {
			CHECK(all_zero(pa, (unsigned)o));
			orders[nb] = (unsigned)o;
			blocks[nb++] = pa;
		}
	}
	CHECK_EQ(pmm_free_frames(), 0);
	CHECK_EQ(pmm_alloc_zeroed(0), INVALID_HPA);
	for (size_t i = 0; i < nb; i++)
		pmm_free(blocks[i], orders[i]);
	CHECK_EQ(pmm_free_frames(), 2047);
	teardown();
}

#define EXPECT_PANIC_MSG(stmt, text)                                     \
	do {                                                             \
		utest_panic_msg[0] = 0;                                  \
		EXPECT_PANIC(stmt);                                      \
		if (!strstr(utest_panic_msg, text))                      \
			utest_fail(__FILE__, __LINE__, utest_panic_msg); \
	} while (0)

UTEST(pmm_panic_double_free)
{
	hpa_t f[3], pair[2] = {INVALID_HPA, INVALID_HPA};
	u64 nfree;

	setup(one_8m, 1);
	for (int i = 0; i < 3; i++)
		f[i] = pmm_alloc(0);
	for (int i = 1; i < 3; i++)
		for (int j = 1; j < 3; j++)
			if ((f[i] ^ f[j]) == PAGE_SIZE && f[i] < f[j])
				pair[0] = f[i], pair[1] = f[j];
	CHECK(pair[0] != INVALID_HPA);
	pmm_free(f[0], 0);
	nfree = pmm_free_frames();
	EXPECT_PANIC_MSG(pmm_free(f[0], 0), "double free");
	CHECK_EQ(pmm_free_frames(), nfree);
	/* Once merged with its buddy, a frame is a tail of a bigger free block. */
	pmm_free(pair[0], 0);
	pmm_free(pair[1], 0);
	EXPECT_PANIC_MSG(pmm_free(pair[0], 0), "double free");
	EXPECT_PANIC_MSG(pmm_free(pair[1], 0), "in free block");
	/* A frame never handed out is inside a free block too. */
	EXPECT_PANIC_MSG(pmm_free(at(PAGE_SIZE * 5), 0), "in free block");
	/* The panics left the lock free and the counts alone. */
	CHECK_EQ(pmm_free_frames(), pmm_total_frames());
	CHECK(pmm_alloc(0) != INVALID_HPA);
	teardown();
}

UTEST(pmm_panic_bad_address)
{
	hpa_t a, b;

	setup(holes, ARRAY_SIZE(holes));
	a = pmm_alloc(2);
	b = pmm_alloc(1);
	CHECK(claim(a, 2) && claim(b, 1));
	EXPECT_PANIC_MSG(pmm_free(at(MiB(4)), 0), "outside every range"); /* in a hole */
	EXPECT_PANIC_MSG(pmm_free(at(0), 0), "outside every range");
	EXPECT_PANIC_MSG(pmm_free(at(ARENA_SIZE), 0), "outside every range");
	EXPECT_PANIC_MSG(pmm_free(0x1000, 0), "outside every range");
	EXPECT_PANIC_MSG(pmm_free(INVALID_HPA & PAGE_MASK, 0), "outside every range");
	/* Aligned, starts inside [5M, 13M), runs past its end. */
	EXPECT_PANIC_MSG(pmm_free(at(MiB(12)), PMM_MAX_ORDER), "outside every range");
	EXPECT_PANIC_MSG(pmm_free(a + 0x800, 0), "misaligned");
	EXPECT_PANIC_MSG(pmm_free(b + PAGE_SIZE, 1), "misaligned for order 1");
	EXPECT_PANIC_MSG(pmm_free(at(HOLES_META_BASE), 0), "metadata");
	EXPECT_PANIC_MSG(pmm_free(at(HOLES_META_BASE + PAGE_SIZE), 0), "metadata");
	EXPECT_PANIC_MSG(pmm_free(a + PAGE_SIZE, 0), "inside block");
	EXPECT_PANIC_MSG(pmm_free(a + 3 * PAGE_SIZE, 0), "not allocated");
	EXPECT_PANIC_MSG(pmm_free(a, PMM_MAX_ORDER + 1), "order 11 > 10");
	CHECK_EQ(pmm_free_frames(), pmm_total_frames() - 6);
	pmm_free(a, 2);
	pmm_free(b, 1);
	CHECK_EQ(pmm_free_frames(), pmm_total_frames());
	teardown();
}

UTEST(pmm_panic_wrong_order)
{
	hpa_t a;

	setup(one_8m, 1);
	a = pmm_alloc(2);
	EXPECT_PANIC_MSG(pmm_free(a, 1), "allocated as order 2");
	EXPECT_PANIC_MSG(pmm_free(a, 0), "allocated as order 2");
	utest_panic_msg[0] = 0;
	EXPECT_PANIC(pmm_free(a, 3));
	CHECK(strstr(utest_panic_msg, "allocated as order 2") ||
	      strstr(utest_panic_msg, "misaligned"));
	CHECK_EQ(pmm_free_frames(), 2047 - 4);
	pmm_free(a, 2);
	CHECK_EQ(pmm_free_frames(), 2047);
	teardown();
}

/*
 * Fill every block handed out with 0xff: were a metadata frame among them,
 * its state bytes would turn to garbage and the frees below would panic or
 * leave the counts wrong.
 */
UTEST(pmm_metadata_never_handed_out)
{
	static struct live b[ARENA_FRAMES];
	u64 before[PMM_MAX_ORDER + 1], after[PMM_MAX_ORDER + 1], taken = 0, seed = 99;
	size_t nb = 0;

	setup(holes, ARRAY_SIZE(holes));
	pmm_free_blocks(before);
	for (int o = PMM_MAX_ORDER; o >= 0; o--) {
		hpa_t pa;

		while ((pa = pmm_alloc((unsigned)o)) != INVALID_HPA) {
			CHECK(claim(pa, (unsigned)o));
			CHECK(off_of(pa) + block_size((unsigned)o) <= HOLES_META_BASE ||
			      off_of(pa) >= MiB(13));
			memset(ptr(pa), 0xff, block_size((unsigned)o));
			b[nb++] = (struct live){pa, (unsigned)o};
			taken += 1ULL << o;
		}
	}
	CHECK_EQ(taken, pmm_total_frames());
	for (size_t i = nb; i > 1; i--) {
		size_t j = rnd(&seed) % i;
		struct live t = b[i - 1];

		b[i - 1] = b[j];
		b[j] = t;
	}
	for (size_t i = 0; i < nb; i++) {
		unclaim(b[i].pa, b[i].order);
		pmm_free(b[i].pa, b[i].order);
	}
	pmm_free_blocks(after);
	CHECK(counts_equal(before, after));
	CHECK_EQ(alloc_all_4k(), pmm_total_frames());
	CHECK(holes_intact());
	teardown();
}

/*
 * Frames whose buddy lies just outside their range: below its base and past
 * its end, where the neighbouring ranges' state bytes sit in the metadata.
 * Those neighbours are free single frames, so a bound check missing would
 * merge with them.
 */
UTEST(pmm_buddy_never_crosses_range)
{
	const struct mem_range rel[] = {
		{0, KiB(4)},			     /* Z */
		{MiB(1) + KiB(4), MiB(1) + KiB(12)}, /* A: two frames, neither has its buddy */
		{MiB(2), MiB(2) + KiB(4)},	     /* B */
		{MiB(4), MiB(8)},		     /* C: holds the metadata */
	};
	u64 c[PMM_MAX_ORDER + 1];
	size_t n;

	setup(rel, ARRAY_SIZE(rel));
	n = alloc_all_4k();
	CHECK_EQ(n, 1 + 2 + 1 + 1023);
	pmm_free(at(0), 0);
	pmm_free(at(MiB(2)), 0);
	pmm_free(at(MiB(1) + KiB(4)), 0);
	pmm_free(at(MiB(1) + KiB(8)), 0);
	pmm_free_blocks(c);
	CHECK_EQ(c[0], 4);
	for (unsigned o = 1; o <= PMM_MAX_ORDER; o++)
		CHECK_EQ(c[o], 0);
	CHECK(holes_intact());
	teardown();
}

/* Unsorted, unaligned, overlapping and touching input ranges. */
UTEST(pmm_init_rounds_sorts_merges)
{
	const struct mem_range rel[] = {
		{MiB(5), MiB(9)},
		{MiB(2) + 0x800, MiB(3)},	    /* -> [2M+4K, 3M) */
		{MiB(4), MiB(5)},		    /* touches [5M, 9M): one 4 MiB block */
		{MiB(1), MiB(2) + 0x800},	    /* -> [1M, 2M), apart from [2M+4K, 3M) */
		{MiB(1) + KiB(4), MiB(1) + KiB(8)}, /* inside the one above */
		{MiB(12), MiB(12) + 0x800},	    /* no whole page */
	};
	u64 c[PMM_MAX_ORDER + 1];

	setup(rel, ARRAY_SIZE(rel));
	/* 256 + 255 + 1280 frames, the top one of [4M, 9M) for metadata. */
	CHECK_EQ(pmm_total_frames(), 256 + 255 + 1280 - 1);
	pmm_free_blocks(c);
	CHECK_EQ(c[PMM_MAX_ORDER], 1);
	CHECK_EQ(pmm_alloc(PMM_MAX_ORDER), at(MiB(4)));
	utest_log_len = 0;
	utest_log[0] = 0;
	pmm_print_summary();
	CHECK(strstr(utest_log, "in 3 ranges") != NULL);
	teardown();
}

UTEST(pmm_init_without_memory)
{
	struct mem_range r[2];

	arena = aligned_alloc(MiB(4), MiB(4));
	CHECK_EQ(pmm_init(NULL, 0), -ENOMEM);
	r[0] = (struct mem_range){at(0), at(0x800)};
	CHECK_EQ(pmm_init(r, 1), -ENOMEM);
	r[0] = (struct mem_range){at(0), at(PAGE_SIZE)}; /* all of it metadata */
	CHECK_EQ(pmm_init(r, 1), -ENOMEM);
	CHECK_EQ(pmm_total_frames(), 0);
	CHECK_EQ(pmm_alloc(0), INVALID_HPA);
	EXPECT_PANIC_MSG(pmm_free(at(0), 0), "outside every range");
	r[1] = (struct mem_range){at(MiB(1)), at(MiB(1) + PAGE_SIZE)};
	CHECK_EQ(pmm_init(r, 2), 0);
	CHECK_EQ(pmm_total_frames(), 1);
	CHECK_EQ(pmm_alloc(0), at(MiB(1)));
	teardown();
}

UTEST(pmm_too_many_ranges)
{
	static struct mem_range rel[400];
	size_t n;

	for (u64 i = 0; i < ARRAY_SIZE(rel); i++)
		rel[i] = (struct mem_range){2 * i * PAGE_SIZE, (2 * i + 1) * PAGE_SIZE};
	utest_log_len = 0;
	utest_log[0] = 0;
	log_threshold = LOG_ERR; /* the warning is expected: keep it off the console */
	setup(rel, ARRAY_SIZE(rel));
	log_threshold = LOG_WARN;
	CHECK(strstr(utest_log, "more than 304 ranges") != NULL);
	/* The first 304 ranges are kept, the first of them holds the metadata. */
	CHECK_EQ(pmm_total_frames(), PMM_MAX_RANGES - 1);
	n = alloc_all_4k();
	CHECK_EQ(n, PMM_MAX_RANGES - 1);
	for (size_t i = 0; i < n; i++)
		CHECK(off_of(frames[i]) > 0 && off_of(frames[i]) < 2 * PMM_MAX_RANGES * PAGE_SIZE);
	teardown();
}

UTEST(pmm_init_again_starts_over)
{
	u64 before[PMM_MAX_ORDER + 1], after[PMM_MAX_ORDER + 1];
	struct mem_range r = {0, 0};

	setup(one_8m, 1);
	pmm_free_blocks(before);
	CHECK(pmm_alloc(3) != INVALID_HPA);
	CHECK(pmm_alloc(PMM_MAX_ORDER) != INVALID_HPA);
	r = (struct mem_range){at(0), at(MiB(8))};
	CHECK_EQ(pmm_init(&r, 1), 0);
	CHECK_EQ(pmm_free_frames(), 2047);
	pmm_free_blocks(after);
	CHECK(counts_equal(before, after));
	teardown();
}

UTEST(pmm_print_summary_line)
{
	static const char want[] = "pmm: 20 MiB free of 24 MiB in 5 ranges, 2M blocks free: 6\n";
	hpa_t a;

	setup(holes, ARRAY_SIZE(holes));
	a = pmm_alloc(PMM_MAX_ORDER);
	CHECK(a != INVALID_HPA);
	/* 6161 frames are 24 MiB; two 4 MiB and two 2 MiB blocks stay free. */
	utest_log_len = 0;
	utest_log[0] = 0;
	pmm_print_summary();
	CHECK(strcmp(utest_log, want) == 0);
	if (strcmp(utest_log, want))
		printf("    got: %s", utest_log);
	teardown();
}

/* Order mix of the stress test: mostly small blocks, now and then 2 and 4 MiB ones. */
static unsigned stress_order(u64 *seed)
{
	u64 r = rnd(seed) % 100;

	if (r < 55)
		return 0;
	if (r < 75)
		return 1;
	if (r < 87)
		return 2 + (unsigned)(rnd(seed) % 2);
	if (r < 97)
		return 4 + (unsigned)(rnd(seed) % 5);
	return PMM_ORDER_2M + (unsigned)(rnd(seed) % 2);
}

static u64 stress_tag(hpa_t pa)
{
	return pa ^ 0x9e3779b97f4a7c15ULL;
}

/* An allocation failed: then no block of that order or more may be free. */
static bool no_block_at_least(unsigned order)
{
	u64 c[PMM_MAX_ORDER + 1];

	pmm_free_blocks(c);
	for (unsigned o = order; o <= PMM_MAX_ORDER; o++)
		if (c[o])
			return false;
	return true;
}

/* The shadow model: blocks held, their frames, and the frames of shadow[] set. */
static struct stress {
	struct live live[ARENA_FRAMES];
	size_t n;
	u64 live_frames;
	u64 seed;
} st;

/* Take a block and tag its first and last words; false on any inconsistency. */
static bool stress_alloc(void)
{
	unsigned o = stress_order(&st.seed);
	hpa_t pa = pmm_alloc(o);

	if (pa == INVALID_HPA)
		return no_block_at_least(o);
	if (!claim(pa, o))
		return false;
	*(u64 *)ptr(pa) = stress_tag(pa);
	*(u64 *)ptr(pa + block_size(o) - sizeof(u64)) = ~stress_tag(pa);
	st.live[st.n++] = (struct live){pa, o};
	st.live_frames += 1ULL << o;
	return true;
}

/* Give back a random block; false when its tags were overwritten while it was held. */
static bool stress_free(void)
{
	size_t i = rnd(&st.seed) % st.n;
	struct live b = st.live[i];
	bool ok = *(u64 *)ptr(b.pa) == stress_tag(b.pa) &&
		  *(u64 *)ptr(b.pa + block_size(b.order) - sizeof(u64)) == ~stress_tag(b.pa);

	st.live[i] = st.live[--st.n];
	st.live_frames -= 1ULL << b.order;
	unclaim(b.pa, b.order);
	pmm_free(b.pa, b.order);
	return ok;
}

static u64 frames_in_blocks(void)
{
	u64 c[PMM_MAX_ORDER + 1], sum = 0;

	pmm_free_blocks(c);
	for (unsigned o = 0; o <= PMM_MAX_ORDER; o++)
		sum += c[o] << o;
	return sum;
}

UTEST(pmm_random_stress_shadow_model)
{
	u64 before[PMM_MAX_ORDER + 1], after[PMM_MAX_ORDER + 1], failures = 0;
	size_t peak = 0;

	setup(holes, ARRAY_SIZE(holes));
	st.n = 0;
	st.live_frames = 0;
	st.seed = 0x1234567;
	pmm_free_blocks(before);
	for (int op = 0; op < 100000; op++) {
		bool ok = st.n && rnd(&st.seed) % 100 < 45 ? stress_free() : stress_alloc();

		failures += !ok;
		failures += pmm_free_frames() + st.live_frames != pmm_total_frames();
		if (op % 1000 == 0)
			failures += frames_in_blocks() != pmm_free_frames();
		peak = MAX(peak, st.n);
	}
	CHECK_EQ(failures, 0);
	CHECK(peak > 500); /* the mix kept memory busy */
	while (st.n)
		CHECK(stress_free());
	CHECK_EQ(pmm_free_frames(), pmm_total_frames());
	pmm_free_blocks(after);
	CHECK(counts_equal(before, after));
	CHECK(holes_intact());
	teardown();
}
