// SPDX-License-Identifier: MIT
/* Host tests of the MSR policy table: start-up MSRs on both vendors, #GP for the rest. */
#include <hv/msr_policy.h>

#include "utest.h"

struct want {
	u32 msr;
	enum msr_treat intel, amd;
};

/* Every MSR a Linux or test-kernel start-up touches on Intel and AMD, and its answer. */
static const struct want start_up[] = {
	{0x10, MSR_EMULATED, MSR_EMULATED},	      /* IA32_TSC: writes set the TSC offset */
	{0x17, MSR_RAZ_WI, MSR_RAZ_WI},		      /* PLATFORM_ID */
	{0x1b, MSR_LAPIC, MSR_LAPIC},		      /* APIC_BASE */
	{0x3a, MSR_CONST_RO, MSR_CONST_RO},	      /* FEATURE_CONTROL */
	{0x3b, MSR_GP, MSR_GP},			      /* TSC_ADJUST */
	{0x48, MSR_GP, MSR_GP},			      /* SPEC_CTRL */
	{0x49, MSR_GP, MSR_GP},			      /* PRED_CMD */
	{0x79, MSR_RAZ_WI, MSR_RAZ_WI},		      /* BIOS_UPDT_TRIG */
	{0x8b, MSR_RAZ_WI, MSR_RAZ_WI},		      /* microcode revision */
	{0xc1, MSR_GP, MSR_GP},			      /* IA32_PMC0 */
	{0xce, MSR_EMULATED, MSR_GP},		      /* PLATFORM_INFO */
	{0xfe, MSR_CONST_RO, MSR_CONST_RO},	      /* MTRRcap */
	{0x10a, MSR_GP, MSR_GP},		      /* ARCH_CAPABILITIES */
	{0x174, MSR_VCPU_STATE, MSR_VCPU_STATE},      /* SYSENTER_CS */
	{0x179, MSR_CONST_RO, MSR_CONST_RO},	      /* MCG_CAP */
	{0x17a, MSR_RAZ_WI, MSR_RAZ_WI},	      /* MCG_STATUS */
	{0x186, MSR_GP, MSR_GP},		      /* PERFEVTSEL0 */
	{0x1a0, MSR_CONST_WI, MSR_CONST_WI},	      /* MISC_ENABLE */
	{0x200, MSR_RAZ_WI, MSR_RAZ_WI},	      /* MTRRphysBase0 */
	{0x250, MSR_RAZ_WI, MSR_RAZ_WI},	      /* MTRRfix64K_00000 */
	{0x277, MSR_EMULATED, MSR_EMULATED},	      /* PAT */
	{0x2ff, MSR_RAZ_WI, MSR_RAZ_WI},	      /* MTRRdefType */
	{0x345, MSR_GP, MSR_GP},		      /* PERF_CAPABILITIES */
	{0x38f, MSR_GP, MSR_GP},		      /* PERF_GLOBAL_CTRL */
	{0x400, MSR_RAZ_WI, MSR_RAZ_WI},	      /* MC0_CTL */
	{0x47f, MSR_RAZ_WI, MSR_RAZ_WI},	      /* MC31_MISC */
	{0x480, MSR_GP, MSR_GP},		      /* VMX_BASIC */
	{0x6e0, MSR_LAPIC, MSR_LAPIC},		      /* TSC_DEADLINE */
	{0x802, MSR_LAPIC, MSR_LAPIC},		      /* x2APIC ID */
	{0xc0000080, MSR_EMULATED, MSR_EMULATED},     /* EFER */
	{0xc0000082, MSR_VCPU_STATE, MSR_VCPU_STATE}, /* LSTAR */
	{0xc0000101, MSR_VCPU_STATE, MSR_VCPU_STATE}, /* GS_BASE */
	{0xc0000103, MSR_GP, MSR_GP},		      /* TSC_AUX */
	{0xc0010000, MSR_GP, MSR_RAZ_WI},	      /* PERF_CTL0 */
	{0xc0010007, MSR_GP, MSR_RAZ_WI},	      /* PERF_CTR3 */
	{0xc0010010, MSR_GP, MSR_RAZ_WI},	      /* SYSCFG */
	{0xc0010015, MSR_GP, MSR_KEPT},		      /* HWCR */
	{0xc001001f, MSR_GP, MSR_RAZ_WI},	      /* NB_CFG */
	{0xc0010055, MSR_GP, MSR_RAZ_WI},	      /* interrupt pending */
	{0xc0010058, MSR_GP, MSR_RAZ_WI},	      /* MMIO_CONF_BASE */
	{0xc0010114, MSR_GP, MSR_GP},		      /* VM_CR */
	{0xc0010131, MSR_GP, MSR_GP},		      /* SEV_STATUS */
	{0xc0010140, MSR_GP, MSR_RAZ_WI},	      /* OSVW_ID_LENGTH */
	{0xc0010141, MSR_GP, MSR_RAZ_WI},	      /* OSVW_STATUS */
	{0xc0010200, MSR_GP, MSR_GP},		      /* PERF_CTL extended */
	{0xc0011020, MSR_GP, MSR_RAZ_WI},	      /* LS_CFG */
	{0xc0011029, MSR_GP, MSR_KEPT},		      /* DE_CFG */
};

