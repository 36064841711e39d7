/* SPDX-License-Identifier: MIT */
/* Physical frame allocator: a buddy allocator over the free ranges of the memory map. */
#ifndef HV_PMM_H
#define HV_PMM_H

#include <hv/boot_info.h>

/* Blocks of 4 KiB << order; order 9 is a 2 MiB block, order 10 the largest (4 MiB). */
#define PMM_ORDER_2M  9
#define PMM_MAX_ORDER 10

/* Ranges the allocator keeps apart: as many as memmap_free_ranges() can return. */
#define PMM_MAX_RANGES (BOOT_MMAP_MAX + BOOT_RESERVED_MAX)

/*
 * Build the allocator from free ranges (as memmap_free_ranges() gives them).
 * Frames are addressed through the identity map (hva == hpa). The allocator's
 * own metadata (one byte per frame) is carved from the top of the largest
 * range and is not counted in pmm_total_frames(). Ranges may come unsorted,
 * unaligned (rounded inwards to pages), overlapping or adjacent (merged); ranges beyond
 * PMM_MAX_RANGES are ignored with a warning. Calling it again drops all
 * previous state, blocks handed out before included. Returns 0, or -ENOMEM
 * when no frame is left to hand out.
 */
int pmm_init(const struct mem_range *free, size_t n);

/* One block of 2^order frames, naturally aligned; INVALID_HPA when none is free or order is too big. */
hpa_t pmm_alloc(unsigned order);

/* Same, zero-filled. */
hpa_t pmm_alloc_zeroed(unsigned order);

/*
 * Give back a block from pmm_alloc(order). Panics on a block it did not hand
 * out: an address outside every range or misaligned for order, a double free,
 * an order other than the one allocated, or a metadata frame.
 */
void pmm_free(hpa_t pa, unsigned order);

/* Counts in 4 KiB frames. */
u64 pmm_free_frames(void);
u64 pmm_total_frames(void);

/* Free block count of each order, for the boot summary and tests. */
void pmm_free_blocks(u64 counts[PMM_MAX_ORDER + 1]);

/*
 * One log line: "pmm: F MiB free of T MiB in N ranges, 2M blocks free: B",
 * where B counts the free capacity of orders >= PMM_ORDER_2M in 2 MiB units.
 */
void pmm_print_summary(void);

/* Forget every range and block (as before pmm_init()); for host unit tests. */
void pmm_reset(void);

#endif
