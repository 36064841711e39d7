// SPDX-License-Identifier: MIT
/* Host tests of the CPUID policy: what is hidden, what Sprout adds, frequencies that agree. */
#include <hv/cpuid_policy.h>
#include <public/hypercall.h>

#include "utest.h"

static const struct cpuid_ctx intel = {.vendor = VENDOR_INTEL,
				       .host_max_basic = 0x20,
				       .host_max_ext = 0x80000008,
				       .tsc_khz = 2893421,
				       .vcpu_id = 3,
				       .nr_vcpus = 4};
static const struct cpuid_ctx amd = {.vendor = VENDOR_AMD,
				     .host_max_basic = 0x10,
				     .host_max_ext = 0x80000028,
				     .tsc_khz = 3600000,
				     .vcpu_id = 0,
				     .nr_vcpus = 1};

/* The guest's answer when the host sets every bit of every register. */
static void ones(const struct cpuid_ctx *c, u32 leaf, u32 sub, u32 r[CPUID_NREGS])
{
	for (int i = 0; i < CPUID_NREGS; i++)
		r[i] = 0xffffffffu;
	cpuid_policy(c, leaf, sub, r);
}

static bool all_zero(const u32 r[CPUID_NREGS])
{
	return !r[0] && !r[1] && !r[2] && !r[3];
}

UTEST(cpuid_policy_leaf1_hidden)
{
	u32 r[CPUID_NREGS];

	ones(&intel, 1, 0, r);
	/* DTES64, MONITOR, DS-CPL, VMX, SMX, EIST, PDCM, XSAVE, OSXSAVE, AVX, F16C, FMA. */
	CHECK(!(r[CPUID_ECX] & (BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(15) |
				BIT(26) | BIT(27) | BIT(28) | BIT(29) | BIT(12))));
	CHECK(r[CPUID_ECX] & BIT(24));			    /* TSC deadline: emulated */
	CHECK(r[CPUID_ECX] & BIT(21));			    /* x2APIC: emulated */
	CHECK(r[CPUID_ECX] & BIT(31));			    /* hypervisor */
	CHECK(r[CPUID_ECX] & (BIT(0) | BIT(20) | BIT(23))); /* SSE3, SSE4.2, POPCNT */
	CHECK(!(r[CPUID_EDX] & (BIT(18) | BIT(21) | BIT(22) | BIT(29) | BIT(31))));
	CHECK((r[CPUID_EDX] & (BIT(0) | BIT(4) | BIT(5) | BIT(16) | BIT(25) | BIT(26))) ==
	      (BIT(0) | BIT(4) | BIT(5) | BIT(16) | BIT(25) | BIT(26)));
	CHECK_EQ(r[CPUID_EAX], 0xffffffffu);
	CHECK_EQ(r[CPUID_EBX] >> 24, 3u);	   /* APIC ID */
	CHECK_EQ((r[CPUID_EBX] >> 16) & 0xff, 4u); /* logical processors */
	CHECK_EQ(r[CPUID_EBX] & 0xffff, 0xffffu);
	/* Offered even when the host lacks them: the vlapic does x2APIC and TSC deadline. */
	r[0] = r[1] = r[2] = r[3] = 0;
	cpuid_policy(&amd, 1, 0, r);
	CHECK_EQ(r[CPUID_ECX], BIT(21) | BIT(24) | BIT(31));
}

UTEST(cpuid_policy_hidden_leaves)
{
	static const u32 zero[] = {3,	       5,	   0xa,	       0xb,	   0xd,
				   0xf,	       0x10,	   0x12,       0x14,	   0x1f,
				   0x20,       0x8000000a, 0x8000001d, 0x8000001e, 0x8000001f,
				   0x80000021, 0x80000022, 0x20000000, 0xc0000000};
	u32 r[CPUID_NREGS];

	for (size_t i = 0; i < ARRAY_SIZE(zero); i++) {
		ones(&intel, zero[i], 0, r);
		CHECK(all_zero(r));
		ones(&amd, zero[i], 0, r);
		CHECK(all_zero(r));
	}
	ones(&intel, 6, 0, r);
	CHECK(r[0] == BIT(2) && !r[1] && !r[2] && !r[3]); /* ARAT only */
	ones(&intel, 7, 1, r);
	CHECK(all_zero(r));
	ones(&intel, 7, 0, r);
	CHECK(!r[CPUID_EAX] && !r[CPUID_ECX] && !r[CPUID_EDX]);
	/* TSC_ADJUST, SGX, AVX2, MPX, AVX-512F, PT. */
	CHECK(!(r[CPUID_EBX] & (BIT(1) | BIT(2) | BIT(5) | BIT(14) | BIT(16) | BIT(25))));
	CHECK((r[CPUID_EBX] & (BIT(0) | BIT(7) | BIT(20))) == (BIT(0) | BIT(7) | BIT(20)));
}

