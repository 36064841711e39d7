/* SPDX-License-Identifier: MIT */
/* AMD SVM private definitions: VMCB layout, intercept bits, exit codes (APM Vol. 2, App. B/C). */
#ifndef ARCH_SVM_H
#define ARCH_SVM_H

#include <hv/types.h>

struct vmcb_seg {
	u16 selector;
	u16 attrib; /* type:4 S:1 DPL:2 P:1 | AVL:1 L:1 DB:1 G:1 */
	u32 limit;
	u64 base;
} __packed;

#define SVM_SEG_L BIT(9) /* attrib: 64-bit code segment */

/* Control area, offsets 0x000-0x3ff (APM Vol. 2, Table B-1). */
struct vmcb_control {
	u32 intercept_cr;	  /* 0x000: bits 0-15 reads, 16-31 writes */
	u32 intercept_dr;	  /* 0x004 */
	u32 intercept_exceptions; /* 0x008 */
	u32 intercept_misc1;	  /* 0x00c */
	u32 intercept_misc2;	  /* 0x010 */
	u32 intercept_misc3;	  /* 0x014 */
	u8 reserved1[0x03c - 0x018];
	u16 pause_filter_threshold; /* 0x03c */
	u16 pause_filter_count;	    /* 0x03e */
	u64 iopm_base_pa;	    /* 0x040 */
	u64 msrpm_base_pa;	    /* 0x048 */
	u64 tsc_offset;		    /* 0x050 */
	u32 asid;		    /* 0x058 */
	u8 tlb_control;		    /* 0x05c */
	u8 reserved2[3];
	u64 int_ctl;	   /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING (bit 24) */
	u64 int_state;	   /* 0x068: interrupt shadow */
	u64 exit_code;	   /* 0x070 */
	u64 exit_info1;	   /* 0x078 */
	u64 exit_info2;	   /* 0x080 */
	u64 exit_int_info; /* 0x088 */
	u64 nested_ctl;	   /* 0x090: bit 0 NP_ENABLE */
	u64 avic_bar;	   /* 0x098 */
	u64 ghcb_pa;	   /* 0x0a0 */
	u64 event_inj;	   /* 0x0a8 */
	u64 n_cr3;	   /* 0x0b0 */
	u64 virt_ext;	   /* 0x0b8 */
	u32 clean_bits;	   /* 0x0c0 */
	u32 reserved3;
	u64 next_rip;	   /* 0x0c8 */
	u8 insn_fetched;   /* 0x0d0 */
	u8 insn_bytes[15]; /* 0x0d1 */
	u8 reserved4[0x400 - 0x0e0];
} __packed;

/* State save area, offsets 0x400-0xfff (APM Vol. 2, Table B-2). */
struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400-0x49f */
	u8 reserved1[0x4cb - 0x4a0];
	u8 cpl; /* 0x4cb */
	u32 reserved2;
	u64 efer; /* 0x4d0 */
	u8 reserved3[0x548 - 0x4d8];
	u64 cr4;    /* 0x548 */
	u64 cr3;    /* 0x550 */
	u64 cr0;    /* 0x558 */
	u64 dr7;    /* 0x560 */
	u64 dr6;    /* 0x568 */
	u64 rflags; /* 0x570 */
	u64 rip;    /* 0x578 */
	u8 reserved4[0x5d8 - 0x580];
	u64 rsp; /* 0x5d8 */
	u8 reserved5[0x5f8 - 0x5e0];
	u64 rax;	    /* 0x5f8 */
	u64 star;	    /* 0x600 */
	u64 lstar;	    /* 0x608 */
	u64 cstar;	    /* 0x610 */
	u64 sfmask;	    /* 0x618 */
	u64 kernel_gs_base; /* 0x620 */
	u64 sysenter_cs;    /* 0x628 */
	u64 sysenter_esp;   /* 0x630 */
	u64 sysenter_eip;   /* 0x638 */
	u64 cr2;	    /* 0x640 */
	u8 reserved6[0x668 - 0x648];
	u64 g_pat; /* 0x668 */
	u8 reserved7[0x1000 - 0x400 - 0x270];
} __packed;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __packed;

_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");
_Static_assert(__builtin_offsetof(struct vmcb, control.next_rip) == 0x0c8, "nRIP offset");
_Static_assert(__builtin_offsetof(struct vmcb, save.cpl) == 0x4cb, "CPL offset");
_Static_assert(__builtin_offsetof(struct vmcb, save.efer) == 0x4d0, "EFER offset");
_Static_assert(__builtin_offsetof(struct vmcb, save.rip) == 0x578, "RIP offset");
_Static_assert(__builtin_offsetof(struct vmcb, save.rax) == 0x5f8, "RAX offset");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "G_PAT offset");

/* intercept_misc1 */
#define SVM_INTERCEPT_INTR	  BIT(0)
#define SVM_INTERCEPT_NMI	  BIT(1)
#define SVM_INTERCEPT_SMI	  BIT(2)
#define SVM_INTERCEPT_INIT	  BIT(3)
#define SVM_INTERCEPT_VINTR	  BIT(4)
#define SVM_INTERCEPT_IRET	  BIT(20)
#define SVM_INTERCEPT_CPUID	  BIT(18)
#define SVM_INTERCEPT_PAUSE	  BIT(23)
#define SVM_INTERCEPT_INVD	  BIT(22)
#define SVM_INTERCEPT_HLT	  BIT(24)
#define SVM_INTERCEPT_INVLPGA	  BIT(26)
#define SVM_INTERCEPT_IOIO	  BIT(27)
#define SVM_INTERCEPT_MSR	  BIT(28)
#define SVM_INTERCEPT_TASK_SWITCH BIT(29)
#define SVM_INTERCEPT_SHUTDOWN	  BIT(31)
/* intercept_misc2 */
#define SVM_INTERCEPT_VMRUN   BIT(0)
#define SVM_INTERCEPT_VMMCALL BIT(1)
#define SVM_INTERCEPT_VMLOAD  BIT(2)
#define SVM_INTERCEPT_VMSAVE  BIT(3)
#define SVM_INTERCEPT_STGI    BIT(4)
#define SVM_INTERCEPT_CLGI    BIT(5)
#define SVM_INTERCEPT_SKINIT  BIT(6)
#define SVM_INTERCEPT_XSETBV  BIT(13)

