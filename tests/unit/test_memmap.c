// SPDX-License-Identifier: MIT
/* Unit tests of memmap_free_ranges(): firmware map shapes, clamping, errors, and a page model. */
#include <stdlib.h>
#include <string.h>

#include <hv/errno.h>
#include <hv/memmap.h>

#include "utest.h"

#define U   MEM_USABLE
#define R   MEM_RESERVED
#define AR  MEM_ACPI_RECLAIM
#define NVS MEM_ACPI_NVS
#define LD  MEM_LOADER

#define TOP UINT64_MAX

/* Compare got[0..n) with want[]; report at the caller's line. */
static void expect_ranges(int line, int n, const struct mem_range *got,
			  const struct mem_range *want, int nwant)
{
	char msg[160];

	if (n != nwant) {
		snprintf(msg, sizeof(msg), "range count %d, want %d", n, nwant);
		utest_fail(__FILE__, line, msg);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (got[i].base == want[i].base && got[i].end == want[i].end)
			continue;
		snprintf(msg, sizeof(msg), "range %d is [%#llx, %#llx), want [%#llx, %#llx)", i,
			 (unsigned long long)got[i].base, (unsigned long long)got[i].end,
			 (unsigned long long)want[i].base, (unsigned long long)want[i].end);
		utest_fail(__FILE__, line, msg);
	}
}

#define EXPECT_RANGES(n, got, ...)                                              \
	do {                                                                    \
		const struct mem_range want_[] = {__VA_ARGS__};                 \
		expect_ranges(__LINE__, n, got, want_, (int)ARRAY_SIZE(want_)); \
	} while (0)

#define FREE_RANGES(map, res, out) \
	memmap_free_ranges(map, ARRAY_SIZE(map), res, ARRAY_SIZE(res), out, ARRAY_SIZE(out))

/* The shape of OVMF's map on q35 with 6 GiB, unsorted, plus boot modules. */
UTEST(memmap_ovmf_like)
{
	const struct mem_region map[] = {
		{0x100000000, 0x80000000, U}, {0x808000, 0x3000, U},	 {0x0, 0xa0000, U},
		{0x100000, 0x700000, U},      {0x800000, 0x8000, NVS},	 {0x80b000, 0x1000, NVS},
		{0x80c000, 0x5000, U},	      {0x811000, 0xef000, NVS},	 {0x900000, 0x7d700000, U},
		{0x7e000000, 0x100000, LD}, /* our image, inside the big usable one */
		{0x7e100000, 0x17ee000, U},   {0x7f8ee000, 0x280000, R}, {0x7fb6e000, 0x10000, AR},
		{0x7fb7e000, 0x80000, NVS},   {0x7fbfe000, 0x37a000, U}, {0x7ff78000, 0x88000, R},
		{0xb0000000, 0x10000000, R},  {0xffc00000, 0x400000, R},
	};
	const struct mem_range res[] = {
		{0x7c000000, 0x7c345678}, /* a module with an unaligned end */
		{0x7d000000, 0x7d001000}, /* struct boot_info */
	};
	struct mem_range out[16];
	int n = FREE_RANGES(map, res, out);

	EXPECT_RANGES(n, out, {0x100000, 0x800000}, {0x808000, 0x80b000}, {0x80c000, 0x811000},
		      {0x900000, 0x7c000000}, {0x7c346000, 0x7d000000}, {0x7d001000, 0x7e000000},
		      {0x7e100000, 0x7f8ee000}, {0x7fbfe000, 0x7ff78000},
		      {0x100000000, 0x180000000});
	CHECK_EQ(memmap_total(out, (size_t)n),
		 0x700000 + 0x3000 + 0x5000 + (0x7c000000 - 0x900000) + (0x7d000000 - 0x7c346000) +
			 (0x7e000000 - 0x7d001000) + (0x7f8ee000 - 0x7e100000) +
			 (0x7ff78000 - 0x7fbfe000) + 0x80000000);
}

