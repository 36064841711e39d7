/* SPDX-License-Identifier: MIT */
/* Common exit handlers, one per enum exit_reason (private to core/). */
#ifndef CORE_HANDLERS_H
#define CORE_HANDLERS_H

#include <hv/exit.h>
#include <hv/vm.h>

enum exit_action handle_cpuid(struct vcpu *v, struct vm_exit *e);
enum exit_action handle_msr(struct vcpu *v, struct vm_exit *e);
enum exit_action handle_hypercall(struct vcpu *v, struct vm_exit *e);
/* Advance RIP past the exiting instruction, or stop the VM if it cannot be decoded. */
enum exit_action exit_resume_after(struct vcpu *v, struct vm_exit *e);
void msr_vcpu_init(struct vcpu *v);

#endif
