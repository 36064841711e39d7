// SPDX-License-Identifier: MIT
/* VMX exit decode, the guest register and CR emulation it needs, and failure reports. */
#include <arch/x86.h>
#include <hv/exit.h>
#include <hv/gstate.h>
#include <hv/hvm.h>
#include <hv/printk.h>
#include <hv/vm.h>

#include "vmx.h"

/* Exits caused by an instruction, for which VM_EXIT_INSTRUCTION_LEN is valid (28.2.5). */
#define VMX_INSN_EXITS                                                                             \
	(BIT(10) | BIT(11) | BIT(12) | BIT(13) | BIT(14) | BIT(15) | BIT(16) | BIT(18) | BIT(19) | \
	 BIT(20) | BIT(21) | BIT(22) | BIT(23) | BIT(24) | BIT(25) | BIT(26) | BIT(27) | BIT(28) | \
	 BIT(29) | BIT(30) | BIT(31) | BIT(32) | BIT(36) | BIT(39) | BIT(40) | BIT(50) | BIT(51) | \
	 BIT(53) | BIT(54) | BIT(55) | BIT(57) | BIT(58) | BIT(59) | BIT(61) | BIT(63))

/* Exit qualification of an I/O instruction (SDM Vol. 3C, 28.2.1, Table 28-5). */
#define IO_QUAL_SIZE(q) ((u8)(((q)&7) + 1)) /* 0, 1, 3: 1, 2, 4 bytes */
#define IO_QUAL_IN	BIT(3)
#define IO_QUAL_STRING	BIT(4)
#define IO_QUAL_REP	BIT(5)
#define IO_QUAL_PORT(q) ((u16)((q) >> 16))

/* Exit qualification of a control-register access (Table 28-3). */
#define CR_QUAL_CR(q)	((unsigned)(q)&15)
#define CR_QUAL_TYPE(q) (((unsigned)(q) >> 4) & 3)
#define CR_QUAL_GPR(q)	(((unsigned)(q) >> 8) & 15)
#define CR_MOV_TO	0
#define CR_MOV_FROM	1

/* Exit qualification of an EPT violation (Table 28-7). */
#define EPT_QUAL_READ	 BIT(0)
#define EPT_QUAL_WRITE	 BIT(1)
#define EPT_QUAL_FETCH	 BIT(2)
#define EPT_QUAL_PRESENT (BIT(3) | BIT(4) | BIT(5)) /* the entry allowed R, W or X */
_Static_assert(EPT_QUAL_READ == S2_ACCESS_READ && EPT_QUAL_WRITE == S2_ACCESS_WRITE &&
		       EPT_QUAL_FETCH == S2_ACCESS_EXEC,
	       "EPT access bits double as S2_ACCESS_*");

