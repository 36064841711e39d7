/* SPDX-License-Identifier: MIT */
/* One guest-physical map per VM: RAM, ROM, device pages and holes, built once at creation. */
#ifndef HV_GPMAP_H
#define HV_GPMAP_H

#include <hv/types.h>

/*
 * The layout of every VM (a PC's, with RAM counted from address zero):
 *
 *   0         .. 0xa0000     RAM pages; the E820 gives RAM up to 0x9fc00 (639
 *                            KiB) and the EBDA 0x9fc00-0x9ffff as reserved
 *   0xa0000   .. 0xc0000     legacy video hole: unassigned
 *   0xc0000   .. 0x100000    ROM: option ROM and BIOS area, read-only; the ACPI
 *                            tables live in its last 128 KiB (0xe0000-0xfffff)
 *   0x100000  .. 3 GiB       RAM
 *   3 GiB     .. 4 GiB       device hole: unassigned (reads all-ones, writes
 *                            dropped) except the IOAPIC and LAPIC pages
 *   4 GiB     .. 4 GiB + n   the RAM that did not fit below the hole
 *
 * The loader takes its E820 table from here, demand paging asks here what is
 * RAM, and the MMIO dispatcher asks which device a page belongs to.
 */
#define GPMAP_LOW_RAM_END 0xa0000ULL /* end of the low RAM pages, EBDA included */
#define GPMAP_EBDA_BASE	  0x9fc00ULL /* where the E820 ends low RAM: the EBDA's 1 KiB */
#define GPMAP_VGA_BASE	  0xa0000ULL /* legacy video hole, unassigned up to the ROM */
#define GPMAP_ROM_BASE	  0xc0000ULL
#define GPMAP_BIOS_BASE	  0xe0000ULL /* the RSDP scan range starts here */
#define GPMAP_HIGH_RAM	  0x100000ULL
#define GPMAP_HOLE_BASE	  0xc0000000ULL
#define GPMAP_IOAPIC_BASE 0xfec00000ULL
#define GPMAP_LAPIC_BASE  0xfee00000ULL
#define GPMAP_ABOVE_4G	  0x100000000ULL
#define GPMAP_MAX_REGIONS 8

enum gpmap_kind {
	GPMAP_UNASSIGNED, /* nothing there: reads all-ones, writes are dropped */
	GPMAP_RAM,	  /* demand-paged guest RAM */
	GPMAP_ROM,	  /* read-only frames of the hypervisor's (firmware area) */
	GPMAP_MMIO,	  /* a device register page, emulated access by access */
};

enum gpmap_dev {
	GPMAP_DEV_NONE,
	GPMAP_DEV_IOAPIC,
	GPMAP_DEV_LAPIC,
};

struct gpmap_region {
	gpa_t base, end; /* [base, end), page aligned */
	u8 kind;	 /* enum gpmap_kind */
	u8 dev;		 /* enum gpmap_dev, for GPMAP_MMIO */
};

struct gpmap {
	u64 ram_size; /* bytes of address space given as RAM, holes included */
	u32 n;	      /* regions, sorted by base, disjoint; gaps are unassigned */
	struct gpmap_region r[GPMAP_MAX_REGIONS];
};

/* Build the map of a VM with ram_size bytes; -EINVAL when that is not a positive page multiple. */
int gpmap_build(struct gpmap *m, u64 ram_size);

/* The region holding gpa; an unassigned one (static, kind GPMAP_UNASSIGNED) for gaps. */
const struct gpmap_region *gpmap_find(const struct gpmap *m, gpa_t gpa);

/* True when [gpa, gpa + len) is RAM in one region (len > 0, no wrap). */
bool gpmap_is_ram(const struct gpmap *m, gpa_t gpa, u64 len);

/*
 * The guest's E820 table: RAM as type 1, ROM and device pages as type 2
 * (reserved), the EBDA (the last KiB of low RAM) as type 2 as a PC's BIOS
 * gives it; gaps are not listed. Returns the number of entries written (at
 * most max).
 */
struct guest_e820;
u32 gpmap_e820(const struct gpmap *m, struct guest_e820 *out, u32 max);

#endif
