// SPDX-License-Identifier: MIT
/* Round-robin vCPU scheduler for the boot CPU, with time slices from the host timer. */
#include <arch/apic.h>
#include <arch/power.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/broker.h>
#include <hv/hvm.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vm.h>

/* Exit status of the machine when the test VM did not exit by itself. */
#define TEST_STATUS_VM_CRASHED 126
#define TEST_STATUS_VM_NOT_LOADED 125

static char test_vm_name[CONFIG_NAME_MAX];
static u32 rr_next; /* round-robin cursor over vm_table x vcpus */

void sched_init(const char *test_vm)
{
	strlcpy(test_vm_name, test_vm, sizeof(test_vm_name));
}

void sched_vcpu_gone(struct vcpu *v)
{
	struct percpu *cpu = this_cpu();

	if (cpu->fpu_owner == v)
		cpu->fpu_owner = NULL;
	if (cpu->current == v)
		cpu->current = NULL;
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

			if (v->state == VCPU_BLOCKED && v->wake_tsc && now >= v->wake_tsc)
				sched_wake(v);
		}
	}
}

/* Work done once per host timer tick, not once per exit. */
static void sched_tick_work(void)
{
	static u64 last_tick = ~0ULL;

	if (apic_timer_ticks == last_tick)
		return;
	last_tick = apic_timer_ticks;
	broker_tick();
	sched_wake_expired();
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
	status = vm->stop_kind == VM_STOP_EXIT	  ? vm->exit_status
		 : vm->stop_kind == VM_STOP_LOAD ? TEST_STATUS_VM_NOT_LOADED
						 : TEST_STATUS_VM_CRASHED;
	pr_info("sprout: test VM %s finished (%s); machine status %d\n", vm->cfg.name,
		vm->stop_reason, status);
	print_vm_summary();
	power_off(status, true);
}

static struct vcpu *sched_pick(void)
{
	const u32 slots = VM_MAX * VM_MAX_VCPUS;

	for (u32 n = 0; n < slots; n++) {
		u32 s = (rr_next + n) % slots;
		struct vm *vm = &vm_table[s / VM_MAX_VCPUS];
		struct vcpu *v;

		if (vm->state != VM_RUNNING || s % VM_MAX_VCPUS >= vm->nr_vcpus)
			continue;
		v = vm->vcpus[s % VM_MAX_VCPUS];
		if (v->state == VCPU_RUNNABLE) {
			rr_next = s + 1;
			return v;
		}
	}
	return NULL;
}

/* The guest FPU/SSE state lives in the registers; the host never uses them. */
static void fpu_switch(struct percpu *cpu, struct vcpu *v)
{
	if (cpu->fpu_owner == v)
		return;
	if (cpu->fpu_owner)
		__asm__ volatile("fxsave64 %0" : "=m"(cpu->fpu_owner->fpu));
	__asm__ volatile("fxrstor64 %0" : : "m"(v->fpu));
	cpu->fpu_owner = v;
}

/* Run v until it blocks, stops, yields or uses up its slice. */
static void sched_run_slice(struct percpu *cpu, struct vcpu *v)
{
	u64 slice_end = rdtsc() + SCHED_SLICE_US * tsc_khz / 1000;
	struct vm_exit e;

	cpu->current = v;
	fpu_switch(cpu, v);
	for (;;) {
		u64 t0 = rdtsc();
		enum exit_action act;

		hvm->vcpu_run(v, &e);
		v->busy_tsc += rdtsc() - t0;
		if (e.reason == EXIT_EXTINT) {
			/* Let the host take the interrupt that caused the exit. */
			sti();
			__asm__ volatile("nop");
			cli();
		}
		act = exit_dispatch(v, &e);
		if (act == EXIT_STOP_VM || v->state == VCPU_STOPPED)
			break;
		if (act == EXIT_BLOCK) {
			v->state = VCPU_BLOCKED;
			break;
		}
		if (act == EXIT_YIELD || rdtsc() >= slice_end)
			break;
	}
	cpu->current = NULL;
}

static bool any_vm_alive(void)
{
	for (u32 i = 0; i < VM_MAX; i++)
		if (vm_table[i].state == VM_RUNNING || vm_table[i].state == VM_PAUSED ||
		    vm_table[i].state == VM_CREATED)
			return true;
	return false;
}

void sched_run(void)
{
	struct percpu *cpu = this_cpu();
	bool idle_said = false;

	cli();
	for (;;) {
		struct vcpu *v;

		sched_tick_work();
		v = sched_pick();
		if (v) {
			idle_said = false;
			sched_run_slice(cpu, v);
			continue;
		}
		if (!any_vm_alive() && !broker_restart_due()) {
			pr_info("sprout: all VMs have stopped\n");
			print_vm_summary();
			power_off(0, test_vm_name[0] != '\0');
		}
		if (!idle_said) {
			pr_info("sprout: no runnable vCPU; idle\n");
			idle_said = true;
		}
		/* Wait for the next interrupt (the host timer at the latest). */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}
