// SPDX-License-Identifier: MIT
/* AMD SVM backend: enable SVM, build VMCBs, run guests, decode #VMEXITs. */
#include <arch/cpu.h>
#include <arch/x86.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/percpu.h>
#include <hv/pmm.h>
#include <hv/printk.h>
#include <hv/s2pt.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/vplat.h>

#include "svm.h"

#define IOPM_ORDER  2 /* 12 KiB used of 16 KiB */
#define MSRPM_ORDER 1 /* 8 KiB */

/* PAUSEs before a PAUSE exit: a spin of roughly one slice under Bochs. */
#define SVM_PAUSE_FILTER_COUNT 0xffff

static hpa_t iopm_pa = INVALID_HPA;
static hpa_t msrpm_pa = INVALID_HPA;

static struct svm_vcpu *to_svm(struct vcpu *v)
{
	return v->vendor;
}

/*
 * MSR permission map (APM Vol. 2, 15.11): two bits per MSR (read, write) in
 * three 2 KiB blocks for MSRs 0-1fff, c0000000-c0001fff, c0010000-c0011fff.
 * Everything is intercepted except the state that VMLOAD/VMSAVE switch;
 * writes of the address MSRs among it are checked (svm_addr_msr_write()).
 */
#define MSRPM_READ  1u
#define MSRPM_WRITE 2u

static void msrpm_allow(u8 *pm, u32 msr, unsigned access)
{
	u32 base, bit;

	if (msr < 0x2000)
		base = 0;
	else if (msr - 0xc0000000u < 0x2000)
		base = 0x800, msr -= 0xc0000000u;
	else if (msr - 0xc0010000u < 0x2000)
		base = 0x1000, msr -= 0xc0010000u;
	else
		return;
	bit = msr * 2;
	pm[base + bit / 8] &= (u8) ~(access << (bit % 8));
}

static int svm_setup_maps(void)
{
	static const u32 passthrough[] = {
		MSR_STAR, MSR_SFMASK, 0x174, 0x175, 0x176, /* SYSENTER_* */
	};
	static const u32 read_only[] = {MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_LSTAR,
					MSR_CSTAR};

	if (iopm_pa != INVALID_HPA)
		return 0;
	iopm_pa = pmm_alloc(IOPM_ORDER);
	msrpm_pa = pmm_alloc(MSRPM_ORDER);
	if (iopm_pa == INVALID_HPA || msrpm_pa == INVALID_HPA)
		return -ENOMEM;
	memset((void *)(uintptr_t)iopm_pa, 0xff, PAGE_SIZE << IOPM_ORDER);
	/* The host's PM timer is read directly (include/hv/vplat.h). */
	for (u32 port = vplat_host_pm_timer; vplat_host_pm_timer && port < vplat_host_pm_timer + 4u;
	     port++)
		((u8 *)(uintptr_t)iopm_pa)[port / 8] &= (u8)~BIT(port % 8);
	memset((void *)(uintptr_t)msrpm_pa, 0xff, PAGE_SIZE << MSRPM_ORDER);
	for (size_t i = 0; i < ARRAY_SIZE(passthrough); i++)
		msrpm_allow((u8 *)(uintptr_t)msrpm_pa, passthrough[i], MSRPM_READ | MSRPM_WRITE);
	for (size_t i = 0; i < ARRAY_SIZE(read_only); i++)
		msrpm_allow((u8 *)(uintptr_t)msrpm_pa, read_only[i], MSRPM_READ);
	return 0;
}

static int svm_cpu_enable(void)
{
	struct percpu *cpu = this_cpu();

	if (!cpu_caps.svm || !cpu_caps.npt)
		return -ENODEV;
	if (cpu_caps.svm_disabled_by_bios) {
		pr_err("svm: disabled by firmware (VM_CR.SVMDIS); enable it in the setup menu\n");
		return -ENODEV;
	}
	cpu->svm_hsave = pmm_alloc_zeroed(0);
	cpu->svm_host_vmcb = pmm_alloc_zeroed(0);
	if (cpu->svm_hsave == INVALID_HPA || cpu->svm_host_vmcb == INVALID_HPA)
		return -ENOMEM;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, cpu->svm_hsave);
	/* The host's FS/GS/TR/... as VMLOAD will restore them after every guest run. */
	__asm__ volatile("vmsave %%rax" : : "a"(cpu->svm_host_vmcb) : "memory");
	return svm_setup_maps();
}

