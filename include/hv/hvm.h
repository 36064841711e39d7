/* SPDX-License-Identifier: MIT */
/* The vendor seam: one hvm_ops table, chosen at boot from CPUID (SVM or VMX). */
#ifndef HV_HVM_H
#define HV_HVM_H

#include <hv/exit.h>
#include <hv/types.h>

struct vm;
struct vcpu;
struct s2pt_format;

/* Guest registers kept outside the GPR array: read and written through the vendor. */
enum vcpu_reg {
	VCPU_REG_RIP,
	VCPU_REG_RSP,
	VCPU_REG_RFLAGS,
	VCPU_REG_CR0,
	VCPU_REG_CR3,
	VCPU_REG_CR4,
	VCPU_REG_EFER,
	VCPU_REG_CS_BASE,
	VCPU_REG_CPL,
	VCPU_REG_MODE64,  /* read-only: 1 in 64-bit mode (EFER.LMA and CS.L), else 0 */
	VCPU_REG_CS_LONG, /* CS.L as 0 or 1 */
	VCPU_REG_COUNT
};

/* Event types for inject_event (the same numbering as SVM EVENTINJ and VMX entry info). */
enum event_type {
	EVENT_EXTINT = 0,
	EVENT_NMI = 2,
	EVENT_EXCEPTION = 3,
	EVENT_SOFTINT = 4,
};

/*
 * A vCPU's first instruction, as a loader (core/loader/) or the hotplug
 * protocol asks for it. Segments are flat with base 0; cs and ds are their
 * selectors (0: 0x08 and 0x10), gdt_base/gdt_limit the GDTR (limit 0: an
 * empty GDTR of limit 0xffff, as before any GDT is loaded). long_mode: CR0.PG,
 * CR4.PAE, EFER.LME/LMA, a 64-bit CS and cr3 as the root; else paging off.
 */
struct vcpu_boot {
	u64 rip;
	u32 eax, ebx, ecx, edx, esi;
	bool long_mode;
	u32 cr3;
	u32 gdt_base;
	u16 gdt_limit;
	u16 cs, ds;
};

struct hvm_ops {
	const char *name; /* "svm" or "vmx" */
	const struct s2pt_format *s2_format;
	u32 vcpu_bytes; /* what one vCPU's vendor state takes beyond its slot's frame (the VMCB/VMCS) */

	/* Turn virtualization on for the calling CPU. 0 or a negative code. */
	int (*cpu_enable)(void);

	/* Allocate and initialise the vendor state of v (VMCB/VMCS). */
	int (*vcpu_create)(struct vcpu *v);
	void (*vcpu_destroy)(struct vcpu *v);

	/*
	 * Put v in the state a loaded kernel expects (struct vcpu_boot): flat
	 * segments, interrupts off, 32-bit protected mode with paging off or
	 * 64-bit mode on the loader's page tables.
	 */
	void (*vcpu_set_boot_state)(struct vcpu *v, const struct vcpu_boot *b);

	/* The state after INIT and a STARTUP IPI: real mode at vector:0000. */
	void (*vcpu_set_sipi_state)(struct vcpu *v, u8 vector);

	/*
	 * Enter the guest and return at the next exit, decoded into e. The GPRs
	 * in v->regs are loaded before and saved after. Called with host
	 * interrupts off, on the CPU that owns v.
	 */
	void (*vcpu_run)(struct vcpu *v, struct vm_exit *e);

	/*
	 * Optional: v leaves this CPU (end of its slice) and may run on another
	 * one next; VMX clears its VMCS here. NULL when nothing is needed.
	 */
	void (*vcpu_put)(struct vcpu *v);

	u64 (*get_reg)(struct vcpu *v, enum vcpu_reg r);
	void (*set_reg)(struct vcpu *v, enum vcpu_reg r, u64 val);

	/* Queue an event for the next entry. */
	void (*inject_event)(struct vcpu *v, u8 vector, enum event_type type, bool has_error,
			     u32 error);

	/*
	 * Interrupt delivery (core/vdev/irq.c decides, the vendor carries it out).
	 * irq_allowed: an external interrupt injected at the next entry would be
	 * taken at once: RFLAGS.IF set, no STI/MOV SS shadow, no event queued.
	 * nmi_allowed: the same for an NMI: not blocked by an NMI in progress, no
	 * shadow, no event queued. set_windows: exit as soon as the guest can take
	 * an interrupt (irq) or an NMI (nmi), instead of running on; both false
	 * turns the window exits off. Called on the CPU that runs v, before entry.
	 */
	bool (*irq_allowed)(struct vcpu *v);
	bool (*nmi_allowed)(struct vcpu *v);
	void (*set_windows)(struct vcpu *v, bool irq, bool nmi);

	/* RDTSC in the guest returns the host's TSC plus offset (SVM TSC_OFFSET, VMX TSC offsetting). */
	void (*set_tsc_offset)(struct vcpu *v, s64 offset);

	/* Make the next entry of v see stage-2 changes (unmaps, permission cuts). */
	void (*s2_flush)(struct vcpu *v);

	/*
	 * Optional, crash_test = stray-vmexit: go to the host's return point of a
	 * VM entry as a VM exit with no entry outstanding would (an emulator's
	 * fault), to test that it is caught. Does not return.
	 */
	void (*crash_test_stray_exit)(void);
};

extern const struct hvm_ops *hvm;
extern const struct hvm_ops svm_ops;
extern const struct hvm_ops vmx_ops;

/* Pick and enable the backend for this CPU; NULL-safe message on failure. */
int hvm_init(void);

#endif