/* intercept_cr: bits 0-15 intercept reads of CR0-15, bits 16-31 writes. */
#define SVM_INTERCEPT_CR_WRITE(n)  BIT(16 + (n))

#define SVM_INT_CTL_V_TPR	   0xfULL
#define SVM_INT_CTL_V_IRQ	   BIT(8)
#define SVM_INT_CTL_V_INTR_PRIO(p) ((u64)(p) << 16)
#define SVM_INT_CTL_V_IGN_TPR	   BIT(20)
#define SVM_INT_CTL_V_INTR_MASKING BIT(24)
#define SVM_INT_STATE_SHADOW	   BIT(0)
#define SVM_NESTED_CTL_NP_ENABLE   BIT(0)
#define SVM_TLB_FLUSH_ALL	   1
#define SVM_EVENTINJ_VALID	   BIT(31)
#define SVM_EVENTINJ_ERR_VALID	   BIT(11)

/* Exit codes (APM Vol. 2, App. C). */
#define SVM_EXIT_WRITE_CR0   0x010
#define SVM_EXIT_WRITE_CR4   0x014
#define SVM_EXIT_EXCP_BASE   0x040
#define SVM_EXIT_INTR	     0x060
#define SVM_EXIT_NMI	     0x061
#define SVM_EXIT_SMI	     0x062
#define SVM_EXIT_INIT	     0x063
#define SVM_EXIT_VINTR	     0x064
#define SVM_EXIT_CPUID	     0x072
#define SVM_EXIT_IRET	     0x074
#define SVM_EXIT_INVD	     0x076
#define SVM_EXIT_PAUSE	     0x077
#define SVM_EXIT_HLT	     0x078
#define SVM_EXIT_INVLPGA     0x07a
#define SVM_EXIT_IOIO	     0x07b
#define SVM_EXIT_MSR	     0x07c
#define SVM_EXIT_TASK_SWITCH 0x07d
#define SVM_EXIT_SHUTDOWN    0x07f
#define SVM_EXIT_VMRUN	     0x080
#define SVM_EXIT_VMMCALL     0x081
#define SVM_EXIT_VMLOAD	     0x082
#define SVM_EXIT_VMSAVE	     0x083
#define SVM_EXIT_STGI	     0x084
#define SVM_EXIT_CLGI	     0x085
#define SVM_EXIT_SKINIT	     0x086
#define SVM_EXIT_XSETBV	     0x08d
#define SVM_EXIT_NPF	     0x400
#define SVM_EXIT_INVALID     0xffffffffU

/* #NPF EXITINFO1 error code bits */
#define SVM_NPF_PRESENT BIT(0)
#define SVM_NPF_WRITE	BIT(1)
#define SVM_NPF_FETCH	BIT(4)

/* IOIO EXITINFO1 */
#define SVM_IOIO_IN	    BIT(0)
#define SVM_IOIO_STR	    BIT(2)
#define SVM_IOIO_REP	    BIT(3)
#define SVM_IOIO_SIZE_SHIFT 4
#define SVM_IOIO_PORT_SHIFT 16

#define MSR_VM_HSAVE_PA	    0xc0010117

/* Per-vCPU SVM state. */
struct svm_vcpu {
	struct vmcb *vmcb; /* page, hva == hpa */
	bool flush_pending;
	u64 injected; /* EVENTINJ of the last VMRUN, for a crash report */
	/*
	 * NMI blocking, which the VMCB does not show: set when an NMI is
	 * injected, IRET intercepted until the guest's handler returns; NMIs
	 * open again once the guest has left that IRET (nmi_iret_rip).
	 */
	bool nmi_masked, nmi_iret;
	u64 nmi_iret_rip;
	u8 vtpr; /* V_TPR as written before the last VMRUN */
};

struct vcpu;
struct vm_exit;

/*
 * Emulate the intercepted write of CR0 or CR4 (cr) that caused this exit
 * (svm_cr.c). Returns EXIT_NONE when done (written, or #GP injected), or
 * EXIT_UNKNOWN when the instruction cannot be decoded.
 */
enum exit_reason svm_cr_write(struct vcpu *v, struct vm_exit *e, unsigned cr);

/*
 * A WRMSR exit (e->msr.index set): write an address MSR that VMLOAD loads
 * (svm_emul.c) and return EXIT_NONE, or EXIT_MSR_WRITE for the core.
 */
enum exit_reason svm_addr_msr_write(struct vcpu *v, struct vm_exit *e);

/* svm_entry.S: VMLOAD/VMRUN/VMSAVE the guest, then VMLOAD the host's state back. */
void svm_vmrun(hpa_t vmcb, void *gprs, hpa_t host_vmcb, struct vcpu *v);
/* svm_entry.S: svm_vmrun's return point reached with no VMRUN behind it (crash_test). */
__noreturn void svm_stray_exit_test(void);
/* svm.c, called by svm_vmrun() after each #VMEXIT: true when answered in place. */
bool svm_exit_hot(struct vcpu *v);
extern const char svm_vmrun_resume[]; /* where the host resumes after #VMEXIT */

#endif