_Static_assert(sizeof(struct svm_vcpu) <= VCPU_VENDOR_BYTES, "svm_vcpu fits its vCPU's frame");

static int svm_vcpu_create(struct vcpu *v)
{
	struct svm_vcpu *s = vcpu_vendor_area(v);
	hpa_t page = pmm_alloc_zeroed(0);

	if (page == INVALID_HPA)
		return -ENOMEM;
	*s = (struct svm_vcpu){.vmcb = (struct vmcb *)(uintptr_t)page};
	v->vendor = s;
	return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);

	if (!s)
		return;
	pmm_free((hpa_t)(uintptr_t)s->vmcb, 0);
	s->vmcb = NULL;
	v->vendor = NULL;
}

static void svm_set_intercepts(struct vmcb_control *c)
{
	c->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_SMI |
			     SVM_INTERCEPT_INIT | SVM_INTERCEPT_CPUID | SVM_INTERCEPT_INVD |
			     SVM_INTERCEPT_HLT | SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_IOIO |
			     SVM_INTERCEPT_MSR | SVM_INTERCEPT_TASK_SWITCH | SVM_INTERCEPT_SHUTDOWN;
	/* VMRUN must be intercepted (APM 15.5.1); the rest hide SVM from the guest. */
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
			     SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			     SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_XSETBV;
	/*
	 * QEMU (TCG) accepts some CR0/CR4 values that VMRUN then refuses
	 * (CR0[63:32], for one): check and emulate every write (svm_cr.c).
	 */
	c->intercept_cr = SVM_INTERCEPT_CR_WRITE(0) | SVM_INTERCEPT_CR_WRITE(4);
	/*
	 * A guest spinning with interrupts off is not interrupted by host timer
	 * exits under Bochs 2.7 (as with VMX, see vmx_setup_preemption_timer()).
	 * With a pause filter (APM Vol. 2, 15.14.4) the spin exits after this
	 * many PAUSEs, and the scheduler can end its slice.
	 */
	if (cpu_caps.pause_filter) {
		c->intercept_misc1 |= SVM_INTERCEPT_PAUSE;
		c->pause_filter_count = SVM_PAUSE_FILTER_COUNT;
	}
	/* #MC belongs to the host. */
	c->intercept_exceptions = BIT(18);
}

static void seg_set(struct vmcb_seg *s, u16 sel, u16 attrib, u32 limit)
{
	*s = (struct vmcb_seg){.selector = sel, .attrib = attrib, .limit = limit, .base = 0};
}

static void svm_vcpu_set_boot_state(struct vcpu *v, const struct vcpu_boot *b)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;
	struct vmcb_control *c = &vmcb->control;
	struct vmcb_save *s = &vmcb->save;
	u16 cs = b->cs ? b->cs : 0x08, ds = b->ds ? b->ds : 0x10;

	memset(vmcb, 0, sizeof(*vmcb));
	svm_set_intercepts(c);
	to_svm(v)->nmi_masked = to_svm(v)->nmi_iret = false;
	c->iopm_base_pa = iopm_pa;
	c->msrpm_base_pa = msrpm_pa;
	/* Fewer ASIDs than VMs (QEMU has 16): share them and flush on every VM switch. */
	c->asid = 1 + (v->vm->id % (cpu_caps.nasid > 1 ? cpu_caps.nasid - 1 : 1));
	c->tlb_control = SVM_TLB_FLUSH_ALL;
	/* Physical interrupts stay the host's: they exit, they never reach the guest. */
	c->int_ctl = SVM_INT_CTL_V_INTR_MASKING;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->n_cr3 = v->vm->mem.s2.root;
	c->tsc_offset = (u64)v->tsc_offset; /* INIT leaves the TSC alone */

	/* Flat segments: 32-bit code (G, D), or 64-bit code (G, L) in long mode. */
	seg_set(&s->cs, cs, b->long_mode ? 0xa9b : 0xc9b, 0xffffffff);
	seg_set(&s->ds, ds, 0xc93, 0xffffffff);
	s->es = s->ss = s->fs = s->gs = s->ds;
	seg_set(&s->tr, 0, 0x08b, 0x67);
	seg_set(&s->ldtr, 0, 0x082, 0xffff);
	seg_set(&s->gdtr, 0, 0, b->gdt_limit ? b->gdt_limit : 0xffff);
	s->gdtr.base = b->gdt_base;
	seg_set(&s->idtr, 0, 0, 0xffff);
	s->cr0 = X86_CR0_PE | X86_CR0_ET;
	s->efer = EFER_SVME; /* required by VMRUN; hidden from the guest's reads */
	if (b->long_mode) {
		s->cr0 |= X86_CR0_PG;
		s->cr4 = X86_CR4_PAE;
		s->cr3 = b->cr3;
		s->efer |= EFER_LME | EFER_LMA;
	}
	s->rflags = 0x2;
	s->rip = b->rip;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->g_pat = 0x0007040600070406ULL;
	s->rax = b->eax;
	v->regs.rax = b->eax;
	v->regs.rbx = b->ebx;
	v->regs.rcx = b->ecx;
	v->regs.rdx = b->edx;
	v->regs.rsi = b->esi;
}

