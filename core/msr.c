// SPDX-License-Identifier: MIT
/* Guest RDMSR/WRMSR: a few MSRs are emulated, unknown ones raise #GP as on hardware. */
#include <arch/x86.h>
#include <hv/exit.h>
#include <hv/gstate.h>
#include <hv/hvm.h>
#include <hv/printk.h>
#include <hv/vdev.h>
#include <hv/vm.h>

#include "handlers.h"

#define MSR_IA32_TSC	       0x10
#define MSR_IA32_MTRRCAP       0xfe
#define MSR_IA32_MISC_ENABLE   0x1a0
#define MSR_IA32_MTRR_DEF_TYPE 0x2ff
#define MSR_X2APIC_FIRST       0x800
#define MSR_X2APIC_LAST	       0x8ff

static bool msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_EFER: *val = hvm->get_reg(v, VCPU_REG_EFER); return true;
	case MSR_IA32_TSC: *val = rdtsc(); return true;
	case MSR_IA32_PAT: *val = 0x0007040600070406ULL; return true;
	case MSR_IA32_MTRRCAP:
	case MSR_IA32_MTRR_DEF_TYPE:
	case MSR_IA32_MISC_ENABLE: *val = 0; return true;
	case MSR_IA32_FEATURE_CONTROL:
		*val = BIT(0); /* locked, VMX off: what a guest without VMX expects */
		return true;
	}
	/* Machine-check and microcode status registers read as zero. */
	if ((msr >= 0x400 && msr < 0x480) || msr == 0x17 || msr == 0x8b || msr == 0x179 ||
	    msr == 0x17a) {
		*val = 0;
		return true;
	}
	return false;
}

/*
 * The guest may switch long mode, SYSCALL and NX as its CPUID offers them,
 * never turn virtualization on, and never leave an EFER that VM entry
 * refuses (APM Vol. 2, 15.5.1; SDM Vol. 3C, 27.3.1.1): refuse with #GP.
 */
static bool msr_write_efer(struct vcpu *v, u64 val)
{
	struct gstate s;

	vcpu_gstate(v, &s);
	if (gstate_efer_check(&s, cpuid_guest_caps(), val) != GSTATE_OK)
		return false;
	hvm->set_reg(v, VCPU_REG_EFER, gstate_efer_value(&s, val));
	return true;
}

static bool msr_write(struct vcpu *v, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_EFER: return msr_write_efer(v, val);
	case MSR_IA32_PAT: return gstate_pat_valid(val); /* a valid PAT is ignored */
	case MSR_IA32_MTRR_DEF_TYPE:
	case MSR_IA32_MISC_ENABLE: return true; /* accepted and ignored */
	}
	if ((msr >= 0x200 && msr < 0x280) || msr == 0x8b || msr == 0x79)
		return true; /* variable/fixed MTRRs, microcode update: ignored */
	return false;
}

enum exit_action handle_msr(struct vcpu *v, struct vm_exit *e)
{
	u32 msr = e->msr.index;
	u64 val = (v->regs.rdx << 32) | (u32)v->regs.rax;
	bool write = e->reason == EXIT_MSR_WRITE;
	bool fault = false, ok;

	/* The local APIC's MSRs: IA32_APIC_BASE, x2APIC 0x800-0x8ff, TSC deadline. */
	if (vdev_lapic_msr(v, msr, write, &val, &fault))
		ok = !fault;
	else
		ok = write ? msr_write(v, msr, val) : msr_read(v, msr, &val);

	if (!ok) {
		pr_info("vm %s: %s of MSR 0x%x refused at rip 0x%llx: #GP injected\n",
			v->vm->cfg.name, write ? "write" : "read", msr, e->rip);
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	if (!write) {
		v->regs.rax = (u32)val;
		v->regs.rdx = val >> 32;
	}
	return exit_resume_after(v, e);
}

void msr_vcpu_init(struct vcpu *v)
{
	vdev_lapic_init(v);
}
