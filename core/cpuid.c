// SPDX-License-Identifier: MIT
/* The CPUID a guest sees: the host's, minus virtualization and XSAVE, plus Sprout's leaves. */
#include <arch/x86.h>
#include <hv/exit.h>
#include <hv/gstate.h>
#include <hv/hvm.h>
#include <hv/vm.h>

#include "handlers.h"
#include <public/hypercall.h>

#define CPUID1_ECX_DTES64     BIT(2)
#define CPUID1_ECX_MONITOR    BIT(3)
#define CPUID1_ECX_PDCM	      BIT(15)
#define CPUID1_EDX_DS	      BIT(21)
#define CPUIDX1_ECX_PERFCTR   (BIT(23) | BIT(24) | BIT(28))
#define CPUID1_ECX_VMX	      BIT(5)
#define CPUID1_ECX_X2APIC     BIT(21)
#define CPUID1_ECX_XSAVE      BIT(26)
#define CPUID1_ECX_OSXSAVE    BIT(27)
#define CPUID1_ECX_AVX	      BIT(28)
#define CPUID1_ECX_HYPERVISOR BIT(31)
#define CPUIDX1_ECX_SVM	      BIT(2)
#define CPUID7_EBX_AVX_MASK   (BIT(5) | BIT(16) | BIT(17) | BIT(28) | BIT(30) | BIT(31))

/* The feature bits every guest sees, whatever vCPU asks. */
static void cpuid_filter_features(u32 leaf, struct cpuid_regs *r)
{
	switch (leaf) {
	case 1:
		/*
		 * No VMX, no MONITOR/MWAIT, and no XSAVE: guest XCR0 is not
		 * switched, so guests use FXSAVE. x2APIC is offered: its
		 * registers are MSRs, which is how guests start CPUs here.
		 */
		r->ecx &= ~(CPUID1_ECX_VMX | CPUID1_ECX_MONITOR | CPUID1_ECX_XSAVE |
			    CPUID1_ECX_OSXSAVE | CPUID1_ECX_AVX);
		/*
		 * Nothing is offered whose MSRs the VM cannot use: no debug store
		 * (IA32_DS_AREA) and no IA32_PERF_CAPABILITIES.
		 */
		r->ecx &= ~(CPUID1_ECX_DTES64 | CPUID1_ECX_PDCM);
		r->edx &= ~CPUID1_EDX_DS;
		r->ecx |= CPUID1_ECX_HYPERVISOR | CPUID1_ECX_X2APIC;
		break;
	case 7:
		r->ebx &= ~CPUID7_EBX_AVX_MASK;
		r->ecx = 0;
		r->edx = 0;
		break;
	case 0xd: /* XSAVE state enumeration */
	case 0xa: /* performance monitoring */
	case 0xb: /* x2APIC topology */
	case 0x1f: *r = (struct cpuid_regs){0}; break;
	case 0x80000001:
		/* No SVM; no core, northbridge or LLC counter extensions (0xc0010200 up). */
		r->ecx &= ~(CPUIDX1_ECX_SVM | CPUIDX1_ECX_PERFCTR);
		break;
	case 0x8000000a: *r = (struct cpuid_regs){0}; break;
	}
}

static struct cpuid_regs cpuid_guest(u32 leaf, u32 sub)
{
	struct cpuid_regs r = cpuid(leaf, sub);

	cpuid_filter_features(leaf, &r);
	return r;
}

static void cpuid_filter(struct vcpu *v, u32 leaf, struct cpuid_regs *r)
{
	cpuid_filter_features(leaf, r);
	/* Initial APIC ID and logical processor count of this vCPU. */
	if (leaf == 1)
		r->ebx = (r->ebx & 0x0000ffff) | (v->id << 24) | ((u32)v->vm->nr_vcpus << 16);
}

/*
 * The guest may set only the CR4/EFER/XCR0 bits of features its CPUID shows
 * (SDM Vol. 3A, 2.5): a bit the CPU has but the guest was not offered must
 * fault as on a CPU without the feature. Every CPU is assumed identical, so
 * racing first callers compute the same answer.
 */
const struct gstate_caps *cpuid_guest_caps(void)
{
	static struct gstate_caps caps;
	static volatile bool ready;
	struct gstate_cpuid c;
	struct cpuid_regs r;
	u32 max_ext = cpuid(0x80000000, 0).eax;

	if (ready)
		return &caps;
	r = cpuid_guest(1, 0);
	c = (struct gstate_cpuid){.l1_ecx = r.ecx, .l1_edx = r.edx};
	if (cpuid(0, 0).eax >= 7) {
		r = cpuid_guest(7, 0);
		c.l7_ebx = r.ebx, c.l7_ecx = r.ecx, c.l7_edx = r.edx;
	}
	c.d_eax = cpuid_guest(0xd, 0).eax;
	c.x1_edx = max_ext >= 0x80000001 ? cpuid_guest(0x80000001, 0).edx : 0;
	c.x8_eax = max_ext >= 0x80000008 ? cpuid_guest(0x80000008, 0).eax : 0;
	gstate_caps_from_cpuid(&c, &caps);
	ready = true;
	return &caps;
}

enum exit_action handle_cpuid(struct vcpu *v, struct vm_exit *e)
{
	u32 leaf = (u32)v->regs.rax, sub = (u32)v->regs.rcx;
	struct cpuid_regs r;

	if (leaf == SPROUT_CPUID_BASE) {
		r = (struct cpuid_regs){SPROUT_CPUID_VERSION, SPROUT_SIGNATURE_EBX,
					SPROUT_SIGNATURE_ECX, SPROUT_SIGNATURE_EDX};
	} else if (leaf == SPROUT_CPUID_VERSION) {
		r = (struct cpuid_regs){SPROUT_ABI_VERSION, 0, 0, 0};
	} else if (leaf >= 0x40000000 && leaf < 0x40010000) {
		r = (struct cpuid_regs){0};
	} else {
		r = cpuid(leaf, sub);
		cpuid_filter(v, leaf, &r);
	}
	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
	return exit_resume_after(v, e);
}
