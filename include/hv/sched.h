/* SPDX-License-Identifier: MIT */
/* vCPU scheduling on the physical CPUs: pick, run a time slice, block, wake. */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <hv/types.h>

struct vm;
struct vcpu;

/* Time slice before a runnable vCPU gives way to another. */
#define SCHED_SLICE_US 10000

/* Settings from the config: which VM's exit ends the machine (test mode). */
void sched_init(const char *test_vm);

/* Run vCPUs on this CPU until the machine shuts down; never returns. */
__noreturn void sched_run(void);

/* A vCPU will never run again: forget it (current, FPU owner). */
void sched_vcpu_gone(struct vcpu *v);

/* A VM has stopped: in test mode, the test VM's stop ends the machine. */
void sched_vm_stopped(struct vm *vm);

/* Make a blocked vCPU runnable. */
void sched_wake(struct vcpu *v);

#endif
