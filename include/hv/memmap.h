/* SPDX-License-Identifier: MIT */
/* Turn a firmware memory map and reserved ranges into the list of free page ranges. */
#ifndef HV_MEMMAP_H
#define HV_MEMMAP_H

#include <hv/boot_info.h>

/* Nothing below 1 MiB is handed out: real-mode trampolines and BIOS data live there. */
#define MEMMAP_LOW_LIMIT MiB(1)

/*
 * Compute free, page-aligned, sorted, non-overlapping ranges: the MEM_USABLE
 * regions of map[] minus every region of any other type that overlaps them
 * (firmware maps do overlap), minus reserved[], minus everything below
 * MEMMAP_LOW_LIMIT. Writes at most max ranges to out; returns the count, or
 * -ENOSPC when out is too small, or -E2BIG when nmap > BOOT_MMAP_MAX or
 * nres > BOOT_RESERVED_MAX. Regions that run past 2^64 are clamped; empty
 * ones are ignored. At most nmap + nres ranges come out. Pure arithmetic: no
 * memory is touched, and stack use is about 1.3 KiB.
 */
int memmap_free_ranges(const struct mem_region *map, size_t nmap, const struct mem_range *reserved,
		       size_t nres, struct mem_range *out, size_t max);

/* Sum of lengths of a range list, in bytes. */
u64 memmap_total(const struct mem_range *r, size_t n);

/* Human name of a mem_type ("usable", "ACPI NVS", ...). */
const char *memmap_type_name(u32 type);

#endif
