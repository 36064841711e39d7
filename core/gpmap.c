// SPDX-License-Identifier: MIT
/* The guest-physical map: which address is RAM, firmware ROM, a device page or nothing. */
#include <hv/errno.h>
#include <hv/gpmap.h>
#include <hv/loader.h>
#include <hv/string.h>

static void add(struct gpmap *m, gpa_t base, gpa_t end, enum gpmap_kind kind, enum gpmap_dev dev)
{
	if (end > base)
		m->r[m->n++] = (struct gpmap_region){base, end, (u8)kind, (u8)dev};
}

int gpmap_build(struct gpmap *m, u64 ram_size)
{
	u64 below;

	memset(m, 0, sizeof(*m));
	/* RAM above 4 GiB ends at 4 GiB + what the hole displaced: keep that from wrapping. */
	if (!ram_size || !IS_ALIGNED(ram_size, PAGE_SIZE) || ram_size > GiB(1ULL << 14))
		return -EINVAL;
	m->ram_size = ram_size;
	below = MIN(ram_size, GPMAP_HOLE_BASE);
	add(m, 0, MIN(ram_size, GPMAP_LOW_RAM_END), GPMAP_RAM, GPMAP_DEV_NONE);
	add(m, GPMAP_ROM_BASE, GPMAP_HIGH_RAM, GPMAP_ROM, GPMAP_DEV_NONE);
	if (below > GPMAP_HIGH_RAM)
		add(m, GPMAP_HIGH_RAM, below, GPMAP_RAM, GPMAP_DEV_NONE);
	add(m, GPMAP_IOAPIC_BASE, GPMAP_IOAPIC_BASE + PAGE_SIZE, GPMAP_MMIO, GPMAP_DEV_IOAPIC);
	add(m, GPMAP_LAPIC_BASE, GPMAP_LAPIC_BASE + PAGE_SIZE, GPMAP_MMIO, GPMAP_DEV_LAPIC);
	if (ram_size > GPMAP_HOLE_BASE)
		add(m, GPMAP_ABOVE_4G, GPMAP_ABOVE_4G + (ram_size - GPMAP_HOLE_BASE), GPMAP_RAM,
		    GPMAP_DEV_NONE);
	return 0;
}

const struct gpmap_region *gpmap_find(const struct gpmap *m, gpa_t gpa)
{
	static const struct gpmap_region unassigned = {0, 0, GPMAP_UNASSIGNED, GPMAP_DEV_NONE};
	u32 lo = 0, hi = m->n;

	/* Binary search over the sorted regions: the last one starting at or below gpa. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (m->r[mid].base <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && gpa < m->r[lo - 1].end)
		return &m->r[lo - 1];
	return &unassigned;
}

bool gpmap_is_ram(const struct gpmap *m, gpa_t gpa, u64 len)
{
	const struct gpmap_region *r = gpmap_find(m, gpa);

	/* Written as differences so that no sum can overflow. */
	return len && r->kind == GPMAP_RAM && len <= r->end - gpa;
}

u32 gpmap_e820(const struct gpmap *m, struct guest_e820 *out, u32 max)
{
	u32 n = 0;

	for (u32 i = 0; i < m->n && n < max; i++) {
		const struct gpmap_region *r = &m->r[i];
		gpa_t end = r->end;

		/* The EBDA page is backed, but the BIOS keeps its last KiB: report it reserved. */
		if (r->kind == GPMAP_RAM && r->base < GPMAP_EBDA_BASE && end > GPMAP_EBDA_BASE)
			end = GPMAP_EBDA_BASE;
		out[n++] =
			(struct guest_e820){r->base, end - r->base, r->kind == GPMAP_RAM ? 1u : 2u};
		if (end != r->end && n < max)
			out[n++] = (struct guest_e820){end, r->end - end, 2u};
	}
	return n;
}
