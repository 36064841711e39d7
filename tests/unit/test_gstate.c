// SPDX-License-Identifier: MIT
/* Host tests of the guest-state checks: each bad CR0/CR4/EFER/XCR0/MSR value faults. */
#include <hv/gstate.h>

#include "utest.h"

#define CR0_PE_ET 0x11ULL
#define CR0_LONG  (GSTATE_CR0_PG | GSTATE_CR0_WP | 0x33ULL) /* PG WP NE ET MP PE */
#define CR4_PAE	  GSTATE_CR4_PAE
#define EFER_LONG (GSTATE_EFER_LME | GSTATE_EFER_LMA | GSTATE_EFER_SCE | GSTATE_EFER_NXE)

/* A CPUID like QEMU's qemu64 model seen by a guest: no VMX, XSAVE, PCID, LA57 or PKU. */
static struct gstate_caps caps_qemu64(void)
{
	struct gstate_cpuid c = {
		.l1_ecx = BIT(0) | BIT(13) | BIT(23),
		.l1_edx = 0x078bfbffu,
		.x1_edx = BIT(11) | BIT(20) | BIT(29),
		.x8_eax = 0x3028,
	};
	struct gstate_caps caps;

	gstate_caps_from_cpuid(&c, &caps);
	return caps;
}

static struct gstate long_mode(void)
{
	return (struct gstate){.cr0 = CR0_LONG,
			       .cr3 = 0x1000,
			       .cr4 = CR4_PAE | 0x600,
			       .efer = EFER_LONG,
			       .cs_long = true};
}

UTEST(gstate_caps_follow_cpuid)
{
	struct gstate_caps caps = caps_qemu64();
	struct gstate_cpuid c = {.l1_ecx = BIT(5) | BIT(26), .l7_ebx = BIT(0), .l7_ecx = BIT(16)};

	CHECK(caps.cr4_allowed & GSTATE_CR4_PAE);
	CHECK(caps.cr4_allowed & BIT(9)); /* OSFXSR */
	CHECK(!(caps.cr4_allowed & GSTATE_CR4_VMXE));
	CHECK(!(caps.cr4_allowed & GSTATE_CR4_OSXSAVE));
	CHECK(!(caps.cr4_allowed & GSTATE_CR4_LA57));
	CHECK(!(caps.cr4_allowed >> 32));
	CHECK_EQ(caps.efer_allowed, EFER_LONG);
	CHECK_EQ(caps.xcr0_allowed, 0);
	CHECK_EQ(caps.vaddr_bits, 48);
	gstate_caps_from_cpuid(&c, &caps);
	CHECK(caps.cr4_allowed & GSTATE_CR4_VMXE);
	CHECK(caps.cr4_allowed & GSTATE_CR4_OSXSAVE);
	CHECK(caps.cr4_allowed & GSTATE_CR4_LA57);
	CHECK(caps.cr4_allowed & BIT(16)); /* FSGSBASE */
	CHECK_EQ(caps.efer_allowed, GSTATE_EFER_LMA);
	CHECK_EQ(caps.vaddr_bits, 48);
}

UTEST(gstate_cr0_good_writes)
{
	struct gstate lm = long_mode(), prot = {.cr0 = CR0_PE_ET};

	CHECK_EQ(gstate_cr0_check(&lm, CR0_LONG), GSTATE_OK);
	CHECK_EQ(gstate_cr0_check(&lm, CR0_LONG | GSTATE_CR0_CD), GSTATE_OK);
	CHECK_EQ(gstate_cr0_check(&lm, CR0_LONG | GSTATE_CR0_CD | GSTATE_CR0_NW), GSTATE_OK);
	CHECK_EQ(gstate_cr0_check(&prot, CR0_PE_ET | GSTATE_CR0_PG), GSTATE_OK);
	CHECK_EQ(gstate_cr0_check(&prot, 0x10), GSTATE_OK); /* back to real mode */
	lm.cs_long = false;				    /* compatibility mode may leave */
	CHECK_EQ(gstate_cr0_check(&lm, CR0_LONG & ~GSTATE_CR0_PG), GSTATE_OK);
}

