/* SPDX-License-Identifier: MIT */
/* The broker ring: messages the hypervisor posts, read with every index checked. */
#include "guest.h"
#include "sprout.h"
#include "broker.h"
#include "cmd.h"

/* Messages handled per drain, so a flooding ring cannot starve the console. */
#define RING_DRAIN_MAX 256

/* A whole page of our RAM, as HC_BROKER_RING_SETUP wants. */
static union {
	struct sprout_ring ring;
	u8 page[PAGE_SIZE];
} ring_page __aligned(PAGE_SIZE);

static struct sprout_ring *const ring = &ring_page.ring;
static bool ring_ready;
/* Our own copy of tail: the ring page is shared, so its tail is not trusted. */
static u32 ring_tail;
static u32 ring_dropped;

static inline void compiler_barrier(void)
{
	asm volatile("" ::: "memory");
}

long ring_setup(void)
{
	long ret;

	ring->magic = SPROUT_RING_MAGIC;
	ring->slots = SPROUT_RING_SLOTS;
	ret = hypercall(HC_BROKER_RING_SETUP, (unsigned long)ring, 0, 0, 0);
	if (ret < 0)
		return ret;
	if (ring->magic != SPROUT_RING_MAGIC || ring->slots != SPROUT_RING_SLOTS)
		broker_log("ring: magic 0x%x slots %u after setup (want 0x%x, %u); using %u slots",
			   ring->magic, ring->slots, SPROUT_RING_MAGIC, SPROUT_RING_SLOTS,
			   SPROUT_RING_SLOTS);
	ring_tail = ring->tail;
	ring_dropped = ring->dropped;
	ring_ready = true;
	return 0;
}

static void vm_stopped(const struct sprout_msg *m)
{
	struct sprout_vm_info info;
	long ret;

	table_refresh(false, 0);
	ret = table_vm_info(m->vm_id, &info);
	if (ret == 0 && info.stop_reason[0]) {
		broker_log("vm %u (%s) stopped: %s", m->vm_id, info.name, info.stop_reason);
		return;
	}
	broker_log("vm %u (%s) stopped: %s, exit status %lld", m->vm_id, table_name(m->vm_id),
		   cmd_stop_kind_name((u32)m->arg0), (s64)m->arg1);
}

static void vm_started(const struct sprout_msg *m)
{
	struct broker_vm *v;

	table_refresh(false, 0);
	v = table_find(m->vm_id);
	if (v)
		activity_reset(&v->act);
	broker_log("vm %u (%s) started", m->vm_id, table_name(m->vm_id));
}

static void dispatch(const struct sprout_msg *m)
{
	switch (m->type) {
	case SPROUT_MSG_MEM_REQUEST:
	case SPROUT_MSG_HOST_LOW:
		if (!m->request_id) {
			broker_log("ring: request from vm %u without a request id, ignored",
				   m->vm_id);
			return;
		}
		mem_request(m);
		return;
	case SPROUT_MSG_VM_STOPPED: vm_stopped(m); return;
	case SPROUT_MSG_VM_STARTED: vm_started(m); return;
	case SPROUT_MSG_STATS: return; /* the period refresh reads the same figures */
	case SPROUT_MSG_CONSOLE_DETACHED: broker_console_detached(m); return;
	case SPROUT_MSG_VCPU_KEPT: vcpu_kept(m); return;
	default:
		broker_log("ring: unknown message type %u from vm %u, ignored", m->type, m->vm_id);
		return;
	}
}

/*
 * head and tail count messages ever posted and consumed; a slot is the count
 * modulo SPROUT_RING_SLOTS. More than SPROUT_RING_SLOTS apart means the head
 * is garbage: skip to it rather than read slots that were never written.
 */
static bool head_sane(u32 head)
{
	if (head - ring_tail <= SPROUT_RING_SLOTS)
		return true;
	broker_log("ring: head %u is %u messages past tail %u (at most %u), skipping to it", head,
		   head - ring_tail, ring_tail, SPROUT_RING_SLOTS);
	ring_tail = head;
	ring->tail = ring_tail;
	return false;
}

static void check_dropped(void)
{
	u32 dropped = ring->dropped;

	if (dropped == ring_dropped)
		return;
	broker_log("ring: the hypervisor dropped %u messages", dropped - ring_dropped);
	ring_dropped = dropped;
}

void ring_drain(void)
{
	if (!ring_ready)
		return;
	check_dropped();
	for (unsigned int n = 0; n < RING_DRAIN_MAX; n++) {
		u32 head = ring->head;
		struct sprout_msg m;

		if (head == ring_tail || !head_sane(head))
			return;
		/* x86 keeps loads in order; stop the compiler from hoisting the copy above head. */
		compiler_barrier();
		m = ring->msg[ring_tail % SPROUT_RING_SLOTS];
		compiler_barrier();
		dispatch(&m);
		ring->tail = ++ring_tail;
	}
}