/* The state a STARTUP IPI leaves: real mode at vector:0000 (APM Vol. 2, 16.3). */
static void svm_vcpu_set_sipi_state(struct vcpu *v, u8 vector)
{
	struct vmcb_save *s = &to_svm(v)->vmcb->save;

	svm_vcpu_set_boot_state(v, &(struct vcpu_boot){0});
	seg_set(&s->ds, 0, 0x093, 0xffff);
	s->es = s->ss = s->fs = s->gs = s->ds;
	seg_set(&s->cs, (u16)(vector << 8), 0x09b, 0xffff);
	s->cs.base = (u64)vector << 12;
	s->cr0 = X86_CR0_ET;
	s->rip = 0;
}

static void svm_decode_npf(struct vmcb_control *c, struct vm_exit *e)
{
	e->reason = EXIT_S2_FAULT;
	e->s2.gpa = c->exit_info2;
	e->s2.present = c->exit_info1 & SVM_NPF_PRESENT;
	e->s2.access = c->exit_info1 & SVM_NPF_FETCH   ? S2_ACCESS_EXEC
		       : c->exit_info1 & SVM_NPF_WRITE ? S2_ACCESS_WRITE
						       : S2_ACCESS_READ;
}

static void svm_decode_io(struct vmcb_control *c, struct vm_exit *e)
{
	u64 info = c->exit_info1;

	e->reason = EXIT_IO;
	e->io.port = (u16)(info >> SVM_IOIO_PORT_SHIFT);
	e->io.size = (u8)((info >> SVM_IOIO_SIZE_SHIFT) & 7); /* SZ8/16/32 one-hot: 1, 2, 4 */
	e->io.in = info & SVM_IOIO_IN;
	e->io.string = info & SVM_IOIO_STR;
	e->io.rep = info & SVM_IOIO_REP;
	/* EXITINFO2 holds the next RIP for IOIO exits, with or without NRIP-save. */
	e->insn_len = (u32)(c->exit_info2 - e->rip);
}

static const char *svm_virt_insn_name(u64 code)
{
	switch (code) {
	case SVM_EXIT_VMRUN: return "VMRUN";
	case SVM_EXIT_VMLOAD: return "VMLOAD";
	case SVM_EXIT_VMSAVE: return "VMSAVE";
	case SVM_EXIT_STGI: return "STGI";
	case SVM_EXIT_CLGI: return "CLGI";
	case SVM_EXIT_SKINIT: return "SKINIT";
	case SVM_EXIT_INVLPGA: return "INVLPGA";
	default: return NULL;
	}
}

