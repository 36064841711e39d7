/* SPDX-License-Identifier: MIT */
/* CPU identification and the virtualization features Sprout needs. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <hv/types.h>

enum cpu_vendor { VENDOR_OTHER, VENDOR_INTEL, VENDOR_AMD };

struct cpu_caps {
	enum cpu_vendor vendor;
	char vendor_str[13];
	char brand[49];
	u32 family, model, stepping;
	bool x2apic, pdpe1gb, invariant_tsc;
	/* AMD SVM (APM Vol. 2, 15.4; CPUID 8000_000A) */
	bool svm, svm_disabled_by_bios, npt, nrips, flush_by_asid, vmcb_clean, decode_assists;
	bool pause_filter;
	u32 svm_rev, nasid;
	/* Intel VMX (SDM Vol. 3C, A.1-A.3) */
	bool vmx, vmx_locked_off, vmx_true_ctls, ept, vpid, unrestricted, ept_2m, ept_invept;
	u64 vmx_basic;
};

extern struct cpu_caps cpu_caps;

/* Fill cpu_caps from CPUID and the capability MSRs of the boot CPU. */
void cpu_detect(void);

/* Print the "virt:" lines; returns true when a usable backend exists. */
bool cpu_print_virt(void);

#endif