UTEST(cpuid_policy_amd_extended)
{
	u32 r[CPUID_NREGS];

	ones(&amd, 0x80000001, 0, r);
	/* SVM, ExtApicSpace, IBS, XOP, WDT, TopoExt, counter extensions, MONITORX. */
	CHECK(!(r[CPUID_ECX] & (BIT(2) | BIT(3) | BIT(10) | BIT(11) | BIT(13) | BIT(22) | BIT(23) |
				BIT(24) | BIT(28) | BIT(29))));
	CHECK(r[CPUID_ECX] & BIT(9));	  /* OSVW: its MSRs read 0 */
	CHECK(!(r[CPUID_EDX] & BIT(27))); /* RDTSCP: TSC_AUX #GPs */
	CHECK((r[CPUID_EDX] & (BIT(11) | BIT(20) | BIT(29))) == (BIT(11) | BIT(20) | BIT(29)));
	ones(&amd, 0x80000007, 0, r);
	CHECK(!r[0] && !r[1] && !r[2] && r[3] == BIT(8));
	ones(&amd, 0x80000008, 0, r);
	CHECK_EQ(r[CPUID_EAX], 0xffffffffu);
	/* IBPB, IBRS, STIBP, SSBD, VIRT_SSBD, IRPERF, RDPRU. */
	CHECK(!(r[CPUID_EBX] &
		(BIT(12) | BIT(14) | BIT(15) | BIT(24) | BIT(25) | BIT(1) | BIT(4))));
	CHECK(!r[CPUID_EDX]);
	/* Extended leaves past the host's highest read 0. */
	ones(&intel, 0x80000019, 0, r);
	CHECK(all_zero(r));
}

UTEST(cpuid_policy_max_leaves)
{
	u32 r[CPUID_NREGS] = {0x20, 1, 2, 3};
	struct cpuid_ctx old = intel;

	cpuid_policy(&intel, 0, 0, r);
	CHECK(r[0] == 0x16 && r[1] == 1 && r[2] == 2 && r[3] == 3);
	r[0] = 0x10;
	cpuid_policy(&amd, 0, 0, r);
	CHECK_EQ(r[0], 0x10u);
	/* An old Intel host: leaves up to 0x16 exist for the guest, the host's missing ones read 0. */
	old.host_max_basic = 6;
	r[0] = 6;
	cpuid_policy(&old, 0, 0, r);
	CHECK_EQ(r[0], 0x16u);
	ones(&old, 7, 0, r);
	CHECK(all_zero(r));
	ones(&old, 4, 0, r);
	CHECK_EQ(r[0], 0xffffffffu);
}

UTEST(cpuid_policy_frequencies)
{
	u32 r[CPUID_NREGS];

	ones(&intel, 0x15, 0, r);
	CHECK(r[CPUID_EAX] && r[CPUID_EBX]);
	CHECK_EQ(r[CPUID_ECX], CPUID_APIC_BUS_KHZ * 1000ull); /* crystal = APIC timer clock */
	ones(&intel, 0x16, 0, r);
	CHECK_EQ(r[CPUID_EAX], intel.tsc_khz / 1000);
	CHECK_EQ(r[CPUID_ECX], 100u);
	ones(&amd, 0x15, 0, r);
	CHECK(all_zero(r));
	ones(&amd, 0x16, 0, r);
	CHECK(all_zero(r));

	ones(&amd, SPROUT_CPUID_BASE, 0, r);
	CHECK(r[0] == CPUID_HV_TIMING && r[1] == SPROUT_SIGNATURE_EBX &&
	      r[2] == SPROUT_SIGNATURE_ECX && r[3] == SPROUT_SIGNATURE_EDX);
	ones(&amd, SPROUT_CPUID_VERSION, 0, r);
	CHECK(r[0] == SPROUT_ABI_VERSION && !r[1] && !r[2] && !r[3]);
	ones(&amd, CPUID_HV_TIMING, 0, r);
	CHECK(r[0] == 3600000 && r[1] == 1000000 && !r[2] && !r[3]);
	ones(&intel, CPUID_HV_TIMING, 0, r);
	CHECK_EQ(r[0], intel.tsc_khz);
	ones(&intel, 0x40000002, 0, r);
	CHECK(all_zero(r));
	ones(&intel, 0x4000ffff, 0, r);
	CHECK(all_zero(r));
}

/*
 * Linux's native_calibrate_tsc() in its own 32-bit arithmetic: crystal_khz *
 * ebx / eax. No wrap, and within 2 ppm of the TSC for rates from Bochs's
 * 20 MHz to 5 GHz.
 */
UTEST(cpuid_policy_leaf15_as_linux_reads_it)
{
	static const u64 rates[] = {19999, 20000, 1000000, 2096004, 2893421, 3600000, 4999999};

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct cpuid_ctx c = intel;
		u32 r[CPUID_NREGS], crystal_khz, linux_khz;
		u64 exact;

		c.tsc_khz = rates[i];
		ones(&c, 0x15, 0, r);
		crystal_khz = r[CPUID_ECX] / 1000;
		CHECK((u64)crystal_khz * r[CPUID_EBX] <= 0xffffffffULL);
		linux_khz = crystal_khz * r[CPUID_EBX] / r[CPUID_EAX];
		exact = c.tsc_khz;
		CHECK((linux_khz > exact ? linux_khz - exact : exact - linux_khz) * 500000 <=
		      exact);
	}
}

UTEST(cpuid_policy_tables_well_formed)
{
	for (size_t i = 0; i < cpuid_leaf_rows; i++) {
		const struct cpuid_leaf_row *l = &cpuid_leaf_table[i];

		CHECK(l->first <= l->last && l->why && l->why[0]);
		if (i)
			CHECK(cpuid_leaf_table[i - 1].last < l->first);
	}
	for (size_t i = 0; i < cpuid_reg_rows; i++) {
		const struct cpuid_reg_row *m = &cpuid_reg_table[i];
		const struct cpuid_leaf_row *l = cpuid_policy_leaf(m->leaf);

		/* A register row only means something in a MASKED leaf, once per register. */
		CHECK(l && l->kind == CPUID_MASKED && m->reg < CPUID_NREGS && m->why);
		for (size_t j = 0; j < i; j++)
			CHECK(cpuid_reg_table[j].leaf != m->leaf ||
			      cpuid_reg_table[j].reg != m->reg);
	}
}