/* What a shutdown leaves to go on: the event injected last, the tables and segments it used. */
static void svm_report_shutdown(struct vcpu *v)
{
	const struct svm_vcpu *s = to_svm(v);
	const struct vmcb_save *g = &s->vmcb->save;

	pr_err("vm %s: vCPU %u: shutdown: injected 0x%llx exitintinfo 0x%llx cpl %u cs %04x/%03x "
	       "ss %04x/%03x idtr 0x%llx/0x%x gdtr 0x%llx/0x%x\n",
	       v->vm->cfg.name, v->id, s->injected, s->vmcb->control.exit_int_info, g->cpl,
	       g->cs.selector, g->cs.attrib, g->ss.selector, g->ss.attrib, g->idtr.base,
	       g->idtr.limit, g->gdtr.base, g->gdtr.limit);
	pr_err("vm %s: shutdown: cr2 0x%llx rsp 0x%llx\n", v->vm->cfg.name, g->cr2, g->rsp);
	vcpu_dump_walk(v, g->rsp);
	vcpu_dump_walk(v, g->cr2);
	vcpu_dump_walk(v, g->rip);
}

/* Who made a VMMCALL: CPL, RFLAGS (its VM flag) and 64-bit mode. */
static void svm_decode_caller(const struct vmcb *vmcb, struct vm_exit *e)
{
	e->hc.cpl = vmcb->save.cpl;
	e->hc.rflags = vmcb->save.rflags;
	e->hc.wide = (vmcb->save.efer & EFER_LMA) && (vmcb->save.cs.attrib & SVM_SEG_L);
}

/*
 * Called by svm_vmrun() after each #VMEXIT: a CPUID, VMMCALL, x2APIC EOI or
 * LAPIC timer write answered by exit_hot(), RIP stepped over it, for svm_vmrun() to run the guest again
 * at once. Only with NRIP-save, which gives the length: without it the core
 * decodes the instruction, and that is the common path's work. None of
 * these instructions exits during event delivery (EXITINTINFO is empty, nothing is
 * to be injected again); the guest must not have moved its TPR (V_TPR), and
 * the exit must have saved the guest's state (svm_saved_host_state()).
 */
bool svm_exit_hot(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vmcb = s->vmcb;
	struct vmcb_control *c = &vmcb->control;
	struct vm_exit e;

	if (c->exit_code == SVM_EXIT_CPUID)
		e.reason = EXIT_CPUID;
	else if (c->exit_code == SVM_EXIT_VMMCALL)
		e.reason = EXIT_HYPERCALL, svm_decode_caller(vmcb, &e);
	else if (c->exit_code == SVM_EXIT_MSR && c->exit_info1 == 1 &&
		 vlapic_msr_write_hot((u32)v->regs.rcx))
		e.reason = EXIT_MSR_WRITE, e.msr.index = (u32)v->regs.rcx;
	else
		return false;
	if (!cpu_caps.nrips || c->next_rip <= vmcb->save.rip || s->flush_pending ||
	    (c->exit_int_info & SVM_EVENTINJ_VALID) ||
	    (c->int_ctl & SVM_INT_CTL_V_TPR) != s->vtpr ||
	    vmcb->save.rip == (u64)(uintptr_t)svm_vmrun_resume)
		return false;
	e.vendor_code = c->exit_code;
	e.rip = vmcb->save.rip;
	e.insn_len = (u32)(c->next_rip - e.rip);
	v->regs.rax = vmcb->save.rax;
	if (!exit_hot(v, &e))
		return false;
	vmcb->save.rax = v->regs.rax;
	vmcb->save.rip = c->next_rip;
	c->int_state &= ~SVM_INT_STATE_SHADOW;
	c->tlb_control = 0;
	c->event_inj = 0;
	s->injected = 0;
	return true;
}

