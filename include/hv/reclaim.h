/* SPDX-License-Identifier: MIT */
/* Give guest memory back to the host without changing what the guest reads. */
#ifndef HV_RECLAIM_H
#define HV_RECLAIM_H

#include <hv/demand.h>

/*
 * Unmap and free every backed page of m that is entirely zero: the next touch
 * faults in a fresh zero page, so the guest cannot tell. A 2 MiB page goes
 * back only when all of it is zero. The caller flushes the VM's stage-2 TLB
 * before its vCPUs run again. Returns the bytes reclaimed.
 */
u64 reclaim_zero_pages(struct vm_mem *m);

/*
 * The guest says [gpa, gpa+len) is free: unmap and free the pages wholly
 * inside it (a 2 MiB page only when the range covers all of it). Returns the
 * bytes given back, or -EINVAL for a range that is not page-aligned RAM.
 */
s64 reclaim_release_range(struct vm_mem *m, gpa_t gpa, u64 len);

#endif
