// SPDX-License-Identifier: MIT
/* VM lifecycle: the one writer of VM state; stops, pauses, broker waits and quiescing. */
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/broker.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/lifecycle.h>
#include <hv/machine.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vm.h>

/* Make CPUs with runnable vCPUs of vm look again: its state or hold changed. */
static void vm_kick_vcpus(struct vm *vm)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (v->state == VCPU_RUNNABLE && v->cpu != this_cpu()->cpu_id)
			smp_kick(v->cpu);
	}
}

/*
 * Make vCPUs of vm that run exits in place (exit_hot()) go back to the run
 * loop, which checks the VM's state and hold: before the change is waited
 * for, so that each of them either sees the mark or is kicked out of the
 * guest and finds it.
 */
static void vm_mark_vcpus(struct vm *vm)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		__atomic_store_n(&vm->vcpus[i]->plat_dirty, true, __ATOMIC_SEQ_CST);
}

int vm_start(struct vm *vm)
{
	int err = vmstate_apply(&vm->life, VM_T_START);

	if (err)
		return err;
	vm->vcpus[0]->state = VCPU_RUNNABLE;
	sched_add(vm->vcpus[0], -1);
	return 0;
}

int vm_pause(struct vm *vm, const char *fmt, ...)
{
	va_list ap;
	int err = vmstate_apply(&vm->life, VM_T_PAUSE);

	if (err)
		return err;
	vm_mark_vcpus(vm);
	va_start(ap, fmt);
	vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	pr_warn("vm %s: paused: %s\n", vm->cfg.name, vm->stop_reason);
	return 0;
}

int vm_resume(struct vm *vm)
{
	int err = vmstate_apply(&vm->life, VM_T_RESUME);

	if (err)
		return err;
	vm->stop_reason[0] = '\0';
	/* A vCPU whose request was denied runs again: its access faults anew. */
	vm_kick_vcpus(vm);
	return 0;
}

/* Wait until no other CPU runs a vCPU of vm, then forget them all. */
static void vm_stop_vcpus(struct vm *vm)
{
	struct vcpu *self = this_cpu()->current;

	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		v->state = VCPU_STOPPED;
		/* Taken, not just seen off its CPU: a pick racing the store above is refused. */
		while (v != self && !sched_vcpu_take(v)) {
			smp_kick(v->cpu);
			udelay(10);
		}
		sched_vcpu_gone(v);
		if (v->vendor)
			hvm->vcpu_destroy(v);
	}
}

void vm_stop(struct vm *vm, enum vm_stop_kind kind, int status, const char *fmt, ...)
{
	va_list ap;

	if (vmstate_apply(&vm->life, VM_T_STOP_BEGIN))
		return; /* stopped already, or being stopped by another CPU */
	vm_mark_vcpus(vm);
	/* The record is complete before STOP_END publishes VM_STOPPED. */
	va_start(ap, fmt);
	vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm->stop_kind = kind;
	vm->exit_status = status;
	vm->stop_tsc = rdtsc();

	vdev_console_flush(vm);
	if (kind == VM_STOP_EXIT)
		pr_info("vm %s: %s\n", vm->cfg.name, vm->stop_reason);
	else
		pr_err("vm %s: stopped: %s\n", vm->cfg.name, vm->stop_reason);
	vm_stop_vcpus(vm);
	vdev_release(vm);
	if (vm->mem.s2.root != INVALID_HPA && vm->mem.s2.root)
		demand_release_all(&vm->mem);
	vmstate_apply(&vm->life, VM_T_STOP_END);
	vm_print_figures(vm);
	broker_vm_stopped(vm);
	machine_vm_stopped(vm);
}

int vm_destroy(struct vm *vm, const char *why)
{
	vm_stop(vm, VM_STOP_REQUEST, -1, "%s", why);
	return vmstate_apply(&vm->life, VM_T_DESTROY);
}

/*
 * Keep every vCPU of vm out of guest mode: the VM is held (not picked) and
 * CPUs running its vCPUs are kicked and waited for. The calling CPU's own
 * vCPU, if it is one of them, is in the hypervisor already.
 */
static bool vm_hold(struct vm *vm)
{
	struct vcpu *self = this_cpu()->current;

	spin_lock(&vm->life.lock);
	if (vm->life.stopping || vm->life.state == VM_STOPPED || vm->life.state == VM_EMPTY) {
		spin_unlock(&vm->life.lock);
		return false;
	}
	__atomic_fetch_add(&vm->held, 1, __ATOMIC_SEQ_CST);
	spin_unlock(&vm->life.lock);
	vm_mark_vcpus(vm);
	/* sched_run_slice() announces in_guest, then looks for a hold: one sees the other. */
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		while (v != self && __atomic_load_n(&v->in_guest, __ATOMIC_SEQ_CST)) {
			smp_kick(v->cpu);
			udelay(10);
		}
	}
	return true;
}

static void vm_release(struct vm *vm)
{
	__atomic_fetch_sub(&vm->held, 1, __ATOMIC_SEQ_CST);
	vm_kick_vcpus(vm);
}

long vm_quiesce(struct vm *vm, long (*work)(struct vm *vm, void *arg), void *arg)
{
	long ret;

	if (!vm_hold(vm))
		return -EBUSY;
	ret = work(vm, arg);
	/* Before any vCPU enters again, on whatever CPU: no stale translation survives. */
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->vendor)
			hvm->s2_flush(vm->vcpus[i]);
	if (vm->mem.s2.root != INVALID_HPA && vm->mem.s2.root)
		s2pt_flushed(&vm->mem.s2);
	vm_release(vm);
	return ret;
}

enum exit_action vm_wait_for_memory(struct vcpu *v, bool host_low, u64 bytes, u64 gpa, u64 rip,
				    const char *access)
{
	struct vm *vm = v->vm;

	/* Announce the block first: an answer that comes at once must find it. */
	sched_block_prepare(v, 0);
	if (broker_request_memory(v, host_low, bytes, gpa))
		return EXIT_BLOCK;
	sched_block_cancel(v);
	if (host_low)
		vm_pause(vm, "no free host memory for GPA 0x%llx at rip 0x%llx", gpa, rip);
	else
		vm_pause(vm,
			 "%s of GPA 0x%llx needs memory beyond its quota (%llu MiB committed of "
			 "%llu MiB) at rip 0x%llx; no broker to ask",
			 access, gpa, vm->mem.acct.committed >> 20, vm->mem.acct.quota >> 20, rip);
	/* Runnable but not picked while paused; on resume the access faults again. */
	return EXIT_YIELD;
}

void vm_memory_answered(struct vcpu *v, u64 id, bool grant)
{
	v->pending_request = 0;
	if (!grant)
		vm_pause(v->vm, "memory request %llu denied by the broker", id);
	/* Granted, the access is made again and maps; denied, it is made on resume. */
	sched_wake(v);
}
