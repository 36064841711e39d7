/* SPDX-License-Identifier: MIT */
/* What a guest finds at each MSR: one table, one pure lookup (core/msr_policy.c). */
#ifndef HV_MSR_POLICY_H
#define HV_MSR_POLICY_H

#include <arch/cpu.h>
#include <hv/types.h>

/* How an MSR is answered. Every MSR not in the table is MSR_GP. */
enum msr_treat {
	MSR_GP,		/* #GP on RDMSR and WRMSR, as on a CPU that lacks it */
	MSR_RAZ_WI,	/* reads 0, writes ignored */
	MSR_CONST_RO,	/* reads row->value, writes #GP (a read-only MSR) */
	MSR_CONST_WI,	/* reads row->value, writes ignored */
	MSR_KEPT,	/* per vCPU: reads back what was written (vcpu->msr_kept[slot]) */
	MSR_HOST_RO,	/* read-only pass-through: the host's value, writes #GP */
	MSR_EMULATED,	/* code of its own in core/msr.c */
	MSR_LAPIC,	/* the local APIC model (core/vdev/lapic.c) */
	MSR_VCPU_STATE, /* switched by the VMCB/VMCS; not intercepted, or by the backend */
	MSR_TREAT_COUNT
};

/* Which vendor's CPUs have the MSR; the other vendor's guests get #GP. */
enum msr_vendor { MSR_ANY, MSR_INTEL, MSR_AMD };

#define MSR_KEPT_SLOTS 2 /* size of vcpu->msr_kept */

struct msr_row {
	u32 first, last; /* inclusive range */
	u8 vendor;	 /* enum msr_vendor */
	u8 treat;	 /* enum msr_treat */
	u8 slot;	 /* MSR_KEPT: index in vcpu->msr_kept */
	u64 value;	 /* MSR_CONST_*: what reads return */
	const char *name;
	const char *why;
};

/* The table, sorted by first, ranges disjoint (checked by tests/unit/test_msr_policy.c). */
extern const struct msr_row msr_policy_table[];
extern const size_t msr_policy_rows;

/*
 * The row that decides msr on a CPU of vendor, or NULL when the guest gets
 * #GP because the MSR is not listed or is another vendor's. A row whose
 * treat is MSR_GP is returned too: it names an MSR deliberately refused.
 */
const struct msr_row *msr_policy_lookup(u32 msr, enum cpu_vendor vendor);

/* Treatment of msr for a guest on vendor (MSR_GP when the lookup gives NULL). */
enum msr_treat msr_policy_treat(u32 msr, enum cpu_vendor vendor);

/* MSR_PLATFORM_INFO as the guest reads it: the TSC rate as a ratio of 100 MHz (15:8). */
u64 msr_platform_info(u64 tsc_khz);

/* The MSR numbers the rest of core/ needs by name. */
#define MSR_IA32_TSC	       0x10
#define MSR_IA32_PLATFORM_INFO 0xce

#endif