UTEST(gstate_cr0_bad_writes)
{
	struct gstate lm = long_mode(), prot = {.cr0 = CR0_PE_ET, .efer = GSTATE_EFER_LME};

	CHECK_EQ(gstate_cr0_check(&lm, CR0_LONG | BIT(32)), GSTATE_GP);
	CHECK_EQ(gstate_cr0_check(&lm, CR0_LONG | BIT(63)), GSTATE_GP);
	CHECK_EQ(gstate_cr0_check(&lm, CR0_LONG | GSTATE_CR0_NW), GSTATE_GP);
	CHECK_EQ(gstate_cr0_check(&lm, CR0_LONG & ~GSTATE_CR0_PE), GSTATE_GP);
	CHECK_EQ(gstate_cr0_check(&lm, CR0_LONG & ~GSTATE_CR0_PG), GSTATE_GP);	 /* 64-bit code */
	CHECK_EQ(gstate_cr0_check(&prot, CR0_PE_ET | GSTATE_CR0_PG), GSTATE_GP); /* LME, no PAE */
	prot.cr4 = CR4_PAE;
	CHECK_EQ(gstate_cr0_check(&prot, CR0_PE_ET | GSTATE_CR0_PG), GSTATE_OK);
	lm.cs_long = false;
	lm.cr4 |= GSTATE_CR4_PCIDE;
	CHECK_EQ(gstate_cr0_check(&lm, CR0_LONG & ~GSTATE_CR0_PG), GSTATE_GP);
	lm.cr4 = CR4_PAE | GSTATE_CR4_CET;
	CHECK_EQ(gstate_cr0_check(&lm, CR0_LONG & ~GSTATE_CR0_WP), GSTATE_GP);
}

UTEST(gstate_cr4_writes)
{
	struct gstate_caps caps = caps_qemu64();
	struct gstate lm = long_mode(), prot = {.cr0 = CR0_PE_ET};

	CHECK_EQ(gstate_cr4_check(&lm, &caps, lm.cr4 | BIT(7)), GSTATE_OK); /* PGE */
	CHECK_EQ(gstate_cr4_check(&lm, &caps, lm.cr4 | GSTATE_CR4_VMXE), GSTATE_GP);
	CHECK_EQ(gstate_cr4_check(&lm, &caps, lm.cr4 | GSTATE_CR4_OSXSAVE), GSTATE_GP);
	CHECK_EQ(gstate_cr4_check(&lm, &caps, lm.cr4 | BIT(22)), GSTATE_GP); /* PKE */
	CHECK_EQ(gstate_cr4_check(&lm, &caps, lm.cr4 | BIT(15)), GSTATE_GP); /* reserved */
	CHECK_EQ(gstate_cr4_check(&lm, &caps, lm.cr4 | BIT(32)), GSTATE_GP);
	CHECK_EQ(gstate_cr4_check(&lm, &caps, lm.cr4 | BIT(63)), GSTATE_GP);
	CHECK_EQ(gstate_cr4_check(&lm, &caps, lm.cr4 & ~CR4_PAE), GSTATE_GP);
	CHECK_EQ(gstate_cr4_check(&prot, &caps, 0), GSTATE_OK);
	CHECK_EQ(gstate_cr4_check(&prot, &caps, CR4_PAE), GSTATE_OK);
}

UTEST(gstate_cr4_la57_pcide_cet)
{
	struct gstate_cpuid c = {.l1_edx = BIT(6), .l1_ecx = BIT(17), .l7_ecx = BIT(16) | BIT(7)};
	struct gstate_caps caps;
	struct gstate lm = long_mode(), prot = {.cr0 = CR0_PE_ET};

	gstate_caps_from_cpuid(&c, &caps);
	CHECK_EQ(gstate_cr4_check(&lm, &caps, CR4_PAE | GSTATE_CR4_LA57), GSTATE_GP);
	CHECK_EQ(gstate_cr4_check(&prot, &caps, GSTATE_CR4_LA57), GSTATE_OK);
	lm.cr4 = CR4_PAE;
	CHECK_EQ(gstate_cr4_check(&lm, &caps, CR4_PAE | GSTATE_CR4_PCIDE), GSTATE_OK);
	lm.cr3 = 0x1001;
	CHECK_EQ(gstate_cr4_check(&lm, &caps, CR4_PAE | GSTATE_CR4_PCIDE), GSTATE_GP);
	CHECK_EQ(gstate_cr4_check(&prot, &caps, GSTATE_CR4_PCIDE), GSTATE_GP);
	CHECK_EQ(gstate_cr4_check(&lm, &caps, CR4_PAE | GSTATE_CR4_CET), GSTATE_OK);
	lm.cr0 &= ~GSTATE_CR0_WP;
	CHECK_EQ(gstate_cr4_check(&lm, &caps, CR4_PAE | GSTATE_CR4_CET), GSTATE_GP);
}

