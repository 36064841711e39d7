/* SPDX-License-Identifier: MIT */
/* `top` on the broker's console: a table of VMs and cores per period (pure C, host-tested). */
#ifndef BROKER_TOP_H
#define BROKER_TOP_H

#include <hv/types.h>
#include <public/hypercall.h>

#define TOP_VMS	  16
#define TOP_CPUS  64
#define TOP_WIDTH 80 /* no line is longer */

/* The figures of the last frame, for the per-period columns. */
struct top_prev {
	bool primed;
	u64 t_us;
	u32 n;
	u32 id[TOP_VMS];
	u64 faults[TOP_VMS];
	u64 reclaimed[TOP_VMS];
	u64 busy_us[TOP_VMS];
	u64 cpu_busy_us[TOP_CPUS];
};

/*
 * One frame: a title line, a header, a line per VM (state, committed, quota,
 * peak, faults and reclaimed bytes since the last frame, vCPUs online/max,
 * busy, a pending request) and the busy share of each core since the last
 * frame, each line through put (no newline in it, at most TOP_WIDTH
 * characters). The first frame has no per-period figures ("-").
 */
void top_render(struct top_prev *p, const struct sprout_vm_info *vms, unsigned int n,
		const struct sprout_host_stats *h, void (*put)(const char *line, void *ctx),
		void *ctx);

#endif