UTEST(msr_policy_start_up_msrs)
{
	for (size_t i = 0; i < ARRAY_SIZE(start_up); i++) {
		const struct want *w = &start_up[i];

		if (msr_policy_treat(w->msr, VENDOR_INTEL) != w->intel ||
		    msr_policy_treat(w->msr, VENDOR_AMD) != w->amd)
			printf("  MSR 0x%x: Intel %d (want %d), AMD %d (want %d)\n", w->msr,
			       msr_policy_treat(w->msr, VENDOR_INTEL), w->intel,
			       msr_policy_treat(w->msr, VENDOR_AMD), w->amd);
		CHECK_EQ(msr_policy_treat(w->msr, VENDOR_INTEL), w->intel);
		CHECK_EQ(msr_policy_treat(w->msr, VENDOR_AMD), w->amd);
	}
}

UTEST(msr_policy_values)
{
	const struct msr_row *r = msr_policy_lookup(0x3a, VENDOR_INTEL);

	CHECK(r && r->value == BIT(0)); /* locked, VMX off */
	r = msr_policy_lookup(0x1a0, VENDOR_INTEL);
	CHECK(r && r->value == (BIT(0) | BIT(11) | BIT(12)) && !(r->value & BIT(18)));
	r = msr_policy_lookup(0xfe, VENDOR_AMD);
	CHECK(r && r->value == 0);
	CHECK(msr_policy_lookup(0xc0010015, VENDOR_AMD)->slot !=
	      msr_policy_lookup(0xc0011029, VENDOR_AMD)->slot);
	CHECK_EQ(msr_platform_info(2900000), 29ull << 8);
	CHECK_EQ(msr_platform_info(2949999), 29ull << 8);
	CHECK_EQ(msr_platform_info(2950000), 30ull << 8);
	CHECK_EQ(msr_platform_info(100000000), 0xffull << 8);
}

UTEST(msr_policy_unlisted_gp)
{
	static const u32 unlisted[] = {0,	   0x1,	       0x11,	   0x8c,       0x17b,
				       0x1d9,	   0x280,      0x2fe,	   0x300,      0x4c1,
				       0x900,	   0x1000,     0x40000000, 0xc0000000, 0xc0000104,
				       0xc0010011, 0xc0010300, 0xc0011024, 0xc0011030, 0xffffffff};

	for (size_t i = 0; i < ARRAY_SIZE(unlisted); i++) {
		CHECK(!msr_policy_lookup(unlisted[i], VENDOR_INTEL));
		CHECK(!msr_policy_lookup(unlisted[i], VENDOR_AMD));
		CHECK(!msr_policy_lookup(unlisted[i], VENDOR_OTHER));
		CHECK_EQ(msr_policy_treat(unlisted[i], VENDOR_AMD), MSR_GP);
	}
	/* Another vendor's MSR is not there. */
	CHECK(!msr_policy_lookup(0xc0010015, VENDOR_INTEL));
	CHECK(!msr_policy_lookup(0xce, VENDOR_AMD));
}

/* Sorted and disjoint (the lookup is a binary search), every row named and explained. */
UTEST(msr_policy_table_well_formed)
{
	int kept_seen = 0;

	for (size_t i = 0; i < msr_policy_rows; i++) {
		const struct msr_row *r = &msr_policy_table[i];

		CHECK(r->first <= r->last);
		if (i)
			CHECK(msr_policy_table[i - 1].last < r->first);
		CHECK(r->name && r->name[0] && r->why && r->why[0]);
		CHECK(r->treat < MSR_TREAT_COUNT);
		CHECK(r->vendor <= MSR_AMD);
		if (r->treat == MSR_KEPT) {
			CHECK(r->first == r->last && r->slot < MSR_KEPT_SLOTS);
			CHECK(!(kept_seen & (1 << r->slot)));
			kept_seen |= 1 << r->slot;
		}
		/* Rows read from the hardware: only the TSC, which every CPU has. */
		if (r->treat == MSR_HOST_RO)
			CHECK(r->first == 0x10 && r->last == 0x10);
		/* Each MSR of every row resolves to that row. */
		for (u64 m = r->first; m <= r->last; m++)
			CHECK(msr_policy_lookup((u32)m, r->vendor == MSR_AMD ? VENDOR_AMD
									     : VENDOR_INTEL) == r);
	}
}
