/* SPDX-License-Identifier: MIT */
/* Common exit handlers, one per enum exit_reason (private to core/). */
#ifndef CORE_HANDLERS_H
#define CORE_HANDLERS_H

#include <hv/exit.h>
#include <hv/vm.h>

enum exit_action handle_cpuid(struct vcpu *v, struct vm_exit *e);
enum exit_action handle_msr(struct vcpu *v, struct vm_exit *e);
enum exit_action handle_hypercall(struct vcpu *v, struct vm_exit *e);

/* A hypercall: its number and four arguments, masked to the caller's mode. */
struct hc_args {
	u64 nr;
	u64 arg[4];
};

/* What a hypercall handler gives back: RAX for the guest and what the vCPU does next. */
struct hc_result {
	long ret;
	enum exit_action act;
};
#define HC_RET(val) ((struct hc_result){(long)(val), EXIT_RESUME})

/* v's HC_WAIT_EVENT block ended: its result is the events that came (0: timeout). */
void hypercall_wait_done(struct vcpu *v);
/* Advance RIP past the exiting instruction, or stop the VM if it cannot be decoded. */
enum exit_action exit_resume_after(struct vcpu *v, struct vm_exit *e);

/*
 * Fetch the instruction at v's CS:RIP and decode its memory access for the
 * vCPU's mode (core/mmio_insn.c); returns mmio_insn_decode()'s result.
 */
struct mmio_insn;
int exit_decode_mmio(struct vcpu *v, struct mmio_insn *d);
void msr_vcpu_init(struct vcpu *v);

#endif
