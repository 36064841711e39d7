// SPDX-License-Identifier: MIT
/* Guest memory on demand: back a guest-physical page with a zeroed frame on its first touch. */
#include <hv/demand.h>
#include <hv/errno.h>
#include <hv/loader.h>
#include <hv/pmm.h>
#include <hv/zeropool.h>
#include <hv/printk.h>

#define DEMAND_RESERVE_FRAMES (DEMAND_HOST_RESERVE / PAGE_SIZE)

/*
 * 2 MiB pages cost one fault and one TLB entry per 2 MiB instead of 512, so
 * they are used whenever the policy allows them and the whole region can
 * take one: all of it guest RAM (no legacy or device hole inside), nothing
 * in it mapped yet, and quota and host memory to spare. The quota is checked
 * before host memory so that a VM over its quota is told so even when the
 * host is short as well: that refusal does not depend on other VMs.
 */
int demand_choose_order(const struct demand_query *q)
{
	if (q->policy == PAGING_2M && q->region_all_ram && q->region_empty && q->fits_2m &&
	    q->host_has_2m)
		return S2PT_ORDER_2M;
	if (q->fits_4k && q->host_has_4k)
		return S2PT_ORDER_4K;
	return q->fits_4k ? -DEMAND_NO_MEMORY : -DEMAND_OVER_QUOTA;
}

int demand_init(struct vm_mem *m, const struct s2pt_format *fmt, u64 ram_size,
		enum paging_policy policy, u64 quota)
{
	int ret = gpmap_build(&m->map, ram_size);

	if (ret)
		return ret;
	m->ram_size = ram_size;
	m->policy = policy;
	m->uses_reserve = false;
	m->acct = (struct vm_account){.quota = quota};
	m->lock = (spinlock_t)SPINLOCK_INIT;
	return s2pt_init(&m->s2, fmt);
}

/*
 * A free block of 2^order frames exists, and taking it leaves the host
 * reserve intact. Stage-2 table frames (at most three per fault) are not
 * counted: they are the hypervisor's own and may come from the reserve.
 */
static bool demand_host_has(const struct vm_mem *m, unsigned order)
{
	u64 reserve = m->uses_reserve ? 0 : DEMAND_RESERVE_FRAMES;
	u64 blocks[PMM_MAX_ORDER + 1];
	bool found = false;

	if (order == S2PT_ORDER_2M && zeropool_count())
		return true;
	pmm_free_blocks(blocks);
	for (unsigned o = order; o <= PMM_MAX_ORDER; o++)
		found = found || blocks[o];
	/* Pooled blocks are free memory too: demand_alloc() drains them when needed. */
	found = found || zeropool_count();
	return found && host_free_bytes() / PAGE_SIZE >= (1ULL << order) + reserve;
}

static void demand_gather(struct vm_mem *m, gpa_t gpa, struct demand_query *q)
{
	gpa_t region = ALIGN_DOWN(gpa, LARGE_PAGE_SIZE);

	q->policy = m->policy;
	q->region_all_ram = gpmap_is_ram(&m->map, region, LARGE_PAGE_SIZE);
	q->region_empty = s2pt_region_empty(&m->s2, region);
	q->fits_2m = account_fits(&m->acct, LARGE_PAGE_SIZE);
	q->fits_4k = account_fits(&m->acct, PAGE_SIZE);
	q->host_has_2m = demand_host_has(m, S2PT_ORDER_2M);
	q->host_has_4k = demand_host_has(m, S2PT_ORDER_4K);
}

/* A zeroed block for the chosen order, or a 4 KiB frame when no 2 MiB block is left. */
static hpa_t demand_alloc(const struct vm_mem *m, unsigned *order)
{
	hpa_t pa = *order == S2PT_ORDER_2M ? zeropool_take() : INVALID_HPA;

	if (pa != INVALID_HPA)
		return pa;
	pa = pmm_alloc_zeroed(*order);
	/* Short of frames: the pool's blocks are free memory too. */
	if (pa == INVALID_HPA && zeropool_count()) {
		zeropool_drain();
		pa = pmm_alloc_zeroed(*order);
	}
	/* Another CPU may have taken the last 2 MiB block since we looked. */
	if (pa == INVALID_HPA && *order == S2PT_ORDER_2M && demand_host_has(m, S2PT_ORDER_4K)) {
		*order = S2PT_ORDER_4K;
		pa = pmm_alloc_zeroed(*order);
	}
	return pa;
}

/* Allocate, map and account one page of the chosen order at gpa. */
static enum demand_result demand_back(struct vm_mem *m, gpa_t gpa, unsigned order)
{
	hpa_t pa = demand_alloc(m, &order);
	u64 size = PAGE_SIZE << order;
	int ret;

