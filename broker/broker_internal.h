/* SPDX-License-Identifier: MIT */
/* State shared by the files of broker/ (hypervisor side of the broker). */
#ifndef BROKER_INTERNAL_H
#define BROKER_INTERNAL_H

#include <hv/conmux.h>
#include <hv/spinlock.h>
#include <hv/types.h>
#include <public/hypercall.h>

#include "reqtab.h"

#define BROKER_QUEUE_MAX 128

struct vm;
struct vcpu;
struct sprout_config;
struct boot_info;

/*
 * The lock covers the ring and the queue; the request table has its own,
 * taken inside this one. Events are atomic, so waking the broker (which
 * reads them) never needs a lock.
 */
struct broker_state {
	spinlock_t lock;
	const struct sprout_config *cfg;
	const struct boot_info *bi;
	struct vm *vm;	/* the privileged VM, also while it is down */
	gpa_t ring_gpa; /* INVALID_GPA until registered */
	u32 events;	/* SPROUT_EV_* not yet collected by HC_WAIT_EVENT */
	struct reqtab requests;
	struct sprout_msg queue[BROKER_QUEUE_MAX]; /* messages not yet in the ring */
	u32 queued;
	u32 dropped;
	bool restart_pending;
	u32 restarts;
	u64 last_stats_us;
	struct conmux con; /* who has the host console; changed under the lock */
};

extern struct broker_state broker;

/* A new ring is in place: post every pending request into it. */
void broker_ring_registered(void);

/* HC_CONSOLE_ATTACH: give the host console to VM id (checked here). */
long broker_console_attach(u64 id);

/* Take request id out of the table: the vCPU that waits for it, or NULL. */
struct vcpu *broker_take_request(u64 id);

#endif
