// SPDX-License-Identifier: MIT
/* SVM: emulation of intercepted CR0/CR4 and address-MSR writes, checked as hardware would. */
#include <arch/x86.h>
#include <hv/exit.h>
#include <hv/gstate.h>
#include <hv/hvm.h>
#include <hv/insn.h>
#include <hv/vm.h>

#include "svm.h"

#define CR0_LMSW_BITS 0xfULL /* PE, MP, EM, TS (SDM Vol. 2A, "LMSW") */

/* Source register n of the write; RSP lives in the VMCB. */
static u64 svm_read_gpr(struct vcpu *v, unsigned n, bool long64)
{
	struct vmcb_save *s = &((struct svm_vcpu *)v->vendor)->vmcb->save;
	u64 val = n == 4 ? s->rsp : *vcpu_gpr(v, n);

	return long64 ? val : (u32)val; /* outside 64-bit mode the operand is 32-bit */
}

/* The value the instruction asks to load. LMSW cannot clear PE. */
static u64 svm_cr_value(struct vcpu *v, const struct insn_cr_write *w, u64 cr0, bool long64)
{
	switch (w->op) {
	case INSN_CLTS: return cr0 & ~(u64)X86_CR0_TS;
	case INSN_LMSW:
		return (cr0 & ~CR0_LMSW_BITS) | (svm_read_gpr(v, w->gpr, false) & CR0_LMSW_BITS) |
		       (cr0 & X86_CR0_PE);
	default: return svm_read_gpr(v, w->gpr, long64);
	}
}

/*
 * Load a checked value. With CR0 goes EFER.LMA, which the CPU sets as LME &&
 * PG when paging turns on (APM Vol. 2, 14.6.1 "Activating Long Mode"); ET is
 * fixed to 1 on every CPU with long mode. A MOV to CR0/CR4 that changes
 * paging bits flushes the TLB: flush this guest's entries before it runs.
 */
static void svm_load_cr(struct vcpu *v, unsigned cr, u64 val)
{
	struct svm_vcpu *sv = v->vendor;
	struct vmcb_save *s = &sv->vmcb->save;

	if (cr == 0) {
		s->cr0 = val | X86_CR0_ET;
		if ((s->efer & EFER_LME) && (val & X86_CR0_PG))
			s->efer |= EFER_LMA;
		else
			s->efer &= ~(u64)EFER_LMA;
	} else {
		s->cr4 = val;
	}
	sv->flush_pending = true;
}

/*
 * Without decode assists (QEMU TCG, Bochs) the exit says only which CR was
 * written: decode the instruction at RIP for the source. The checks are the
 * architectural ones (core/gstate.c) against the guest's CPUID, which also
 * keeps every value inside what VMRUN accepts (APM Vol. 2, 15.5.1).
 */
enum exit_reason svm_cr_write(struct vcpu *v, struct vm_exit *e, unsigned cr)
{
	struct vmcb_save *s = &((struct svm_vcpu *)v->vendor)->vmcb->save;
	struct insn_cr_write w;
	struct gstate gs;
	u8 code[15];
	u32 n, len;
	bool long64;
	u64 val;
	int fault;

	vcpu_gstate(v, &gs);
	long64 = (gs.efer & EFER_LMA) && gs.cs_long;
	n = vcpu_fetch_insn(v, code, sizeof(code));
	len = insn_decode_cr_write(code, n, long64, &w);
	if (!len || w.cr != cr) {
		e->raw.info = cr;
		return EXIT_UNKNOWN;
	}
	val = svm_cr_value(v, &w, gs.cr0, long64);
	fault = cr == 0 ? gstate_cr0_check(&gs, val)
			: gstate_cr4_check(&gs, cpuid_guest_caps(), val);
	if (fault != GSTATE_OK) {
		vcpu_inject_fault(v, fault);
		return EXIT_NONE;
	}
	svm_load_cr(v, cr, val);
	s->rip += len;
	return EXIT_NONE;
}

static bool svm_is_addr_msr(u32 msr)
{
	return msr == MSR_FS_BASE || msr == MSR_GS_BASE || msr == MSR_KERNEL_GS_BASE ||
	       msr == MSR_LSTAR || msr == MSR_CSTAR;
}

/* Store an address MSR in its VMCB field, for VMLOAD to load at the next entry. */
static void svm_set_addr_msr(struct vmcb_save *s, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_FS_BASE: s->fs.base = val; break;
	case MSR_GS_BASE: s->gs.base = val; break;
	case MSR_KERNEL_GS_BASE: s->kernel_gs_base = val; break;
	case MSR_LSTAR: s->lstar = val; break;
	case MSR_CSTAR: s->cstar = val; break;
	}
}

/*
 * WRMSR of a non-canonical address to FS_BASE, GS_BASE, KERNEL_GS_BASE,
 * LSTAR or CSTAR raises #GP (APM Vol. 2, 4.5.3 and 6.1.1; SDM Vol. 4,
 * Table 2-2). QEMU (TCG) does not check, so Sprout intercepts these writes
 * (reads pass through) and checks them here.
 */
enum exit_reason svm_addr_msr_write(struct vcpu *v, struct vm_exit *e)
{
	struct vmcb_save *s = &((struct svm_vcpu *)v->vendor)->vmcb->save;
	u64 val = (v->regs.rdx << 32) | (u32)v->regs.rax;

	if (!svm_is_addr_msr(e->msr.index))
		return EXIT_MSR_WRITE;
	if (!gstate_canonical(val, cpuid_guest_caps()->vaddr_bits)) {
		vcpu_inject_gp(v);
		return EXIT_NONE;
	}
	svm_set_addr_msr(s, e->msr.index, val);
	return vcpu_skip_insn(v, e) ? EXIT_MSR_WRITE : EXIT_NONE;
}
