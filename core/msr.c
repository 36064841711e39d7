// SPDX-License-Identifier: MIT
/* Guest RDMSR/WRMSR: a few MSRs are emulated, unknown ones raise #GP as on hardware. */
#include <arch/cpu.h>
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

/*
 * What the guest finds at MSRs with no state of their own: read as zero and
 * writes ignored (RAZ/WI), or kept per vCPU and read back. Only the vendor's own
 * ranges answer; every other MSR not handled below raises #GP, as on a CPU
 * that lacks it.
 */
enum msr_kind { MSR_RAZ_WI, MSR_KEPT };

struct msr_rule {
	u32 first, last;
	enum cpu_vendor vendor; /* VENDOR_OTHER: both */
	enum msr_kind kind;
	u8 slot; /* MSR_KEPT: index in vcpu->msr_kept */
};

static const struct msr_rule msr_rules[] = {
	/* Machine-check banks and status, microcode revision and update. */
	{0x400, 0x47f, VENDOR_OTHER, MSR_RAZ_WI, 0},
	{0x17, 0x17, VENDOR_OTHER, MSR_RAZ_WI, 0},
	{0x79, 0x79, VENDOR_OTHER, MSR_RAZ_WI, 0},
	{0x8b, 0x8b, VENDOR_OTHER, MSR_RAZ_WI, 0},
	{0x179, 0x17a, VENDOR_OTHER, MSR_RAZ_WI, 0},
	/* Variable and fixed MTRRs: accepted and ignored (the stage-2 tables set the types). */
	{0x200, 0x27f, VENDOR_OTHER, MSR_RAZ_WI, 0},
	/* AMD: the four legacy performance counters and their selects, which every AMD64
	 * CPU has (APM Vol. 2, 13.2): present, counting nothing. */
	{0xc0010000, 0xc0010007, VENDOR_AMD, MSR_RAZ_WI, 0},
	{0xc0010010, 0xc0010010, VENDOR_AMD, MSR_RAZ_WI, 0}, /* SYSCFG: no SME, no MtrrFix */
	{0xc0010015, 0xc0010015, VENDOR_AMD, MSR_KEPT, 0},   /* HWCR */
	{0xc001001f, 0xc001001f, VENDOR_AMD, MSR_RAZ_WI, 0}, /* NB_CFG */
	{0xc0010055, 0xc0010055, VENDOR_AMD, MSR_RAZ_WI, 0}, /* interrupt pending / C1E */
	{0xc0010058, 0xc0010058, VENDOR_AMD, MSR_RAZ_WI, 0}, /* MMIO config base: off */
	{0xc0010140, 0xc0010141, VENDOR_AMD, MSR_RAZ_WI, 0}, /* OS visible workarounds: none */
	{0xc0011020, 0xc0011023, VENDOR_AMD, MSR_RAZ_WI, 0}, /* LS/IC/DC/BU_CFG */
	{0xc0011029, 0xc0011029, VENDOR_AMD, MSR_KEPT, 1},   /* DE_CFG (LFENCE serializing) */
};

static const struct msr_rule *msr_rule(u32 msr)
{
	for (size_t i = 0; i < ARRAY_SIZE(msr_rules); i++) {
		const struct msr_rule *r = &msr_rules[i];

		if (msr >= r->first && msr <= r->last &&
		    (r->vendor == VENDOR_OTHER || r->vendor == cpu_caps.vendor))
			return r;
	}
	return NULL;
}

static bool msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	const struct msr_rule *rule;

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
	rule = msr_rule(msr);
	if (!rule)
		return false;
	*val = rule->kind == MSR_KEPT ? v->msr_kept[rule->slot] : 0;
	return true;
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
	const struct msr_rule *rule;

	switch (msr) {
	case MSR_EFER: return msr_write_efer(v, val);
	case MSR_IA32_PAT: return gstate_pat_valid(val); /* a valid PAT is ignored */
	case MSR_IA32_MTRR_DEF_TYPE:
	case MSR_IA32_MISC_ENABLE: return true; /* accepted and ignored */
	}
	/* Rules come last: PAT (0x277) sits among the MTRRs and is checked above. */
	rule = msr_rule(msr);
	if (!rule)
		return false;
	if (rule->kind == MSR_KEPT)
		v->msr_kept[rule->slot] = val;
	return true;
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
