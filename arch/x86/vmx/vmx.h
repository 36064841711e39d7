/* SPDX-License-Identifier: MIT */
/* Intel VMX private definitions: VMCS fields, control bits, exit reasons (SDM Vol. 3C, App. A-C). */
#ifndef ARCH_VMX_H
#define ARCH_VMX_H

#include <hv/hvm.h>
#include <hv/types.h>

struct gprs;
struct percpu;
struct vcpu;
struct vm_exit;

/* Capability MSRs (SDM Vol. 3C, Appendix A "VMX Capability Reporting Facility"). */
#define MSR_IA32_VMX_BASIC		  0x480
#define MSR_IA32_VMX_PINBASED_CTLS	  0x481
#define MSR_IA32_VMX_PROCBASED_CTLS	  0x482
#define MSR_IA32_VMX_EXIT_CTLS		  0x483
#define MSR_IA32_VMX_ENTRY_CTLS		  0x484
#define MSR_IA32_VMX_MISC		  0x485
#define MSR_IA32_VMX_CR0_FIXED0		  0x486
#define MSR_IA32_VMX_CR0_FIXED1		  0x487
#define MSR_IA32_VMX_CR4_FIXED0		  0x488
#define MSR_IA32_VMX_CR4_FIXED1		  0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2	  0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP	  0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	  0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS  0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	  0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	  0x490
#define MSR_IA32_SYSENTER_CS		  0x174
#define MSR_IA32_SYSENTER_ESP		  0x175
#define MSR_IA32_SYSENTER_EIP		  0x176

#define FEATURE_CONTROL_LOCKED		  BIT(0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX BIT(2)

#define VMX_BASIC_REVISION_MASK		  0x7fffffffULL
#define VMX_MISC_TIMER_RATE(m)		  ((unsigned)(m)&0x1f) /* TSC bit that ticks the timer */
#define VMX_MISC_STORE_LMA		  BIT(5) /* exits save EFER.LMA into "IA-32e mode guest" */

/* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3C, A.10). */
#define EPT_CAP_WALK_4		BIT(6)
#define EPT_CAP_WB		BIT(14)
#define EPT_CAP_INVEPT		BIT(20)
#define EPT_CAP_INVEPT_SINGLE	BIT(25)
#define EPT_CAP_INVEPT_ALL	BIT(26)
#define VPID_CAP_INVVPID	BIT(32)
#define VPID_CAP_INVVPID_SINGLE BIT(41)
#define VPID_CAP_INVVPID_ALL	BIT(42)

#define INVEPT_SINGLE		1
#define INVEPT_ALL		2
#define INVVPID_SINGLE		1
#define INVVPID_ALL		2

/* EPTP (SDM Vol. 3C, 25.6.11 "Extended-Page-Table Pointer"). */
#define EPTP_MT_UC  0
#define EPTP_MT_WB  6
#define EPTP_WALK_4 (3 << 3)

/* Pin-based VM-execution controls (SDM Vol. 3C, 25.6.1). */
#define PIN_EXT_INTR_EXITING BIT(0)
#define PIN_NMI_EXITING	     BIT(3)
#define PIN_VIRTUAL_NMIS     BIT(5)
#define PIN_PREEMPTION_TIMER BIT(6)

/* Primary processor-based VM-execution controls (SDM Vol. 3C, 25.6.2). */
#define PROC_INTR_WINDOW_EXITING BIT(2)
#define PROC_USE_TSC_OFFSETTING	 BIT(3)
#define PROC_HLT_EXITING	 BIT(7)
#define PROC_CR8_LOAD_EXITING	 BIT(19)
#define PROC_CR8_STORE_EXITING	 BIT(20)
#define PROC_NMI_WINDOW_EXITING	 BIT(22)
#define PROC_USE_IO_BITMAPS	 BIT(25)
#define PROC_USE_MSR_BITMAPS	 BIT(28)
#define PROC_SECONDARY_CONTROLS	 BIT(31)

/* Secondary processor-based VM-execution controls. */
#define PROC2_ENABLE_EPT	 BIT(1)
#define PROC2_ENABLE_RDTSCP	 BIT(3)
#define PROC2_ENABLE_VPID	 BIT(5)
#define PROC2_UNRESTRICTED_GUEST BIT(7)
#define PROC2_ENABLE_INVPCID	 BIT(12)

/* VM-exit controls (SDM Vol. 3C, 25.7.1). */
#define EXIT_HOST_ADDR_SPACE_SIZE BIT(9)
#define EXIT_SAVE_IA32_PAT	  BIT(18)
#define EXIT_LOAD_IA32_PAT	  BIT(19)
#define EXIT_SAVE_IA32_EFER	  BIT(20)
#define EXIT_LOAD_IA32_EFER	  BIT(21)

