/* SPDX-License-Identifier: MIT */
/* Secondary vCPUs for test guests: Sprout's vCPU protocol (include/public/hypercall.h). */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <hv/types.h>

/* Sprout's VM_MAX_VCPUS: vCPU ids are 0 (the boot vCPU) to SMP_MAX_VCPUS - 1. */
#define SMP_MAX_VCPUS 8

/* Stack of each secondary vCPU (vCPU 0 keeps the one of entry.S). */
#define SMP_STACK_SIZE 16384

/* Arrivals kept for reporting; later ones are counted but not kept. */
#define SMP_ARRIVALS_MAX 64

/* One secondary vCPU coming online. */
struct smp_arrival {
	u32 vcpu;
	u64 tsc;     /* TSC when it reached smp_ap_main() */
	u64 latency; /* TSC cycles from the add request (EDX:ESI at entry) to then */
};

/*
 * Register smp_ap_start32 (smp_entry.S) with HC_VCPU_REGISTER, so vCPUs the broker
 * adds start there. Records what the new vCPUs copy from this one: CR3 (the
 * page tables of entry.S) and the IDT, also without Sprout, so that a guest
 * can jump to smp_ap_start32 from its own INIT/SIPI trampoline. Call once from
 * vCPU 0, after the lib has started (main() or later). Returns 0,
 * -SPROUT_ENOSYS without Sprout, or the hypercall's error; the guest then
 * simply stays on one vCPU.
 */
int smp_init(void);

/*
 * The function every secondary vCPU runs once it is online, with its id. It
 * returns when the vCPU is to leave (after smp_should_park() said so, or when
 * it has nothing more to do): the lib then parks the vCPU. A vCPU that comes
 * online before a worker is set idles, polling for a worker and for a park
 * request every 10 ms. Set it before work can arrive; changing it later only
 * affects vCPUs that have not yet picked it up.
 */
void smp_set_worker(void (*fn)(u32 vcpu));

/* vCPUs running now, counting vCPU 0: 1 without Sprout or before any add. */
u32 smp_vcpus_online(void);

/* The most vCPUs that were online at one time since smp_init(). */
u32 smp_vcpus_max_online(void);

/* Bit i set while vCPU i is online (bit 0 always). */
u32 smp_online_mask(void);

/* Id of the calling vCPU: 0 for the boot vCPU, found from the stack it runs on. */
u32 smp_this_vcpu(void);

/*
 * HC_VCPU_POLL: true when Sprout wants the calling vCPU parked. The guest
 * finishes its work item, then calls smp_park_self() (or returns from its
 * worker) within SPROUT_PARK_GRACE_MS, else Sprout parks it where it stands.
 * Always false on vCPU 0 (never parked) and without Sprout; costs one exit.
 */
bool smp_should_park(void);

/*
 * HC_VCPU_OFFLINE_ACK: take the calling secondary vCPU offline. Does not
 * return; a later add starts the slot again at smp_ap_start32. Must not be
 * called with a spinlock held. On vCPU 0 it does nothing and returns.
 */
void smp_park_self(void);

/*
 * Arrivals of secondary vCPUs in order (each add counts, also re-adds of a
 * parked slot): smp_arrivals() is how many there were, smp_arrival(i) the
 * i-th (NULL for i >= min(count, SMP_ARRIVALS_MAX)). An entry is complete
 * once smp_arrivals() counts it.
 */
u32 smp_arrivals(void);
const struct smp_arrival *smp_arrival(u32 i);

/* Latency of the last arrival of vCPU id in TSC cycles, 0 if it never came. */
u64 smp_vcpu_latency(u32 id);

/*
 * C entry of a secondary vCPU, called by smp_entry.S on its own stack in 64-bit
 * mode with the registers of the vCPU protocol: its id (EBX), the registered
 * arg (ECX) and the TSC of the add request (ESI:EDX). Not for guests to call.
 */
__noreturn void smp_ap_main(u32 id, u32 arg, u64 request_tsc);

#endif