static const char *const vmx_insn_errors[] = {
	[1] = "VMCALL in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

void vmx_vmwrite_failed(enum vmcs_field field, u64 val)
{
	pr_err("vmx: VMWRITE of 0x%llx to field 0x%04x failed (VM-instruction error %llu)\n", val,
	       field, vmcs_read(VM_INSTRUCTION_ERROR));
}

/* CR0 or CR4 as the guest sees it: its own value of the masked bits (SDM Vol. 3C, 26.3). */
u64 vmx_guest_cr0(void)
{
	u64 mask = vmcs_read(CR0_GUEST_HOST_MASK);

	return (vmcs_read(GUEST_CR0) & ~mask) | (vmcs_read(CR0_READ_SHADOW) & mask);
}

u64 vmx_guest_cr4(void)
{
	u64 mask = vmcs_read(CR4_GUEST_HOST_MASK);

	return (vmcs_read(GUEST_CR4) & ~mask) | (vmcs_read(CR4_READ_SHADOW) & mask);
}

/*
 * EFER.LMA is LME && CR0.PG, and the "IA-32e mode guest" entry control must
 * equal it (SDM Vol. 3C, 27.3.1.1). When the guest sets CR0.PG itself the CPU
 * updates LMA and VM exit saves it into the entry control (IA32_VMX_MISC bit
 * 5, checked at enable); only the writes emulated here must keep them in step.
 */
void vmx_write_efer(u64 efer)
{
	u32 entry = (u32)vmcs_read(VM_ENTRY_CONTROLS);
	bool lma = (efer & EFER_LME) && (vmcs_read(GUEST_CR0) & X86_CR0_PG);

	vmcs_write(GUEST_IA32_EFER, lma ? efer | EFER_LMA : efer & ~EFER_LMA);
	vmcs_write(VM_ENTRY_CONTROLS,
		   lma ? entry | ENTRY_IA32E_MODE_GUEST : entry & ~(u32)ENTRY_IA32E_MODE_GUEST);
}

/*
 * With EPT, PAE paging outside long mode takes its four PDPTEs from the VMCS
 * at VM entry (SDM Vol. 3C, 27.3.2.4 "Loading Page-Directory-Pointer-Table
 * Entries"): load them as the emulated MOV to CR0/CR3/CR4 would have.
 */
void vmx_load_pdptes(struct vcpu *v)
{
	u64 pdpte[4] = {0};

	if (!(vmcs_read(GUEST_CR0) & X86_CR0_PG) || !(vmcs_read(GUEST_CR4) & X86_CR4_PAE) ||
	    (vmcs_read(GUEST_IA32_EFER) & EFER_LMA))
		return;
	if (vm_read(v->vm, vmcs_read(GUEST_CR3) & 0xffffffe0ULL, pdpte, sizeof(pdpte)))
		pr_warn("vm %s: PAE page directory pointers outside guest RAM\n", v->vm->cfg.name);
	for (int i = 0; i < 4; i++)
		vmcs_write(GUEST_PDPTE0 + 2 * i, pdpte[i]);
}

/* Set the guest's CR0 to val: real value with the fixed bits, shadow as written. */
void vmx_write_cr0(struct vcpu *v, u64 val)
{
	u64 old = vmcs_read(GUEST_CR0);

	vmcs_write(CR0_READ_SHADOW, val);
	vmcs_write(GUEST_CR0, val | vmcs_read(CR0_GUEST_HOST_MASK));
	vmx_write_efer(vmcs_read(GUEST_IA32_EFER));
	if (!v)
		return;
	vmx_load_pdptes(v);
	/* MOV to CR0 that toggles paging flushes the TLB. */
	if ((old ^ val) & X86_CR0_PG)
		((struct vmx_vcpu *)v->vendor)->flush_pending = true;
}

void vmx_write_cr4(u64 val)
{
	vmcs_write(CR4_READ_SHADOW, val);
	vmcs_write(GUEST_CR4, val | vmx_cfg.cr4_fixed0);
}

/* Guest registers outside the GPR array, for get_reg/set_reg (vmx.c). */
u64 vmx_read_reg(enum vcpu_reg r)
{
	switch (r) {
	case VCPU_REG_RIP: return vmcs_read(GUEST_RIP);
	case VCPU_REG_RSP: return vmcs_read(GUEST_RSP);
	case VCPU_REG_RFLAGS: return vmcs_read(GUEST_RFLAGS);
	case VCPU_REG_CR0: return vmx_guest_cr0();
	case VCPU_REG_CR3: return vmcs_read(GUEST_CR3);
	case VCPU_REG_CR4: return vmx_guest_cr4();
	case VCPU_REG_EFER: return vmcs_read(GUEST_IA32_EFER);
	case VCPU_REG_CS_BASE: return vmcs_read(GUEST_CS_BASE);
	case VCPU_REG_CPL: return AR_DPL(vmcs_read(GUEST_SS_AR_BYTES)); /* CPL is SS.DPL */
	case VCPU_REG_MODE64:
		return (vmcs_read(GUEST_IA32_EFER) & EFER_LMA) &&
		       (vmcs_read(GUEST_CS_AR_BYTES) & AR_L);
	case VCPU_REG_CS_LONG: return !!(vmcs_read(GUEST_CS_AR_BYTES) & AR_L);
	default: return 0;
	}
}

void vmx_write_reg(struct vcpu *v, enum vcpu_reg r, u64 val)
{
	switch (r) {
	case VCPU_REG_RIP: vmx_skip_insn(val); break;
	case VCPU_REG_RSP: vmcs_write(GUEST_RSP, val); break;
	case VCPU_REG_RFLAGS: vmcs_write(GUEST_RFLAGS, val | X86_RFLAGS_FIXED); break;
	case VCPU_REG_CR0: vmx_write_cr0(v, val); break;
	case VCPU_REG_CR3:
		vmcs_write(GUEST_CR3, val);
		vmx_load_pdptes(v);
		break;
	case VCPU_REG_CR4:
		vmx_write_cr4(val);
		vmx_load_pdptes(v);
		break;
	case VCPU_REG_EFER: vmx_write_efer(val); break;
	default: break;
	}
}

static bool vmx_guest_64bit(void)
{
	return (vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && (vmcs_read(GUEST_CS_AR_BYTES) & AR_L);
}

/* Guest GPR n (x86 encoding) of a MOV to or from a control register; RSP lives in the VMCS. */
static u64 vmx_read_gpr(struct vcpu *v, unsigned n)
{
	u64 val = n == 4 ? vmcs_read(GUEST_RSP) : *vcpu_gpr(v, n);

	return vmx_guest_64bit() ? val : (u32)val;
}

static void vmx_write_gpr(struct vcpu *v, unsigned n, u64 val)
{
	if (n == 4)
		vmcs_write(GUEST_RSP, val);
	else
		*vcpu_gpr(v, n) = val;
}

/*
 * Would MOV to CR0 with val fault? The architectural rules are common
 * (core/gstate.c); VMX adds the bits it cannot run with (A.7).
 */
static bool vmx_cr0_faults(struct vcpu *v, u64 val)
{
	struct gstate s;

	vcpu_gstate(v, &s);
	return gstate_cr0_check(&s, val) != GSTATE_OK ||
	       ((val | vmcs_read(CR0_GUEST_HOST_MASK)) & ~vmx_cfg.cr0_fixed1);
}

/*
 * CR4 bits the guest may set: those its CPUID offers that VMX operation
 * allows (A.8). VMXE is not among them: CPUID hides VMX.
 */
u64 vmx_cr4_allowed(void)
{
	return cpuid_guest_caps()->cr4_allowed & vmx_cfg.cr4_fixed1 & ~(u64)X86_CR4_VMXE;
}

static bool vmx_cr4_faults(struct vcpu *v, u64 val)
{
	struct gstate_caps caps = *cpuid_guest_caps();
	struct gstate s;

	caps.cr4_allowed = vmx_cr4_allowed();
	vcpu_gstate(v, &s);
	return gstate_cr4_check(&s, &caps, val) != GSTATE_OK;
}

/*
 * A MOV to CR0/CR4 exits only when it would change a bit of the guest/host
 * masks (SDM Vol. 3C, 26.1.3): CR0.NE, which VMX fixes to 1, and every CR4
 * bit the guest may not set (vmx_cr4_mask()). Emulate it here, with the
 * checks hardware would make, and resume: the core never sees these exits.
 * CR3 exits only on CPUs that force CR3-load/store exiting (no TRUE
 * controls).
 */
static enum exit_reason vmx_cr_access(struct vcpu *v, struct vm_exit *e)
{
	u64 q = vmcs_read(EXIT_QUALIFICATION), val;
	unsigned cr = CR_QUAL_CR(q), gpr = CR_QUAL_GPR(q);
	const enum vcpu_reg reg[5] = {VCPU_REG_CR0, 0, 0, VCPU_REG_CR3, VCPU_REG_CR4};

	e->raw.info = q;
	if (CR_QUAL_TYPE(q) == CR_MOV_FROM && cr == 3) {
		vmx_write_gpr(v, gpr, vmcs_read(GUEST_CR3));
	} else if (CR_QUAL_TYPE(q) == CR_MOV_FROM && cr == 8) {
		vmx_write_gpr(v, gpr, vdev_lapic_get_cr8(v));
	} else if (CR_QUAL_TYPE(q) == CR_MOV_TO && cr == 8) {
		if (!vdev_lapic_set_cr8(v, vmx_read_gpr(v, gpr))) {
			vmx_ops.inject_event(v, 13, EVENT_EXCEPTION, true, 0);
			return EXIT_NONE;
		}
	} else if (CR_QUAL_TYPE(q) == CR_MOV_TO && (cr == 0 || cr == 3 || cr == 4)) {
		val = vmx_read_gpr(v, gpr);
		if ((cr == 0 && vmx_cr0_faults(v, val)) || (cr == 4 && vmx_cr4_faults(v, val))) {
			vmx_ops.inject_event(v, 13, EVENT_EXCEPTION, true, 0);
			return EXIT_NONE;
		}
		if (cr == 3) {
			val &= ~BIT(63); /* the PCID no-flush hint is not part of CR3 */
			((struct vmx_vcpu *)v->vendor)->flush_pending = true;
		}
		vmx_write_reg(v, reg[cr], val);
	} else {
		return EXIT_UNKNOWN; /* CLTS, LMSW: not intercepted by Sprout */
	}
	vmx_skip_insn(e->rip + e->insn_len);
	return EXIT_NONE;
}

static void vmx_decode_io(struct vm_exit *e)
{
	u64 q = vmcs_read(EXIT_QUALIFICATION);

	e->reason = EXIT_IO;
	e->io.port = IO_QUAL_PORT(q);
	e->io.size = IO_QUAL_SIZE(q);
	e->io.in = q & IO_QUAL_IN;
	e->io.string = q & IO_QUAL_STRING;
	e->io.rep = q & IO_QUAL_REP;
}

static void vmx_decode_ept(struct vm_exit *e, bool violation)
{
	u64 q = vmcs_read(EXIT_QUALIFICATION);

	e->s2.gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	if (!violation) {
		/* The walk met an entry the CPU refuses: our own table is wrong. */
		pr_err("vmx: EPT misconfiguration at GPA 0x%llx (rip 0x%llx, EPTP 0x%llx)\n",
		       e->s2.gpa, e->rip, vmcs_read(EPT_POINTER));
		e->reason = EXIT_S2_MISCONFIG;
		return;
	}
	e->reason = EXIT_S2_FAULT;
	e->s2.access = (u8)(q & (EPT_QUAL_READ | EPT_QUAL_WRITE | EPT_QUAL_FETCH));
	e->s2.present = q & EPT_QUAL_PRESENT;
}

/*
 * Exception bitmap exits (only #MC) and NMIs. With NMI exiting an NMI that
 * arrives in the guest exits here instead of reaching the host's IDT; the
 * host has no use for NMIs, so it is treated like a host interrupt: resume.
 */
static void vmx_decode_exception(struct vm_exit *e)
{
	u32 info = (u32)vmcs_read(VM_EXIT_INTR_INFO);

	if (((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_NMI) {
		e->reason = EXIT_EXTINT;
		return;
	}
	e->reason = EXIT_EXCEPTION;
	e->exc.vector = (u8)(info & INTR_INFO_VECTOR_MASK);
	e->exc.has_error = info & INTR_INFO_ERROR_VALID;
	e->exc.error = e->exc.has_error ? (u32)vmcs_read(VM_EXIT_INTR_ERROR_CODE) : 0;
	e->exc.cr2 = e->exc.vector == 14 ? vmcs_read(EXIT_QUALIFICATION) : 0;
}

/*
 * An exit in the middle of delivering an event (an EPT violation on the
 * guest's IDT or stack, say) loses that event unless it is injected again
 * at the next entry (SDM Vol. 3C, 28.2.4 "Information for VM Exits During
 * Event Delivery").
 */
static void vmx_save_idt_vectoring(struct vcpu *v)
{
	u32 info = (u32)vmcs_read(IDT_VECTORING_INFO);
	struct vmx_vcpu *x = v->vendor;

	if (!(info & INTR_INFO_VALID))
		return;
	x->event.info = info & (INTR_INFO_VALID | INTR_INFO_ERROR_VALID | INTR_INFO_TYPE_MASK |
				INTR_INFO_VECTOR_MASK);
	x->event.error =
		(info & INTR_INFO_ERROR_VALID) ? (u32)vmcs_read(IDT_VECTORING_ERROR_CODE) : 0;
	x->event.len = (u32)vmcs_read(VM_EXIT_INSTRUCTION_LEN);
}

static const char *vmx_virt_insn_name(u32 reason)
{
	static const char *const names[] = {"VMCLEAR",	"VMLAUNCH", "VMPTRLD", "VMPTRST", "VMREAD",
					    "VMRESUME", "VMWRITE",  "VMXOFF",  "VMXON"};

	if (reason >= VMX_EXIT_VMCLEAR && reason <= VMX_EXIT_VMXON)
		return names[reason - VMX_EXIT_VMCLEAR];
	if (reason == VMX_EXIT_INVEPT)
		return "INVEPT";
	if (reason == VMX_EXIT_INVVPID)
		return "INVVPID";
	return NULL;
}

/* The VM entry failed while checking or loading guest state (SDM Vol. 3C, 27.8). */
static void vmx_dump_guest(struct vcpu *v, u32 reason)
{
	pr_err("vmx: vm %s: VM entry failed: %s (exit reason %u, qualification %llu)\n",
	       v->vm->cfg.name,
	       reason == VMX_EXIT_INVALID_GUEST_STATE ? "invalid guest state"
	       : reason == VMX_EXIT_MSR_LOADING	      ? "MSR loading"
						      : "machine check",
	       reason, vmcs_read(EXIT_QUALIFICATION));
	pr_err("vmx:   cr0 0x%llx (shadow 0x%llx) cr3 0x%llx cr4 0x%llx efer 0x%llx entry ctls "
	       "0x%llx\n",
	       vmcs_read(GUEST_CR0), vmcs_read(CR0_READ_SHADOW), vmcs_read(GUEST_CR3),
	       vmcs_read(GUEST_CR4), vmcs_read(GUEST_IA32_EFER), vmcs_read(VM_ENTRY_CONTROLS));
	pr_err("vmx:   rip 0x%llx rsp 0x%llx rflags 0x%llx cs 0x%llx/ar 0x%llx ss ar 0x%llx tr ar "
	       "0x%llx\n",
	       vmcs_read(GUEST_RIP), vmcs_read(GUEST_RSP), vmcs_read(GUEST_RFLAGS),
	       vmcs_read(GUEST_CS_SELECTOR), vmcs_read(GUEST_CS_AR_BYTES),
	       vmcs_read(GUEST_SS_AR_BYTES), vmcs_read(GUEST_TR_AR_BYTES));
	pr_err("vmx:   interruptibility 0x%llx activity %llu event 0x%llx\n",
	       vmcs_read(GUEST_INTERRUPTIBILITY_INFO), vmcs_read(GUEST_ACTIVITY_STATE),
	       vmcs_read(VM_ENTRY_INTR_INFO));
}

static enum exit_reason vmx_simple_reason(u32 reason)
{
	switch (reason) {
	case VMX_EXIT_EXTERNAL_INTERRUPT:
	case VMX_EXIT_PREEMPTION_TIMER: return EXIT_EXTINT; /* let the scheduler look */
	case VMX_EXIT_TRIPLE_FAULT: return EXIT_SHUTDOWN;
	case VMX_EXIT_INIT:
	case VMX_EXIT_SIPI: return EXIT_INIT_SIPI;
	case VMX_EXIT_INTERRUPT_WINDOW:
	case VMX_EXIT_NMI_WINDOW: return EXIT_NONE; /* the next entry injects */
	case VMX_EXIT_CPUID: return EXIT_CPUID;
	case VMX_EXIT_HLT: return EXIT_HLT;
	case VMX_EXIT_VMCALL: return EXIT_HYPERCALL;
	case VMX_EXIT_RDMSR: return EXIT_MSR_READ;
	case VMX_EXIT_WRMSR: return EXIT_MSR_WRITE;
	case VMX_EXIT_PAUSE: return EXIT_PAUSE;
	case VMX_EXIT_XSETBV: return EXIT_XSETBV;
	default: return EXIT_UNKNOWN;
	}
}

void vmx_decode_caller(struct vm_exit *e)
{
	e->hc.cpl = (u8)AR_DPL(vmcs_read(GUEST_SS_AR_BYTES));
	e->hc.rflags = vmcs_read(GUEST_RFLAGS);
	e->hc.wide = vmx_guest_64bit();
}

u32 vmx_decode_exit(struct vcpu *v, struct vm_exit *e)
{
	u32 raw = (u32)vmcs_read(VM_EXIT_REASON), reason = VMX_EXIT_REASON_BASIC(raw);

	*e = (struct vm_exit){.vendor_code = reason, .rip = vmcs_read(GUEST_RIP)};
	if (raw & VMX_EXIT_REASON_ENTRY_FAIL) {
		vmx_dump_guest(v, reason);
		e->reason = EXIT_INVALID;
		e->raw.info = vmcs_read(EXIT_QUALIFICATION);
		return raw;
	}
	vmx_save_idt_vectoring(v);
	if (reason < 64 && (VMX_INSN_EXITS & BIT(reason)))
		e->insn_len = (u32)vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	e->reason = vmx_simple_reason(reason);
	switch (reason) {
	case VMX_EXIT_EXCEPTION_NMI: vmx_decode_exception(e); break;
	case VMX_EXIT_CR_ACCESS: e->reason = vmx_cr_access(v, e); break;
	case VMX_EXIT_IO_INSTRUCTION: vmx_decode_io(e); break;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR: e->msr.index = (u32)v->regs.rcx; break;
	case VMX_EXIT_VMCALL: vmx_decode_caller(e); break;
	case VMX_EXIT_EPT_VIOLATION: vmx_decode_ept(e, true); break;
	case VMX_EXIT_EPT_MISCONFIG: vmx_decode_ept(e, false); break;
	default:
		if (e->reason != EXIT_UNKNOWN)
			break;
		e->insn.name = vmx_virt_insn_name(reason);
		if (e->insn.name)
			e->reason = EXIT_VIRT_INSN;
		else
			e->raw.info = vmcs_read(EXIT_QUALIFICATION);
	}
	return raw;
}

/* Name each control that holds a bit the CPU does not allow (A.3-A.5). */
static void vmx_check_controls(void)
{
	static const enum vmcs_field fields[CTL_COUNT] = {
		PIN_BASED_VM_EXEC_CONTROL, CPU_BASED_VM_EXEC_CONTROL, SECONDARY_VM_EXEC_CONTROL,
		VM_EXIT_CONTROLS,	   VM_ENTRY_CONTROLS,
	};
	static const char *const names[CTL_COUNT] = {"pin-based", "processor-based", "secondary",
						     "exit", "entry"};

	for (int c = 0; c < CTL_COUNT; c++) {
		u64 cap = rdmsr(vmx_ctl_msr((enum vmx_ctl)c));
		u32 val = (u32)vmcs_read(fields[c]);
		u32 bad = (~val & (u32)cap) | (val & ~(u32)(cap >> 32));

		if (bad)
			pr_err("vmx:   %s controls 0x%08x: bits 0x%08x not allowed (caps "
			       "0x%016llx)\n",
			       names[c], val, bad, cap);
	}
}

static void vmx_dump_host(void)
{
	pr_err("vmx:   host cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx tr 0x%llx base 0x%llx "
	       "rip 0x%llx\n",
	       vmcs_read(HOST_CR0), vmcs_read(HOST_CR3), vmcs_read(HOST_CR4),
	       vmcs_read(HOST_IA32_EFER), vmcs_read(HOST_TR_SELECTOR), vmcs_read(HOST_TR_BASE),
	       vmcs_read(HOST_RIP));
}

void vmx_entry_failed(struct vcpu *v, int how, struct vm_exit *e)
{
	struct vmx_vcpu *x = v->vendor;
	u64 err;

	*e = (struct vm_exit){.reason = EXIT_INVALID};
	if (how < 0) { /* the VMCS could not be made current; vmx_vcpu_load() said why */
		e->raw.info = (u64)-how;
		return;
	}
	if (how == 2) {
		pr_err("vmx: vm %s: VM entry failed: no current VMCS (VMfailInvalid)\n",
		       v->vm->cfg.name);
		return;
	}
	err = vmcs_read(VM_INSTRUCTION_ERROR);
	e->rip = vmcs_read(GUEST_RIP);
	e->vendor_code = err;
	e->raw.info = err;
	pr_err("vmx: vm %s: %s failed: VM-instruction error %llu (%s)\n", v->vm->cfg.name,
	       x->launched ? "VMRESUME" : "VMLAUNCH", err,
	       err < ARRAY_SIZE(vmx_insn_errors) && vmx_insn_errors[err] ? vmx_insn_errors[err]
									 : "unknown");
	if (err == 7)
		vmx_check_controls();
	else if (err == 8)
		vmx_dump_host();
}
