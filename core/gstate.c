// SPDX-License-Identifier: MIT
/* Checks of the CR0/CR4/EFER/XCR0/MSR values a guest loads, so none can fail VM entry. */
#include <hv/gstate.h>

/*
 * The guest must get the fault a CPU with its CPUID would raise, and Sprout
 * must never put a value into the VMCB/VMCS that makes VMRUN or VM entry
 * fail (APM Vol. 2, 15.5.1 "VMRUN" consistency checks; SDM Vol. 3C,
 * 27.3.1.1 "Checks on Guest Control Registers, Debug Registers, and MSRs").
 */

enum cpuid_reg { L1_ECX, L1_EDX, L7_EBX, L7_ECX, L7_EDX, ALWAYS };

/* CR4 bit -> the CPUID feature that makes it exist (SDM Vol. 3A, 2.5 and Table 2-2). */
static const struct {
	u8 cr4_bit;
	u8 reg;
	u8 cpuid_bit;
} cr4_features[] = {
	{0, L1_EDX, 1},	  /* VME: VME */
	{1, L1_EDX, 1},	  /* PVI: VME */
	{2, L1_EDX, 4},	  /* TSD: TSC */
	{3, L1_EDX, 2},	  /* DE */
	{4, L1_EDX, 3},	  /* PSE */
	{5, L1_EDX, 6},	  /* PAE */
	{6, L1_EDX, 7},	  /* MCE */
	{7, L1_EDX, 13},  /* PGE */
	{8, ALWAYS, 0},	  /* PCE */
	{9, L1_EDX, 24},  /* OSFXSR: FXSR */
	{10, L1_EDX, 25}, /* OSXMMEXCPT: SSE */
	{11, L7_ECX, 2},  /* UMIP */
	{12, L7_ECX, 16}, /* LA57 */
	{13, L1_ECX, 5},  /* VMXE: VMX */
	{14, L1_ECX, 6},  /* SMXE: SMX */
	{16, L7_EBX, 0},  /* FSGSBASE */
	{17, L1_ECX, 17}, /* PCIDE: PCID */
	{18, L1_ECX, 26}, /* OSXSAVE: XSAVE */
	{20, L7_EBX, 7},  /* SMEP */
	{21, L7_EBX, 20}, /* SMAP */
	{22, L7_ECX, 3},  /* PKE: PKU */
	{23, L7_ECX, 7},  /* CET: CET_SS */
	{24, L7_ECX, 31}, /* PKS */
};

#define CPUID1_ECX_XSAVE BIT(26)
#define CPUIDX1_EDX_SCE	 BIT(11)
#define CPUIDX1_EDX_NX	 BIT(20)
#define CPUIDX1_EDX_LM	 BIT(29)

static u32 cpuid_word(const struct gstate_cpuid *c, u8 reg)
{
	switch (reg) {
	case L1_ECX: return c->l1_ecx;
	case L1_EDX: return c->l1_edx;
	case L7_EBX: return c->l7_ebx;
	case L7_ECX: return c->l7_ecx;
	case L7_EDX: return c->l7_edx;
	default: return ~0u;
	}
}

void gstate_caps_from_cpuid(const struct gstate_cpuid *c, struct gstate_caps *caps)
{
	u8 bits = (u8)(c->x8_eax >> 8);

	caps->cr4_allowed = 0;
	for (unsigned i = 0; i < sizeof(cr4_features) / sizeof(cr4_features[0]); i++)
		if (cpuid_word(c, cr4_features[i].reg) & BIT(cr4_features[i].cpuid_bit))
			caps->cr4_allowed |= BIT(cr4_features[i].cr4_bit);
	/* EFER bits of the AMD64 architecture (APM Vol. 2, 3.1.7); LMA is read-only. */
	caps->efer_allowed = GSTATE_EFER_LMA;
	if (c->x1_edx & CPUIDX1_EDX_SCE)
		caps->efer_allowed |= GSTATE_EFER_SCE;
	if (c->x1_edx & CPUIDX1_EDX_LM)
		caps->efer_allowed |= GSTATE_EFER_LME;
	if (c->x1_edx & CPUIDX1_EDX_NX)
		caps->efer_allowed |= GSTATE_EFER_NXE;
	caps->xcr0_allowed = (c->l1_ecx & CPUID1_ECX_XSAVE) ? c->d_eax : 0;
	caps->vaddr_bits = bits ? bits : 48;
}