/* VM-entry controls (SDM Vol. 3C, 25.8.1). */
#define ENTRY_IA32E_MODE_GUEST BIT(9)
#define ENTRY_LOAD_IA32_PAT    BIT(14)
#define ENTRY_LOAD_IA32_EFER   BIT(15)

/* VMCS field encodings (SDM Vol. 3C, Appendix B "Field Encoding in VMCS"). */
enum vmcs_field {
	/* 16-bit */
	VIRTUAL_PROCESSOR_ID = 0x0000,
	GUEST_ES_SELECTOR = 0x0800,
	GUEST_CS_SELECTOR = 0x0802,
	GUEST_SS_SELECTOR = 0x0804,
	GUEST_DS_SELECTOR = 0x0806,
	GUEST_FS_SELECTOR = 0x0808,
	GUEST_GS_SELECTOR = 0x080a,
	GUEST_LDTR_SELECTOR = 0x080c,
	GUEST_TR_SELECTOR = 0x080e,
	HOST_ES_SELECTOR = 0x0c00,
	HOST_CS_SELECTOR = 0x0c02,
	HOST_SS_SELECTOR = 0x0c04,
	HOST_DS_SELECTOR = 0x0c06,
	HOST_FS_SELECTOR = 0x0c08,
	HOST_GS_SELECTOR = 0x0c0a,
	HOST_TR_SELECTOR = 0x0c0c,
	/* 64-bit */
	IO_BITMAP_A = 0x2000,
	IO_BITMAP_B = 0x2002,
	MSR_BITMAP = 0x2004,
	TSC_OFFSET = 0x2010,
	EPT_POINTER = 0x201a,
	GUEST_PHYSICAL_ADDRESS = 0x2400,
	VMCS_LINK_POINTER = 0x2800,
	GUEST_IA32_DEBUGCTL = 0x2802,
	GUEST_IA32_PAT = 0x2804,
	GUEST_IA32_EFER = 0x2806,
	GUEST_PDPTE0 = 0x280a, /* PDPTE1-3 follow, 2 apart */
	HOST_IA32_PAT = 0x2c00,
	HOST_IA32_EFER = 0x2c02,
	/* 32-bit */
	PIN_BASED_VM_EXEC_CONTROL = 0x4000,
	CPU_BASED_VM_EXEC_CONTROL = 0x4002,
	EXCEPTION_BITMAP = 0x4004,
	CR3_TARGET_COUNT = 0x400a,
	VM_EXIT_CONTROLS = 0x400c,
	VM_EXIT_MSR_STORE_COUNT = 0x400e,
	VM_EXIT_MSR_LOAD_COUNT = 0x4010,
	VM_ENTRY_CONTROLS = 0x4012,
	VM_ENTRY_MSR_LOAD_COUNT = 0x4014,
	VM_ENTRY_INTR_INFO = 0x4016,
	VM_ENTRY_EXCEPTION_ERROR_CODE = 0x4018,
	VM_ENTRY_INSTRUCTION_LEN = 0x401a,
	SECONDARY_VM_EXEC_CONTROL = 0x401e,
	VM_INSTRUCTION_ERROR = 0x4400,
	VM_EXIT_REASON = 0x4402,
	VM_EXIT_INTR_INFO = 0x4404,
	VM_EXIT_INTR_ERROR_CODE = 0x4406,
	IDT_VECTORING_INFO = 0x4408,
	IDT_VECTORING_ERROR_CODE = 0x440a,
	VM_EXIT_INSTRUCTION_LEN = 0x440c,
	GUEST_ES_LIMIT = 0x4800, /* CS, SS, DS, FS, GS, LDTR, TR follow, 2 apart */
	GUEST_GDTR_LIMIT = 0x4810,
	GUEST_IDTR_LIMIT = 0x4812,
	GUEST_ES_AR_BYTES = 0x4814, /* same order as the limits */
	GUEST_CS_AR_BYTES = 0x4816,
	GUEST_SS_AR_BYTES = 0x4818,
	GUEST_TR_AR_BYTES = 0x4822,
	GUEST_INTERRUPTIBILITY_INFO = 0x4824,
	GUEST_ACTIVITY_STATE = 0x4826,
	GUEST_SYSENTER_CS = 0x482a,
	VMX_PREEMPTION_TIMER_VALUE = 0x482e,
	HOST_IA32_SYSENTER_CS = 0x4c00,
	/* natural width */
	CR0_GUEST_HOST_MASK = 0x6000,
	CR4_GUEST_HOST_MASK = 0x6002,
	CR0_READ_SHADOW = 0x6004,
	CR4_READ_SHADOW = 0x6006,
	EXIT_QUALIFICATION = 0x6400,
	GUEST_CR0 = 0x6800,
	GUEST_CR3 = 0x6802,
	GUEST_CR4 = 0x6804,
	GUEST_ES_BASE = 0x6806, /* CS, SS, DS, FS, GS, LDTR, TR follow, 2 apart */
	GUEST_CS_BASE = 0x6808,
	GUEST_GDTR_BASE = 0x6816,
	GUEST_IDTR_BASE = 0x6818,
	GUEST_DR7 = 0x681a,
	GUEST_RSP = 0x681c,
	GUEST_RIP = 0x681e,
	GUEST_RFLAGS = 0x6820,
	GUEST_PENDING_DBG_EXCEPTIONS = 0x6822,
	GUEST_SYSENTER_ESP = 0x6824,
	GUEST_SYSENTER_EIP = 0x6826,
	HOST_CR0 = 0x6c00,
	HOST_CR3 = 0x6c02,
	HOST_CR4 = 0x6c04,
	HOST_FS_BASE = 0x6c06,
	HOST_GS_BASE = 0x6c08,
	HOST_TR_BASE = 0x6c0a,
	HOST_GDTR_BASE = 0x6c0c,
	HOST_IDTR_BASE = 0x6c0e,
	HOST_IA32_SYSENTER_ESP = 0x6c10,
	HOST_IA32_SYSENTER_EIP = 0x6c12,
	HOST_RSP = 0x6c14,
	HOST_RIP = 0x6c16,
};

