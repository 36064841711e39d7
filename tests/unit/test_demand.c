// SPDX-License-Identifier: MIT
/* Unit tests of demand paging: the backing policy, quotas, host reserve, zeroing and teardown. */
#include <stdlib.h>
#include <string.h>

#include <hv/demand.h>
#include <hv/errno.h>
#include <hv/gpmap.h>
#include <hv/loader.h>
#include <hv/pmm.h>
#include <hv/reclaim.h>

#include "utest.h"

/*
 * "Host memory" is a pmm over a host arena (hva == hpa as in the hypervisor).
 * 96 MiB hold a fully backed 64 MiB VM plus the 8 MiB host reserve.
 */
#define ARENA_VM     MiB(96)
#define RESERVE	     (DEMAND_HOST_RESERVE / PAGE_SIZE) /* in frames */
#define VM_RAM	     MiB(64)
#define PAGES_PER_2M 512

static u8 *arena;
static u64 arena_size;
static u64 free0; /* free frames right after pmm_init() */

static void setup(u64 bytes)
{
	struct mem_range r;

	arena_size = bytes;
	arena = aligned_alloc(MiB(4), bytes);
	r = (struct mem_range){(u64)(uintptr_t)arena, (u64)(uintptr_t)arena + bytes};
	CHECK_EQ(pmm_init(&r, 1), 0);
	free0 = pmm_free_frames();
}

static void teardown(void)
{
	pmm_reset();
	free(arena);
	arena = NULL;
}