/* SDM Vol. 3A, "MOV—Move to/from Control Registers", Protected/64-Bit Mode Exceptions. */
int gstate_cr0_check(const struct gstate *s, u64 val)
{
	bool pg_on = !(s->cr0 & GSTATE_CR0_PG) && (val & GSTATE_CR0_PG);
	bool pg_off = (s->cr0 & GSTATE_CR0_PG) && !(val & GSTATE_CR0_PG);

	if (val >> 32)
		return GSTATE_GP; /* reserved bits 63:32 */
	if ((val & GSTATE_CR0_PG) && !(val & GSTATE_CR0_PE))
		return GSTATE_GP;
	if ((val & GSTATE_CR0_NW) && !(val & GSTATE_CR0_CD))
		return GSTATE_GP;
	/* Long mode needs PAE paging (SDM Vol. 3A, 10.8.5 "Initializing IA-32e Mode"). */
	if (pg_on && (s->efer & GSTATE_EFER_LME) && !(s->cr4 & GSTATE_CR4_PAE))
		return GSTATE_GP;
	/* Paging can be turned off from compatibility mode only, and not with PCIDs on. */
	if (pg_off && (((s->efer & GSTATE_EFER_LMA) && s->cs_long) || (s->cr4 & GSTATE_CR4_PCIDE)))
		return GSTATE_GP;
	if (!(val & GSTATE_CR0_WP) && (s->cr4 & GSTATE_CR4_CET))
		return GSTATE_GP;
	return GSTATE_OK;
}

int gstate_cr4_check(const struct gstate *s, const struct gstate_caps *caps, u64 val)
{
	bool lma = s->efer & GSTATE_EFER_LMA;

	if (val & ~caps->cr4_allowed)
		return GSTATE_GP; /* reserved, or a feature the guest's CPUID does not offer */
	if (lma && !(val & GSTATE_CR4_PAE))
		return GSTATE_GP;
	if (lma && ((val ^ s->cr4) & GSTATE_CR4_LA57))
		return GSTATE_GP;
	/* PCIDE may be turned on only in IA-32e mode with CR3[11:0] clear (SDM Vol. 3A, 4.10.1). */
	if ((val & ~s->cr4 & GSTATE_CR4_PCIDE) && (!lma || (s->cr3 & 0xfff)))
		return GSTATE_GP;
	if ((val & GSTATE_CR4_CET) && !(s->cr0 & GSTATE_CR0_WP))
		return GSTATE_GP;
	return GSTATE_OK;
}

/* SDM Vol. 3A, 2.2.1 "Extended Feature Enable Register"; APM Vol. 2, 3.1.7 and 14.6. */
int gstate_efer_check(const struct gstate *s, const struct gstate_caps *caps, u64 val)
{
	if (val & ~caps->efer_allowed)
		return GSTATE_GP;
	/* LME may change only while paging is off (SDM Vol. 3A, 10.8.5). */
	if ((s->cr0 & GSTATE_CR0_PG) && ((val ^ s->efer) & GSTATE_EFER_LME))
		return GSTATE_GP;
	return GSTATE_OK;
}

u64 gstate_efer_value(const struct gstate *s, u64 val)
{
	return (val & ~GSTATE_EFER_LMA) | (s->efer & GSTATE_EFER_LMA);
}

/* SDM Vol. 2D, "XSETBV" exceptions, and Vol. 1, 13.3 "Enabling the XSAVE Feature Set". */
int gstate_xsetbv_check(const struct gstate *s, const struct gstate_caps *caps, u32 index, u64 val)
{
	const u64 bnd = BIT(3) | BIT(4), avx512 = BIT(5) | BIT(6) | BIT(7);

	if (!caps->xcr0_allowed || !(caps->cr4_allowed & GSTATE_CR4_OSXSAVE) ||
	    !(s->cr4 & GSTATE_CR4_OSXSAVE))
		return GSTATE_UD;
	if (s->cpl || index || (val & ~caps->xcr0_allowed) || !(val & GSTATE_XCR0_X87))
		return GSTATE_GP;
	if ((val & GSTATE_XCR0_AVX) && !(val & GSTATE_XCR0_SSE))
		return GSTATE_GP;
	if ((val & bnd) && (val & bnd) != bnd)
		return GSTATE_GP;
	if ((val & avx512) && ((val & avx512) != avx512 || !(val & GSTATE_XCR0_AVX)))
		return GSTATE_GP;
	return GSTATE_OK;
}

bool gstate_canonical(u64 addr, unsigned vaddr_bits)
{
	unsigned shift = vaddr_bits && vaddr_bits < 64 ? 64 - vaddr_bits : 0;

	return (u64)((s64)(addr << shift) >> shift) == addr;
}

/* Memory types 2 and 3 and 8 and above are reserved (SDM Vol. 3A, 13.12.2). */
bool gstate_pat_valid(u64 pat)
{
	for (int i = 0; i < 8; i++) {
		u8 type = (u8)(pat >> (8 * i));

		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}
