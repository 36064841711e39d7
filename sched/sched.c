// SPDX-License-Identifier: MIT
/* The per-CPU run loop: pick a vCPU, run its slice, handle exits, block, wake, idle. */
#include <arch/apic.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/hvm.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/zeropool.h>
#include <public/place.h>

#include "sched_internal.h"

static const struct sched_ops *ops = &sched_rr_ops;
static const struct sched_hooks *hooks;

void sched_init(const struct sched_hooks *h, u32 cpus)
{
	hooks = h;
	if (ops->init(cpus))
		panic("sched: no memory for the run queues of %u CPUs", cpus);
}

void sched_cpu_counts(u32 cpu, u32 *runnable, u32 *blocked, u32 *launching)
{
	ops->cpu_count(cpu, runnable, blocked, launching);
}

void sched_hooks_vcpu_unblocked(struct vcpu *v)
{
	hooks->vcpu_unblocked(v);
}

bool sched_hooks_vcpu_entry(struct vcpu *v)
{
	return hooks->vcpu_entry(v);
}

struct vm *sched_hooks_vm_at(u32 i)
{
	return hooks->vm_at(i);
}

u32 sched_hooks_vm_slots(void)
{
	return hooks->vm_slots();
}

struct vcpu *sched_hooks_vcpu_slot(struct vm *vm, u32 id)
{
	return hooks->vcpu_slot(vm, id);
}