static void svm_decode(struct vcpu *v, struct vm_exit *e)
{
	struct vmcb *vmcb = to_svm(v)->vmcb;
	struct vmcb_control *c = &vmcb->control;
	u64 code = c->exit_code;

	*e = (struct vm_exit){.vendor_code = code, .rip = vmcb->save.rip};
	/* With NRIP-save the CPU tells the length; QEMU TCG does not, the core decodes. */
	if (cpu_caps.nrips && c->next_rip > e->rip)
		e->insn_len = (u32)(c->next_rip - e->rip);

	if ((u32)code == SVM_EXIT_INVALID) {
		e->reason = EXIT_INVALID;
		return;
	}
	if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
		e->reason = EXIT_EXCEPTION;
		e->exc.vector = (u8)(code - SVM_EXIT_EXCP_BASE);
		e->exc.error = (u32)c->exit_info1;
		e->exc.cr2 = c->exit_info2;
		return;
	}
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI: e->reason = EXIT_EXTINT; break;
	case SVM_EXIT_INIT: e->reason = EXIT_INIT_SIPI; break;
	case SVM_EXIT_VINTR:
		/* The window asked for by svm_set_windows() is open: inject at entry. */
		c->int_ctl &= ~SVM_INT_CTL_V_IRQ;
		c->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
		e->reason = EXIT_NONE;
		break;
	case SVM_EXIT_IRET:
		/* The NMI handler returns: NMIs open once the IRET has run. */
		to_svm(v)->nmi_iret = true;
		to_svm(v)->nmi_iret_rip = vmcb->save.rip;
		c->intercept_misc1 &= ~SVM_INTERCEPT_IRET;
		e->reason = EXIT_NONE;
		break;
	case SVM_EXIT_CPUID: e->reason = EXIT_CPUID; break;
	case SVM_EXIT_HLT: e->reason = EXIT_HLT; break;
	case SVM_EXIT_PAUSE: e->reason = EXIT_PAUSE; break;
	case SVM_EXIT_XSETBV: e->reason = EXIT_XSETBV; break;
	case SVM_EXIT_VMMCALL:
		e->reason = EXIT_HYPERCALL;
		svm_decode_caller(vmcb, e);
		break;
	case SVM_EXIT_SHUTDOWN:
		e->reason = EXIT_SHUTDOWN;
		svm_report_shutdown(v);
		break;
	case SVM_EXIT_IOIO: svm_decode_io(c, e); break;
	case SVM_EXIT_NPF: svm_decode_npf(c, e); break;
	case SVM_EXIT_WRITE_CR0:
	case SVM_EXIT_WRITE_CR4: e->reason = svm_cr_write(v, e, (unsigned)(code & 15)); break;
	case SVM_EXIT_MSR:
		e->reason = c->exit_info1 ? EXIT_MSR_WRITE : EXIT_MSR_READ;
		e->msr.index = (u32)v->regs.rcx;
		if (e->reason == EXIT_MSR_WRITE)
			e->reason = svm_addr_msr_write(v, e);
		break;
	default:
		e->insn.name = svm_virt_insn_name(code);
		e->reason = e->insn.name ? EXIT_VIRT_INSN : EXIT_UNKNOWN;
		if (!e->insn.name)
			e->raw.info = c->exit_info1;
	}
}

/*
 * Called by svm_entry.S, GIF clear, on a stack whose frame is gone: find this
 * CPU's per-CPU area by its host save area (GS may hold anything), then stop.
 */
__noreturn void svm_exit_without_vmrun(void);
__noreturn void svm_exit_without_vmrun(void)
{
	hpa_t hsave = rdmsr(MSR_VM_HSAVE_PA);
	u32 cpu = 0;

	while (cpu < MAX_CPUS && percpu[cpu].svm_hsave != hsave)
		cpu++;
	if (cpu < MAX_CPUS)
		wrmsr(MSR_GS_BASE, (u64)(uintptr_t)&percpu[cpu]);
	panic("svm: CPU %d: a #VMEXIT with no VMRUN outstanding (the CPU resumed at the "
	      "host's return point of an earlier VMRUN, whose stack frame is gone); the CPU "
	      "is at fault, not the guest",
	      cpu < MAX_CPUS ? (int)cpu : -1);
}

/*
 * The guest state a #VMEXIT saved is the host's own (its RIP is the
 * instruction after VMRUN, its CR3 the host's). Seen only under QEMU's
 * multi-threaded TCG, whose cpu_clear_ignne() can undo CPU 0's clearing of
 * its nested-paging flag at a #VMEXIT: the host's next nested fault is then a
 * #VMEXIT taken in host mode (docs/design.md, "Reliability and security").
 * Running that state as the guest's can only crash the VM; say so instead.
 */
static bool svm_saved_host_state(const struct vmcb *vmcb)
{
	return vmcb->save.rip == (u64)(uintptr_t)svm_vmrun_resume && vmcb->save.cr3 == read_cr3();
}

