/* SPDX-License-Identifier: MIT */
/* The hypervisor's own page tables: an identity map of physical memory. */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <hv/types.h>

/* Largest physical address the identity map covers. */
#define PAGING_IDENTITY_LIMIT GiB(64)

/*
 * Build an identity map of [0, max(top, 4 GiB)) rounded up to 1 GiB and
 * capped at PAGING_IDENTITY_LIMIT, in 2 MiB pages, and switch CR3 to it.
 * Returns the number of bytes mapped. The tables live in the image's .bss.
 */
u64 paging_init(u64 top);

/* CR3 of the hypervisor's map, for CPUs that start later. */
u64 paging_root(void);

#endif
