// SPDX-License-Identifier: MIT
/* The CPUID a guest sees: the host's, minus virtualization and XSAVE, plus Sprout's leaves. */
#include <arch/x86.h>
#include <hv/exit.h>
#include <hv/hvm.h>
#include <hv/vm.h>

#include "handlers.h"
#include <public/hypercall.h>

#define CPUID1_ECX_MONITOR    BIT(3)
#define CPUID1_ECX_VMX	      BIT(5)
#define CPUID1_ECX_X2APIC     BIT(21)
#define CPUID1_ECX_XSAVE      BIT(26)
#define CPUID1_ECX_OSXSAVE    BIT(27)
#define CPUID1_ECX_AVX	      BIT(28)
#define CPUID1_ECX_HYPERVISOR BIT(31)
#define CPUIDX1_ECX_SVM	      BIT(2)
#define CPUID7_EBX_AVX_MASK   (BIT(5) | BIT(16) | BIT(17) | BIT(28) | BIT(30) | BIT(31))

static void cpuid_filter(struct vcpu *v, u32 leaf, struct cpuid_regs *r)
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
		r->ecx |= CPUID1_ECX_HYPERVISOR | CPUID1_ECX_X2APIC;
		/* Initial APIC ID and logical processor count of this vCPU. */
		r->ebx = (r->ebx & 0x0000ffff) | (v->id << 24) | ((u32)v->vm->nr_vcpus << 16);
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
	case 0x80000001: r->ecx &= ~CPUIDX1_ECX_SVM; break;
	case 0x8000000a: *r = (struct cpuid_regs){0}; break;
	}
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