/* SeaBIOS E820 with 7 GiB, the hypervisor loaded right at 1 MiB. */
UTEST(memmap_bios_e820_like)
{
	const struct mem_region map[] = {
		{0x0, 0x9fc00, U},	   {0x9fc00, 0x400, R},		 {0xf0000, 0x10000, R},
		{0x100000, 0xbfedf000, U}, {0xbffdf000, 0x21000, R},	 {0xfeffc000, 0x4000, R},
		{0xfffc0000, 0x40000, R},  {0x100000000, 0xc0000000, U},
	};
	const struct mem_range res[] = {
		{0x100000, 0x180000},	/* hypervisor image */
		{0x1000000, 0x1234567}, /* guest module */
		{0x10000, 0x11000},	/* multiboot info below 1 MiB */
	};
	struct mem_range out[8];
	int n = FREE_RANGES(map, res, out);

	EXPECT_RANGES(n, out, {0x180000, 0x1000000}, {0x1235000, 0xbffdf000},
		      {0x100000000, 0x1c0000000});
}

UTEST(memmap_reserved_inside_usable)
{
	const struct mem_region map[] = {{MiB(1), MiB(15), U}};
	const struct mem_range res[] = {
		{MiB(4), MiB(5)},
		{MiB(8) + 0x10, MiB(8) + 0x20}, /* costs the whole page */
		{MiB(10) - 1, MiB(10) + 1},	/* costs two pages */
	};
	struct mem_range out[8];
	int n = FREE_RANGES(map, res, out);

	EXPECT_RANGES(n, out, {MiB(1), MiB(4)}, {MiB(5), MiB(8)},
		      {MiB(8) + 0x1000, MiB(10) - 0x1000}, {MiB(10) + 0x1000, MiB(16)});
}

/* A non-usable region wins over usable RAM whichever comes first and whatever its type. */
UTEST(memmap_non_usable_overlap_wins)
{
	const struct mem_region map[] = {
		{MiB(8), MiB(1), AR},			      /* listed before the RAM it sits in */
		{MiB(1), MiB(31), U},			      /* 1..32 MiB */
		{MiB(20), MiB(2), NVS}, {MiB(30), MiB(4), R}, /* hangs over the end of usable */
		{MiB(12), 0x800, 0},			      /* unknown types block too */
		{MiB(14), 0x1000, 99},	{MiB(16), MiB(1), MEM_BAD},
		{MiB(16), MiB(1), U}, /* usable listed twice, also marked bad */
	};
	struct mem_range out[8];
	int n = memmap_free_ranges(map, ARRAY_SIZE(map), NULL, 0, out, ARRAY_SIZE(out));

	EXPECT_RANGES(n, out, {MiB(1), MiB(8)}, {MiB(9), MiB(12)}, {MiB(12) + 0x1000, MiB(14)},
		      {MiB(14) + 0x1000, MiB(16)}, {MiB(17), MiB(20)}, {MiB(22), MiB(30)});
}

UTEST(memmap_unaligned_edges)
{
	const struct mem_region map[] = {
		{0x100123, 0x200fff - 0x100123, U}, /* -> [0x101000, 0x200000) */
		{0x300001, 0xfff, U},		    /* no whole page inside */
		{0x400800, 0x1000, U},		    /* straddles a page: nothing */
		{0x500000, 0x1fff, U},		    /* one page */
	};
	struct mem_range out[8];
	int n = memmap_free_ranges(map, ARRAY_SIZE(map), NULL, 0, out, ARRAY_SIZE(out));

	EXPECT_RANGES(n, out, {0x101000, 0x200000}, {0x500000, 0x501000});
}

UTEST(memmap_below_1m_clamped)
{
	const struct mem_region map[] = {
		{0x1000, 0x9e000, U}, /* entirely low: dropped */
		{0xff000, 0x2000, U}, /* crosses 1 MiB: keeps the part above */
		{0x0, MiB(3), U},     /* overlaps the one above and goes on */
	};
	struct mem_range out[4];
	int n = memmap_free_ranges(map, ARRAY_SIZE(map), NULL, 0, out, ARRAY_SIZE(out));

	EXPECT_RANGES(n, out, {MiB(1), MiB(3)});
	n = memmap_free_ranges(map, 2, NULL, 0, out, ARRAY_SIZE(out));
	EXPECT_RANGES(n, out, {MiB(1), MiB(1) + 0x1000});
	n = memmap_free_ranges(map, 1, NULL, 0, out, ARRAY_SIZE(out));
	CHECK_EQ(n, 0);
}

