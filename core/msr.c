// SPDX-License-Identifier: MIT
/* Guest RDMSR/WRMSR as core/msr_policy.c decides; the hardware reads happen here. */
#include <arch/cpu.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/exit.h>
#include <hv/gstate.h>
#include <hv/hvm.h>
#include <hv/msr_policy.h>
#include <hv/printk.h>
#include <hv/vdev.h>
#include <hv/vm.h>

#include "handlers.h"

static u64 msr_read_emulated(struct vcpu *v, u32 msr)
{
	switch (msr) {
	case MSR_EFER: return hvm->get_reg(v, VCPU_REG_EFER);
	case MSR_IA32_PAT: return 0x0007040600070406ULL; /* the reset value */
	case MSR_IA32_PLATFORM_INFO: return msr_platform_info(tsc_khz);
	case MSR_IA32_TSC: return vcpu_guest_tsc(v);
	}
	return 0;
}

/* RDMSR by the table; false: #GP. */
static bool msr_read(struct vcpu *v, const struct msr_row *r, u32 msr, u64 *val)
{
	switch (r ? r->treat : MSR_GP) {
	case MSR_RAZ_WI: *val = 0; return true;
	case MSR_CONST_RO:
	case MSR_CONST_WI: *val = r->value; return true;
	case MSR_KEPT: *val = v->msr_kept[r->slot]; return true;
	case MSR_HOST_RO: *val = rdmsr(msr); return true;
	case MSR_EMULATED: *val = msr_read_emulated(v, msr); return true;
	default: return false;
	}
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

/* WRMSR by the table; false: #GP. */
static bool msr_write(struct vcpu *v, const struct msr_row *r, u32 msr, u64 val)
{
	switch (r ? r->treat : MSR_GP) {
	case MSR_RAZ_WI:
	case MSR_CONST_WI: return true;
	case MSR_KEPT: v->msr_kept[r->slot] = val; return true;
	case MSR_EMULATED:
		if (msr == MSR_EFER)
			return msr_write_efer(v, val);
		if (msr == MSR_IA32_TSC) {
			vcpu_write_tsc(v, val);
			return true;
		}
		return msr == MSR_IA32_PAT && gstate_pat_valid(val); /* a valid PAT is ignored */
	default: return false;
	}
}

enum exit_action handle_msr(struct vcpu *v, struct vm_exit *e)
{
	u32 msr = e->msr.index;
	u64 val = (v->regs.rdx << 32) | (u32)v->regs.rax;
	bool write = e->reason == EXIT_MSR_WRITE;
	const struct msr_row *r = msr_policy_lookup(msr, cpu_caps.vendor);
	bool fault = false, ok;

	if (r && r->treat == MSR_LAPIC)
		ok = vdev_lapic_msr(v, msr, write, &val, &fault) && !fault;
	else
		ok = write ? msr_write(v, r, msr, val) : msr_read(v, r, msr, &val);

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
