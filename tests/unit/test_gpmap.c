// SPDX-License-Identifier: MIT
/* Host tests of the guest-physical map: regions, lookups at their edges, the E820 it gives. */
#include <hv/errno.h>
#include <hv/gpmap.h>
#include <hv/loader.h>

#include "utest.h"

UTEST(gpmap_small_vm)
{
	struct gpmap m;
	struct guest_e820 e[8];
	u32 n;

	CHECK_EQ(gpmap_build(&m, MiB(32)), 0);
	CHECK_EQ(gpmap_find(&m, 0)->kind, GPMAP_RAM);
	CHECK_EQ(gpmap_find(&m, GPMAP_LOW_RAM_END - 1)->kind, GPMAP_RAM);
	CHECK_EQ(gpmap_find(&m, GPMAP_EBDA_BASE)->kind, GPMAP_RAM);
	CHECK_EQ(gpmap_find(&m, GPMAP_VGA_BASE)->kind, GPMAP_UNASSIGNED);
	CHECK_EQ(gpmap_find(&m, GPMAP_ROM_BASE - 1)->kind, GPMAP_UNASSIGNED);
	CHECK_EQ(gpmap_find(&m, GPMAP_ROM_BASE)->kind, GPMAP_ROM);
	CHECK_EQ(gpmap_find(&m, GPMAP_BIOS_BASE)->kind, GPMAP_ROM);
	CHECK_EQ(gpmap_find(&m, 0xfffff)->kind, GPMAP_ROM);
	CHECK_EQ(gpmap_find(&m, GPMAP_HIGH_RAM)->kind, GPMAP_RAM);
	CHECK_EQ(gpmap_find(&m, MiB(32) - 1)->kind, GPMAP_RAM);
	CHECK_EQ(gpmap_find(&m, MiB(32))->kind, GPMAP_UNASSIGNED);
	CHECK_EQ(gpmap_find(&m, GPMAP_IOAPIC_BASE)->dev, GPMAP_DEV_IOAPIC);
	CHECK_EQ(gpmap_find(&m, GPMAP_IOAPIC_BASE + PAGE_SIZE)->kind, GPMAP_UNASSIGNED);
	CHECK_EQ(gpmap_find(&m, GPMAP_LAPIC_BASE + 0x30)->dev, GPMAP_DEV_LAPIC);
	CHECK_EQ(gpmap_find(&m, GPMAP_LAPIC_BASE - 1)->kind, GPMAP_UNASSIGNED);
	CHECK_EQ(gpmap_find(&m, ~0ULL)->kind, GPMAP_UNASSIGNED);
	CHECK_EQ(gpmap_find(&m, GPMAP_ABOVE_4G)->kind, GPMAP_UNASSIGNED);
	n = gpmap_e820(&m, e, 8);
	CHECK_EQ(n, 6u);
	CHECK_EQ(e[0].addr, 0ULL);
	CHECK_EQ(e[0].size, GPMAP_EBDA_BASE);
	CHECK_EQ(e[0].type, 1u);
	CHECK_EQ(e[1].addr, GPMAP_EBDA_BASE);
	CHECK_EQ(e[1].size, GPMAP_LOW_RAM_END - GPMAP_EBDA_BASE);
	CHECK_EQ(e[1].type, 2u);
	CHECK_EQ(e[2].addr, GPMAP_ROM_BASE);
	CHECK_EQ(e[2].size, GPMAP_HIGH_RAM - GPMAP_ROM_BASE);
	CHECK_EQ(e[2].type, 2u);
	CHECK_EQ(e[3].addr, GPMAP_HIGH_RAM);
	CHECK_EQ(e[3].size, MiB(32) - GPMAP_HIGH_RAM);
	CHECK_EQ(e[4].addr, GPMAP_IOAPIC_BASE);
	CHECK_EQ(e[4].type, 2u);
	CHECK_EQ(e[5].addr, GPMAP_LAPIC_BASE);
	CHECK_EQ(gpmap_e820(&m, e, 2), 2u);
	CHECK_EQ(gpmap_e820(&m, e, 1), 1u); /* no room for the EBDA half */
	CHECK_EQ(e[0].size, GPMAP_EBDA_BASE);
}