UTEST(memmap_reserved_at_edges)
{
	const struct mem_region map[] = {{MiB(1), MiB(7), U}};
	const struct mem_range res[] = {
		{MiB(1), MiB(1) + 0x1000}, /* first page */
		{MiB(8) - 0x1000, MiB(8)}, /* last page */
		{0, MiB(1) + 0x1000},	   /* from below, overlapping the first */
		{MiB(8) - 1, MiB(9)},	   /* past the end */
	};
	struct mem_range out[4];
	int n = FREE_RANGES(map, res, out);

	EXPECT_RANGES(n, out, {MiB(1) + 0x1000, MiB(8) - 0x1000});
}

UTEST(memmap_reserved_spanning_regions)
{
	const struct mem_region map[] = {
		{MiB(1), MiB(3), U},  /* 1..4 */
		{MiB(4), MiB(1), R},  /* 4..5 */
		{MiB(5), MiB(3), U},  /* 5..8 */
		{MiB(10), MiB(2), U}, /* 10..12 */
	};
	const struct mem_range across_one[] = {{MiB(3), MiB(6)}};
	const struct mem_range across_all[] = {{MiB(2), MiB(11)}};
	const struct mem_range covers_all[] = {{0, MiB(64)}};
	struct mem_range out[8];
	int n;

	n = FREE_RANGES(map, across_one, out);
	EXPECT_RANGES(n, out, {MiB(1), MiB(3)}, {MiB(6), MiB(8)}, {MiB(10), MiB(12)});
	n = FREE_RANGES(map, across_all, out);
	EXPECT_RANGES(n, out, {MiB(1), MiB(2)}, {MiB(11), MiB(12)});
	n = FREE_RANGES(map, covers_all, out);
	CHECK_EQ(n, 0);
}

UTEST(memmap_zero_length_entries)
{
	const struct mem_region map[] = {
		{MiB(2), 0, U}, /* nothing */
		{MiB(4), 0, R}, /* a zero-length blocker must not split */
		{MiB(1), MiB(7), U},
		{MiB(6), 0, NVS},
	};
	const struct mem_range res[] = {
		{MiB(3), MiB(3)},	   /* empty */
		{MiB(5), MiB(5) - 0x1000}, /* inverted: ignored */
	};
	struct mem_range out[4];
	int n = FREE_RANGES(map, res, out);

	EXPECT_RANGES(n, out, {MiB(1), MiB(8)});
}

UTEST(memmap_overflow_clamped)
{
	const struct mem_region wraps[] = {{0xffffffff00000000, 0x200000000, U}};
	const struct mem_region blocked[] = {
		{0xffffffff00000000, 0x200000000, U},
		{0xffffffff80000000, TOP, R}, /* blocks up to the very top */
	};
	const struct mem_region last_page[] = {
		{0xfffffffffffff800, 0x1000, U}, /* rounding up must not wrap to 0 */
		{TOP, TOP, U},
		{TOP - 0xfff, 0x1000, U}, /* the last page, end at 2^64 */
	};
	const struct mem_region huge[] = {{MiB(2), TOP, U}};
	const struct mem_range res[] = {{MiB(4), TOP}};
	struct mem_range out[4];
	int n;

	n = memmap_free_ranges(wraps, 1, NULL, 0, out, 4);
	EXPECT_RANGES(n, out, {0xffffffff00000000, 0xfffffffffffff000});
	n = memmap_free_ranges(blocked, 2, NULL, 0, out, 4);
	EXPECT_RANGES(n, out, {0xffffffff00000000, 0xffffffff80000000});
	n = memmap_free_ranges(last_page, 1, NULL, 0, out, 4);
	CHECK_EQ(n, 0);
	n = memmap_free_ranges(last_page, 3, NULL, 0, out, 4);
	CHECK_EQ(n, 0); /* 2^64 is not representable: the top page is given up */
	n = memmap_free_ranges(huge, 1, res, 1, out, 4);
	EXPECT_RANGES(n, out, {MiB(2), MiB(4)});
	n = memmap_free_ranges(huge, 1, NULL, 0, out, 4);
	EXPECT_RANGES(n, out, {MiB(2), 0xfffffffffffff000});
}

