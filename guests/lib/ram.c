/* SPDX-License-Identifier: MIT */
/* The guest's RAM ranges, copied from the PVH or multiboot memory map, and HC_SELF_STATS. */
#include "util.h"
#include "multiboot.h"

#define RAM_MAX_RANGES 16

struct ram_range {
	u64 start, end;
};

static struct ram_range ram_ranges[RAM_MAX_RANGES];
static unsigned int ram_nr;

static void ram_add(u64 addr, u64 size, u32 type)
{
	if (type == HVM_MEMMAP_TYPE_RAM && addr + size > addr && ram_nr < RAM_MAX_RANGES)
		ram_ranges[ram_nr++] = (struct ram_range){addr, addr + size};
}

static void ram_from_pvh(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *e = (const void *)si->memmap_paddr;

	if (si->version < 1 || !si->memmap_paddr)
		return;
	for (u32 i = 0; i < si->memmap_entries; i++)
		ram_add(e[i].addr, e[i].size, e[i].type);
}

/* Entries are size + 4 bytes apart (the size field does not count itself). */
static void ram_from_multiboot(const struct multiboot_info *mi)
{
	u64 p = mi->mmap_addr, end = p + mi->mmap_length;

	if (!(mi->flags & MULTIBOOT_INFO_MEM_MAP))
		return;
	while (p + sizeof(struct multiboot_mmap_entry) <= end) {
		const struct multiboot_mmap_entry *e = (const void *)p;

		ram_add(e->addr, e->len, e->type);
		p += (u64)e->size + 4;
	}
}

/*
 * A copy, because the map lives in low RAM that a test may release or
 * overwrite later. Without a map, the lib's [0, guest_ram_top) is used.
 */
void ram_init(void)
{
	ram_nr = 0;
	if (guest_start_info)
		ram_from_pvh(guest_start_info);
	else if (guest_multiboot_info)
		ram_from_multiboot(guest_multiboot_info);
	if (!ram_nr)
		ram_add(0, guest_ram_top, HVM_MEMMAP_TYPE_RAM);
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
