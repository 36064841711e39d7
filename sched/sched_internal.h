/* SPDX-License-Identifier: MIT */
/* Interfaces between the files of sched/. */
#ifndef SCHED_INTERNAL_H
#define SCHED_INTERNAL_H

#include <hv/percpu.h>
#include <hv/types.h>

struct vcpu;

/* Run v on cpu until it blocks, stops, yields or uses up its slice (run.c). */
void sched_run_slice(struct percpu *cpu, struct vcpu *v);

/* The online CPU with the fewest vCPUs that want to run. */
u32 sched_least_loaded_cpu(void);

/*
 * v, just picked, is VCPU_NEW (hotplug): create it here. True when that
 * failed and v is gone; false when v is ready to run (hotplug.c).
 */
bool sched_create_vcpu(struct percpu *cpu, struct vcpu *v);
void sched_report_launch(struct vcpu *v);

/* End of an exit that returned EXIT_BLOCK: block v, unless a wake came first. */
bool sched_block_commit(struct vcpu *v);

/* A wait of v ended (woken, or the block was cancelled): the core finishes it. */
void sched_hooks_vcpu_unblocked(struct vcpu *v);
bool sched_hooks_vcpu_entry(struct vcpu *v);
struct vm *sched_hooks_vm_at(u32 i);
u32 sched_hooks_vm_slots(void);
struct vcpu *sched_hooks_vcpu_slot(struct vm *vm, u32 id);
void sched_hooks_vcpu_created(struct vcpu *v);
/* After a host timer interrupt: wake the blocked vCPUs whose deadline passed. */
void sched_timer_work(struct percpu *cpu);

/*
 * Once a tick on every CPU (hotplug.c): sample its busy time for placing new
 * vCPUs, park vCPUs whose guest did not let go of them in time.
 */
void sched_hotplug_tick(struct percpu *cpu);

/* The policy's counts of the vCPUs queued on cpu (struct sched_ops.cpu_count). */
void sched_cpu_counts(u32 cpu, u32 *runnable, u32 *blocked, u32 *launching);

#endif
