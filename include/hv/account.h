/* SPDX-License-Identifier: MIT */
/* Per-VM memory accounting and quota: what a VM has committed, and what it may. */
#ifndef HV_ACCOUNT_H
#define HV_ACCOUNT_H

#include <hv/types.h>

struct vm_account {
	u64 quota;	 /* bytes of guest RAM the VM may have backed */
	u64 committed;	 /* bytes of guest RAM backed now */
	u64 peak;	 /* highest committed */
	u64 faults_4k;	 /* stage-2 faults served with a 4 KiB page */
	u64 faults_2m;	 /* ... with a 2 MiB page */
	u64 denied;	 /* faults refused (quota or host memory) */
	u64 reclaimed;	 /* bytes given back by reclaim */
	u64 table_bytes; /* stage-2 page-table overhead, not charged to the quota */
};

/* True when committing bytes more stays within the quota. */
bool account_fits(const struct vm_account *a, u64 bytes);

/* Record a commit of bytes by a fault of the given order (0 or 9). */
void account_commit(struct vm_account *a, u64 bytes, unsigned order);

/* Record bytes given back (reclaim or VM teardown). */
void account_release(struct vm_account *a, u64 bytes);

#endif