UTEST(gpmap_ram_above_4g)
{
	struct gpmap m;

	CHECK_EQ(gpmap_build(&m, GiB(5)), 0);
	CHECK_EQ(gpmap_find(&m, GPMAP_HOLE_BASE - 1)->kind, GPMAP_RAM);
	CHECK_EQ(gpmap_find(&m, GPMAP_HOLE_BASE)->kind, GPMAP_UNASSIGNED);
	CHECK_EQ(gpmap_find(&m, GPMAP_ABOVE_4G)->kind, GPMAP_RAM);
	CHECK_EQ(gpmap_find(&m, GPMAP_ABOVE_4G + GiB(2) - 1)->kind, GPMAP_RAM);
	CHECK_EQ(gpmap_find(&m, GPMAP_ABOVE_4G + GiB(2))->kind, GPMAP_UNASSIGNED);
	CHECK(gpmap_is_ram(&m, GPMAP_ABOVE_4G, GiB(2)));
	CHECK(!gpmap_is_ram(&m, GPMAP_ABOVE_4G, GiB(2) + 1));
}

UTEST(gpmap_is_ram_edges)
{
	struct gpmap m;

	CHECK_EQ(gpmap_build(&m, MiB(16)), 0);
	CHECK(gpmap_is_ram(&m, 0, GPMAP_LOW_RAM_END));
	CHECK(!gpmap_is_ram(&m, 0, GPMAP_LOW_RAM_END + 1));
	CHECK(!gpmap_is_ram(&m, 0x1000, 0));
	CHECK(!gpmap_is_ram(&m, GPMAP_BIOS_BASE, 1));
	CHECK(gpmap_is_ram(&m, MiB(16) - 8, 8));
	CHECK(!gpmap_is_ram(&m, MiB(16) - 8, 9));
	CHECK(!gpmap_is_ram(&m, MiB(8), ~0ULL));
	CHECK(!gpmap_is_ram(&m, ~0ULL, 1));
}

UTEST(gpmap_refuses_bad_sizes)
{
	struct gpmap m;

	CHECK_EQ(gpmap_build(&m, 0), -EINVAL);
	CHECK_EQ(gpmap_build(&m, MiB(1) + 1), -EINVAL);
	CHECK_EQ(gpmap_build(&m, ~0ULL & PAGE_MASK), -EINVAL);
}

/* What is RAM, for sizes around every boundary of the layout. */
UTEST(gpmap_ram_table)
{
	static const struct {
		u64 size, gpa;
		bool ram;
	} t[] = {
		{MiB(2), 0, true},
		{MiB(2), 0x9e000, true},
		{MiB(2), 0x9f000, true}, /* the EBDA's page */
		{MiB(2), 0xa0000, false},
		{MiB(2), 0xc0000, false},
		{MiB(2), 0xe0000, false},
		{MiB(2), 0x100000, true},
		{MiB(2), MiB(2), false},
		{GiB(3), GiB(3) - 4096, true},
		{GiB(3), GiB(3), false},
		{GiB(3), GiB(4), false},
		{GiB(3) + 4096, GiB(4), true},
		{GiB(3) + 4096, GiB(4) + 4096, false},
		{GiB(6), GiB(7) - 4096, true},
		{GiB(6), GiB(7), false},
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct gpmap m;

		CHECK_EQ(gpmap_build(&m, t[i].size), 0);
		CHECK_EQ(gpmap_is_ram(&m, t[i].gpa, PAGE_SIZE), t[i].ram);
		CHECK_EQ(loader_gpa_is_ram(t[i].size, t[i].gpa, PAGE_SIZE), t[i].ram);
	}
}
