/* SPDX-License-Identifier: MIT */
/* State shared by the files of broker/ (hypervisor side of the broker). */
#ifndef BROKER_INTERNAL_H
#define BROKER_INTERNAL_H

#include <hv/spinlock.h>
#include <hv/types.h>
#include <public/hypercall.h>

#define BROKER_QUEUE_MAX    128
#define BROKER_REQUESTS_MAX 32

struct vm;
struct vcpu;
struct sprout_config;
struct boot_info;

/* A decision a blocked vCPU is waiting for. */
struct broker_request {
	u64 id; /* 0: free slot */
	struct vcpu *vcpu;
	bool queued; /* in the queue or the ring; else still to be posted */
	struct sprout_msg msg;
};

/*
 * The lock covers the ring, the queue and the request table; events are
 * atomic, so waking the broker (which reads them) never needs the lock.
 */
struct broker_state {
	spinlock_t lock;
	const struct sprout_config *cfg;
	const struct boot_info *bi;
	struct vm *vm;	/* the privileged VM, also while it is down */
	gpa_t ring_gpa; /* INVALID_GPA until registered */
	u32 events;	/* SPROUT_EV_* not yet collected by HC_WAIT_EVENT */
	u64 next_request_id;
	struct broker_request req[BROKER_REQUESTS_MAX];
	struct sprout_msg queue[BROKER_QUEUE_MAX]; /* messages not yet in the ring */
	u32 queued;
	u32 dropped;
	bool restart_pending;
	u32 restarts;
	u64 last_stats_us;
};

extern struct broker_state broker;

/* A new ring is in place: post every pending request into it. */
void broker_ring_registered(void);

struct broker_request *broker_find_request(u64 id);

#endif