/* Basic exit reasons (SDM Vol. 3C, Appendix C "VMX Basic Exit Reasons"). */
enum vmx_exit_reason {
	VMX_EXIT_EXCEPTION_NMI = 0,
	VMX_EXIT_EXTERNAL_INTERRUPT = 1,
	VMX_EXIT_TRIPLE_FAULT = 2,
	VMX_EXIT_INIT = 3,
	VMX_EXIT_SIPI = 4,
	VMX_EXIT_INTERRUPT_WINDOW = 7,
	VMX_EXIT_NMI_WINDOW = 8,
	VMX_EXIT_CPUID = 10,
	VMX_EXIT_HLT = 12,
	VMX_EXIT_VMCALL = 18,
	VMX_EXIT_VMCLEAR = 19, /* 19-27: VMCLEAR ... VMXON */
	VMX_EXIT_VMXON = 27,
	VMX_EXIT_CR_ACCESS = 28,
	VMX_EXIT_IO_INSTRUCTION = 30,
	VMX_EXIT_RDMSR = 31,
	VMX_EXIT_WRMSR = 32,
	VMX_EXIT_INVALID_GUEST_STATE = 33,
	VMX_EXIT_MSR_LOADING = 34,
	VMX_EXIT_PAUSE = 40,
	VMX_EXIT_MACHINE_CHECK = 41,
	VMX_EXIT_EPT_VIOLATION = 48,
	VMX_EXIT_EPT_MISCONFIG = 49,
	VMX_EXIT_INVEPT = 50,
	VMX_EXIT_PREEMPTION_TIMER = 52,
	VMX_EXIT_INVVPID = 53,
	VMX_EXIT_XSETBV = 55,
};

#define VMX_EXIT_REASON_BASIC(r)   ((r)&0xffff)
#define VMX_EXIT_REASON_ENTRY_FAIL BIT(31)

/* Interruption-information fields: entry, exit and IDT-vectoring (SDM Vol. 3C, 25.8.3, 25.9.2). */
#define INTR_INFO_VECTOR_MASK 0xff
#define INTR_INFO_TYPE_SHIFT  8
#define INTR_INFO_TYPE_MASK   (7 << INTR_INFO_TYPE_SHIFT)
#define INTR_INFO_ERROR_VALID BIT(11)
#define INTR_INFO_VALID	      BIT(31)
#define INTR_TYPE_NMI	      2

/* Interruptibility state (SDM Vol. 3C, 25.4.2, Table 25-3). */
#define INTERRUPTIBILITY_STI	BIT(0)
#define INTERRUPTIBILITY_MOV_SS BIT(1)
#define INTERRUPTIBILITY_NMI	BIT(3)

/* Segment access rights in the VMCS format (SDM Vol. 3C, 25.4.1, Table 25-2). */
#define AR_DPL(ar)	 (((ar) >> 5) & 3)
#define AR_L		 BIT(13)
#define AR_UNUSABLE	 BIT(16)

#define X86_RFLAGS_FIXED BIT(1)

