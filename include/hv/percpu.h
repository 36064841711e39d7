/* SPDX-License-Identifier: MIT */
/* Per-CPU data, reached through the GS base of each physical CPU. */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include <hv/types.h>

#define MAX_CPUS 64

struct vcpu;

struct percpu {
	struct percpu *self; /* at offset 0: this_cpu() reads %gs:0 */
	u32 cpu_id;	     /* index in percpu[] */
	u32 apic_id;
	bool online;
	/* Vendor state of this CPU. */
	hpa_t svm_hsave;     /* VM_HSAVE_PA area */
	hpa_t svm_host_vmcb; /* host FS/GS/TR/... saved by VMSAVE */
	void *svm_last_vm;   /* VM whose vCPU last ran here (shared-ASID flushes) */
	hpa_t vmxon_region;
	void *vmcs_current; /* VMCS loaded on this CPU (VMPTRLD), or NULL */
	/* Scheduling. */
	struct vcpu *current;	  /* vCPU running here */
	struct vcpu *fpu_owner;	  /* vCPU whose FPU state is in the registers */
	volatile u64 timer_ticks; /* scheduler ticks (every SCHED_SLICE_US) taken */
	u64 seen_tick;
	u64 slice_end_tsc; /* when the running vCPU's slice ends (sched/run.c) */
	/* The one-shot host timer (arch/x86/apic.c): next tick, when it fires next, how often. */
	u64 tick_next_tsc, timer_at_tsc;
	volatile u64 timer_fired;
	u32 stalls_told; /* long VM entries reported (sched/run.c) */
	u64 seen_fired;
	/* The next online CPU's host timer, watched at each tick (sched/sched.c). */
	bool in_sched; /* in sched_run(): the boot's long work with interrupts off is done */
	u32 watch_cpu, watch_ticks, watch_kicks;
	u64 watch_fired;
	u64 wake_next_tsc; /* earliest deadline of the blocked vCPUs homed here, ~0 if none */
	u64 busy_tsc, idle_tsc;
};

extern struct percpu percpu[MAX_CPUS];

/* Point GS at percpu[cpu_id]; called once by each CPU early. */
void percpu_init(u32 cpu_id, u32 apic_id);

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

#endif
