/* SPDX-License-Identifier: MIT */
/* VM lifecycle: every change of a VM's state, blocking on the broker, and quiescing a VM. */
#ifndef HV_LIFECYCLE_H
#define HV_LIFECYCLE_H

#include <hv/exit.h>
#include <hv/types.h>
#include <hv/vmstate.h>

struct vm;
struct vcpu;

/*
 * The only writers of vm->life (core/lifecycle.c). Each applies one
 * transition of the state machine in include/hv/vmstate.h under the VM's
 * state lock and returns 0 or its error: -EBUSY while a stop is under way,
 * -EINVAL when the VM is not in a state the change applies to.
 */

/* CREATED -> RUNNING: queue vCPU 0. */
int vm_start(struct vm *vm);

/* RUNNING -> PAUSED with a reason (kept for `vm info`); its vCPUs leave guest mode. */
int vm_pause(struct vm *vm, const char *fmt, ...) __printf(2, 3);

/* PAUSED -> RUNNING: its vCPUs run again. */
int vm_resume(struct vm *vm);

/*
 * Stop a VM: log the reason, stop its vCPUs, free its memory, keep its
 * figures. Safe from any CPU, also from one of the VM's own vCPUs; a second
 * stop while one is under way is a no-op.
 */
void vm_stop(struct vm *vm, enum vm_stop_kind kind, int status, const char *fmt, ...)
	__printf(4, 5);

/* Stop the VM if it is live, then free its table slot (STOPPED -> EMPTY). */
int vm_destroy(struct vm *vm, const char *why);

/*
 * Run work(vm, arg) with no vCPU of vm in guest mode, then flush every vCPU's
 * stage-2 translations before any of them enters the guest again: the one
 * way to edit a running VM's stage-2 map (reclaim, release hints). Returns
 * what work returned, or -EBUSY when the VM is being stopped.
 */
long vm_quiesce(struct vm *vm, long (*work)(struct vm *vm, void *arg), void *arg);

/*
 * v's stage-2 fault needs memory the quota or the host cannot give: block v
 * on a request to the broker, or pause the VM when there is no broker.
 * Returns the exit action for the fault.
 */
enum exit_action vm_wait_for_memory(struct vcpu *v, bool host_low, u64 bytes, u64 gpa, u64 rip,
				    const char *access);

/* The broker answered v's memory request id: wake v (grant) or pause its VM (deny). */
void vm_memory_answered(struct vcpu *v, u64 id, bool grant);

#endif
