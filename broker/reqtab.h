/* SPDX-License-Identifier: MIT */
/* The table of memory requests waiting for the broker's answer (pure; host-tested). */
#ifndef BROKER_REQTAB_H
#define BROKER_REQTAB_H

#include <hv/spinlock.h>
#include <hv/types.h>
#include <public/hypercall.h>

#define REQTAB_MAX 32

/* A decision a blocked vCPU is waiting for. */
struct reqtab_entry {
	u64 id;	      /* 0: free slot */
	void *waiter; /* the blocked vCPU */
	u32 vm_id;    /* its VM */
	bool queued;  /* in the broker's queue or ring; else still to be posted */
	struct sprout_msg msg;
};

/*
 * Every function takes the table's own lock: an answer (take) and a stop
 * (drop) on two CPUs each find a request whole or not at all, never a
 * half-cleared one.
 */
struct reqtab {
	spinlock_t lock;
	u64 next_id;
	struct reqtab_entry e[REQTAB_MAX];
};

/* Empty the table; ids start at 1. */
void reqtab_init(struct reqtab *t);

/* Add a request of waiter (in VM vm_id); msg.request_id is filled. Its id, or 0 if full. */
u64 reqtab_add(struct reqtab *t, void *waiter, u32 vm_id, struct sprout_msg *msg);

/* Remove request id and return its waiter; NULL if there is none (answered or dropped). */
void *reqtab_take(struct reqtab *t, u64 id);

/* Remove the requests of VM vm_id (it stopped): nobody waits for them any more. */
u32 reqtab_drop_vm(struct reqtab *t, u32 vm_id);

/* Mark every request as not posted (a new ring took the place of the old one). */
void reqtab_unpost_all(struct reqtab *t);

/*
 * Offer each request not posted yet to post(msg, ctx); those it accepts
 * (returns true) are marked posted. post runs under the table's lock.
 */
void reqtab_post_waiting(struct reqtab *t, bool (*post)(const struct sprout_msg *msg, void *ctx),
			 void *ctx);

#endif