static void svm_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vmcb = s->vmcb;
	struct percpu *cpu = this_cpu();
	bool host_state;

	/*
	 * Flush this CPU's guest TLB entries when the stage-2 map lost entries,
	 * when v arrives from another CPU (this one may hold stale entries of its
	 * ASID), or when ASIDs are shared and another VM ran here last. Without
	 * flush-by-ASID (QEMU TCG) flushing everything is the only choice.
	 */
	if (s->flush_pending || v->last_cpu != (s32)cpu->cpu_id ||
	    (cpu_caps.nasid <= VM_MAX && cpu->svm_last_vm != v->vm)) {
		vmcb->control.tlb_control = SVM_TLB_FLUSH_ALL;
		s->flush_pending = false;
	}
	cpu->svm_last_vm = v->vm;
	/*
	 * With V_INTR_MASKING the guest's CR8 is V_TPR (APM Vol. 2, 15.21.1):
	 * show it the vlapic's TPR, take back what it wrote. Only this vCPU
	 * writes its TPR, so the read needs no lock.
	 */
	s->vtpr = (u8)((v->lapic.tpr >> 4) & 0xf);
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~SVM_INT_CTL_V_TPR) | s->vtpr;
	vmcb->save.rax = v->regs.rax;
	s->injected = vmcb->control.event_inj;
	/* Exits answered in place (svm_exit_hot()) do not come back here. */
	svm_vmrun((hpa_t)(uintptr_t)vmcb, &v->regs, cpu->svm_host_vmcb, v);
	v->regs.rax = vmcb->save.rax;
	vmcb->control.tlb_control = 0;
	host_state = svm_saved_host_state(vmcb);
	if (host_state)
		pr_err("vm %s: vCPU %u: the #VMEXIT on CPU %u saved the host's state as the "
		       "guest's (exit 0x%llx); the guest's own state is lost\n",
		       v->vm->cfg.name, v->id, cpu->cpu_id, vmcb->control.exit_code);
	if ((vmcb->control.int_ctl & SVM_INT_CTL_V_TPR) != s->vtpr)
		vdev_lapic_set_cr8(v, vmcb->control.int_ctl & SVM_INT_CTL_V_TPR);
	/*
	 * An event whose delivery was cut short by the exit (a guest exception
	 * whose IDT or stack page was not backed yet) must be delivered again
	 * (APM Vol. 2, 15.7.2). EXITINTINFO has the EVENTINJ layout.
	 */
	vmcb->control.event_inj = (vmcb->control.exit_int_info & SVM_EVENTINJ_VALID)
					  ? vmcb->control.exit_int_info
					  : 0;
	svm_decode(v, e);
	if (host_state)
		e->reason = EXIT_SHUTDOWN; /* stop it: that state cannot run as the guest */
}

static u64 svm_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	struct vmcb_save *s = &to_svm(v)->vmcb->save;

	switch (r) {
	case VCPU_REG_RIP: return s->rip;
	case VCPU_REG_RSP: return s->rsp;
	case VCPU_REG_RFLAGS: return s->rflags;
	case VCPU_REG_CR0: return s->cr0;
	case VCPU_REG_CR3: return s->cr3;
	case VCPU_REG_CR4: return s->cr4;
	case VCPU_REG_EFER: return s->efer & ~EFER_SVME;
	case VCPU_REG_CS_BASE: return s->cs.base;
	case VCPU_REG_CPL: return s->cpl;
	case VCPU_REG_MODE64: return (s->efer & EFER_LMA) && (s->cs.attrib & SVM_SEG_L);
	case VCPU_REG_CS_LONG: return !!(s->cs.attrib & SVM_SEG_L);
	default: return 0;
	}
}

static void svm_set_reg(struct vcpu *v, enum vcpu_reg r, u64 val)
{
	struct vmcb_save *s = &to_svm(v)->vmcb->save;

	switch (r) {
	case VCPU_REG_RIP:
		/*
		 * RIP moves past an instruction Sprout emulated (HLT, I/O, ...):
		 * the shadow of an STI or MOV SS before it ends there, as on
		 * hardware (VMX clears it in vmx_skip_insn()). Left set, it would
		 * hold off the interrupt `sti; hlt` waits for.
		 */
		s->rip = val;
		to_svm(v)->vmcb->control.int_state &= ~SVM_INT_STATE_SHADOW;
		break;
	case VCPU_REG_RSP: s->rsp = val; break;
	case VCPU_REG_RFLAGS: s->rflags = val | 0x2; break;
	case VCPU_REG_CR0: s->cr0 = val; break;
	case VCPU_REG_CR3: s->cr3 = val; break;
	case VCPU_REG_CR4: s->cr4 = val; break;
	case VCPU_REG_EFER: s->efer = val | EFER_SVME; break;
	default: break;
	}
}

