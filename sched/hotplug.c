// SPDX-License-Identifier: MIT
/* vCPU hotplug mechanism: launch a new vCPU on an idle core, park one on request. */
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/vm.h>
#include <public/hypercall.h>

#include "sched_internal.h"

static u32 vcpus_online(const struct vm *vm)
{
	u32 n = 0;

	for (u32 i = 0; i < vm->nr_vcpus; i++)
		n += vm->vcpus[i]->state != VCPU_STOPPED;
	return n;
}

/* A free vCPU slot: a parked one, or the next unused. */
static s32 free_slot(const struct vm *vm)
{
	for (u32 i = 1; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->state == VCPU_STOPPED)
			return (s32)i;
	return vm->nr_vcpus < VM_MAX_VCPUS ? (s32)vm->nr_vcpus : -1;
}

static void vcpu_prepare_launch(struct vm *vm, struct vcpu *v, u32 id)
{
	u64 now = rdtsc();

	vcpu_reset(v, vm, id);
	v->state = VCPU_NEW;
	v->sipi_vector = -1;
	v->boot_entry = vm->vcpu_entry;
	v->boot_eax = SPROUT_VCPU_MAGIC;
	v->boot_ebx = id;
	v->boot_ecx = vm->vcpu_entry_arg;
	/* The TSC of the request, so the guest can measure how long its vCPU took to come. */
	v->boot_edx = (u32)now;
	v->boot_esi = (u32)(now >> 32);
	v->launch_tsc = now;
	vm->vcpus[id] = v;
	if (id >= vm->nr_vcpus)
		vm->nr_vcpus = id + 1;
}

long sched_vcpu_add(struct vm *vm)
{
	s32 slot, cpu;
	struct vcpu *v;

	spin_lock(&vm->lock);
	if (vm_state(vm) != VM_RUNNING || vm_stopping(vm)) {
		spin_unlock(&vm->lock);
		return -EINVAL;
	}
	if (vcpus_online(vm) >= vm->cfg.vcpus_max || (slot = free_slot(vm)) < 0) {
		spin_unlock(&vm->lock);
		return -ENOSPC;
	}
	if (!vm->vcpu_entry) {
		spin_unlock(&vm->lock);
		return -ENOENT; /* the guest has not registered where new vCPUs start */
	}
	cpu = sched_find_idle_cpu();
	if (cpu < 0) {
		spin_unlock(&vm->lock);
		return -EBUSY;
	}
	v = sched_hooks_vcpu_slot(vm, (u32)slot);
	if (!v) {
		spin_unlock(&vm->lock);
		return -ENOMEM;
	}
	vcpu_prepare_launch(vm, v, (u32)slot);
	spin_unlock(&vm->lock);
	pr_info("vm %s: adding vCPU %d on CPU %d\n", vm->cfg.name, slot, cpu);
	sched_launch_on(v, (u32)cpu);
	return slot;
}

