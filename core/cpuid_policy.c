// SPDX-License-Identifier: MIT
/* The CPUID policy: what is advertised is what works in a Sprout VM; the rest reads 0. */
#include <hv/cpuid_policy.h>
#include <public/hypercall.h>

/*
 * The local APIC's x2APIC mode and TSC-deadline timer are emulated
 * (core/vdev/vlapic.c) whatever the host has, and interrupts are injected
 * (core/vdev/irq.c): both are offered.
 */
#define GUEST_X2APIC	    true
#define GUEST_TSC_DEADLINE  true

#define L1_ECX_X2APIC	    BIT(21)
#define L1_ECX_TSC_DEADLINE BIT(24)
#define L1_ECX_HYPERVISOR   BIT(31)

/*
 * Sorted, disjoint. A leaf in no row reads 0. HOST and MASKED leaves beyond
 * the host's highest leaf read 0 too (the host would answer another leaf).
 */
const struct cpuid_leaf_row cpuid_leaf_table[] = {
	{0x0, 0x0, CPUID_SPROUT, false, "highest basic leaf (0x16 on Intel), vendor string"},
	{0x1, 0x1, CPUID_MASKED, false, "features; APIC ID and count of this vCPU"},
	{0x2, 0x2, CPUID_HOST, false, "cache and TLB descriptors"},
	{0x3, 0x3, CPUID_ZERO, false, "processor serial number hidden"},
	{0x4, 0x4, CPUID_HOST, false, "deterministic cache parameters"},
	{0x5, 0x5, CPUID_ZERO, false, "MONITOR/MWAIT hidden: HLT is what Sprout handles"},
	{0x6, 0x6, CPUID_MASKED, false, "power management: only ARAT"},
	{0x7, 0x7, CPUID_MASKED, true, "structured extended features"},
	{0xa, 0xa, CPUID_ZERO, false, "architectural PMU version 0: no counters"},
	{0xb, 0xb, CPUID_ZERO, false, "x2APIC topology: not described yet"},
	{0xd, 0xd, CPUID_ZERO, false, "XSAVE hidden: guest XCR0 is not switched"},
	{0xf, 0x10, CPUID_ZERO, false, "RDT monitoring and allocation hidden (their MSRs #GP)"},
	{0x12, 0x12, CPUID_ZERO, false, "SGX hidden"},
	{0x14, 0x14, CPUID_ZERO, false, "processor trace hidden"},
	{0x15, 0x16, CPUID_SPROUT, false, "Intel: TSC/crystal ratio and frequencies"},
	{0x1f, 0x1f, CPUID_ZERO, false, "V2 extended topology: not described yet"},
	{SPROUT_CPUID_BASE, 0x4000ffff, CPUID_SPROUT, false, "Sprout's leaves"},
	{0x80000000, 0x80000000, CPUID_HOST, false, "highest extended leaf"},
	{0x80000001, 0x80000001, CPUID_MASKED, false, "extended features"},
	{0x80000002, 0x80000006, CPUID_HOST, false, "brand string, caches and TLBs"},
	{0x80000007, 0x80000007, CPUID_MASKED, false, "power management: invariant TSC only"},
	{0x80000008, 0x80000008, CPUID_MASKED, false, "address sizes, AMD extended features"},
	{0x8000000a, 0x8000000a, CPUID_ZERO, false, "SVM hidden"},
	{0x80000019, 0x80000019, CPUID_HOST, false, "1 GiB page TLBs"},
	{0x8000001d, 0x8000001e, CPUID_ZERO, false, "TopoExt hidden: host topology, host APIC IDs"},
	{0x8000001f, 0x8000001f, CPUID_ZERO, false, "SME/SEV hidden (SEV_STATUS #GPs)"},
};

const size_t cpuid_leaf_rows = ARRAY_SIZE(cpuid_leaf_table);

