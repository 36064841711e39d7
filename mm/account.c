// SPDX-License-Identifier: MIT
/* Per-VM memory accounting: quota checks and the committed, peak and fault counters. */
#include <hv/account.h>
#include <hv/printk.h>

/* Order of a 2 MiB page (9), without pulling in the stage-2 headers. */
#define ACCOUNT_ORDER_2M (LARGE_PAGE_SHIFT - PAGE_SHIFT)

bool account_fits(const struct vm_account *a, u64 bytes)
{
	/* A difference, not a sum: a huge request must not wrap around. */
	return a->committed <= a->quota && bytes <= a->quota - a->committed;
}

/* Orders other than 0 and 9 commit without counting a fault. */
void account_commit(struct vm_account *a, u64 bytes, unsigned order)
{
	a->committed += bytes;
	a->peak = MAX(a->peak, a->committed);
	if (order == ACCOUNT_ORDER_2M)
		a->faults_2m++;
	else if (order == 0)
		a->faults_4k++;
}

/*
 * Releasing more than was committed means a frame was freed twice or never
 * counted: the books no longer match the tables, which is a hypervisor bug.
 */
void account_release(struct vm_account *a, u64 bytes)
{
	if (bytes > a->committed)
		panic("account: release of %llu bytes with only %llu committed", bytes,
		      a->committed);
	a->committed -= bytes;
}