/* Run a test body once per stage-2 format, as two named tests. */
#define DEMAND_TEST(name)                              \
	static void name(const struct s2pt_format *f); \
	UTEST(demand_npt_##name)                       \
	{                                              \
		name(&npt_format);                     \
	}                                              \
	UTEST(demand_ept_##name)                       \
	{                                              \
		name(&ept_format);                     \
	}                                              \
	static void name(const struct s2pt_format *f)

/* Order of the leaf that backs gpa, or -1. */
static int backed_order(struct vm_mem *m, gpa_t gpa)
{
	unsigned order;

	return s2pt_query(&m->s2, gpa, NULL, &order) ? -1 : (int)order;
}

static bool all_zero(hpa_t pa, u64 len)
{
	const u8 *p = (const u8 *)(uintptr_t)pa;

	for (u64 i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* The rule as the design states it, term by term. */
static int policy_rule(const struct demand_query *q)
{
	if (q->policy == PAGING_2M && q->region_all_ram && q->region_empty && q->fits_2m &&
	    q->host_has_2m)
		return 9;
	if (q->fits_4k && q->host_has_4k)
		return 0;
	if (!q->fits_4k)
		return -DEMAND_OVER_QUOTA;
	return -DEMAND_NO_MEMORY;
}

UTEST(demand_policy_table)
{
	unsigned n2m = 0, n4k = 0, nquota = 0, nmem = 0, bad = 0;

	for (unsigned i = 0; i < 128; i++) {
		struct demand_query q = {
			.policy = (i & 1) ? PAGING_4K : PAGING_2M,
			.region_all_ram = i & 2,
			.region_empty = i & 4,
			.fits_2m = i & 8,
			.fits_4k = i & 16,
			.host_has_2m = i & 32,
			.host_has_4k = i & 64,
		};
		int got = demand_choose_order(&q);

		if (got != policy_rule(&q)) {
			printf("    combination 0x%02x: got %d, want %d\n", i, got,
			       policy_rule(&q));
			bad++;
		}
		n2m += got == 9;
		n4k += got == 0;
		nquota += got == -DEMAND_OVER_QUOTA;
		nmem += got == -DEMAND_NO_MEMORY;
	}
	CHECK_EQ(bad, 0);
	/* Counted by hand: 2M needs 5 fixed inputs (4 free combinations), ... */
	CHECK_EQ(n2m, 4);
	CHECK_EQ(n4k, 31);
	CHECK_EQ(nquota, 62);
	CHECK_EQ(nmem, 31);
}

UTEST(demand_policy_examples)
{
	struct demand_query all = {PAGING_2M, true, true, true, true, true, true}, q;

	CHECK_EQ(demand_choose_order(&all), 9);
	q = all, q.policy = PAGING_4K;
	CHECK_EQ(demand_choose_order(&q), 0);
	q = all, q.region_all_ram = false;
	CHECK_EQ(demand_choose_order(&q), 0);
	q = all, q.fits_2m = false;
	CHECK_EQ(demand_choose_order(&q), 0);
	q = all, q.host_has_2m = false;
	CHECK_EQ(demand_choose_order(&q), 0);
	/* Over quota and short of host memory: the quota is reported. */
	q = all, q.fits_2m = q.fits_4k = q.host_has_2m = q.host_has_4k = false;
	CHECK_EQ(demand_choose_order(&q), -DEMAND_OVER_QUOTA);
	q = all, q.host_has_2m = q.host_has_4k = false;
	CHECK_EQ(demand_choose_order(&q), -DEMAND_NO_MEMORY);
}

DEMAND_TEST(first_touch_maps_2m)
{
	struct vm_mem m;
	enum demand_result why;
	hpa_t base, hpa;

	setup(ARENA_VM);
	CHECK_EQ(demand_init(&m, f, VM_RAM, PAGING_2M, VM_RAM), 0);
	CHECK(m.s2.fmt == f && m.ram_size == VM_RAM && m.policy == PAGING_2M);
	CHECK(m.acct.quota == VM_RAM && m.acct.committed == 0 && m.acct.peak == 0);
	CHECK(m.acct.faults_4k == 0 && m.acct.faults_2m == 0 && m.acct.denied == 0);
	CHECK_EQ(demand_fault(&m, 0x200123), DEMAND_MAPPED);
	CHECK_EQ(backed_order(&m, 0x200000), 9);
	CHECK_EQ(m.acct.committed, MiB(2));
	CHECK_EQ(m.acct.peak, MiB(2));
	CHECK_EQ(m.acct.faults_2m, 1);
	CHECK_EQ(m.acct.faults_4k, 0);
	CHECK_EQ(m.acct.table_bytes, 3 * PAGE_SIZE); /* PML4, PDPT, PD */
	CHECK_EQ(pmm_free_frames(), free0 - PAGES_PER_2M - 3);
	/* Anywhere in the 2 MiB is now present, at the same frame. */
	CHECK_EQ(demand_fault(&m, 0x3fffff), DEMAND_PRESENT);
	base = demand_gpa_to_hpa(&m, 0x200000, false, &why);
	CHECK_EQ(why, DEMAND_PRESENT);
	CHECK(IS_ALIGNED(base, LARGE_PAGE_SIZE));
	hpa = demand_gpa_to_hpa(&m, 0x3fffff, false, NULL);
	CHECK_EQ(hpa, base + 0x1fffff);
	CHECK_EQ(m.acct.committed, MiB(2));
	CHECK(all_zero(base, LARGE_PAGE_SIZE));
	demand_release_all(&m);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

DEMAND_TEST(low_region_and_edges_get_4k)
{
	static const gpa_t not_ram[] = {0xa0000,	 0xbffff,	 0xfffff,    VM_RAM,
					GUEST_HOLE_BASE, GUEST_ABOVE_4G, 1ULL << 48, ~0ULL};
	struct vm_mem m;

	setup(ARENA_VM);
	CHECK_EQ(demand_init(&m, f, VM_RAM, PAGING_2M, VM_RAM), 0);
	/* 0x0-0x1fffff holds the legacy hole 0xa0000-0xfffff: not all RAM. */
	CHECK_EQ(demand_fault(&m, 0x100000), DEMAND_MAPPED);
	CHECK_EQ(backed_order(&m, 0x100000), 0);
	CHECK_EQ(demand_fault(&m, 0x0), DEMAND_MAPPED);
	CHECK_EQ(demand_fault(&m, 0x9ffff), DEMAND_MAPPED); /* the EBDA page is RAM */
	CHECK_EQ(demand_fault(&m, 0x1ff000), DEMAND_MAPPED);
	CHECK_EQ(backed_order(&m, 0x9f000), 0);
	CHECK_EQ(backed_order(&m, 0x101000), -1);
	for (unsigned i = 0; i < ARRAY_SIZE(not_ram); i++)
		CHECK_EQ(demand_fault(&m, not_ram[i]), DEMAND_NOT_RAM);
	CHECK_EQ(m.acct.faults_4k, 4);
	CHECK_EQ(m.acct.faults_2m, 0);
	CHECK_EQ(m.acct.committed, 4 * PAGE_SIZE);
	CHECK_EQ(m.acct.denied, 0); /* not RAM is not a refusal */
	/* The last whole region of RAM is a 2 MiB page. */
	CHECK_EQ(demand_fault(&m, VM_RAM - 1), DEMAND_MAPPED);
	CHECK_EQ(backed_order(&m, VM_RAM - 1), 9);
	demand_release_all(&m);
	CHECK_EQ(pmm_free_frames(), free0);
	/* RAM ending inside a region: that region gets 4 KiB pages. */
	CHECK_EQ(demand_init(&m, f, VM_RAM - MiB(1) + PAGE_SIZE, PAGING_2M, VM_RAM), 0);
	CHECK_EQ(demand_fault(&m, VM_RAM - MiB(1)), DEMAND_MAPPED);
	CHECK_EQ(backed_order(&m, VM_RAM - MiB(1)), 0);
	CHECK_EQ(demand_fault(&m, VM_RAM - MiB(1) + PAGE_SIZE), DEMAND_NOT_RAM);
	CHECK_EQ(demand_fault(&m, VM_RAM - MiB(4)), DEMAND_MAPPED);
	CHECK_EQ(backed_order(&m, VM_RAM - MiB(4)), 9);
	demand_release_all(&m);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

DEMAND_TEST(policy_4k_always_4k)
{
	struct vm_mem m;

	setup(ARENA_VM);
	CHECK_EQ(demand_init(&m, f, VM_RAM, PAGING_4K, VM_RAM), 0);
	CHECK_EQ(demand_fault(&m, 0x200000), DEMAND_MAPPED);
	CHECK_EQ(demand_fault(&m, 0x400000), DEMAND_MAPPED);
	CHECK_EQ(demand_fault(&m, VM_RAM - 1), DEMAND_MAPPED);
	CHECK_EQ(demand_fault(&m, 0x5000), DEMAND_MAPPED);
	CHECK_EQ(backed_order(&m, 0x200000), 0);
	CHECK_EQ(backed_order(&m, 0x201000), -1);
	CHECK_EQ(backed_order(&m, VM_RAM - 1), 0);
	CHECK_EQ(m.acct.faults_4k, 4);
	CHECK_EQ(m.acct.faults_2m, 0);
	CHECK_EQ(m.acct.committed, 4 * PAGE_SIZE);
	demand_release_all(&m);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

DEMAND_TEST(quota_exhaustion)
{
	struct vm_mem m;
	enum demand_result why;
	u64 before;

	setup(ARENA_VM);
	CHECK_EQ(demand_init(&m, f, VM_RAM, PAGING_2M, MiB(2) + 2 * PAGE_SIZE), 0);
	CHECK_EQ(demand_fault(&m, 0x200000), DEMAND_MAPPED);
	CHECK_EQ(backed_order(&m, 0x200000), 9);
	/* No room for another 2 MiB: 4 KiB pages until the quota is used up. */
	CHECK_EQ(demand_fault(&m, 0x400000), DEMAND_MAPPED);
	CHECK_EQ(backed_order(&m, 0x400000), 0);
	CHECK_EQ(demand_fault(&m, 0x401000), DEMAND_MAPPED);
	CHECK_EQ(m.acct.committed, m.acct.quota);
	before = pmm_free_frames();
	CHECK_EQ(demand_fault(&m, 0x402000), DEMAND_OVER_QUOTA);
	CHECK_EQ(demand_fault(&m, 0x800000), DEMAND_OVER_QUOTA);
	CHECK_EQ(demand_gpa_to_hpa(&m, 0x403000, true, &why), INVALID_HPA);
	CHECK_EQ(why, DEMAND_OVER_QUOTA);
	CHECK_EQ(pmm_free_frames(), before); /* refusals leak nothing */
	CHECK_EQ(m.acct.denied, 3);
	CHECK_EQ(demand_fault(&m, 0xa0000), DEMAND_NOT_RAM);
	CHECK_EQ(demand_fault(&m, 0x401fff), DEMAND_PRESENT);
	CHECK_EQ(m.acct.denied, 3);
	CHECK_EQ(m.acct.committed, m.acct.quota);
	demand_release_all(&m);
	CHECK_EQ(pmm_free_frames(), free0);
	/* A quota below 2 MiB never gets a 2 MiB page. */
	CHECK_EQ(demand_init(&m, f, VM_RAM, PAGING_2M, MiB(1)), 0);
	CHECK_EQ(demand_fault(&m, 0x200000), DEMAND_MAPPED);
	CHECK_EQ(backed_order(&m, 0x200000), 0);
	demand_release_all(&m);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

static bool has_free_2m_block(void)
{
	u64 c[PMM_MAX_ORDER + 1];

	pmm_free_blocks(c);
	return c[PMM_ORDER_2M] || c[PMM_MAX_ORDER];
}

/*
 * 16 MiB of host memory, a 64 MiB VM: 2 MiB pages while 512 frames can go
 * without touching the 8 MiB reserve, then 4 KiB pages while one can, then
 * refusals that take nothing.
 */
DEMAND_TEST(host_memory_exhaustion)
{
	u64 n2m = 0, n4k = 0, nmem = 0, bad = 0;
	bool first_4k_had_2m_block = false;
	struct vm_mem m;

	setup(MiB(16));
	CHECK_EQ(demand_init(&m, f, VM_RAM, PAGING_2M, VM_RAM), 0);
	for (gpa_t g = LARGE_PAGE_SIZE; g < VM_RAM; g += PAGE_SIZE) {
		u64 before = pmm_free_frames();
		bool block = has_free_2m_block();
		enum demand_result r = demand_fault(&m, g);

		if (r == DEMAND_MAPPED && backed_order(&m, g) == 9) {
			n2m++;
			bad += before < PAGES_PER_2M + RESERVE;
		} else if (r == DEMAND_MAPPED) {
			first_4k_had_2m_block |= !n4k++ && block;
			bad += before < 1 + RESERVE;
		} else if (r == DEMAND_NO_MEMORY) {
			nmem++;
			bad += before >= 1 + RESERVE || pmm_free_frames() != before;
		} else {
			bad += r != DEMAND_PRESENT;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(n2m >= 1);
	CHECK(n4k >= 1);
	CHECK(first_4k_had_2m_block); /* the reserve, not fragmentation, forced 4 KiB */
	CHECK(nmem > 0);
	CHECK_EQ(m.acct.denied, nmem);
	CHECK_EQ(m.acct.committed, (n2m * PAGES_PER_2M + n4k) * PAGE_SIZE);
	CHECK(pmm_free_frames() >= RESERVE - 3 && pmm_free_frames() <= RESERVE);
	demand_release_all(&m);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

static hpa_t dirty[ARENA_VM / PAGE_SIZE];

/* Write a pattern over every free frame, then give them all back. */
static void dirty_all_free_frames(void)
{
	size_t n = 0;
	hpa_t pa;

	while (n < ARRAY_SIZE(dirty) && (pa = pmm_alloc(0)) != INVALID_HPA) {
		memset((void *)(uintptr_t)pa, 0xa5, PAGE_SIZE);
		dirty[n++] = pa;
	}
	CHECK_EQ(pmm_free_frames(), 0);
	while (n)
		pmm_free(dirty[--n], 0);
}

DEMAND_TEST(fresh_pages_read_zero)
{
	static const gpa_t touch[] = {0x200000, 0x1000, 0x9e000, 0x3e00000, 0x1ff000};
	struct vm_mem a, b;
	hpa_t pa[ARRAY_SIZE(touch)], pb;
	u64 len;

	setup(ARENA_VM);
	CHECK_EQ(demand_init(&a, f, VM_RAM, PAGING_2M, VM_RAM), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(touch); i++) {
		pa[i] = demand_gpa_to_hpa(&a, touch[i], true, NULL);
		CHECK(pa[i] != INVALID_HPA);
		len = backed_order(&a, touch[i]) == 9 ? LARGE_PAGE_SIZE : PAGE_SIZE;
		memset((void *)(uintptr_t)pa[i], 0x5a, len);
	}
	demand_release_all(&a);
	dirty_all_free_frames();
	CHECK_EQ(demand_init(&b, f, VM_RAM, PAGING_2M, VM_RAM), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(touch); i++) {
		CHECK_EQ(demand_fault(&b, touch[i]), DEMAND_MAPPED);
		pb = demand_gpa_to_hpa(&b, touch[i], false, NULL);
		len = backed_order(&b, touch[i]) == 9 ? LARGE_PAGE_SIZE : PAGE_SIZE;
		CHECK(all_zero(pb, len));
	}
	demand_release_all(&b);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

DEMAND_TEST(gpa_to_hpa)
{
	struct vm_mem m;
	enum demand_result why;
	hpa_t hpa, again;
	u64 frames;

	setup(ARENA_VM);
	CHECK_EQ(demand_init(&m, f, VM_RAM, PAGING_2M, VM_RAM), 0);
	frames = pmm_free_frames();
	CHECK_EQ(demand_gpa_to_hpa(&m, 0x3abc, false, &why), INVALID_HPA);
	CHECK_EQ(why, DEMAND_UNBACKED);
	CHECK_EQ(demand_gpa_to_hpa(&m, 0xa0000, false, &why), INVALID_HPA);
	CHECK_EQ(why, DEMAND_NOT_RAM);
	CHECK_EQ(demand_gpa_to_hpa(&m, 0xa0000, true, &why), INVALID_HPA);
	CHECK_EQ(why, DEMAND_NOT_RAM);
	CHECK_EQ(pmm_free_frames(), frames);
	CHECK_EQ(m.acct.committed, 0);
	hpa = demand_gpa_to_hpa(&m, 0x3abc, true, &why);
	CHECK_EQ(why, DEMAND_MAPPED);
	CHECK_EQ(hpa & (PAGE_SIZE - 1), 0xabc);
	CHECK_EQ(m.acct.committed, PAGE_SIZE);
	*(u32 *)(uintptr_t)hpa = 0xfeedf00d;
	again = demand_gpa_to_hpa(&m, 0x3abc, true, &why);
	CHECK_EQ(why, DEMAND_PRESENT);
	CHECK_EQ(again, hpa);
	CHECK_EQ(*(u32 *)(uintptr_t)again, 0xfeedf00d);
	hpa = demand_gpa_to_hpa(&m, 0x600010, true, &why);
	CHECK_EQ(why, DEMAND_MAPPED);
	CHECK_EQ(hpa & (LARGE_PAGE_SIZE - 1), 0x10);
	CHECK_EQ(demand_gpa_to_hpa(&m, 0x7ffff0, false, NULL), hpa - 0x10 + 0x1ffff0);
	CHECK_EQ(m.acct.committed, MiB(2) + PAGE_SIZE);
	demand_release_all(&m);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

DEMAND_TEST(release_all_keeps_record)
{
	struct vm_mem m;
	u64 quota = MiB(16) + 3 * PAGE_SIZE;

	setup(ARENA_VM);
	CHECK_EQ(demand_init(&m, f, VM_RAM, PAGING_2M, quota), 0);
	for (gpa_t g = MiB(2); g < MiB(18); g += MiB(2))
		CHECK_EQ(demand_fault(&m, g), DEMAND_MAPPED);
	CHECK_EQ(demand_fault(&m, 0x1000), DEMAND_MAPPED);
	CHECK_EQ(demand_fault(&m, 0x2000), DEMAND_MAPPED);
	CHECK_EQ(demand_fault(&m, 0x100000), DEMAND_MAPPED);
	CHECK_EQ(demand_fault(&m, 0x3000), DEMAND_OVER_QUOTA);
	CHECK_EQ(m.acct.table_bytes, 4 * PAGE_SIZE);
	CHECK(pmm_free_frames() < free0);
	demand_release_all(&m);
	CHECK_EQ(pmm_free_frames(), free0);
	CHECK_EQ(m.s2.root, INVALID_HPA);
	CHECK_EQ(m.acct.committed, 0);
	CHECK_EQ(m.acct.table_bytes, 0);
	CHECK_EQ(m.acct.peak, quota);
	CHECK_EQ(m.acct.faults_2m, 8);
	CHECK_EQ(m.acct.faults_4k, 3);
	CHECK_EQ(m.acct.denied, 1);
	CHECK_EQ(m.acct.quota, quota);
	teardown();
}

UTEST(demand_1000_vm_cycles)
{
	u64 before[PMM_MAX_ORDER + 1], after[PMM_MAX_ORDER + 1], bad = 0;
	struct vm_mem m;

	setup(ARENA_VM);
	pmm_free_blocks(before);
	for (unsigned i = 0; i < 1000; i++) {
		const struct s2pt_format *f = (i & 1) ? &ept_format : &npt_format;
		enum paging_policy p = (i & 2) ? PAGING_4K : PAGING_2M;

		bad += demand_init(&m, f, VM_RAM, p, VM_RAM) != 0;
		bad += demand_fault(&m, 0x200000 + (i % 512) * PAGE_SIZE) != DEMAND_MAPPED;
		bad += demand_fault(&m, 0x1000) != DEMAND_MAPPED;
		bad += demand_fault(&m, 0x9e000) != DEMAND_MAPPED;
		bad += demand_fault(&m, GiB(1)) != DEMAND_NOT_RAM;
		bad += demand_fault(&m, VM_RAM - 1 - i * PAGE_SIZE) != DEMAND_MAPPED;
		demand_release_all(&m);
		bad += pmm_free_frames() != free0 || m.acct.committed != 0;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(pmm_free_frames(), free0);
	pmm_free_blocks(after);
	CHECK(memcmp(before, after, sizeof(before)) == 0);
	teardown();
}

/*
 * Touch every page of a 1 GiB VM in order, as a guest clearing its memory
 * would. Each 2 MiB region that is all RAM costs one fault; the first region
 * holds the legacy hole and costs one fault per 4 KiB page of RAM in it.
 */
UTEST(demand_faults_per_gib_sequential)
{
	u64 low = 0, high = 0, per_gib;
	struct vm_mem m;

	setup(GiB(1) + MiB(16));
	CHECK_EQ(demand_init(&m, &npt_format, GiB(1), PAGING_2M, GiB(1)), 0);
	for (gpa_t g = 0; g < GiB(1); g += PAGE_SIZE) {
		enum demand_result r = demand_fault(&m, g);

		if (r == DEMAND_MAPPED && g < LARGE_PAGE_SIZE)
			low++;
		else if (r == DEMAND_MAPPED)
			high++;
	}
	CHECK_EQ(low + high, m.acct.faults_4k + m.acct.faults_2m);
	CHECK_EQ(low, (GPMAP_LOW_RAM_END + LARGE_PAGE_SIZE - GUEST_HIGH_RAM_BASE) / PAGE_SIZE);
	CHECK_EQ(high, GiB(1) / LARGE_PAGE_SIZE - 1);
	CHECK_EQ(m.acct.faults_2m, high);
	CHECK_EQ(m.acct.committed, GiB(1) - (GUEST_HIGH_RAM_BASE - GPMAP_LOW_RAM_END));
	CHECK_EQ(m.acct.denied, 0);
	/* Faults per GiB of the RAM that 2 MiB pages can back: 511 in 1022 MiB. */
	per_gib = high * GiB(1) / (GiB(1) - LARGE_PAGE_SIZE);
	CHECK(per_gib <= 520);
	demand_release_all(&m);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

/*
 * Firmware ROM pages are mapped into the VM's stage-2 tables but are the
 * platform's frames (one shared zero page among them): reclaim must leave them
 * mapped even though they read zero, and teardown must not free them.
 */
DEMAND_TEST(reclaim_and_teardown_skip_rom)
{
	struct vm_mem m;
	hpa_t rom = INVALID_HPA, got;
	unsigned order;
	u64 before;

	setup(ARENA_VM);
	CHECK_EQ(demand_init(&m, f, VM_RAM, PAGING_4K, VM_RAM), 0);
	rom = pmm_alloc_zeroed(0);
	CHECK(rom != INVALID_HPA);
	CHECK_EQ(s2pt_map(&m.s2, 0xf0000, rom, S2PT_ORDER_4K, false), 0);
	CHECK_EQ(demand_fault(&m, 0x1000), DEMAND_MAPPED); /* RAM that stays zero */
	CHECK_EQ(demand_fault(&m, 0x2000), DEMAND_MAPPED);
	*(u64 *)(uintptr_t)demand_gpa_to_hpa(&m, 0x2000, false, NULL) = 1; /* RAM in use */
	CHECK_EQ(reclaim_zero_pages(&m), PAGE_SIZE);			   /* 0x1000 only */
	CHECK_EQ(s2pt_query(&m.s2, 0xf0000, &got, &order), 0);
	CHECK_EQ(got, rom);
	CHECK_EQ(backed_order(&m, 0x2000), 0);
	/* A release hint cannot name the ROM either. */
	CHECK_EQ(reclaim_release_range(&m, 0xe0000, 0x20000), -EINVAL);
	before = pmm_free_frames();
	demand_release_all(&m); /* frees the RAM page and the tables, not the ROM frame */
	CHECK(pmm_free_frames() > before);
	pmm_free(rom, 0); /* a double free would panic here */
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}
