/* SPDX-License-Identifier: MIT */
/* What CPUID tells a guest: the host's answer through one table per leaf and register. */
#ifndef HV_CPUID_POLICY_H
#define HV_CPUID_POLICY_H

#include <arch/cpu.h>
#include <hv/types.h>

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX, CPUID_NREGS };

/* What a whole leaf gets. */
enum cpuid_leaf_kind {
	CPUID_ZERO,   /* all four registers 0: the feature is hidden or the leaf unknown */
	CPUID_HOST,   /* the host's registers as they are (descriptive leaves) */
	CPUID_MASKED, /* each register through its cpuid_reg_row, if any (else as the host's) */
	CPUID_SPROUT, /* computed by Sprout (leaf 0, TSC/bus frequencies, hypervisor leaves) */
};

struct cpuid_leaf_row {
	u32 first, last;
	u8 kind;   /* enum cpuid_leaf_kind */
	bool sub0; /* ECX selects a subleaf and only subleaf 0 is offered; others read 0 */
	const char *why;
};

/* A register of a CPUID_MASKED leaf: (host & keep) | set. */
struct cpuid_reg_row {
	u32 leaf;
	u8 reg; /* enum cpuid_reg */
	u32 keep, set;
	const char *why;
};

extern const struct cpuid_leaf_row cpuid_leaf_table[];
extern const size_t cpuid_leaf_rows;
extern const struct cpuid_reg_row cpuid_reg_table[];
extern const size_t cpuid_reg_rows;

/* What the answer depends on besides the leaf and the host's registers for it. */
struct cpuid_ctx {
	enum cpu_vendor vendor;
	u32 host_max_basic; /* host CPUID.0:EAX */
	u32 host_max_ext;   /* host CPUID.80000000:EAX */
	u64 tsc_khz;	    /* the guest's TSC rate (the host's: no scaling) */
	u32 vcpu_id, nr_vcpus;
};

/*
 * The guest's CPUID(leaf, sub): r holds the host's registers for that leaf
 * and subleaf on entry and the guest's on return. Pure: no CPUID inside.
 */
void cpuid_policy(const struct cpuid_ctx *c, u32 leaf, u32 sub, u32 r[CPUID_NREGS]);

/* The leaf row that decides leaf, or NULL (the leaf reads 0). */
const struct cpuid_leaf_row *cpuid_policy_leaf(u32 leaf);

/* Sprout's hypervisor leaves (0x40000000 up); 0x40000000:EAX is the highest. */
#define CPUID_HV_TIMING	     0x40000010u /* SPROUT_CPUID_TIMING */
#define CPUID_HV_MAX	     CPUID_HV_TIMING
#define CPUID_APIC_BUS_KHZ   1000000u /* the APIC timer clock: APIC_BUS_HZ, core/vdev/lapic.c */
#define CPUID_INTEL_MAX_LEAF 0x16u    /* basic leaves offered on Intel: up to 0x16 */

/* Leaf 0x15's EBX/EAX for a TSC of tsc_khz over a 1 GHz crystal (num * 1e6 fits 32 bits). */
void cpuid_tsc_ratio(u64 tsc_khz, u32 *num, u32 *den);

#endif
