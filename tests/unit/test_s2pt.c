// SPDX-License-Identifier: MIT
/* Unit tests of the stage-2 page-table walker over both entry formats (NPT and EPT). */
#include <stdlib.h>
#include <string.h>

#include <hv/errno.h>
#include <hv/pmm.h>
#include <hv/s2pt.h>

#include "utest.h"

/*
 * Table frames come from a pmm built over a host arena, whose addresses
 * stand in for physical ones (the identity map). Leaves map made-up frame
 * addresses: s2pt never touches the frames it maps.
 */
#define ARENA_SIZE MiB(16)
#define ADDR_MASK  0x000ffffffffff000ULL
#define GPA_LIMIT  (1ULL << 48)

static u8 *arena;
static u64 free0; /* free frames right after pmm_init() */

static void setup_frames(u64 bytes)
{
	struct mem_range r;

	arena = aligned_alloc(MiB(4), ARENA_SIZE);
	r = (struct mem_range){(u64)(uintptr_t)arena, (u64)(uintptr_t)arena + bytes};
	CHECK_EQ(pmm_init(&r, 1), 0);
	free0 = pmm_free_frames();
}

static void setup(void)
{
	setup_frames(ARENA_SIZE);
}

static void teardown(void)
{
	pmm_reset();
	free(arena);
	arena = NULL;
}

