/* SPDX-License-Identifier: MIT */
/* Atomic helpers and a ticket spinlock for test guests that run on several vCPUs. */
#ifndef GUEST_SPINLOCK_H
#define GUEST_SPINLOCK_H

#include <hv/types.h>
#include "x86.h"

/*
 * Sequentially consistent atomics on naturally aligned u32 and u64 variables.
 * On x86 every locked instruction is a full barrier, so nothing weaker is
 * worth the reader's time in a test guest.
 */
static inline u32 atomic_load_u32(const volatile u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static inline u64 atomic_load_u64(const volatile u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static inline void atomic_store_u32(volatile u32 *p, u32 v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

static inline void atomic_store_u64(volatile u64 *p, u64 v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

/* Add v and return the old value (LOCK XADD). */
static inline u32 atomic_fetch_add_u32(volatile u32 *p, u32 v)
{
	return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}

static inline u64 atomic_fetch_add_u64(volatile u64 *p, u64 v)
{
	return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}

static inline u32 atomic_fetch_sub_u32(volatile u32 *p, u32 v)
{
	return __atomic_fetch_sub(p, v, __ATOMIC_SEQ_CST);
}

static inline u32 atomic_fetch_or_u32(volatile u32 *p, u32 v)
{
	return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);
}

static inline u32 atomic_fetch_and_u32(volatile u32 *p, u32 v)
{
	return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST);
}

/* Byte counters (per-item "done" marks): add and return the old value. */
static inline u8 atomic_fetch_add_u8(volatile u8 *p, u8 v)
{
	return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}

/*
 * Replace *p by new if it holds *expected; otherwise copy the value found into
 * *expected. True when the swap happened (LOCK CMPXCHG).
 */
static inline bool atomic_cmpxchg_u32(volatile u32 *p, u32 *expected, u32 new)
{
	return __atomic_compare_exchange_n(p, expected, new, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static inline bool atomic_cmpxchg_u64(volatile u64 *p, u64 *expected, u64 new)
{
	return __atomic_compare_exchange_n(p, expected, new, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

/* Raise *p to v if v is larger; returns the value after the call. */
static inline u32 atomic_max_u32(volatile u32 *p, u32 v)
{
	u32 cur = atomic_load_u32(p);

	while (cur < v && !atomic_cmpxchg_u32(p, &cur, v))
		;
	return MAX(cur, v);
}

/*
 * Ticket lock: fair (first come, first served), so a vCPU that the host
 * preempts while it waits cannot be overtaken for ever. next is the ticket
 * handed to the next arrival, owner the ticket now holding the lock; both wrap.
 * A vCPU must not park while it holds a lock.
 */
struct spinlock {
	volatile u32 next;
	volatile u32 owner;
};

#define SPINLOCK_INIT \
	{             \
		0, 0  \
	}

static inline void spin_lock(struct spinlock *l)
{
	u32 ticket = atomic_fetch_add_u32(&l->next, 1);

	while (atomic_load_u32(&l->owner) != ticket)
		cpu_relax();
}

static inline bool spin_trylock(struct spinlock *l)
{
	u32 owner = atomic_load_u32(&l->owner);
	u32 expected = owner;

	/* Only take a ticket when it would be served at once. */
	return atomic_cmpxchg_u32(&l->next, &expected, owner + 1);
}

static inline void spin_unlock(struct spinlock *l)
{
	/* Only the holder writes owner, so a plain read of it is exact. */
	atomic_store_u32(&l->owner, l->owner + 1);
}

#endif