/* Registers of MASKED leaves; a register with no row is the host's. */
const struct cpuid_reg_row cpuid_reg_table[] = {
	{0x1, CPUID_EBX, 0x0000ffff, 0, "brand index, CLFLUSH size; the rest per vCPU"},
	/*
	 * SSE3, PCLMULQDQ, SSSE3, CMPXCHG16B, PCID, SSE4.1, SSE4.2, MOVBE, POPCNT,
	 * AES, RDRAND. Hidden: DTES64/DS-CPL (DS_AREA), MONITOR, VMX, SMX, EIST,
	 * TM2, CNXT-ID, SDBG, xTPR, PDCM (PERF_CAPABILITIES), DCA: their MSRs #GP;
	 * FMA, XSAVE, OSXSAVE, AVX, F16C: no XSAVE state for YMM.
	 */
	{0x1, CPUID_ECX,
	 BIT(0) | BIT(1) | BIT(9) | BIT(13) | BIT(17) | BIT(19) | BIT(20) | BIT(22) | BIT(23) |
		 BIT(25) | BIT(30),
	 L1_ECX_HYPERVISOR | (GUEST_X2APIC ? L1_ECX_X2APIC : 0) |
		 (GUEST_TSC_DEADLINE ? L1_ECX_TSC_DEADLINE : 0),
	 "what works without XSAVE; x2APIC and TSC deadline as the flags above"},
	/* Hidden: PSN (18), DS (21), ACPI thermal MSRs (22), TM (29), PBE (31). */
	{0x1, CPUID_EDX,
	 (u32) ~(BIT(18) | BIT(21) | BIT(22) | BIT(29) | BIT(31) | BIT(10) | BIT(20) | BIT(30)), 0,
	 "FPU..HTT with MCE/MCA (no banks), MTRR (none), PAT"},
	{0x6, CPUID_EAX, BIT(2), 0, "ARAT: the APIC timer runs in every state"},
	{0x6, CPUID_EBX, 0, 0, "no thermal sensor"},
	{0x6, CPUID_ECX, 0, 0, "no APERF/MPERF, no energy bias"},
	{0x6, CPUID_EDX, 0, 0, "no hardware feedback"},
	{0x7, CPUID_EAX, 0, 0, "subleaf 0 only"},
	/*
	 * FSGSBASE, BMI1, HLE, FDP_EXCPTN_ONLY, SMEP, BMI2, ERMS, INVPCID, RTM,
	 * FPU CS/DS deprecation, RDSEED, ADX, SMAP, CLFLUSHOPT, CLWB, SHA. Hidden:
	 * TSC_ADJUST (no TSC offset), SGX, AVX2/AVX-512 (no XSAVE), RDT, MPX, PT.
	 */
	{0x7, CPUID_EBX,
	 BIT(0) | BIT(3) | BIT(4) | BIT(6) | BIT(7) | BIT(8) | BIT(9) | BIT(10) | BIT(11) |
		 BIT(13) | BIT(18) | BIT(19) | BIT(20) | BIT(23) | BIT(24) | BIT(29),
	 0, "instructions that need no MSR and no XSAVE state"},
	{0x7, CPUID_ECX, 0, 0, "none: PKU/AVX-512 need XSAVE, RDPID needs TSC_AUX"},
	{0x7, CPUID_EDX, 0, 0, "none: speculation controls (SPEC_CTRL, ARCH_CAPABILITIES) #GP"},
	/* LAHF/SAHF, CmpLegacy, AltMovCr8, ABM, SSE4A, MisAlignSse, PREFETCHW, OSVW (length 0). */
	{0x80000001, CPUID_ECX,
	 BIT(0) | BIT(1) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(9), 0,
	 "no SVM, IBS, XOP/FMA4/LWP/TBM, WDT, TopoExt, counter extensions, MONITORX"},
	{0x80000001, CPUID_EDX, (u32)~BIT(27), 0, "all but RDTSCP: TSC_AUX is not switched"},
	{0x80000007, CPUID_EAX, 0, 0, "no processor feedback"},
	{0x80000007, CPUID_EBX, 0, 0, "no RAS capabilities (no MCA extensions)"},
	{0x80000007, CPUID_ECX, 0, 0, "no power reporting"},
	{0x80000007, CPUID_EDX, BIT(8), 0, "invariant TSC: the guest reads the host's TSC"},
	/* CLZERO, XSaveErPtr, WBNOINVD, EferLmsleUnsupported, SSB_NO, BTC_NO. */
	{0x80000008, CPUID_EBX, BIT(0) | BIT(2) | BIT(9) | BIT(20) | BIT(26) | BIT(29), 0,
	 "no IRPERF/RDPRU/INVLPGB/MCOMMIT, no IBPB/IBRS/STIBP/SSBD (their MSRs #GP)"},
	{0x80000008, CPUID_EDX, 0, 0, "no INVLPGB/RDPRU limits"},
};

const size_t cpuid_reg_rows = ARRAY_SIZE(cpuid_reg_table);

const struct cpuid_leaf_row *cpuid_policy_leaf(u32 leaf)
{
	for (size_t i = 0; i < ARRAY_SIZE(cpuid_leaf_table); i++) {
		const struct cpuid_leaf_row *l = &cpuid_leaf_table[i];

		if (leaf >= l->first && leaf <= l->last)
			return l;
	}
	return NULL;
}

static bool cpuid_host_has(const struct cpuid_ctx *c, u32 leaf)
{
	if (leaf >= 0x80000000u)
		return leaf <= c->host_max_ext;
	return leaf <= c->host_max_basic;
}

static void cpuid_mask(u32 leaf, u32 r[CPUID_NREGS])
{
	for (size_t i = 0; i < ARRAY_SIZE(cpuid_reg_table); i++) {
		const struct cpuid_reg_row *m = &cpuid_reg_table[i];

		if (m->leaf == leaf)
			r[m->reg] = (r[m->reg] & m->keep) | m->set;
	}
}

