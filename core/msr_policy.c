// SPDX-License-Identifier: MIT
/* The MSR policy: every MSR a guest OS touches at start-up, with what it finds there. */
#include <hv/msr_policy.h>

#define ROW(lo, hi, vend, tr, nm, reason)          \
	{                                          \
		lo, hi, vend, tr, 0, 0, nm, reason \
	}
#define KEPT(msr, vend, s, nm, reason)                     \
	{                                                  \
		msr, msr, vend, MSR_KEPT, s, 0, nm, reason \
	}
#define CONST(msr, vend, tr, v, nm, reason)          \
	{                                            \
		msr, msr, vend, tr, 0, v, nm, reason \
	}

/*
 * Sorted by MSR number, no overlaps. A row with MSR_GP names an MSR a
 * start-up path may look for and says why it is refused; CPUID hides the
 * feature behind it (core/cpuid_policy.c), so a guest that follows CPUID never
 * touches it. Reads of MSR_HOST_RO, MSR_EMULATED and MSR_LAPIC rows happen in
 * core/msr.c, which is the only part that touches the hardware.
 */
const struct msr_row msr_policy_table[] = {
	ROW(0x10, 0x10, MSR_ANY, MSR_EMULATED, "IA32_TSC",
	    "reads what RDTSC gives; a write sets the vCPU's TSC offset"),
	ROW(0x17, 0x17, MSR_ANY, MSR_RAZ_WI, "IA32_PLATFORM_ID", "no platform to report"),
	ROW(0x1b, 0x1b, MSR_ANY, MSR_LAPIC, "IA32_APIC_BASE", "the vCPU's local APIC"),
	CONST(0x3a, MSR_ANY, MSR_CONST_RO, BIT(0), "IA32_FEATURE_CONTROL",
	      "locked with VMX off, as a guest without VMX expects"),
	ROW(0x3b, 0x3b, MSR_ANY, MSR_GP, "IA32_TSC_ADJUST", "no TSC offset; CPUID.7:EBX[1] hidden"),
	ROW(0x48, 0x48, MSR_ANY, MSR_GP, "IA32_SPEC_CTRL",
	    "not switched around VM entry; IBRS/STIBP/SSBD hidden, guests use their own "
	    "mitigations"),
	ROW(0x49, 0x49, MSR_ANY, MSR_GP, "IA32_PRED_CMD", "IBPB hidden with IBRS"),
	ROW(0x79, 0x79, MSR_ANY, MSR_RAZ_WI, "IA32_BIOS_UPDT_TRIG", "microcode updates ignored"),
	ROW(0x8b, 0x8b, MSR_ANY, MSR_RAZ_WI, "IA32_BIOS_SIGN_ID / PATCH_LEVEL",
	    "microcode revision 0"),
	ROW(0xc1, 0xc8, MSR_ANY, MSR_GP, "IA32_PMCx", "architectural PMU hidden (CPUID 0xa v0)"),
	{MSR_IA32_PLATFORM_INFO, MSR_IA32_PLATFORM_INFO, MSR_INTEL, MSR_EMULATED, 0, 0,
	 "MSR_PLATFORM_INFO", "the TSC rate as a 100 MHz ratio; no CPUID faulting"},
	CONST(0xfe, MSR_ANY, MSR_CONST_RO, 0, "IA32_MTRRCAP", "no variable or fixed MTRRs"),
	ROW(0x10a, 0x10a, MSR_ANY, MSR_GP, "IA32_ARCH_CAPABILITIES",
	    "CPUID.7:EDX[29] hidden: guests assume the CPU is affected"),
	ROW(0x10b, 0x10b, MSR_ANY, MSR_GP, "IA32_FLUSH_CMD", "L1D_FLUSH hidden"),
	ROW(0x174, 0x176, MSR_ANY, MSR_VCPU_STATE, "IA32_SYSENTER_CS/ESP/EIP", "in the VMCB/VMCS"),
	CONST(0x179, MSR_ANY, MSR_CONST_RO, 0, "IA32_MCG_CAP", "no machine-check banks"),
	ROW(0x17a, 0x17a, MSR_ANY, MSR_RAZ_WI, "IA32_MCG_STATUS", "no machine check in progress"),
	ROW(0x186, 0x189, MSR_ANY, MSR_GP, "IA32_PERFEVTSELx", "architectural PMU hidden"),
	ROW(0x198, 0x199, MSR_ANY, MSR_GP, "IA32_PERF_STATUS/CTL", "EIST hidden"),
	CONST(0x1a0, MSR_ANY, MSR_CONST_WI, BIT(0) | BIT(11) | BIT(12), "IA32_MISC_ENABLE",
	      "fast strings on, BTS and PEBS unavailable (DS hidden), MONITOR off"),
	ROW(0x1b0, 0x1b0, MSR_ANY, MSR_GP, "IA32_ENERGY_PERF_BIAS", "CPUID.6:ECX[3] hidden"),
	ROW(0x200, 0x276, MSR_ANY, MSR_RAZ_WI, "MTRR variable and fixed ranges",
	    "accepted and ignored: the stage-2 tables set the memory types"),
	ROW(0x277, 0x277, MSR_ANY, MSR_EMULATED, "IA32_PAT",
	    "a valid PAT is accepted and ignored, reads the reset value"),
	ROW(0x278, 0x27f, MSR_ANY, MSR_RAZ_WI, "(after PAT)", "kept from the MTRR block"),
	ROW(0x2ff, 0x2ff, MSR_ANY, MSR_RAZ_WI, "IA32_MTRR_DEF_TYPE", "MTRRs off"),
	ROW(0x345, 0x345, MSR_ANY, MSR_GP, "IA32_PERF_CAPABILITIES", "PDCM hidden"),
	ROW(0x38d, 0x390, MSR_ANY, MSR_GP, "IA32_FIXED_CTR_CTRL/PERF_GLOBAL_*",
	    "architectural PMU hidden"),
	ROW(0x3f1, 0x3f1, MSR_ANY, MSR_GP, "IA32_PEBS_ENABLE", "DS hidden"),
	ROW(0x400, 0x47f, MSR_ANY, MSR_RAZ_WI, "IA32_MCi_CTL/STATUS/ADDR/MISC",
	    "banks beyond MCG_CAP's count of 0: quiet for probes"),
	ROW(0x480, 0x493, MSR_ANY, MSR_GP, "IA32_VMX_*", "VMX hidden"),
	ROW(0x600, 0x600, MSR_ANY, MSR_GP, "IA32_DS_AREA", "DS hidden"),
	ROW(0x6e0, 0x6e0, MSR_ANY, MSR_LAPIC, "IA32_TSC_DEADLINE", "the local APIC timer"),
	ROW(0x800, 0x8ff, MSR_ANY, MSR_LAPIC, "x2APIC registers", "the local APIC model"),
	ROW(0xc0000080, 0xc0000080, MSR_ANY, MSR_EMULATED, "EFER",
	    "checked against CPUID and what VM entry accepts"),
	ROW(0xc0000081, 0xc0000084, MSR_ANY, MSR_VCPU_STATE, "STAR/LSTAR/CSTAR/SFMASK",
	    "in the VMCB/VMCS or switched lazily; SVM checks LSTAR/CSTAR writes"),
	ROW(0xc0000100, 0xc0000102, MSR_ANY, MSR_VCPU_STATE, "FS/GS/KERNEL_GS_BASE",
	    "in the VMCB/VMCS; SVM checks writes"),
	ROW(0xc0000103, 0xc0000103, MSR_ANY, MSR_GP, "TSC_AUX",
	    "not switched around VM entry; RDTSCP and RDPID hidden"),
	ROW(0xc0010000, 0xc0010007, MSR_AMD, MSR_RAZ_WI, "PERF_CTL0-3/PERF_CTR0-3",
	    "the legacy counters every AMD64 CPU has (APM Vol. 2, 13.2): count nothing"),
	ROW(0xc0010010, 0xc0010010, MSR_AMD, MSR_RAZ_WI, "SYSCFG", "no SME, no MtrrFix"),
	KEPT(0xc0010015, MSR_AMD, 0, "HWCR", "Linux sets and reads back bits"),
	ROW(0xc001001f, 0xc001001f, MSR_AMD, MSR_RAZ_WI, "NB_CFG", "nothing to configure"),
	ROW(0xc0010055, 0xc0010055, MSR_AMD, MSR_RAZ_WI, "INT_PENDING / C1E", "no C1E"),
	ROW(0xc0010058, 0xc0010058, MSR_AMD, MSR_RAZ_WI, "MMIO_CONF_BASE", "no MMCONFIG"),
	ROW(0xc0010114, 0xc0010114, MSR_AMD, MSR_GP, "VM_CR", "SVM hidden"),
	ROW(0xc0010117, 0xc0010117, MSR_AMD, MSR_GP, "VM_HSAVE_PA", "SVM hidden"),
	ROW(0xc001011f, 0xc001011f, MSR_AMD, MSR_GP, "VIRT_SPEC_CTRL", "VIRT_SSBD hidden"),
	ROW(0xc0010131, 0xc0010131, MSR_AMD, MSR_GP, "SEV_STATUS", "CPUID 0x8000001f hidden"),
	ROW(0xc0010140, 0xc0010141, MSR_AMD, MSR_RAZ_WI, "OSVW_ID_LENGTH/STATUS",
	    "no OS-visible workarounds"),
	ROW(0xc0010200, 0xc001020b, MSR_AMD, MSR_GP, "PERF_CTL/CTR extended",
	    "core counter extensions hidden"),
	ROW(0xc0011020, 0xc0011023, MSR_AMD, MSR_RAZ_WI, "LS/IC/DC/BU_CFG", "nothing to configure"),
	KEPT(0xc0011029, MSR_AMD, 1, "DE_CFG", "keeps LFENCE serializing as written"),
};

const size_t msr_policy_rows = ARRAY_SIZE(msr_policy_table);

const struct msr_row *msr_policy_lookup(u32 msr, enum cpu_vendor vendor)
{
	size_t lo = 0, hi = ARRAY_SIZE(msr_policy_table);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct msr_row *r = &msr_policy_table[mid];

		if (msr < r->first) {
			hi = mid;
		} else if (msr > r->last) {
			lo = mid + 1;
		} else {
			bool mine = r->vendor == MSR_ANY ||
				    (r->vendor == MSR_INTEL && vendor == VENDOR_INTEL) ||
				    (r->vendor == MSR_AMD && vendor == VENDOR_AMD);

			return mine ? r : NULL;
		}
	}
	return NULL;
}

enum msr_treat msr_policy_treat(u32 msr, enum cpu_vendor vendor)
{
	const struct msr_row *r = msr_policy_lookup(msr, vendor);

	return r ? (enum msr_treat)r->treat : MSR_GP;
}

u64 msr_platform_info(u64 tsc_khz)
{
	u64 ratio = (tsc_khz + 50000) / 100000;

	return MIN(ratio, 0xffull) << 8;
}