/* Run a test body once per format, as two named tests. */
#define S2PT_TEST(name)                                \
	static void name(const struct s2pt_format *f); \
	UTEST(s2pt_npt_##name)                         \
	{                                              \
		name(&npt_format);                     \
	}                                              \
	UTEST(s2pt_ept_##name)                         \
	{                                              \
		name(&ept_format);                     \
	}                                              \
	static void name(const struct s2pt_format *f)

static u64 *tbl(hpa_t pa)
{
	return (u64 *)(uintptr_t)pa;
}

/*
 * The raw entry for gpa at level (3 = PML4 ... 0 = page table), read through
 * the identity map with the architectural layout, not with s2pt's helpers.
 * 0 when a table above it is absent.
 */
static u64 raw(const struct s2pt *s, gpa_t gpa, int level)
{
	hpa_t t = s->root;

	for (int l = 3;; l--) {
		u64 e = tbl(t)[(gpa >> (12 + 9 * l)) & 511];

		if (l == level)
			return e;
		if (!(e & s->fmt->present_mask))
			return 0;
		t = e & ADDR_MASK;
	}
}

/* Every entry from the PML4 down to level is a table entry with exactly table_bits. */
static bool path_is_tables(const struct s2pt *s, gpa_t gpa, int level)
{
	for (int l = 3; l >= level; l--) {
		u64 e = raw(s, gpa, l);

		if ((e & ~ADDR_MASK) != s->fmt->table_bits || !(e & ADDR_MASK))
			return false;
	}
	return true;
}

UTEST(s2pt_format_constants)
{
	CHECK(strcmp(npt_format.name, "NPT") == 0);
	CHECK_EQ(npt_format.present_mask, 0x1);
	CHECK_EQ(npt_format.table_bits, 0x7);
	CHECK_EQ(npt_format.leaf_bits, 0x7);
	CHECK_EQ(npt_format.large_bits, 0x87);
	CHECK_EQ(npt_format.write_bit, 0x2);
	CHECK(strcmp(ept_format.name, "EPT") == 0);
	CHECK_EQ(ept_format.present_mask, 0x7);
	CHECK_EQ(ept_format.table_bits, 0x7);
	CHECK_EQ(ept_format.leaf_bits, 0x37);
	CHECK_EQ(ept_format.large_bits, 0xb7);
	CHECK_EQ(ept_format.write_bit, 0x2);
}

S2PT_TEST(map_query_unmap_4k)
{
	const gpa_t gpa = 0x123456000ULL;
	const hpa_t hpa = 0xabcdef000ULL;
	struct s2pt s;
	hpa_t got = 0, old = 0;
	unsigned order = 99;

	setup();
	CHECK_EQ(s2pt_init(&s, f), 0);
	CHECK(s.fmt == f);
	CHECK_EQ(s.table_frames, 1);
	CHECK_EQ(pmm_free_frames(), free0 - 1);
	CHECK_EQ(s2pt_query(&s, gpa, &got, &order), -ENOENT);
	CHECK_EQ(s2pt_map(&s, gpa, hpa, S2PT_ORDER_4K, true), 0);
	CHECK_EQ(s.table_frames, 4);
	CHECK(path_is_tables(&s, gpa, 1));
	CHECK_EQ(raw(&s, gpa, 0), hpa | f->leaf_bits);
	CHECK_EQ(s2pt_query(&s, gpa + 0x9ab, &got, &order), 0);
	CHECK_EQ(got, hpa + 0x9ab);
	CHECK_EQ(order, S2PT_ORDER_4K);
	CHECK_EQ(s2pt_query(&s, gpa + PAGE_SIZE, &got, &order), -ENOENT);
	CHECK_EQ(s2pt_query(&s, gpa - 1, NULL, NULL), -ENOENT);
	CHECK_EQ(s2pt_unmap(&s, ALIGN_DOWN(gpa, LARGE_PAGE_SIZE), S2PT_ORDER_2M, &old), -ENOENT);
	CHECK_EQ(s2pt_unmap(&s, gpa, S2PT_ORDER_4K, &old), 0);
	CHECK_EQ(old, hpa);
	CHECK_EQ(raw(&s, gpa, 0), 0);
	CHECK_EQ(s2pt_query(&s, gpa, &got, &order), -ENOENT);
	CHECK_EQ(s2pt_unmap(&s, gpa, S2PT_ORDER_4K, &old), -ENOENT);
	/* The emptied page table stays until destroy (see mm/s2pt.c). */
	CHECK_EQ(s.table_frames, 4);
	CHECK(s2pt_region_empty(&s, gpa));
	s2pt_destroy(&s, NULL, NULL);
	CHECK_EQ(s.root, INVALID_HPA);
	CHECK_EQ(s.table_frames, 0);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

S2PT_TEST(map_read_only)
{
	struct s2pt s;

	setup();
	CHECK_EQ(s2pt_init(&s, f), 0);
	CHECK_EQ(s2pt_map(&s, 0x5000, 0x77000, S2PT_ORDER_4K, false), 0);
	CHECK_EQ(raw(&s, 0x5000, 0), 0x77000 | (f->leaf_bits & ~f->write_bit));
	CHECK_EQ(s2pt_map(&s, 0x400000, 0x800000, S2PT_ORDER_2M, false), 0);
	CHECK_EQ(raw(&s, 0x400000, 1), 0x800000 | (f->large_bits & ~f->write_bit));
	/* Still present: a read-only page is a mapped page. */
	CHECK_EQ(s2pt_query(&s, 0x5000, NULL, NULL), 0);
	CHECK_EQ(s2pt_query(&s, 0x400000, NULL, NULL), 0);
	s2pt_destroy(&s, NULL, NULL);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

S2PT_TEST(map_query_unmap_2m)
{
	const gpa_t gpa = 0x7fe00000ULL;
	const hpa_t hpa = 0x3c0200000ULL;
	struct s2pt s;
	hpa_t got = 0, old = 0;
	unsigned order = 99;

	setup();
	CHECK_EQ(s2pt_init(&s, f), 0);
	CHECK_EQ(s2pt_map(&s, gpa, hpa, S2PT_ORDER_2M, true), 0);
	CHECK_EQ(s.table_frames, 3); /* PML4, PDPT, PD: no page table */
	CHECK(path_is_tables(&s, gpa, 2));
	CHECK_EQ(raw(&s, gpa, 1), hpa | f->large_bits);
	CHECK_EQ(s2pt_query(&s, gpa, &got, &order), 0);
	CHECK_EQ(got, hpa);
	CHECK_EQ(order, S2PT_ORDER_2M);
	CHECK_EQ(s2pt_query(&s, gpa + 0x1ff123, &got, &order), 0);
	CHECK_EQ(got, hpa + 0x1ff123);
	CHECK_EQ(s2pt_query(&s, gpa + LARGE_PAGE_SIZE, &got, &order), -ENOENT);
	CHECK_EQ(s2pt_query(&s, gpa - 1, &got, &order), -ENOENT);
	CHECK(!s2pt_region_empty(&s, gpa + 0x5000));
	CHECK_EQ(s2pt_unmap(&s, gpa, S2PT_ORDER_4K, &old), -ENOENT);
	CHECK_EQ(s2pt_unmap(&s, gpa, S2PT_ORDER_2M, &old), 0);
	CHECK_EQ(old, hpa);
	CHECK_EQ(raw(&s, gpa, 1), 0);
	CHECK(s2pt_region_empty(&s, gpa));
	CHECK_EQ(s2pt_unmap(&s, gpa, S2PT_ORDER_2M, NULL), -ENOENT);
	s2pt_destroy(&s, NULL, NULL);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

S2PT_TEST(overlap_eexist)
{
	struct s2pt s;
	u64 frames;

	setup();
	CHECK_EQ(s2pt_init(&s, f), 0);
	/* 4 KiB inside an existing 2 MiB leaf, at its start and inside. */
	CHECK_EQ(s2pt_map(&s, 0x200000, 0x40000000, S2PT_ORDER_2M, true), 0);
	CHECK_EQ(s2pt_map(&s, 0x200000, 0x1000, S2PT_ORDER_4K, true), -EEXIST);
	CHECK_EQ(s2pt_map(&s, 0x3ff000, 0x1000, S2PT_ORDER_4K, true), -EEXIST);
	CHECK_EQ(s2pt_map(&s, 0x200000, 0x600000, S2PT_ORDER_2M, true), -EEXIST);
	CHECK_EQ(raw(&s, 0x200000, 1), 0x40000000 | f->large_bits);
	/* 2 MiB over a region holding one 4 KiB leaf, at its last page. */
	CHECK_EQ(s2pt_map(&s, 0x5ff000, 0x9000, S2PT_ORDER_4K, true), 0);
	CHECK_EQ(s2pt_map(&s, 0x400000, 0x600000, S2PT_ORDER_2M, true), -EEXIST);
	CHECK_EQ(s2pt_map(&s, 0x5ff000, 0xa000, S2PT_ORDER_4K, true), -EEXIST);
	CHECK_EQ(raw(&s, 0x5ff000, 0), 0x9000 | f->leaf_bits);
	CHECK(!s2pt_region_empty(&s, 0x400000));
	CHECK(s2pt_region_empty(&s, 0x600000));
	/*
	 * Once the last 4 KiB leaf is gone, a 2 MiB leaf replaces the empty table.
	 * The table stays this s2pt's (another CPU may still walk it): retired,
	 * not reused for another range until the VM's stage-2 TLBs were flushed
	 * (s2pt_flushed()), then the next page table it needs, cleared. The frame
	 * never reaches the pmm.
	 */
	CHECK_EQ(s2pt_unmap(&s, 0x5ff000, S2PT_ORDER_4K, NULL), 0);
	CHECK(s2pt_region_empty(&s, 0x400000));
	frames = s.table_frames;
	{
		u64 free_before = pmm_free_frames();

		CHECK_EQ(s2pt_map(&s, 0x400000, 0x600000, S2PT_ORDER_2M, true), 0);
		CHECK_EQ(s.table_frames, frames);
		CHECK_EQ(pmm_free_frames(), free_before);
		CHECK_EQ(raw(&s, 0x400000, 1), 0x600000 | f->large_bits);
		/* Before the flush: a new frame, the retired table stays as it was. */
		CHECK_EQ(s2pt_map(&s, 0x801000, 0xb000, S2PT_ORDER_4K, true), 0);
		CHECK_EQ(s.table_frames, frames + 1);
		CHECK_EQ(pmm_free_frames(), free_before - 1);
		CHECK_EQ(raw(&s, 0x801000, 0), 0xb000 | f->leaf_bits);
		CHECK(s.retired != INVALID_HPA);
		CHECK(s.spare == INVALID_HPA);
		/* After it: the retired table is the next page table. */
		s2pt_flushed(&s);
		CHECK(s.retired == INVALID_HPA);
		CHECK(s.spare != INVALID_HPA);
		CHECK_EQ(s2pt_map(&s, 0xa01000, 0xc000, S2PT_ORDER_4K, true), 0);
		CHECK_EQ(s.table_frames, frames + 1); /* the spare, not a new frame */
		CHECK_EQ(pmm_free_frames(), free_before - 1);
		CHECK_EQ(raw(&s, 0xa01000, 0), 0xc000 | f->leaf_bits);
		CHECK_EQ(raw(&s, 0xa00000, 0), 0); /* its old link is gone */
		CHECK(s2pt_query(&s, 0xa00000, NULL, NULL) == -ENOENT);
		CHECK(s.spare == INVALID_HPA);
	}
	s2pt_destroy(&s, NULL, NULL);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

S2PT_TEST(rejects_bad_arguments)
{
	struct s2pt s;
	hpa_t got;

	setup();
	CHECK_EQ(s2pt_init(&s, f), 0);
	CHECK_EQ(s2pt_map(&s, GPA_LIMIT, 0x1000, S2PT_ORDER_4K, true), -EINVAL);
	CHECK_EQ(s2pt_map(&s, GPA_LIMIT, 0x200000, S2PT_ORDER_2M, true), -EINVAL);
	CHECK_EQ(s2pt_map(&s, ~0ULL & PAGE_MASK, 0x1000, S2PT_ORDER_4K, true), -EINVAL);
	CHECK_EQ(s2pt_map(&s, 0x1800, 0x1000, S2PT_ORDER_4K, true), -EINVAL);
	CHECK_EQ(s2pt_map(&s, 0x1000, 0x1800, S2PT_ORDER_4K, true), -EINVAL);
	CHECK_EQ(s2pt_map(&s, 0x201000, 0x200000, S2PT_ORDER_2M, true), -EINVAL);
	CHECK_EQ(s2pt_map(&s, 0x200000, 0x201000, S2PT_ORDER_2M, true), -EINVAL);
	CHECK_EQ(s2pt_map(&s, 0x2000, 0x2000, 1, true), -EINVAL);
	CHECK_EQ(s2pt_map(&s, 0, 0, 18, true), -EINVAL);
	CHECK_EQ(s2pt_map(&s, 0x1000, 1ULL << 52, S2PT_ORDER_4K, true), -EINVAL);
	CHECK_EQ(s2pt_unmap(&s, GPA_LIMIT, S2PT_ORDER_4K, NULL), -EINVAL);
	CHECK_EQ(s2pt_unmap(&s, 0x1800, S2PT_ORDER_4K, NULL), -EINVAL);
	CHECK_EQ(s2pt_unmap(&s, 0x1000, S2PT_ORDER_2M, NULL), -EINVAL);
	CHECK_EQ(s2pt_query(&s, GPA_LIMIT, &got, NULL), -EINVAL);
	CHECK_EQ(s2pt_split(&s, GPA_LIMIT), -EINVAL);
	CHECK_EQ(s.table_frames, 1); /* nothing was built for a rejected call */
	CHECK_EQ(pmm_free_frames(), free0 - 1);
	/* The highest 48-bit page is fine. */
	CHECK_EQ(s2pt_map(&s, GPA_LIMIT - PAGE_SIZE, 0x1000, S2PT_ORDER_4K, true), 0);
	CHECK_EQ(s2pt_query(&s, GPA_LIMIT - 1, &got, NULL), 0);
	CHECK_EQ(got, 0x1fff);
	CHECK_EQ(s2pt_map(&s, GPA_LIMIT - LARGE_PAGE_SIZE * 2, 0, S2PT_ORDER_2M, true), 0);
	s2pt_destroy(&s, NULL, NULL);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

S2PT_TEST(split_keeps_translations)
{
	const gpa_t gpa = 0x40200000ULL, ro = 0x40400000ULL;
	const hpa_t hpa = 0x12345600000ULL;
	struct s2pt s;
	hpa_t got;
	unsigned order;
	u64 frames, pde;
	bool ok = true;

	setup();
	CHECK_EQ(s2pt_init(&s, f), 0);
	CHECK_EQ(s2pt_map(&s, gpa, hpa, S2PT_ORDER_2M, true), 0);
	CHECK_EQ(s2pt_map(&s, ro, hpa + LARGE_PAGE_SIZE, S2PT_ORDER_2M, false), 0);
	frames = s.table_frames;
	CHECK_EQ(s2pt_split(&s, gpa + 0x3456), 0);
	CHECK_EQ(s2pt_split(&s, ro), 0);
	CHECK_EQ(s.table_frames, frames + 2);
	pde = raw(&s, gpa, 1);
	CHECK_EQ(pde & ~ADDR_MASK, f->table_bits);
	for (u64 i = 0; i < 512; i++) {
		u64 off = i * PAGE_SIZE;

		ok = ok && raw(&s, gpa + off, 0) == ((hpa + off) | f->leaf_bits);
		ok = ok && raw(&s, ro + off, 0) ==
				   ((hpa + LARGE_PAGE_SIZE + off) | (f->leaf_bits & ~f->write_bit));
		ok = ok && s2pt_query(&s, gpa + off + 0x10, &got, &order) == 0 &&
		     got == hpa + off + 0x10 && order == S2PT_ORDER_4K;
	}
	CHECK(ok);
	CHECK_EQ(s2pt_split(&s, gpa), -ENOENT); /* no 2 MiB leaf any more */
	CHECK_EQ(s2pt_split(&s, 0x600000), -ENOENT);
	/* The small leaves are ordinary ones now. */
	CHECK_EQ(s2pt_unmap(&s, gpa + 0x5000, S2PT_ORDER_4K, &got), 0);
	CHECK_EQ(got, hpa + 0x5000);
	CHECK_EQ(s2pt_query(&s, gpa + 0x4fff, &got, NULL), 0);
	CHECK_EQ(got, hpa + 0x4fff);
	CHECK_EQ(s2pt_query(&s, gpa + 0x5000, &got, NULL), -ENOENT);
	s2pt_destroy(&s, NULL, NULL);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

/* Leaves as a walk reports them. */
struct seen {
	gpa_t gpa[64];
	hpa_t hpa[64];
	unsigned order[64];
	unsigned n;
	u64 bytes;
};

static void record(gpa_t gpa, hpa_t hpa, unsigned order, void *ctx)
{
	struct seen *v = ctx;

	if (v->n < ARRAY_SIZE(v->gpa)) {
		v->gpa[v->n] = gpa;
		v->hpa[v->n] = hpa;
		v->order[v->n] = order;
	}
	v->n++;
	v->bytes += PAGE_SIZE << order;
}

/* A frame address made up from the GPA, aligned for the order. */
static hpa_t fake_hpa(gpa_t gpa, unsigned order)
{
	return ALIGN_DOWN(((gpa >> 4) ^ 0x5a5a5a5a000ULL) & ADDR_MASK, PAGE_SIZE << order);
}

/* Mapped out of order over every level: PML4 slots 0, 1 and 511, PDPT and PD edges. */
static const struct {
	gpa_t gpa;
	unsigned order;
} mix[] = {
	{0x8000000000ULL, 9}, {0x1000, 0},     {GPA_LIMIT - PAGE_SIZE, 0},
	{0x200000, 9},	      {0x0, 0},	       {0x40000000, 0},
	{0x1ff000, 0},	      {0x3fe00000, 9}, {0x7ffffff000ULL, 0},
	{0x8000200000ULL, 0}, {0x400000, 9},   {0xffffe00000ULL, 9},
};

static void map_mix(struct s2pt *s)
{
	for (unsigned i = 0; i < ARRAY_SIZE(mix); i++)
		CHECK_EQ(s2pt_map(s, mix[i].gpa, fake_hpa(mix[i].gpa, mix[i].order), mix[i].order,
				  true),
			 0);
}

S2PT_TEST(walk_ascending)
{
	static struct seen v;
	struct s2pt s;
	unsigned hits = 0;

	setup();
	CHECK_EQ(s2pt_init(&s, f), 0);
	map_mix(&s);
	memset(&v, 0, sizeof(v));
	s2pt_walk(&s, record, &v);
	CHECK_EQ(v.n, ARRAY_SIZE(mix));
	for (unsigned i = 1; i < v.n && i < ARRAY_SIZE(v.gpa); i++)
		CHECK(v.gpa[i - 1] < v.gpa[i]);
	for (unsigned i = 0; i < v.n && i < ARRAY_SIZE(v.gpa); i++)
		for (unsigned j = 0; j < ARRAY_SIZE(mix); j++)
			hits += v.gpa[i] == mix[j].gpa && v.order[i] == mix[j].order &&
				v.hpa[i] == fake_hpa(mix[j].gpa, mix[j].order);
	CHECK_EQ(hits, ARRAY_SIZE(mix));
	/* A walk changes nothing; an empty table walks to nothing. */
	CHECK_EQ(s2pt_query(&s, 0x200000, NULL, NULL), 0);
	s2pt_destroy(&s, NULL, NULL);
	CHECK_EQ(s2pt_init(&s, f), 0);
	memset(&v, 0, sizeof(v));
	s2pt_walk(&s, record, &v);
	CHECK_EQ(v.n, 0);
	s2pt_destroy(&s, NULL, NULL);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

S2PT_TEST(destroy_frees_every_table)
{
	static struct seen v;
	struct s2pt s;
	u64 want = 0;

	setup();
	CHECK_EQ(s2pt_init(&s, f), 0);
	map_mix(&s);
	for (gpa_t g = GiB(2); g < GiB(2) + MiB(64); g += MiB(2) + PAGE_SIZE)
		CHECK_EQ(s2pt_map(&s, g & PAGE_MASK, 0x1000, S2PT_ORDER_4K, true), 0);
	CHECK_EQ(s2pt_split(&s, 0x3fe00000), 0);
	CHECK(pmm_free_frames() == free0 - s.table_frames);
	for (unsigned i = 0; i < ARRAY_SIZE(mix); i++)
		want += PAGE_SIZE << mix[i].order;
	want += 32 * PAGE_SIZE;
	memset(&v, 0, sizeof(v));
	s2pt_destroy(&s, record, &v);
	CHECK_EQ(v.bytes, want);
	CHECK_EQ(v.n, ARRAY_SIZE(mix) + 32 + 511); /* the split leaf counts 512 times */
	CHECK_EQ(s.root, INVALID_HPA);
	CHECK_EQ(s.table_frames, 0);
	CHECK_EQ(pmm_free_frames(), free0);
	/* Destroyed tables: a second destroy and queries do nothing. */
	s2pt_destroy(&s, record, &v);
	CHECK_EQ(v.n, ARRAY_SIZE(mix) + 32 + 511);
	CHECK(s2pt_query(&s, 0x1000, NULL, NULL) != 0);
	CHECK_EQ(s2pt_map(&s, 0x1000, 0x1000, S2PT_ORDER_4K, true), -EINVAL);
	teardown();
}

/* A table retired by a 2 MiB map and never flushed still goes back at destroy. */
S2PT_TEST(destroy_frees_retired_tables)
{
	struct s2pt s;

	setup();
	CHECK_EQ(s2pt_init(&s, f), 0);
	CHECK_EQ(s2pt_map(&s, 0x1000, 0x1000, S2PT_ORDER_4K, true), 0);
	CHECK_EQ(s2pt_unmap(&s, 0x1000, S2PT_ORDER_4K, NULL), 0);
	CHECK_EQ(s2pt_map(&s, 0, 0x200000, S2PT_ORDER_2M, true), 0);
	CHECK(s.retired != INVALID_HPA);
	s2pt_destroy(&s, NULL, NULL);
	CHECK_EQ(s.table_frames, 0);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
}

/* Four frames: one holds the pmm's metadata, the root takes one, two are left. */
S2PT_TEST(out_of_table_frames)
{
	struct s2pt s;

	setup_frames(4 * PAGE_SIZE);
	CHECK_EQ(free0, 3);
	CHECK_EQ(s2pt_init(&s, f), 0);
	CHECK_EQ(s2pt_map(&s, 0x1000, 0x1000, S2PT_ORDER_4K, true), -ENOMEM);
	CHECK_EQ(pmm_free_frames(), 0);
	CHECK_EQ(s2pt_split(&s, 0x0), -ENOENT);
	/* The directories built on the way are reused: a 2 MiB leaf needs no more. */
	CHECK_EQ(s2pt_map(&s, 0x200000, 0x200000, S2PT_ORDER_2M, true), 0);
	CHECK_EQ(s2pt_split(&s, 0x200000), -ENOMEM);
	CHECK_EQ(s2pt_query(&s, 0x200000, NULL, NULL), 0);
	s2pt_destroy(&s, NULL, NULL);
	CHECK_EQ(pmm_free_frames(), free0);
	teardown();
	setup_frames(PAGE_SIZE * 2);
	CHECK_EQ(pmm_alloc(0) != INVALID_HPA, 1);
	CHECK_EQ(s2pt_init(&s, f), -ENOMEM);
	teardown();
}
