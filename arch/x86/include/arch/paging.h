/* SPDX-License-Identifier: MIT */
/* The hypervisor's own page tables: an identity map of physical memory. */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <hv/types.h>

/* Largest physical address the identity map covers. */
#define PAGING_IDENTITY_LIMIT GiB(64)

/* Where physical page 0 (IVT, BIOS data area) can be read: it is not mapped at 0. */
#define PAGING_PAGE0_ALIAS PAGING_IDENTITY_LIMIT

/*
 * Build an identity map of [0, max(top, 4 GiB)) rounded up to 1 GiB and
 * capped at PAGING_IDENTITY_LIMIT, in 2 MiB pages, and switch CR3 to it.
 * Page 0 is not present (read it at PAGING_PAGE0_ALIAS); with NX, only the
 * image's code is executable. Returns the number of bytes mapped. The tables
 * live in the image's .bss.
 */
u64 paging_init(u64 top);

/* Make [pa, pa + len) executable too (the AP start-up trampoline). */
void paging_allow_exec(u64 pa, u64 len);

/* A second window, for a device range anywhere in the physical space (the framebuffer). */
#define PAGING_WINDOW	  (PAGING_PAGE0_ALIAS + GiB(1))
#define PAGING_WINDOW_MAX GiB(1)

/*
 * Map [pa, pa + len) writable, not executable, in 2 MiB pages at PAGING_WINDOW
 * (replacing what was there) and return the address pa has there, or 0 when the
 * range does not fit in PAGING_WINDOW_MAX. For a device that may sit above the
 * identity map: a laptop's framebuffer BAR at 256 GiB.
 */
u64 paging_map_window(u64 pa, u64 len);

/* CR3 of the hypervisor's map, for CPUs that start later. */
u64 paging_root(void);

#endif
