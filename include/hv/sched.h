/* SPDX-License-Identifier: MIT */
/* vCPU scheduling on the physical CPUs: run queues, slices, blocking, waking, hotplug. */
#ifndef HV_SCHED_H
#define HV_SCHED_H

#include <hv/types.h>

struct vm;
struct vcpu;
struct percpu;
struct sprout_core_load;

/* Time slice before a runnable vCPU gives way to another on the same core. */
#define SCHED_SLICE_US 10000

/*
 * A scheduling policy: where vCPUs queue and which one a CPU runs next.
 * pick_next claims the vCPU (v->on_cpu) so no other CPU can run it.
 */
struct sched_ops {
	const char *name;
	/* Set up for CPUs 0..cpus-1, at boot. 0 or a negative code. */
	int (*init)(u32 cpus);
	void (*add)(struct vcpu *v, u32 cpu);
	void (*remove)(struct vcpu *v);
	/*
	 * Take v off its queue unless a CPU has claimed it: true when taken (no
	 * CPU can pick it from then on), false when a CPU runs it now.
	 */
	bool (*take)(struct vcpu *v);
	struct vcpu *(*pick_next)(u32 cpu);
	/* vCPUs queued on cpu that run or want to run, blocked ones, and new ones to launch. */
	void (*cpu_count)(u32 cpu, u32 *runnable, u32 *blocked, u32 *launching);
	/* vCPUs queued on cpu that want to run. */
	u32 (*cpu_load)(u32 cpu);
};

extern const struct sched_ops sched_rr_ops;

/*
 * What the scheduler calls back into the core: it knows nothing above it by
 * name. All run on the CPU concerned with interrupts off.
 */
struct sched_hooks {
	void (*tick)(u32 cpu);			/* once per host timer tick */
	void (*idle)(u32 cpu);			/* nothing to run on cpu */
	void (*vcpu_unblocked)(struct vcpu *v); /* v's wait ended: finish it before v runs */
	/*
	 * Just before each VM entry, v->in_guest already set: inject events.
	 * False: do not enter, v announced a block (sched_block_prepare()).
	 */
	bool (*vcpu_entry)(struct vcpu *v);
	/* VM table slot i (0 <= i < VM_MAX), whatever its state: for the scans of timers and parks. */
	struct vm *(*vm_at)(u32 i);
	/* The slots a scan must look at: every slot from this one up has been EMPTY since boot. */
	u32 (*vm_slots)(void);
	/* The storage of vCPU id of vm for a new vCPU (hotplug, INIT/SIPI); NULL: no memory. */
	struct vcpu *(*vcpu_slot)(struct vm *vm, u32 id);
	/* A hot-added vCPU was created on its CPU: give it its platform state (LAPIC, ...). */
	void (*vcpu_created)(struct vcpu *v);
};

/* cpus: the CPUs that may come online (0..cpus-1); their run queues are allocated now. */
void sched_init(const struct sched_hooks *hooks, u32 cpus);

/* Run vCPUs on this CPU until the machine shuts down; never returns. */
__noreturn void sched_run(void);

/* Queue a new vCPU on the least loaded CPU (or on cpu if it is valid). */
void sched_add(struct vcpu *v, s32 cpu);

/* A vCPU will never run again: take it off its queue and this CPU. */
void sched_vcpu_gone(struct vcpu *v);

/*
 * Make sure no CPU runs v or can pick it again: false while a CPU has it
 * (kick that CPU and ask again). A vCPU taken is in no run queue; it runs
 * again only once added again.
 */
bool sched_vcpu_take(struct vcpu *v);

/*
 * An exit handler of v (running on this CPU) is about to return EXIT_BLOCK:
 * call this before publishing anything whose answer wakes v. A sched_wake()
 * from then on cancels the block, so no wake is lost. deadline_tsc (0: none)
 * wakes v by itself. sched_block_cancel() takes the announcement back.
 */
void sched_block_prepare(struct vcpu *v, u64 deadline_tsc);
void sched_block_cancel(struct vcpu *v);

/* Make a blocked vCPU runnable (kicking its CPU), or cancel the block it announced. */
void sched_wake(struct vcpu *v);

/*
 * The core a new vCPU goes to by the placement rule (public/place.h), from
 * the cores' figures now, the calling vCPU counted as waiting; -1 if none is
 * free.
 */
s32 sched_find_idle_cpu(void);

/* Ask CPU cpu to create and launch v (vCPU hotplug); it runs it from its queue. */
void sched_launch_on(struct vcpu *v, u32 cpu);

/*
 * vCPU hotplug (broker requests): add launches a new vCPU of vm on an idle
 * core and returns its id; park asks the guest to let go of its highest vCPU
 * and returns that id. Negative codes: -ENOSPC at the maximum, -ERANGE at the
 * minimum, -EBUSY no idle core, -ENOENT no registered entry, -EINVAL VM state.
 */
long sched_vcpu_add(struct vm *vm);
long sched_vcpu_park(struct vm *vm);

/*
 * The guest sent INIT (startup false) or STARTUP with vector to vCPU id of
 * vm: after both, that vCPU starts in real mode at vector:0000 on the least
 * loaded core, up to the VM's maximum. Messages to a running vCPU are ignored.
 */
void sched_vcpu_init_sipi(struct vm *vm, u32 id, bool startup, u8 vector);

/* Park v now (its guest let go of it, or did not answer in time); v is not running. */
void sched_park_now(struct vcpu *v, const char *how);
/*
 * The guest ejected CPU id (ACPI): its vCPU is parked by its core's next
 * tick once it is off the CPU. False if that vCPU does not run.
 */
bool sched_vcpu_eject(struct vm *vm, u32 id);

/*
 * Number of CPUs, and how many are free for a new vCPU now by the placement
 * rule, the calling vCPU counted as waiting (for the broker's statistics).
 */
u32 sched_cpu_count(void);
u32 sched_idle_count(void);

/*
 * The placement figures of cores 0..n-1 now (struct sprout_core_load: queue
 * counts, pending launch, busy share of the last SPROUT_PLACE_WINDOW_MS), the
 * vCPU running on the calling CPU, if any, counted as waiting. What the load
 * page publishes and what sched_find_idle_cpu() decides from.
 */
void sched_core_loads(struct sprout_core_load *core, u32 n);

/* Take this CPU's busy-time sample for the placement window; once per host tick. */
void sched_load_sample(struct percpu *cpu);

#endif
