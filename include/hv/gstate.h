/* SPDX-License-Identifier: MIT */
/* Checks of guest-loaded CR0/CR4/EFER/XCR0/MSR values: pure, shared by SVM and VMX. */
#ifndef HV_GSTATE_H
#define HV_GSTATE_H

#include <hv/types.h>

/* Bits named here are the ones the checks need (SDM Vol. 3A, 2.5 "Control Registers"). */
#define GSTATE_CR0_PE	   BIT(0)
#define GSTATE_CR0_WP	   BIT(16)
#define GSTATE_CR0_NW	   BIT(29)
#define GSTATE_CR0_CD	   BIT(30)
#define GSTATE_CR0_PG	   BIT(31)
#define GSTATE_CR4_PAE	   BIT(5)
#define GSTATE_CR4_LA57	   BIT(12)
#define GSTATE_CR4_VMXE	   BIT(13)
#define GSTATE_CR4_PCIDE   BIT(17)
#define GSTATE_CR4_OSXSAVE BIT(18)
#define GSTATE_CR4_CET	   BIT(23)
#define GSTATE_EFER_SCE	   BIT(0)
#define GSTATE_EFER_LME	   BIT(8)
#define GSTATE_EFER_LMA	   BIT(10)
#define GSTATE_EFER_NXE	   BIT(11)
#define GSTATE_XCR0_X87	   BIT(0)
#define GSTATE_XCR0_SSE	   BIT(1)
#define GSTATE_XCR0_AVX	   BIT(2)

/* Exception vectors the checks answer with. */
#define GSTATE_OK 0
#define GSTATE_UD 6
#define GSTATE_GP 13

/* The current guest state a write is checked against, as the guest sees it. */
struct gstate {
	u64 cr0, cr3, cr4, efer;
	bool cs_long; /* CS.L: 64-bit code (with EFER.LMA) */
	u8 cpl;
};

/* What the guest may load: the features its CPUID offers, cut to what the CPU allows. */
struct gstate_caps {
	u64 cr4_allowed;  /* CR4 bits a MOV to CR4 may set */
	u64 efer_allowed; /* EFER bits a WRMSR may set (LMA is read-only, see below) */
	u64 xcr0_allowed; /* XCR0 bits XSETBV may set; 0 when XSAVE is hidden */
	u8 vaddr_bits;	  /* linear-address width for canonical checks (48 or 57) */
};

/*
 * The guest's CPUID, as filtered for it, is what decides which bits exist
 * (SDM Vol. 3A, 2.5: setting a bit the CPUID does not report faults).
 * l1 = leaf 1, l7 = leaf 7 subleaf 0, d = leaf 0xd subleaf 0 (XCR0 bits),
 * x1 = leaf 0x80000001, x8 = leaf 0x80000008.
 */
struct gstate_cpuid {
	u32 l1_ecx, l1_edx, l7_ebx, l7_ecx, l7_edx, d_eax, x1_edx, x8_eax;
};

/* Derive the allowed masks from the guest's CPUID. */
void gstate_caps_from_cpuid(const struct gstate_cpuid *c, struct gstate_caps *caps);

/* MOV to CR0 with val: GSTATE_OK or GSTATE_GP (SDM Vol. 3A "MOV—Move to/from CRs"). */
int gstate_cr0_check(const struct gstate *s, u64 val);

/* MOV to CR4 with val: GSTATE_OK or GSTATE_GP. */
int gstate_cr4_check(const struct gstate *s, const struct gstate_caps *caps, u64 val);

/* WRMSR to IA32_EFER with val: GSTATE_OK or GSTATE_GP. */
int gstate_efer_check(const struct gstate *s, const struct gstate_caps *caps, u64 val);

/* The EFER an accepted write leaves: LMA is read-only and keeps its value. */
u64 gstate_efer_value(const struct gstate *s, u64 val);

/* XSETBV of val into XCR[index]: GSTATE_OK, GSTATE_UD or GSTATE_GP. */
int gstate_xsetbv_check(const struct gstate *s, const struct gstate_caps *caps, u32 index, u64 val);

/* Is addr canonical for a CPU with vaddr_bits linear-address bits? */
bool gstate_canonical(u64 addr, unsigned vaddr_bits);

/* Does every PAT entry hold a memory type that exists (0, 1, 4-7)? */
bool gstate_pat_valid(u64 pat);

#endif
