/* SPDX-License-Identifier: MIT */
/* Common exit handlers, one per enum exit_reason (private to core/). */
#ifndef CORE_HANDLERS_H
#define CORE_HANDLERS_H

#include <hv/exit.h>
#include <hv/hcargs.h>
#include <hv/vm.h>
#include <public/hypercall.h>

enum exit_action handle_cpuid(struct vcpu *v, struct vm_exit *e);
enum exit_action handle_msr(struct vcpu *v, struct vm_exit *e);
enum exit_action handle_hypercall(struct vcpu *v, struct vm_exit *e);

/*
 * A vCPU's cached CPUID answer for the leaf and subleaf in its EAX and ECX
 * (core/cpuid.c fills the cache): put into its registers, or false.
 */
static inline struct vcpu_cpuid_hit *cpuid_slot(struct vcpu *v, u32 leaf)
{
	return &v->cpuid_cache[(leaf ^ (leaf >> 28)) % ARRAY_SIZE(v->cpuid_cache)];
}

static inline bool cpuid_from_cache(struct vcpu *v, const struct vcpu_cpuid_hit *h)
{
	if (!h->valid || h->leaf != (u32)v->regs.rax || h->sub != (u32)v->regs.rcx ||
	    h->nr_vcpus != v->vm->nr_vcpus)
		return false;
	v->regs.rax = h->r[0];
	v->regs.rbx = h->r[1];
	v->regs.rcx = h->r[2];
	v->regs.rdx = h->r[3];
	return true;
}

/*
 * The hypercalls that only read v's state and always resume, the ones a
 * guest may make in a loop: the answer into *ret, or false for any other.
 * Both the common path (core/hypercall.c) and exit_hot() answer them here.
 */
static inline bool hc_read_only(const struct vcpu *v, u64 nr, long *ret)
{
	if (nr == HC_VERSION)
		*ret = SPROUT_ABI_VERSION;
	else if (nr == HC_VCPU_POLL)
		*ret = v->park_requested ? SPROUT_VCPU_PARK : SPROUT_VCPU_RUN;
	else
		return false;
	return true;
}

/* A read-only hypercall from CPL 0 (a refusal is logged: the common path does it). */
static inline bool hypercall_hot(struct vcpu *v, const struct vm_exit *e)
{
	long ret;

	if (hcargs_caller(e->hc.cpl, e->hc.rflags) ||
	    !hc_read_only(v, hcargs_reg(v->regs.rax, e->hc.wide), &ret))
		return false;
	v->regs.rax = (u64)ret;
	return true;
}

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