UTEST(memmap_enospc)
{
	const struct mem_region map[] = {
		{MiB(1), 0x800, U}, /* no whole page: must not use a slot */
		{MiB(2), MiB(1), U},
		{MiB(4), MiB(1), U},
		{MiB(6), MiB(1), U},
	};
	struct mem_range out[4] = {{0}};

	out[2].base = 0x1234;
	CHECK_EQ(memmap_free_ranges(map, 4, NULL, 0, out, 2), -ENOSPC);
	CHECK_EQ(out[2].base, 0x1234); /* nothing written past max */
	CHECK_EQ(memmap_free_ranges(map, 3, NULL, 0, out, 2), 2);
	CHECK_EQ(memmap_free_ranges(map, 4, NULL, 0, out, 3), 3);
	CHECK_EQ(memmap_free_ranges(map, 4, NULL, 0, NULL, 0), -ENOSPC);
	CHECK_EQ(memmap_free_ranges(map, 1, NULL, 0, NULL, 0), 0);
}

UTEST(memmap_adjacent_merge)
{
	const struct mem_region map[] = {
		{MiB(2), MiB(1), U},
		{MiB(1), MiB(1), U},		/* touches the one above */
		{MiB(3), 0x80800, U},		/* unaligned seam ... */
		{MiB(3) + 0x80800, 0x7f800, U}, /* ... whose page is whole */
		{MiB(2) + 0x1000, 0x1000, U},	/* duplicate inside */
		{MiB(8), MiB(1), U},
		{MiB(9), MiB(1), NVS}, /* adjacent other type: no merge */
		{MiB(10), MiB(1), U},
	};
	struct mem_range out[8];
	int n = memmap_free_ranges(map, ARRAY_SIZE(map), NULL, 0, out, ARRAY_SIZE(out));

	EXPECT_RANGES(n, out, {MiB(1), MiB(4)}, {MiB(8), MiB(9)}, {MiB(10), MiB(11)});
}

/* Full tables: 256 regions and 48 reserved ranges, every reserved one splitting a range. */
UTEST(memmap_full_tables)
{
	static struct mem_region map[BOOT_MMAP_MAX + 1];
	static struct mem_range res[BOOT_RESERVED_MAX + 1], out[BOOT_MMAP_MAX + BOOT_RESERVED_MAX];
	int n;

	for (u64 i = 0; i < BOOT_MMAP_MAX; i++) {
		map[i].base = MiB(2) * (i + 1);
		map[i].len = MiB(1);
		map[i].type = i % 2 ? NVS : U;
	}
	for (u64 i = 0; i < BOOT_RESERVED_MAX; i++) {
		res[i].base = MiB(4) * i + MiB(2) + KiB(512); /* inside usable region 2i */
		res[i].end = res[i].base + 0x1000;
	}
	n = memmap_free_ranges(map, BOOT_MMAP_MAX, res, BOOT_RESERVED_MAX, out, ARRAY_SIZE(out));
	CHECK_EQ(n, BOOT_MMAP_MAX / 2 + BOOT_RESERVED_MAX);
	CHECK_EQ(memmap_total(out, (size_t)n),
		 MiB(1) * BOOT_MMAP_MAX / 2 - KiB(4) * BOOT_RESERVED_MAX);
	for (int i = 1; i < n; i++)
		CHECK(out[i - 1].end < out[i].base);
	CHECK_EQ(memmap_free_ranges(map, BOOT_MMAP_MAX + 1, res, 0, out, ARRAY_SIZE(out)), -E2BIG);
	CHECK_EQ(memmap_free_ranges(map, 1, res, BOOT_RESERVED_MAX + 1, out, ARRAY_SIZE(out)),
		 -E2BIG);
}