void sched_hooks_vcpu_created(struct vcpu *v)
{
	hooks->vcpu_created(v);
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
		load = ops->cpu_load(c);
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

bool sched_vcpu_take(struct vcpu *v)
{
	return ops->take(v);
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

/*
 * Blocking and waking, one protocol under the vCPU's lock. The exit handler
 * that decides to block announces it (block_pending) before it publishes
 * anything a waker reacts to; the run loop commits the block after the exit.
 * A wake in between cancels the block instead of being lost.
 */
void sched_block_prepare(struct vcpu *v, u64 deadline_tsc)
{
	spin_lock(&v->sched_lock);
	v->block_pending = true;
	v->wake_tsc = deadline_tsc;
	spin_unlock(&v->sched_lock);
}

void sched_block_cancel(struct vcpu *v)
{
	spin_lock(&v->sched_lock);
	v->block_pending = false;
	v->wake_tsc = 0;
	spin_unlock(&v->sched_lock);
}

bool sched_block_commit(struct vcpu *v)
{
	bool blocked;

	spin_lock(&v->sched_lock);
	blocked = v->block_pending && v->state == VCPU_RUNNABLE;
	if (blocked) {
		v->state = VCPU_BLOCKED;
		apic_timer_request(v->wake_tsc); /* this CPU wakes it (sched_timer_work()) */
	} else
		v->block_ended = true; /* woken before it slept: the wait is over */
	v->block_pending = false;
	spin_unlock(&v->sched_lock);
	return blocked;
}

void sched_wake(struct vcpu *v)
{
	bool kick = false;

	spin_lock(&v->sched_lock);
	if (v->state == VCPU_BLOCKED) {
		v->state = VCPU_RUNNABLE;
		v->block_ended = true;
		v->wake_tsc = 0;
		kick = true;
	} else if (v->block_pending) {
		v->block_pending = false; /* the block it is about to commit is off */
		v->wake_tsc = 0;
	}
	spin_unlock(&v->sched_lock);
	if (kick && v->cpu != this_cpu()->cpu_id)
		smp_kick(v->cpu);
}

void sched_launch_on(struct vcpu *v, u32 cpu)
{
	struct percpu *self = this_cpu();

	/* Queued as VCPU_NEW: the CPU that picks it creates it; nothing can overwrite it. */
	ops->add(v, cpu);
	if (cpu != self->cpu_id)
		smp_kick(cpu);
	else if (self->current)
		/*
		 * The caller's core was free because its vCPUs mostly block
		 * (the broker's, typically): end the caller's slice with this
		 * exit, so the new vCPU starts now rather than after it.
		 */
		self->slice_end_tsc = 0;
}

/*
 * Wake blocked vCPUs whose deadline has passed (any CPU may: sched_wake() is
 * idempotent), and arm this CPU's timer for the next deadline of those homed
 * here.
 */
static void sched_wake_expired(void)
{
	u64 now = rdtsc(), next = 0;
	u32 slots = sched_hooks_vm_slots();

	for (u32 i = 0; i < slots; i++) {
		struct vm *vm = sched_hooks_vm_at(i);

		if (vm_state(vm) != VM_RUNNING)
			continue;
		for (u32 j = 0; j < vm->nr_vcpus; j++) {
			struct vcpu *v = vm->vcpus[j];

			u64 wake = v->wake_tsc;

			if (v->state != VCPU_BLOCKED || !wake)
				continue;
			if (now >= wake)
				sched_wake(v);
			else if (v->cpu == this_cpu()->cpu_id && (!next || wake < next))
				next = wake;
		}
	}
	apic_timer_request(next);
}

void sched_timer_work(struct percpu *cpu)
{
	if (cpu->seen_fired == cpu->timer_fired)
		return;
	cpu->seen_fired = cpu->timer_fired;
	sched_wake_expired();
}

/*
 * A host timer interrupt that never becomes an exit stops a CPU's ticks for
 * good: the timer is one-shot and only its handler arms it again. Hardware
 * does not lose one; QEMU's multi-threaded TCG was seen to leave it pending
 * in the IRR, with nothing in service and the TPR at 0, for up to seconds
 * while the vCPU ran on (docs/design.md, "Long VM entries"). Each CPU
 * watches the next online one: when that CPU took no timer interrupt in
 * WATCH_TICKS of this CPU's ticks, it is kicked, and the kick's exit (or its
 * wake-up from HLT) lets it take what is pending. The cost on hardware is
 * one load per tick. On a loaded emulator a CPU's thread may simply not run
 * for 50 ms: the kick is then harmless, and its line is a debug one.
 */
#define WATCH_TICKS	 5
#define WATCH_KICKS_TOLD 4

static void sched_watch_peer(struct percpu *cpu)
{
	u32 n = cpu->cpu_id;
	u64 fired;

	do
		n = (n + 1) % MAX_CPUS;
	while (!percpu[n].online && n != cpu->cpu_id);
	if (n == cpu->cpu_id || !__atomic_load_n(&percpu[n].in_sched, __ATOMIC_ACQUIRE))
		return;
	fired = __atomic_load_n(&percpu[n].timer_fired, __ATOMIC_RELAXED);
	if (n != cpu->watch_cpu || fired != cpu->watch_fired) {
		cpu->watch_cpu = n;
		cpu->watch_fired = fired;
		cpu->watch_ticks = 0;
		return;
	}
	if (++cpu->watch_ticks < WATCH_TICKS)
		return;
	cpu->watch_ticks = 0;
	if (cpu->watch_kicks++ < WATCH_KICKS_TOLD)
		pr_debug("sched: CPU %u took no host timer interrupt in %u ticks of CPU %u; "
			 "kicking it\n",
			 n, WATCH_TICKS, cpu->cpu_id);
	smp_kick(n);
}

/* Work done once per host timer tick, not once per exit. */
static void sched_tick_work(struct percpu *cpu)
{
	sched_timer_work(cpu);
	if (cpu->seen_tick == cpu->timer_ticks)
		return;
	cpu->seen_tick = cpu->timer_ticks;
	printk_flush_nowait(); /* the log lines of the last slice, what the UART takes */
	hooks->tick(cpu->cpu_id);
	sched_hotplug_tick(cpu);
	sched_watch_peer(cpu);
}

static void sched_idle(struct percpu *cpu, bool *idle_said)
{
	hooks->idle(cpu->cpu_id);
	if (cpu->cpu_id == 0 && !*idle_said) {
		pr_debug("sprout: no runnable vCPU; idle\n");
		*idle_said = true;
	}
	/* Idle time is also for the log's slow devices: poll them while text is left. */
	if (printk_flush_nowait()) {
		__asm__ volatile("sti; nop; cli" ::: "memory");
		return;
	}
	/*
	 * Idle time is for zeroing 2 MiB blocks ahead of the faults that need
	 * them, one step at a time: between steps this CPU takes its pending
	 * interrupts and looks at its run queue again (sched_run()).
	 */
	if (zeropool_refill_step(cpu->cpu_id, DEMAND_HOST_RESERVE / PAGE_SIZE)) {
		__asm__ volatile("sti; nop; cli" ::: "memory");
		return;
	}
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
	printk_set_deferred(true);
	__atomic_store_n(&cpu->in_sched, true, __ATOMIC_RELEASE);
	for (;;) {
		struct vcpu *v;

		sched_tick_work(cpu);
		v = ops->pick_next(cpu->cpu_id);
		if (v && v->state == VCPU_NEW && sched_create_vcpu(cpu, v))
			continue;
		if (v) {
			idle_said = false;
			sched_run_slice(cpu, v);
			continue;
		}
		sched_idle(cpu, &idle_said);
	}
}
