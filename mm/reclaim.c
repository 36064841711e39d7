// SPDX-License-Identifier: MIT
/* Reclaim: give all-zero guest pages and guest-released ranges back to the host. */
#include <hv/errno.h>
#include <hv/loader.h>
#include <hv/pmm.h>
#include <hv/reclaim.h>
#include <hv/string.h>

static bool page_is_zero(hpa_t hpa, u64 bytes)
{
	const u64 *p = (const u64 *)(uintptr_t)hpa;

	for (u64 i = 0; i < bytes / 8; i++)
		if (p[i])
			return false;
	return true;
}

static u64 release_leaf(struct vm_mem *m, gpa_t gpa, unsigned order)
{
	hpa_t old;
	u64 bytes = PAGE_SIZE << order;

	if (s2pt_unmap(&m->s2, gpa, order, &old))
		return 0;
	pmm_free(old, order);
	account_release(&m->acct, bytes);
	m->acct.reclaimed += bytes;
	return bytes;
}

/* Reclaim the zero pages of one 2 MiB-aligned region. */
static u64 reclaim_region(struct vm_mem *m, gpa_t base)
{
	hpa_t hpa;
	unsigned order;
	u64 total = 0;

	if (s2pt_region_empty(&m->s2, base))
		return 0;
	if (!s2pt_query(&m->s2, base, &hpa, &order) && order == S2PT_ORDER_2M)
		return page_is_zero(hpa, LARGE_PAGE_SIZE) ? release_leaf(m, base, order) : 0;
	/* Only RAM: the same region may hold firmware ROM, whose frames are not the VM's. */
	for (gpa_t p = base; p < base + LARGE_PAGE_SIZE; p += PAGE_SIZE)
		if (gpmap_is_ram(&m->map, p, PAGE_SIZE) && !s2pt_query(&m->s2, p, &hpa, &order) &&
		    order == S2PT_ORDER_4K && page_is_zero(hpa, PAGE_SIZE))
			total += release_leaf(m, p, S2PT_ORDER_4K);
	return total;
}

/* Go over guest RAM region by region; untouched regions cost one lookup. */
u64 reclaim_zero_pages(struct vm_mem *m)
{
	u64 total = 0;

	demand_lock(m);
	for (u32 i = 0; i < m->map.n; i++) {
		const struct gpmap_region *g = &m->map.r[i];

		if (g->kind != GPMAP_RAM)
			continue;
		for (gpa_t r = ALIGN_DOWN(g->base, LARGE_PAGE_SIZE); r < g->end;
		     r += LARGE_PAGE_SIZE)
			total += reclaim_region(m, r);
	}
	demand_unlock(m);
	return total;
}

s64 reclaim_release_range(struct vm_mem *m, gpa_t gpa, u64 len)
{
	gpa_t end = gpa + len, p = gpa;
	s64 total = 0;

	if (!len || end < gpa || !IS_ALIGNED(gpa | len, PAGE_SIZE) ||
	    !gpmap_is_ram(&m->map, gpa, len))
		return -EINVAL;
	demand_lock(m);
	while (p < end) {
		hpa_t hpa;
		unsigned order;

		if (s2pt_region_empty(&m->s2, p)) {
			p = ALIGN_DOWN(p, LARGE_PAGE_SIZE) + LARGE_PAGE_SIZE;
			continue;
		}
		if (s2pt_query(&m->s2, p, &hpa, &order)) {
			p += PAGE_SIZE;
			continue;
		}
		if (order == S2PT_ORDER_2M) {
			gpa_t base = ALIGN_DOWN(p, LARGE_PAGE_SIZE);
			gpa_t stop = MIN(end, base + LARGE_PAGE_SIZE);

			if (base >= gpa && base + LARGE_PAGE_SIZE <= end) {
				total += (s64)release_leaf(m, base, order);
			} else {
				/*
				 * Part of a 2 MiB page cannot go back to the allocator
				 * alone; zero it so it reads as released memory does.
				 */
				memset((void *)(uintptr_t)hpa, 0, stop - p); /* hpa is p's */
			}
			p = stop;
			continue;
		}
		total += (s64)release_leaf(m, p, order);
		p += PAGE_SIZE;
	}
	demand_unlock(m);
	return total;
}