static void svm_inject_event(struct vcpu *v, u8 vector, enum event_type type, bool has_error,
			     u32 error)
{
	u64 ev = vector | ((u64)type << 8) | SVM_EVENTINJ_VALID;

	/* Real mode pushes no error code (APM Vol. 2, 8.4): do not ask for one. */
	if (!(to_svm(v)->vmcb->save.cr0 & X86_CR0_PE))
		has_error = false;
	if (has_error)
		ev |= SVM_EVENTINJ_ERR_VALID | ((u64)error << 32);
	to_svm(v)->vmcb->control.event_inj = ev;
	if (type == EVENT_NMI) {
		to_svm(v)->nmi_masked = true;
		to_svm(v)->nmi_iret = false;
		to_svm(v)->vmcb->control.intercept_misc1 |= SVM_INTERCEPT_IRET;
	}
}

static bool svm_event_queued(const struct vmcb *vmcb)
{
	return vmcb->control.event_inj & SVM_EVENTINJ_VALID;
}

static bool svm_irq_allowed(struct vcpu *v)
{
	const struct vmcb *vmcb = to_svm(v)->vmcb;

	return (vmcb->save.rflags & X86_RFLAGS_IF) &&
	       !(vmcb->control.int_state & SVM_INT_STATE_SHADOW) && !svm_event_queued(vmcb);
}

static bool svm_nmi_allowed(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);

	if (s->nmi_masked && s->nmi_iret && s->vmcb->save.rip != s->nmi_iret_rip)
		s->nmi_masked = s->nmi_iret = false;
	return !s->nmi_masked && !(s->vmcb->control.int_state & SVM_INT_STATE_SHADOW) &&
	       !svm_event_queued(s->vmcb);
}

/*
 * An interrupt window is a virtual interrupt the guest cannot see (V_IRQ with
 * the highest priority, TPR ignored) and an intercept of its delivery: the
 * guest exits with VINTR as soon as RFLAGS.IF and the shadow allow an
 * interrupt (APM Vol. 2, 15.21.4). An NMI window is the IRET of the NMI
 * handler, intercepted from the injection on (svm_inject_event()).
 */
static void svm_set_windows(struct vcpu *v, bool irq, bool nmi)
{
	struct vmcb_control *c = &to_svm(v)->vmcb->control;

	(void)nmi;
	if (irq) {
		c->int_ctl |=
			SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_INTR_PRIO(0xf) | SVM_INT_CTL_V_IGN_TPR;
		c->intercept_misc1 |= SVM_INTERCEPT_VINTR;
	} else {
		c->int_ctl &=
			~(SVM_INT_CTL_V_IRQ | SVM_INT_CTL_V_INTR_PRIO(0xf) | SVM_INT_CTL_V_IGN_TPR);
		c->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
	}
}

static void svm_set_tsc_offset(struct vcpu *v, s64 offset)
{
	to_svm(v)->vmcb->control.tsc_offset = (u64)offset;
}

static void svm_s2_flush(struct vcpu *v)
{
	to_svm(v)->flush_pending = true;
}

const struct hvm_ops svm_ops = {
	.name = "svm",
	.s2_format = &npt_format,
	.vcpu_bytes = PAGE_SIZE,
	.cpu_enable = svm_cpu_enable,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_set_boot_state = svm_vcpu_set_boot_state,
	.vcpu_set_sipi_state = svm_vcpu_set_sipi_state,
	.vcpu_run = svm_vcpu_run,
	.get_reg = svm_get_reg,
	.set_reg = svm_set_reg,
	.inject_event = svm_inject_event,
	.irq_allowed = svm_irq_allowed,
	.nmi_allowed = svm_nmi_allowed,
	.set_windows = svm_set_windows,
	.set_tsc_offset = svm_set_tsc_offset,
	.s2_flush = svm_s2_flush,
	.crash_test_stray_exit = svm_stray_exit_test,
};