	if (pa == INVALID_HPA) {
		m->acct.denied++;
		return DEMAND_NO_MEMORY;
	}
	ret = s2pt_map(&m->s2, ALIGN_DOWN(gpa, size), pa, order, true);
	m->acct.table_bytes = m->s2.table_frames * PAGE_SIZE;
	if (ret) {
		pmm_free(pa, order);
		if (ret == -EEXIST)
			return DEMAND_PRESENT;
		if (ret != -ENOMEM)
			pr_err("demand: map of 0x%llx failed: %s\n", gpa, strerror_hv(ret));
		m->acct.denied++;
		return DEMAND_NO_MEMORY;
	}
	account_commit(&m->acct, size, order);
	return DEMAND_MAPPED;
}

static enum demand_result demand_fault_locked(struct vm_mem *m, gpa_t gpa)
{
	struct demand_query q;
	int order;

	if (s2pt_query(&m->s2, gpa, NULL, NULL) == 0)
		return DEMAND_PRESENT;
	demand_gather(m, gpa, &q);
	order = demand_choose_order(&q);
	if (order < 0) {
		m->acct.denied++;
		return (enum demand_result)(-order);
	}
	return demand_back(m, gpa, (unsigned)order);
}

/*
 * Faults of one VM are serialized by m->lock: vCPUs fault concurrently, and
 * the quota check, the choice of order and the commit must see one state.
 */
enum demand_result demand_fault(struct vm_mem *m, gpa_t gpa)
{
	enum demand_result r;

	if (!gpmap_is_ram(&m->map, gpa & PAGE_MASK, PAGE_SIZE))
		return DEMAND_NOT_RAM;
	spin_lock(&m->lock);
	r = demand_fault_locked(m, gpa & PAGE_MASK);
	spin_unlock(&m->lock);
	return r;
}

void demand_lock(struct vm_mem *m)
{
	spin_lock(&m->lock);
}

void demand_unlock(struct vm_mem *m)
{
	spin_unlock(&m->lock);
}

/* What to report for a GPA that has no backing yet: back it, or say why not (m locked). */
static enum demand_result demand_miss(struct vm_mem *m, gpa_t gpa, bool commit)
{
	if (commit && gpmap_is_ram(&m->map, gpa & PAGE_MASK, PAGE_SIZE))
		return demand_fault_locked(m, gpa & PAGE_MASK);
	if (commit)
		return DEMAND_NOT_RAM;
	if (gpmap_is_ram(&m->map, gpa & PAGE_MASK, PAGE_SIZE))
		return DEMAND_UNBACKED;
	return DEMAND_NOT_RAM;
}

/*
 * *why (may be NULL) tells what happened: DEMAND_PRESENT (was backed),
 * DEMAND_MAPPED (backed now), DEMAND_UNBACKED (RAM, not backed, no commit)
 * or the reason the fault was refused.
 */
hpa_t demand_gpa_to_hpa(struct vm_mem *m, gpa_t gpa, bool commit, enum demand_result *why)
{
	enum demand_result r = DEMAND_PRESENT;
	hpa_t hpa;

	if (s2pt_query(&m->s2, gpa, &hpa, NULL)) {
		r = demand_miss(m, gpa, commit);
		if ((r != DEMAND_MAPPED && r != DEMAND_PRESENT) ||
		    s2pt_query(&m->s2, gpa, &hpa, NULL))
			hpa = INVALID_HPA;
	}
	if (why)
		*why = r;
	return hpa;
}

static void demand_free_leaf(gpa_t gpa, hpa_t hpa, unsigned order, void *ctx)
{
	struct vm_mem *m = ctx;

	/* Firmware ROM and device pages are the platform's frames, released by it. */
	if (!gpmap_is_ram(&m->map, gpa, PAGE_SIZE << order))
		return;
	pmm_free(hpa, order);
	account_release(&m->acct, PAGE_SIZE << order);
}

/*
 * Every leaf of m->s2 is a frame that demand_fault() took from the pmm and
 * committed. No vCPU of the VM may run, and its stage-2 TLBs must be flushed.
 */
void demand_release_all(struct vm_mem *m)
{
	spin_lock(&m->lock);
	s2pt_destroy(&m->s2, demand_free_leaf, m);
	m->acct.table_bytes = 0;
	spin_unlock(&m->lock);
}

u64 demand_fault_need(struct vm_mem *m, gpa_t gpa)
{
	gpa_t region = ALIGN_DOWN(gpa, LARGE_PAGE_SIZE);

	if (m->policy == PAGING_2M && gpmap_is_ram(&m->map, region, LARGE_PAGE_SIZE) &&
	    s2pt_region_empty(&m->s2, region))
		return LARGE_PAGE_SIZE;
	return PAGE_SIZE;
}
