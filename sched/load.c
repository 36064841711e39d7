// SPDX-License-Identifier: MIT
/* Per-core figures for placing new vCPUs: queue counts, launches, busy time over a window. */
#include <arch/x86.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <public/place.h>

#include "sched_internal.h"

/* Samples kept per core: one a tick covers the window. */
#define WINDOW_SAMPLES (SPROUT_PLACE_WINDOW_MS * 1000 / SCHED_SLICE_US)

/* Each core's own busy time at its last ticks; written by that core only. */
struct busy_window {
	u64 busy_tsc[WINDOW_SAMPLES];
	u64 at_tsc[WINDOW_SAMPLES];
	u32 next, count;
	u32 busy_pm; /* from the oldest sample kept to the newest; read by every CPU */
};

static struct busy_window window[MAX_CPUS];

void sched_load_sample(struct percpu *cpu)
{
	struct busy_window *w = &window[cpu->cpu_id];
	u32 oldest = w->count < WINDOW_SAMPLES ? 0 : w->next;
	u64 now = rdtsc(), busy = cpu->busy_tsc;

	if (w->count && now > w->at_tsc[oldest]) {
		u64 pm = (busy - w->busy_tsc[oldest]) * 1000 / (now - w->at_tsc[oldest]);

		__atomic_store_n(&w->busy_pm, (u32)MIN(pm, 1000ull), __ATOMIC_RELAXED);
	}
	w->busy_tsc[w->next] = busy;
	w->at_tsc[w->next] = now;
	w->next = (w->next + 1) % WINDOW_SAMPLES;
	if (w->count < WINDOW_SAMPLES)
		w->count++;
}

static void core_load(u32 c, struct sprout_core_load *out)
{
	u32 launching;

	*out = (struct sprout_core_load){0};
	if (c >= MAX_CPUS || !percpu[c].online)
		return;
	out->flags = SPROUT_CORE_ONLINE;
	sched_cpu_counts(c, &out->runnable, &out->blocked, &launching);
	if (launching)
		out->flags |= SPROUT_CORE_LAUNCH;
	out->busy_pm = __atomic_load_n(&window[c].busy_pm, __ATOMIC_RELAXED);
}

void sched_core_loads(struct sprout_core_load *core, u32 n)
{
	struct percpu *self = this_cpu();

	for (u32 c = 0; c < n; c++)
		core_load(c, &core[c]);
	/* The vCPU that asks is in the hypervisor for its call and waits again after it. */
	if (self->current && self->cpu_id < n)
		place_caller_waits(&core[self->cpu_id]);
}