/* Guest state that VM entry and exit do not switch, swapped lazily per CPU. */
enum vmx_lazy_msr { LAZY_STAR, LAZY_LSTAR, LAZY_CSTAR, LAZY_SFMASK, LAZY_KGS_BASE, LAZY_COUNT };

/* An event for the next VM entry, in the VM-entry interruption-information format. */
struct vmx_event {
	u32 info; /* 0: none */
	u32 error;
	u32 len; /* instruction length, for software interrupts and exceptions */
};

/* Per-vCPU VMX state. */
struct vmx_vcpu {
	void *vmcs;		     /* 4 KiB region, hva == hpa */
	struct percpu *cpu;	     /* CPU where the VMCS is active, NULL while clear */
	struct percpu *last_cpu;     /* CPU whose host state the VMCS holds */
	bool launched;		     /* VMLAUNCH succeeded: use VMRESUME */
	bool flush_pending;	     /* INVEPT/INVVPID before the next entry */
	struct vmx_event event;	     /* injected at the next entry */
	bool irq_window, nmi_window; /* exits asked for by vmx_set_windows() */
	s64 tsc_offset;		     /* written to TSC_OFFSET at the next entry */
	u64 lazy[LAZY_COUNT];	     /* guest values while another vCPU owns the MSRs */
	u64 cr2;
};

/* Control values computed once from the capability MSRs (vmx.c). */
struct vmx_config {
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;
	u32 preempt_ticks; /* VMX-preemption timer value for one scheduler slice */
};

extern struct vmx_config vmx_cfg;

static inline u64 vmcs_read(enum vmcs_field field)
{
	u64 val;

	__asm__ volatile("vmread %1, %0" : "=r"(val) : "r"((u64)field) : "cc");
	return val;
}

/* vmx_exit.c: log a VMWRITE that failed (an unsupported field or a read-only one). */
void vmx_vmwrite_failed(enum vmcs_field field, u64 val);

static inline void vmcs_write(enum vmcs_field field, u64 val)
{
	bool fail;

	__asm__ volatile("vmwrite %2, %1\n\tsetna %0"
			 : "=qm"(fail)
			 : "r"((u64)field), "rm"(val)
			 : "cc", "memory");
	if (unlikely(fail))
		vmx_vmwrite_failed(field, val);
}

/*
 * vmx_entry.S: load the guest GPRs, VMLAUNCH or VMRESUME, save them back.
 * Returns 0 after a VM exit, 1 when the instruction failed with VMfailValid
 * (VM_INSTRUCTION_ERROR says why), 2 for VMfailInvalid (no current VMCS).
 * Exits that vmx_exit_hot(v) answers in place do not return: it enters again.
 */
int vmx_enter(struct gprs *gprs, bool launched, struct vcpu *v);
/* vmx.c, called by vmx_enter() after each exit: true when answered in place. */
bool vmx_exit_hot(struct vcpu *v);
extern char vmx_exit_point[];

/* The five VM-execution, exit and entry control fields, in the order they are computed. */
enum vmx_ctl { CTL_PIN, CTL_PROC, CTL_PROC2, CTL_EXIT, CTL_ENTRY, CTL_COUNT };

/* vmx.c: the capability MSR of a control (the TRUE one when the CPU has it). */
u32 vmx_ctl_msr(enum vmx_ctl ctl);

/* vmx_exit.c: guest registers, control registers as the guest sees and writes them. */
u64 vmx_guest_cr0(void);
u64 vmx_guest_cr4(void);
u64 vmx_cr4_allowed(void);
void vmx_write_cr0(struct vcpu *v, u64 val); /* v may be NULL while building the VMCS */
void vmx_write_cr4(u64 val);
void vmx_write_efer(u64 efer);
void vmx_load_pdptes(struct vcpu *v);
/* Set RIP past an instruction Sprout emulated: the STI / MOV SS shadow ends there. */
static inline void vmx_skip_insn(u64 rip)
{
	u64 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	vmcs_write(GUEST_RIP, rip);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(u64)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}
u64 vmx_read_reg(enum vcpu_reg r);
void vmx_write_reg(struct vcpu *v, enum vcpu_reg r, u64 val);

/* vmx_exit.c: decode the exit in the current VMCS into e; returns the raw exit reason. */
u32 vmx_decode_exit(struct vcpu *v, struct vm_exit *e);
/* vmx_exit.c: who made a VMCALL: CPL (SS.DPL), RFLAGS (its VM flag) and 64-bit mode. */
void vmx_decode_caller(struct vm_exit *e);
/* vmx_exit.c: log why entering v failed (vmx_enter()'s code, or a negative error) into e. */
void vmx_entry_failed(struct vcpu *v, int how, struct vm_exit *e);

#endif