UTEST(memmap_total_and_names)
{
	const struct mem_range r[] = {{0x1000, 0x3000}, {MiB(1), MiB(2)}};

	CHECK_EQ(memmap_total(r, 2), 0x2000 + MiB(1));
	CHECK_EQ(memmap_total(r, 0), 0);
	CHECK(!strcmp(memmap_type_name(MEM_USABLE), "usable"));
	CHECK(!strcmp(memmap_type_name(MEM_RESERVED), "reserved"));
	CHECK(!strcmp(memmap_type_name(MEM_ACPI_RECLAIM), "ACPI reclaimable"));
	CHECK(!strcmp(memmap_type_name(MEM_ACPI_NVS), "ACPI NVS"));
	CHECK(!strcmp(memmap_type_name(MEM_BAD), "bad"));
	CHECK(!strcmp(memmap_type_name(MEM_LOADER), "loader"));
	CHECK(!strcmp(memmap_type_name(0), "unknown"));
	CHECK(!strcmp(memmap_type_name(77), "unknown"));
}

/*
 * Random maps against a brute-force model over [0, 16 MiB) in 256-byte
 * units: a page is free when every unit of it is covered by usable RAM and
 * by no blocker, and it lies above 1 MiB.
 */
#define MODEL_UNIT  256
#define MODEL_UNITS (MiB(16) / MODEL_UNIT)

static u64 model_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A coordinate in units: page-aligned half the time, so seams and merges happen. */
static u64 model_coord(u64 *s)
{
	u64 u = model_rand(s) % MODEL_UNITS;

	return model_rand(s) % 2 ? u & ~15ULL : u;
}

static void model_mark(int *diff, u64 base, u64 end)
{
	diff[base / MODEL_UNIT]++;
	diff[end / MODEL_UNIT]--;
}

static int model_expect(const int *usable, const int *blocked, struct mem_range *want)
{
	int n = 0, u = 0, b = 0;
	bool page_free = true;

	for (u64 i = 0; i < MODEL_UNITS; i++) {
		u += usable[i];
		b += blocked[i];
		if (i % 16 == 0)
			page_free = true;
		page_free = page_free && u > 0 && b == 0;
		if (i % 16 != 15 || !page_free || (i - 15) * MODEL_UNIT < MiB(1))
			continue;
		u64 page = (i - 15) * MODEL_UNIT;

		if (n && want[n - 1].end == page)
			want[n - 1].end += 0x1000;
		else
			want[n++] = (struct mem_range){page, page + 0x1000};
	}
	return n;
}

static void model_round(u64 *seed, int round)
{
	static int usable[MODEL_UNITS + 1], blocked[MODEL_UNITS + 1];
	struct mem_region map[40];
	struct mem_range res[8], out[64], want[64];
	size_t nmap = 1 + model_rand(seed) % 40, nres = model_rand(seed) % 8;

	memset(usable, 0, sizeof(usable));
	memset(blocked, 0, sizeof(blocked));
	for (size_t i = 0; i < nmap; i++) {
		u64 a = model_coord(seed), b = model_coord(seed);
		u64 lo = MIN(a, b), hi = MAX(a, b);

		map[i] =
			(struct mem_region){lo * MODEL_UNIT, (hi - lo) * MODEL_UNIT,
					    model_rand(seed) % 3 ? U : (u32)(model_rand(seed) % 8)};
		model_mark(map[i].type == U ? usable : blocked, lo * MODEL_UNIT, hi * MODEL_UNIT);
	}
	for (size_t i = 0; i < nres; i++) {
		u64 a = model_coord(seed), b = a + model_rand(seed) % 64;

		b = MIN(b, MODEL_UNITS);
		res[i] = (struct mem_range){a * MODEL_UNIT, b * MODEL_UNIT};
		model_mark(blocked, a * MODEL_UNIT, b * MODEL_UNIT);
	}
	int n = memmap_free_ranges(map, nmap, res, nres, out, ARRAY_SIZE(out));
	int nwant = model_expect(usable, blocked, want);

	CHECK(n >= 0 && (size_t)n <= nmap + nres);
	expect_ranges(__LINE__, n, out, want, nwant);
	if (n != nwant)
		printf("    model round %d differs\n", round);
}

UTEST(memmap_random_vs_page_model)
{
	u64 seed = 0x5eed1234abcdULL;

	for (int round = 0; round < 400; round++)
		model_round(&seed, round);
}