/*
 * The ratio EBX/EAX of leaf 0x15 for a 1 GHz crystal: tsc_khz / 1e6 as the
 * closest continued-fraction convergent whose numerator keeps crystal kHz *
 * EBX within 32 bits, because Linux computes crystal_khz * ebx / eax in
 * unsigned int (native_calibrate_tsc()); 1e6 * 20000 would wrap and tell a
 * 20 MHz guest its TSC runs at 2.8 MHz.
 */
void cpuid_tsc_ratio(u64 tsc_khz, u32 *num, u32 *den)
{
	const u64 num_max = 0xffffffffULL / CPUID_APIC_BUS_KHZ;
	u64 n = tsc_khz, d = CPUID_APIC_BUS_KHZ;
	u64 p0 = 0, q0 = 1, p1 = 1, q1 = 0;

	while (d) {
		u64 a = n / d, p2 = a * p1 + p0, q2 = a * q1 + q0, rest = n % d;

		if (p2 > num_max || q2 > 0xffffffffULL)
			break;
		p0 = p1, q0 = q1, p1 = p2, q1 = q2;
		n = d, d = rest;
	}
	*num = (u32)p1;
	*den = (u32)(q1 ? q1 : 1);
}

/*
 * Leaf 0x15 with a 1 GHz "crystal", the local APIC timer's clock, so that
 * Linux (which takes the APIC timer rate from the crystal) agrees with the
 * vlapic, and TSC Hz = ECX * EBX / EAX (see cpuid_tsc_ratio()).
 */
static void cpuid_sprout_basic(const struct cpuid_ctx *c, u32 leaf, u32 r[CPUID_NREGS])
{
	u32 khz = (u32)MIN(c->tsc_khz, 0xffffffffull), mhz = khz / 1000;

	if (leaf == 0) {
		r[CPUID_EAX] = c->vendor == VENDOR_INTEL
				       ? CPUID_INTEL_MAX_LEAF
				       : MIN(c->host_max_basic, CPUID_INTEL_MAX_LEAF);
		return;
	}
	r[0] = r[1] = r[2] = r[3] = 0;
	if (c->vendor != VENDOR_INTEL || !khz)
		return;
	if (leaf == 0x15) {
		cpuid_tsc_ratio(khz, &r[CPUID_EBX], &r[CPUID_EAX]);
		r[CPUID_ECX] = CPUID_APIC_BUS_KHZ * 1000;
	} else if (leaf == 0x16) {
		r[CPUID_EAX] = mhz; /* base */
		r[CPUID_EBX] = mhz; /* maximum: no turbo */
		r[CPUID_ECX] = 100; /* bus (reference) MHz, MSR_PLATFORM_INFO's unit */
	}
}

static void cpuid_sprout_hv(const struct cpuid_ctx *c, u32 leaf, u32 r[CPUID_NREGS])
{
	r[0] = r[1] = r[2] = r[3] = 0;
	switch (leaf) {
	case SPROUT_CPUID_BASE:
		r[CPUID_EAX] = CPUID_HV_MAX;
		r[CPUID_EBX] = SPROUT_SIGNATURE_EBX;
		r[CPUID_ECX] = SPROUT_SIGNATURE_ECX;
		r[CPUID_EDX] = SPROUT_SIGNATURE_EDX;
		break;
	case SPROUT_CPUID_VERSION: r[CPUID_EAX] = SPROUT_ABI_VERSION; break;
	case CPUID_HV_TIMING:
		r[CPUID_EAX] = (u32)MIN(c->tsc_khz, 0xffffffffull);
		r[CPUID_EBX] = CPUID_APIC_BUS_KHZ;
		break;
	}
}

void cpuid_policy(const struct cpuid_ctx *c, u32 leaf, u32 sub, u32 r[CPUID_NREGS])
{
	const struct cpuid_leaf_row *l = cpuid_policy_leaf(leaf);
	enum cpuid_leaf_kind kind = l ? (enum cpuid_leaf_kind)l->kind : CPUID_ZERO;

	if ((kind == CPUID_HOST || kind == CPUID_MASKED) &&
	    (!cpuid_host_has(c, leaf) || (l->sub0 && sub)))
		kind = CPUID_ZERO;
	switch (kind) {
	case CPUID_ZERO: r[0] = r[1] = r[2] = r[3] = 0; break;
	case CPUID_HOST: break;
	case CPUID_MASKED: cpuid_mask(leaf, r); break;
	case CPUID_SPROUT:
		if (leaf >= SPROUT_CPUID_BASE)
			cpuid_sprout_hv(c, leaf, r);
		else
			cpuid_sprout_basic(c, leaf, r);
		break;
	}
	/* Initial APIC ID and logical processor count of this vCPU. */
	if (leaf == 1 && kind == CPUID_MASKED)
		r[CPUID_EBX] |= (c->vcpu_id << 24) | ((c->nr_vcpus & 0xff) << 16);
}
