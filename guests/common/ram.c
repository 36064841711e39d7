/* SPDX-License-Identifier: MIT */
/* The guest's RAM ranges, copied from the PVH memory map, and HC_SELF_STATS. */
#include "common.h"

#define RAM_MAX_RANGES 16

struct ram_range {
	u64 start, end;
};

static struct ram_range ram_ranges[RAM_MAX_RANGES];
static unsigned int ram_nr;

/*
 * A copy, because the map lives in low RAM that a test may release or
 * overwrite later. Without a map, the lib's [0, guest_ram_top) is used.
 */
void ram_init(void)
{
	const struct hvm_start_info *si = guest_start_info;
	const struct hvm_memmap_table_entry *e;

	ram_nr = 0;
	if (si && si->version >= 1 && si->memmap_paddr) {
		e = (const void *)si->memmap_paddr;
		for (u32 i = 0; i < si->memmap_entries && ram_nr < RAM_MAX_RANGES; i++) {
			if (e[i].type != HVM_MEMMAP_TYPE_RAM || e[i].addr + e[i].size <= e[i].addr)
				continue;
			ram_ranges[ram_nr++] = (struct ram_range){e[i].addr, e[i].addr + e[i].size};
		}
	}
	if (!ram_nr)
		ram_ranges[ram_nr++] = (struct ram_range){0, guest_ram_top};
}

/* End of the RAM range holding gpa, or 0 if gpa is not RAM. */
static u64 ram_range_end(u64 gpa)
{
	for (unsigned int i = 0; i < ram_nr; i++) {
		if (gpa >= ram_ranges[i].start && gpa < ram_ranges[i].end)
			return ram_ranges[i].end;
	}
	return 0;
}

/* Walks range by range, so adjacent entries of the map count as one. */
bool ram_contains(u64 gpa, u64 len)
{
	u64 end = gpa + len;

	if (!len || end < gpa)
		return false;
	while (gpa < end) {
		u64 next = ram_range_end(gpa);

		if (!next)
			return false;
		gpa = next;
	}
	return true;
}

u64 ram_low_top(void)
{
	u64 top = 0;

	for (unsigned int i = 0; i < ram_nr; i++) {
		if (ram_ranges[i].start < GiB(4))
			top = MAX(top, MIN(ram_ranges[i].end, GiB(4)));
	}
	return top;
}

long sprout_self_stats(struct sprout_vm_info *info)
{
	return hypercall(HC_SELF_STATS, (unsigned long)info, 0, 0, 0);
}
