// SPDX-License-Identifier: MIT
/* The per-CPU run loop: pick a vCPU, run its slice, handle exits, block, wake, idle. */
#include <arch/apic.h>
#include <arch/power.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/broker.h>
#include <hv/hvm.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/zeropool.h>
#include <public/place.h>

#include "sched_internal.h"

/* Exit status of the machine when the test VM did not exit by itself. */
#define TEST_STATUS_VM_CRASHED	  126
#define TEST_STATUS_VM_NOT_LOADED 125

static const struct sched_ops *ops = &sched_rr_ops;
static char test_vm_name[CONFIG_NAME_MAX];
static spinlock_t launch_lock = SPINLOCK_INIT;

void sched_init(const char *test_vm)
{
	strlcpy(test_vm_name, test_vm, sizeof(test_vm_name));
}

u32 sched_cpu_count(void)
{
	return smp_cpus_online;
}

u32 sched_idle_count(void)
{
	struct sprout_core_load core[MAX_CPUS];

	sched_core_loads(core, MAX_CPUS);
	return place_free_count(core, MAX_CPUS);
}

s32 sched_find_idle_cpu(void)
{
	struct sprout_core_load core[MAX_CPUS];

	sched_core_loads(core, MAX_CPUS);
	return place_pick(core, MAX_CPUS);
}

/* Least loaded online CPU: the one with the fewest vCPUs that want to run. */
u32 sched_least_loaded_cpu(void)
{
	u32 best = 0, best_load = ~0u;

	for (u32 c = 0; c < MAX_CPUS; c++) {
		u32 load;

		if (!percpu[c].online)
			continue;
		load = sched_cpu_load(c);
		if (load < best_load)
			best = c, best_load = load;
	}
	return best;
}

void sched_add(struct vcpu *v, s32 cpu)
{
	u32 target = cpu >= 0 && cpu < MAX_CPUS && percpu[cpu].online ? (u32)cpu
								      : sched_least_loaded_cpu();

	v->last_cpu = -1;
	ops->add(v, target);
	if (target != this_cpu()->cpu_id)
		smp_kick(target);
}

void sched_vcpu_gone(struct vcpu *v)
{
	struct percpu *cpu = this_cpu();

	ops->remove(v);
	if (cpu->fpu_owner == v)
		cpu->fpu_owner = NULL;
	/* Another CPU may hold its FPU state in registers; that state is simply dropped. */
	for (u32 c = 0; c < MAX_CPUS; c++)
		if (percpu[c].fpu_owner == v)
			percpu[c].fpu_owner = NULL;
}

void sched_wake(struct vcpu *v)
{
	if (v->state != VCPU_BLOCKED)
		return;
	if (v->waiting_event) {
		/* HC_WAIT_EVENT returns the events that woke it, or 0 on timeout. */
		v->regs.rax = broker_take_events(v->vm);
		v->waiting_event = false;
		v->wake_tsc = 0;
	}
	v->state = VCPU_RUNNABLE;
	if (v->cpu != this_cpu()->cpu_id)
		smp_kick(v->cpu);
}

bool sched_hold_vm(struct vm *vm)
{
	struct vcpu *self = this_cpu()->current;

	spin_lock(&vm->lock);
	if (vm->stopping) {
		spin_unlock(&vm->lock);
		return false;
	}
	__atomic_fetch_add(&vm->held, 1, __ATOMIC_SEQ_CST);
	spin_unlock(&vm->lock);
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		while (v != self && __atomic_load_n(&v->in_guest, __ATOMIC_SEQ_CST)) {
			smp_kick(v->cpu);
			udelay(10);
		}
	}
	return true;
}

void sched_release_vm(struct vm *vm)
{
	spin_lock(&vm->lock);
	vm->held--;
	spin_unlock(&vm->lock);
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->state == VCPU_RUNNABLE && vm->vcpus[i]->cpu != this_cpu()->cpu_id)
			smp_kick(vm->vcpus[i]->cpu);
}

void sched_launch_on(struct vcpu *v, u32 cpu)
{
	spin_lock(&launch_lock);
	percpu[cpu].launch = v;
	spin_unlock(&launch_lock);
	smp_kick(cpu);
}

