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

/* vCPUs queued on cpu that want to run (runnable, running or being launched). */
u32 sched_cpu_load(u32 cpu);

/* Create and queue a vCPU another CPU asked this one to launch (hotplug.c). */
void sched_take_launch(struct percpu *cpu);

/*
 * Once a tick on every CPU (hotplug.c): sample its busy time for placing new
 * vCPUs, park vCPUs whose guest did not let go of them in time.
 */
void sched_hotplug_tick(struct percpu *cpu);

#endif