bool sched_create_vcpu(struct percpu *cpu, struct vcpu *v)
{
	int err;

	v->pickup_tsc = rdtsc();
	err = hvm->vcpu_create(v);

	if (err) {
		pr_err("vm %s: vCPU %u could not be created on CPU %u: %s\n", v->vm->cfg.name,
		       v->id, cpu->cpu_id, strerror_hv(err));
		v->state = VCPU_STOPPED;
		sched_vcpu_gone(v);
		__atomic_store_n(&v->on_cpu, false, __ATOMIC_RELEASE);
		return true;
	}
	sched_hooks_vcpu_created(v);
	if (v->sipi_vector >= 0) {
		hvm->vcpu_set_sipi_state(v, (u8)v->sipi_vector);
	} else {
		const struct vcpu_boot b = {.rip = v->boot_entry,
					    .eax = v->boot_eax,
					    .ebx = v->boot_ebx,
					    .ecx = v->boot_ecx,
					    .edx = v->boot_edx,
					    .esi = v->boot_esi};

		hvm->vcpu_set_boot_state(v, &b);
	}
	/* A stop that came meanwhile wins: the run loop sees VCPU_STOPPED and lets go. */
	__atomic_compare_exchange_n(&v->state, &(enum vcpu_state){VCPU_NEW}, VCPU_RUNNABLE, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	return false;
}

void sched_vcpu_init_sipi(struct vm *vm, u32 id, bool startup, u8 vector)
{
	struct vcpu *v;
	s32 cpu;

	if (id >= vm->cfg.vcpus_max || id >= VM_MAX_VCPUS || id == 0)
		return;
	spin_lock(&vm->lock);
	if ((id < vm->nr_vcpus && vm->vcpus[id]->state != VCPU_STOPPED) || vm_stopping(vm)) {
		spin_unlock(&vm->lock);
		return; /* running already: INIT/SIPI to a live vCPU is not supported */
	}
	if (!startup) {
		vm->init_pending |= BIT(id);
		spin_unlock(&vm->lock);
		return;
	}
	if (!(vm->init_pending & BIT(id))) {
		spin_unlock(&vm->lock);
		return; /* STARTUP without INIT is ignored, as by a real CPU */
	}
	v = sched_hooks_vcpu_slot(vm, id);
	if (!v) {
		spin_unlock(&vm->lock);
		pr_err("vm %s: vCPU %u not started: no memory for its slot\n", vm->cfg.name, id);
		return;
	}
	vm->init_pending &= ~BIT(id);
	vcpu_prepare_launch(vm, v, id);
	v->sipi_vector = vector;
	cpu = sched_find_idle_cpu();
	spin_unlock(&vm->lock);
	if (cpu < 0)
		cpu = (s32)sched_least_loaded_cpu();
	pr_info("vm %s: vCPU %u started by INIT/SIPI at %02x00:0000 on CPU %d\n", vm->cfg.name, id,
		vector, cpu);
	sched_launch_on(v, (u32)cpu);
}

/*
 * After the first exit of a launched vCPU: how long its launch took, from the
 * request (HC_VCPU_ADD, or the guest's STARTUP IPI) to its core picking it up
 * and to its first instruction (the VM entry).
 */
void sched_report_launch(struct vcpu *v)
{
	u64 at = v->launch_tsc;

	v->launch_tsc = 0;
	pr_info("vm %s: vCPU %u launched: core woke %llu us and guest entered %llu us after the "
		"request\n",
		v->vm->cfg.name, v->id, (v->pickup_tsc - at) * 1000 / tsc_khz,
		(v->entry_tsc - at) * 1000 / tsc_khz);
}

long sched_vcpu_park(struct vm *vm)
{
	struct vcpu *victim = NULL;

	spin_lock(&vm->lock);
	if (vm_state(vm) != VM_RUNNING || vm_stopping(vm)) {
		spin_unlock(&vm->lock);
		return -EINVAL;
	}
	if (vcpus_online(vm) <= vm->cfg.vcpus_min) {
		spin_unlock(&vm->lock);
		return -ERANGE; /* at its minimum */
	}
	for (u32 i = vm->nr_vcpus; i-- > 1 && !victim;)
		if (vm->vcpus[i]->state != VCPU_STOPPED && !vm->vcpus[i]->park_requested)
			victim = vm->vcpus[i];
	if (!victim) {
		spin_unlock(&vm->lock);
		return -EBUSY;
	}
	victim->park_requested = true;
	victim->park_deadline_tsc = rdtsc() + SPROUT_PARK_GRACE_MS * tsc_khz;
	victim->park_run_mark = victim->busy_tsc;
	spin_unlock(&vm->lock);
	pr_info("vm %s: asking the guest to park vCPU %u\n", vm->cfg.name, victim->id);
	sched_wake(victim);
	return victim->id;
}

/* Take v off its core for good (it is not running): the core is free again. */
void sched_park_now(struct vcpu *v, const char *how)
{
	u32 cpu = v->cpu;

	/* The slot may be reused: keep what this vCPU did in the VM's totals. */
	v->vm->parked_busy_tsc += v->busy_tsc;
	v->vm->parked_exits += v->exits;
	for (u32 r = 0; r < EXIT_REASON_COUNT; r++) {
		v->vm->parked_exits_by_reason[r] += v->exits_by_reason[r];
		v->exits_by_reason[r] = 0;
	}
	v->busy_tsc = 0;
	v->exits = 0;
	v->state = VCPU_STOPPED;
	v->park_requested = false;
	v->park_ejected = false;
	sched_vcpu_gone(v);
	hvm->vcpu_destroy(v);
	pr_info("vm %s: vCPU %u parked (%s); CPU %u is free\n", v->vm->cfg.name, v->id, how, cpu);
}

bool sched_vcpu_eject(struct vm *vm, u32 id)
{
	bool found = false;

	spin_lock(&vm->lock);
	if (id && id < vm->nr_vcpus && vm->vcpus[id]->state != VCPU_STOPPED) {
		vm->vcpus[id]->park_ejected = true;
		found = true;
	}
	spin_unlock(&vm->lock);
	return found;
}

/*
 * The grace is the guest's, not the host's: past the deadline, a vCPU that has
 * not answered is parked once it has run SPROUT_PARK_GRACE_RUN_MS since the
 * request, or has run and gone back to sleep without answering. One that did
 * not get to run (a starved host, an emulator thread descheduled for a second)
 * has not yet had its chance.
 */
static bool park_grace_used(const struct vcpu *v)
{
	u64 ran = v->busy_tsc - v->park_run_mark;

	return ran >= SPROUT_PARK_GRACE_RUN_MS * tsc_khz || (ran && v->state == VCPU_BLOCKED);
}

void sched_hotplug_tick(struct percpu *cpu)
{
	u64 now = rdtsc();
	u32 slots = sched_hooks_vm_slots();

	sched_load_sample(cpu);

	for (u32 i = 0; i < slots; i++) {
		struct vm *vm = sched_hooks_vm_at(i);

		if (vm_state(vm) != VM_RUNNING && vm_state(vm) != VM_PAUSED)
			continue;
		for (u32 j = 1; j < vm->nr_vcpus; j++) {
			struct vcpu *v = vm->vcpus[j];
			const char *how = NULL;

			if (v->cpu != cpu->cpu_id || v->on_cpu || v->state == VCPU_STOPPED)
				continue;
			if (v->park_ejected)
				how = "the guest ejected it";
			else if (v->park_requested && now >= v->park_deadline_tsc &&
				 park_grace_used(v))
				how = "the guest did not answer in time";
			/*
			 * Taken first: another CPU may be stealing v this moment,
			 * and its VMCB/VMCS must not go while that CPU runs it.
			 */
			if (how && sched_vcpu_take(v))
				sched_park_now(v, how);
		}
	}
}