static void print_vm_summary(void);

/* End the machine once: another CPU may reach the same conclusion at the same time. */
static __noreturn void machine_finish(int status, bool report)
{
	static bool finishing;

	if (__atomic_exchange_n(&finishing, true, __ATOMIC_ACQ_REL))
		cpu_halt_forever();
	print_vm_summary();
	power_off(status, report);
}

static void print_vm_summary(void)
{
	for (u32 i = 0; i < VM_MAX; i++) {
		const struct vm *vm = &vm_table[i];

		if (vm->state != VM_EMPTY)
			pr_info("sprout: vm %s %s%s%s\n", vm->cfg.name, vm_state_name(vm->state),
				vm->state == VM_STOPPED ? ": " : "",
				vm->state == VM_STOPPED ? vm->stop_reason : "");
	}
}

void sched_vm_stopped(struct vm *vm)
{
	int status;

	if (!test_vm_name[0] || strcmp(vm->cfg.name, test_vm_name))
		return;
	status = vm->stop_kind == VM_STOP_EXIT	 ? vm->exit_status
		 : vm->stop_kind == VM_STOP_LOAD ? TEST_STATUS_VM_NOT_LOADED
						 : TEST_STATUS_VM_CRASHED;
	pr_info("sprout: test VM %s finished (%s); machine status %d\n", vm->cfg.name,
		vm->stop_reason, status);
	machine_finish(status, true);
}

/* Wake vCPUs whose HC_WAIT_EVENT timeout has passed. */
static void sched_wake_expired(void)
{
	u64 now = rdtsc();

	for (u32 i = 0; i < VM_MAX; i++) {
		struct vm *vm = &vm_table[i];

		if (vm->state != VM_RUNNING)
			continue;
		for (u32 j = 0; j < vm->nr_vcpus; j++) {
			struct vcpu *v = vm->vcpus[j];

			if (v->state == VCPU_BLOCKED && v->wake_tsc && now >= v->wake_tsc &&
			    v->cpu == this_cpu()->cpu_id)
				sched_wake(v);
		}
	}
}

/* Work done once per host timer tick, not once per exit. */
static void sched_tick_work(struct percpu *cpu)
{
	if (cpu->seen_tick == cpu->timer_ticks)
		return;
	cpu->seen_tick = cpu->timer_ticks;
	if (cpu->cpu_id == 0)
		broker_tick();
	sched_wake_expired();
	sched_hotplug_tick(cpu);
}

static bool any_vm_alive(void)
{
	for (u32 i = 0; i < VM_MAX; i++)
		if (vm_table[i].state == VM_RUNNING || vm_table[i].state == VM_PAUSED ||
		    vm_table[i].state == VM_CREATED)
			return true;
	return false;
}

/* CPU 0 decides when the machine is done; the others just wait for work. */
static void sched_idle(struct percpu *cpu, bool *idle_said)
{
	if (cpu->cpu_id == 0 && !any_vm_alive() && !broker_restart_due()) {
		pr_info("sprout: all VMs have stopped\n");
		machine_finish(0, test_vm_name[0] != '\0');
	}
	if (cpu->cpu_id == 0 && !*idle_said) {
		pr_debug("sprout: no runnable vCPU; idle\n");
		*idle_said = true;
	}
	/* Idle time is for zeroing 2 MiB blocks ahead of the faults that need them. */
	if (zeropool_refill_one(DEMAND_HOST_RESERVE / PAGE_SIZE))
		return;
	{
		u64 t0 = rdtsc();

		/* Wait for the next interrupt: the timer, or a kick from another CPU. */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
		cpu->idle_tsc += rdtsc() - t0;
	}
}

void sched_run(void)
{
	struct percpu *cpu = this_cpu();
	bool idle_said = false;

	cli();
	for (;;) {
		struct vcpu *v;

		sched_tick_work(cpu);
		sched_take_launch(cpu);
		v = ops->pick_next(cpu->cpu_id);
		if (v) {
			idle_said = false;
			sched_run_slice(cpu, v);
			continue;
		}
		sched_idle(cpu, &idle_said);
	}
}
