/* SPDX-License-Identifier: MIT */
/* The vendor-neutral VM exit: vendor code decodes into this, exit.c dispatches on it. */
#ifndef HV_EXIT_H
#define HV_EXIT_H

#include <hv/types.h>

enum exit_reason {
	EXIT_NONE,
	EXIT_CPUID,
	EXIT_IO,
	EXIT_MSR_READ,
	EXIT_MSR_WRITE,
	EXIT_HYPERCALL,
	EXIT_S2_FAULT, /* EPT violation / nested page fault */
	EXIT_HLT,
	EXIT_EXTINT,	   /* a host interrupt arrived while the guest ran */
	EXIT_SHUTDOWN,	   /* triple fault */
	EXIT_EXCEPTION,	   /* an intercepted guest exception */
	EXIT_VIRT_INSN,	   /* the guest ran a virtualization instruction (VMRUN, VMXON, ...) */
	EXIT_INVALID,	   /* VM entry failed: invalid guest state */
	EXIT_S2_MISCONFIG, /* EPT misconfiguration: a hypervisor bug */
	EXIT_PAUSE,
	EXIT_XSETBV,
	EXIT_INIT_SIPI,
	EXIT_UNKNOWN, /* anything else the vendor code does not map */
	EXIT_REASON_COUNT
};

/* Access kind of a stage-2 fault. */
#define S2_ACCESS_READ	BIT(0)
#define S2_ACCESS_WRITE BIT(1)
#define S2_ACCESS_EXEC	BIT(2)

struct vm_exit {
	enum exit_reason reason;
	u64 vendor_code; /* raw exit code, for log lines */
	u64 rip;	 /* guest RIP of the exiting instruction */
	u32 insn_len;	 /* its length, 0 when the vendor does not know it */
	union {
		struct {
			u16 port;
			u8 size; /* 1, 2 or 4 */
			bool in;
			bool string;
			bool rep;
		} io;
		struct {
			u32 index;
		} msr;
		struct {
			gpa_t gpa;
			u8 access;    /* S2_ACCESS_* */
			bool present; /* a translation existed (permission fault) */
		} s2;
		struct {
			u8 vector;
			bool has_error;
			u32 error;
			u64 cr2;
		} exc;
		struct {
			const char *name; /* "VMRUN", "VMXON", ... */
		} insn;
		struct {
			u64 info; /* vendor detail (VM-instruction error, qualification) */
		} raw;
		struct {
			u64 rflags; /* its VM flag refuses the call, as CPL > 0 does */
			u8 cpl;
			bool wide; /* 64-bit code (EFER.LMA and CS.L): 64-bit arguments */
		} hc;
	};
};

/* What an exit handler asks of the run loop. */
enum exit_action {
	EXIT_RESUME,  /* run the vCPU again */
	EXIT_YIELD,   /* give the CPU to others, stay runnable */
	EXIT_BLOCK,   /* the vCPU waits (HLT, pending broker decision) */
	EXIT_STOP_VM, /* stop the whole VM; the handler has logged why */
	EXIT_PARK,    /* this vCPU goes offline; the VM goes on */
};

struct vcpu;

/* Dispatch one exit to its common handler. */
enum exit_action exit_dispatch(struct vcpu *v, struct vm_exit *e);

/*
 * The hot exits, handled where they happened: the vendor's run calls this
 * right after an exit that may be one (CPUID, a hypercall; with reason, rip,
 * insn_len and for a hypercall hc filled in) and, when it returns true, steps
 * RIP over the instruction and enters again without going back to the
 * scheduler's loop. True only when that loop would have done nothing else:
 * the exit is answered from v's own state (a cached CPUID leaf, a hypercall
 * that only reads), v's entry is quiet (vcpu_entry_quiet()), its slice is not
 * over and nothing holds, stops or wakes it. False: nothing was done, the
 * exit goes the common way. It changes no guest register but RAX, RBX, RCX
 * and RDX: the vendors' world switch enters again without reloading the
 * others that C code keeps (RBP, R12-R15).
 */
bool exit_hot(struct vcpu *v, const struct vm_exit *e);

/* Name of an exit reason for log lines. */
const char *exit_reason_name(enum exit_reason r);

#endif
