/* SPDX-License-Identifier: MIT */
/* Guest memory on demand: back a guest-physical page on its first touch. */
#ifndef HV_DEMAND_H
#define HV_DEMAND_H

#include <hv/account.h>
#include <hv/gpmap.h>
#include <hv/config.h>
#include <hv/s2pt.h>

/* Host memory the hypervisor keeps for itself and the broker: faults never dip into it. */
#define DEMAND_HOST_RESERVE MiB(8)

/* A VM's guest memory: stage-2 tables, size, backing policy, accounting. */
struct vm_mem {
	struct s2pt s2;
	u64 ram_size;		   /* bytes the guest sees */
	struct gpmap map;	   /* what each guest-physical page is, built once */
	enum paging_policy policy; /* 2 MiB preferred or 4 KiB only */
	bool uses_reserve;	   /* the broker: may take the host reserve */
	struct vm_account acct;
	spinlock_t lock; /* one fault at a time: quota check and commit are one step */
};

enum demand_result {
	DEMAND_MAPPED,	   /* a fresh zeroed page is mapped; resume the guest */
	DEMAND_PRESENT,	   /* already mapped (another vCPU won the race); resume */
	DEMAND_NOT_RAM,	   /* the GPA is not guest RAM */
	DEMAND_OVER_QUOTA, /* mapping would exceed the VM's quota */
	DEMAND_NO_MEMORY,  /* the host has no free frame outside its reserve */
	DEMAND_UNBACKED,   /* demand_gpa_to_hpa() without commit: RAM not backed yet (reads zero) */
};

/* Inputs of the backing decision, gathered by demand_fault(); pure data for tests. */
struct demand_query {
	enum paging_policy policy;
	bool region_all_ram; /* the 2 MiB-aligned region is entirely guest RAM */
	bool region_empty;   /* nothing in that region is mapped yet */
	bool fits_2m;	     /* the quota has room for 2 MiB more */
	bool fits_4k;
	bool host_has_2m; /* a free 2 MiB block exists beyond the reserve */
	bool host_has_4k;
};

/*
 * The policy: order 9 (2 MiB) when allowed and possible, else order 0, or a
 * negative demand_result-style refusal (-DEMAND_OVER_QUOTA / -DEMAND_NO_MEMORY).
 */
int demand_choose_order(const struct demand_query *q);

/* Bytes a fault at gpa would like to commit: 2 MiB where that page size fits, else 4 KiB. */
u64 demand_fault_need(struct vm_mem *m, gpa_t gpa);

/* Set up a VM's memory: empty stage-2 tables, nothing committed. */
int demand_init(struct vm_mem *m, const struct s2pt_format *fmt, u64 ram_size,
		enum paging_policy policy, u64 quota);

/* Serve a stage-2 fault at gpa: decide, allocate, zero, map, account. */
enum demand_result demand_fault(struct vm_mem *m, gpa_t gpa);

/*
 * Hold a VM's memory steady: no fault, reclaim or release changes its
 * mappings meanwhile. Spinlock; no other lock but pmm and s2pt inside it.
 */
void demand_lock(struct vm_mem *m);
void demand_unlock(struct vm_mem *m);

/*
 * Host address for reading or writing guest RAM at gpa, backing the page on
 * demand when commit is set (else INVALID_HPA for an unbacked page). The
 * result is valid up to the end of the page holding gpa, and only while the
 * caller keeps m locked (demand_lock()).
 */
hpa_t demand_gpa_to_hpa(struct vm_mem *m, gpa_t gpa, bool commit, enum demand_result *why);

/* Give every frame back and free the tables; the accounting record stays. */
void demand_release_all(struct vm_mem *m);

#endif
