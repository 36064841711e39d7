// SPDX-License-Identifier: MIT
/* Running one vCPU for a time slice: FPU hand-over, the exit loop, accounting. */
#include <arch/apic.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/hvm.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/vm.h>

#include "sched_internal.h"

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

/* Give the FPU state back to memory: v may run on another CPU next. */
static void fpu_release(struct percpu *cpu)
{
	if (!cpu->fpu_owner)
		return;
	__asm__ volatile("fxsave64 %0" : "=m"(cpu->fpu_owner->fpu));
	cpu->fpu_owner = NULL;
}

static bool slice_over(struct percpu *cpu, struct vcpu *v, enum exit_action act)
{
	if (act == EXIT_STOP_VM || act == EXIT_PARK || v->state == VCPU_STOPPED)
		return true;
	if (act == EXIT_BLOCK && sched_block_commit(v))
		return true;
	if (vm_state(v->vm) != VM_RUNNING || v->vm->held || vm_stopping(v->vm))
		return true;
	return act == EXIT_YIELD || rdtsc() >= cpu->slice_end_tsc;
}

/*
 * A VM entry that lasted far longer than a slice: the host timer (at most one
 * slice away) must have forced an exit long before. Say how the timer stood,
 * so a lost timer (not armed) tells itself apart from an interrupt the CPU did
 * not turn into an exit (pending in the IRR). A few lines per CPU at most.
 */
#define STALL_SLICES 20

static void report_stall(struct percpu *cpu, const struct vcpu *v, u64 t0, u64 spent)
{
	struct apic_timer_state t;

	if (cpu->stalls_told >= 4)
		return;
	cpu->stalls_told++;
	apic_timer_state(&t);
	pr_warn("sched: CPU %u: vm %s vCPU %u stayed %llu ms in the guest without an exit; "
		"host timer armed for %lld ms after the entry, count %u, IRR %u ISR %u "
		"(TPR 0x%x PPR 0x%x, top pending %d, top in service %d)\n",
		cpu->cpu_id, v->vm->cfg.name, v->id, spent / tsc_khz,
		((s64)t.armed_at_tsc - (s64)t0) / (s64)tsc_khz, t.count, t.irr, t.isr, t.tpr, t.ppr,
		t.irr_top, t.isr_top);
}

/*
 * The exit loop. Its common case, an exit that changed nothing the entry
 * looks at (CPUID, a hypercall, a host interrupt), costs one quiet check at
 * entry and three memory tests after the handler; everything else runs
 * only when a test fails.
 */
void sched_run_slice(struct percpu *cpu, struct vcpu *v)
{
	u64 start = rdtsc(), slice_tsc = SCHED_SLICE_US * tsc_khz / 1000;
	u64 stall_tsc = STALL_SLICES * slice_tsc;
	struct vm_exit e;
	enum exit_action act;

	cpu->current = v;
	/* Also read by exit_hot(); sched_launch_on() ends the slice early. */
	cpu->slice_end_tsc = start + slice_tsc;
	v->run_cpu = cpu->cpu_id;
	v->plat_dirty = true; /* a new slice looks at its events in full once */
	fpu_switch(cpu, v);
	for (;;) {
		u64 t0 = rdtsc(), t1, spent;

		/*
		 * Announce the entry, then look for a hold: sched_hold_vm() sets
		 * the hold, then looks for entries. One of the two sees the other.
		 */
		if (v->block_ended) {
			v->block_ended = false;
			sched_hooks_vcpu_unblocked(v);
		}
		__atomic_store_n(&v->in_guest, true, __ATOMIC_SEQ_CST);
		if (v->vm->held || vm_stopping(v->vm) || v->state == VCPU_STOPPED) {
			__atomic_store_n(&v->in_guest, false, __ATOMIC_SEQ_CST);
			act = EXIT_YIELD;
			break;
		}
		if (!vcpu_entry_quiet(v, cpu->cpu_id, cpu->timer_fired, t0) &&
		    !sched_hooks_vcpu_entry(v)) {
			__atomic_store_n(&v->in_guest, false, __ATOMIC_SEQ_CST);
			act = EXIT_BLOCK;
			if (slice_over(cpu, v, act))
				break;
			continue;
		}
		if (unlikely(v->launch_tsc))
			v->entry_tsc = rdtsc();
		hvm->vcpu_run(v, &e);
		__atomic_store_n(&v->in_guest, false, __ATOMIC_RELEASE);
		t1 = rdtsc();
		if (unlikely(v->launch_tsc))
			sched_report_launch(v);
		spent = t1 - t0;
		if (spent > stall_tsc)
			report_stall(cpu, v, t0, spent);
		v->busy_tsc += spent;
		cpu->busy_tsc += spent;
		v->last_cpu = (s32)cpu->cpu_id;
		if (e.reason == EXIT_EXTINT) {
			/* Let the host take the interrupt that caused the exit. */
			sti();
			__asm__ volatile("nop");
			cli();
		}
		act = exit_dispatch(v, &e);
		if (cpu->seen_fired != cpu->timer_fired)
			sched_timer_work(cpu);
		if (act == EXIT_RESUME && t1 < cpu->slice_end_tsc && vm_state(v->vm) == VM_RUNNING)
			continue; /* the checks at the top of the loop do the rest */
		if (slice_over(cpu, v, act))
			break;
	}
	/* Another CPU may pick v up next: its FPU state and VMCS must not stay here. */
	fpu_release(cpu);
	if (act == EXIT_PARK)
		sched_park_now(v, "the guest let it go");
	else if (v->vendor && hvm->vcpu_put)
		hvm->vcpu_put(v); /* also when stopped: its VMCS must not stay active here */
	cpu->current = NULL;
	__atomic_store_n(&v->on_cpu, false, __ATOMIC_RELEASE);
}