UTEST(gstate_efer_writes)
{
	struct gstate_caps caps = caps_qemu64();
	struct gstate lm = long_mode(), prot = {.cr0 = CR0_PE_ET};

	CHECK_EQ(gstate_efer_check(&lm, &caps, EFER_LONG), GSTATE_OK);
	CHECK_EQ(gstate_efer_check(&lm, &caps, EFER_LONG & ~GSTATE_EFER_NXE), GSTATE_OK);
	CHECK_EQ(gstate_efer_check(&lm, &caps, EFER_LONG & ~GSTATE_EFER_LME), GSTATE_GP);
	CHECK_EQ(gstate_efer_check(&lm, &caps, EFER_LONG | BIT(12)), GSTATE_GP); /* SVME */
	CHECK_EQ(gstate_efer_check(&lm, &caps, EFER_LONG | BIT(1)), GSTATE_GP);
	CHECK_EQ(gstate_efer_check(&lm, &caps, EFER_LONG | BIT(63)), GSTATE_GP);
	CHECK_EQ(gstate_efer_check(&prot, &caps, GSTATE_EFER_LME), GSTATE_OK);
	/* LMA is read-only: a write neither sets nor clears it. */
	CHECK_EQ(gstate_efer_value(&lm, EFER_LONG & ~GSTATE_EFER_LMA), EFER_LONG);
	CHECK_EQ(gstate_efer_value(&prot, GSTATE_EFER_LME | GSTATE_EFER_LMA), GSTATE_EFER_LME);
}

UTEST(gstate_xsetbv)
{
	struct gstate_caps caps = caps_qemu64();
	struct gstate_cpuid c = {.l1_ecx = BIT(26), .d_eax = 0x7};
	struct gstate lm = long_mode();

	CHECK_EQ(gstate_xsetbv_check(&lm, &caps, 0, 1), GSTATE_UD); /* XSAVE hidden */
	lm.cr4 |= GSTATE_CR4_OSXSAVE; /* even if the CPU let the guest set OSXSAVE */
	CHECK_EQ(gstate_xsetbv_check(&lm, &caps, 0, 1), GSTATE_UD);
	gstate_caps_from_cpuid(&c, &caps);
	CHECK_EQ(gstate_xsetbv_check(&lm, &caps, 0, 7), GSTATE_OK);
	CHECK_EQ(gstate_xsetbv_check(&lm, &caps, 0, 3), GSTATE_OK);
	CHECK_EQ(gstate_xsetbv_check(&lm, &caps, 0, 2), GSTATE_GP);   /* no x87 */
	CHECK_EQ(gstate_xsetbv_check(&lm, &caps, 0, 5), GSTATE_GP);   /* AVX without SSE */
	CHECK_EQ(gstate_xsetbv_check(&lm, &caps, 0, 0xf), GSTATE_GP); /* not offered */
	CHECK_EQ(gstate_xsetbv_check(&lm, &caps, 1, 3), GSTATE_GP);   /* XCR1 */
	lm.cpl = 3;
	CHECK_EQ(gstate_xsetbv_check(&lm, &caps, 0, 3), GSTATE_GP);
	lm.cr4 &= ~GSTATE_CR4_OSXSAVE;
	CHECK_EQ(gstate_xsetbv_check(&lm, &caps, 0, 3), GSTATE_UD);
}

UTEST(gstate_canonical_and_pat)
{
	CHECK(gstate_canonical(0, 48));
	CHECK(gstate_canonical(0x00007fffffffffffULL, 48));
	CHECK(gstate_canonical(0xffff800000000000ULL, 48));
	CHECK(!gstate_canonical(0x0000800000000000ULL, 48));
	CHECK(!gstate_canonical(0xfff0000000000000ULL, 48));
	CHECK(gstate_canonical(0x00ff800000000000ULL, 57));
	CHECK(!gstate_canonical(0x0100000000000000ULL, 57));
	CHECK(gstate_canonical(0x8000000000000000ULL, 64));
	CHECK(gstate_pat_valid(0x0007040600070406ULL));
	CHECK(gstate_pat_valid(0x0001050406070001ULL));
	CHECK(!gstate_pat_valid(0x0007040600070402ULL));
	CHECK(!gstate_pat_valid(0x0307040600070406ULL));
	CHECK(!gstate_pat_valid(0x0007040600070408ULL));
}
