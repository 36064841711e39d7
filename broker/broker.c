// SPDX-License-Identifier: MIT
/* The broker link: the ring of requests and notifications, answers, and broker restarts. */
#include <arch/console.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/broker.h>
#include <hv/config.h>
#include <hv/hvm.h>
#include <hv/pmm.h>
#include <hv/zeropool.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vdev.h>
#include <hv/vm.h>
#include <public/hypercall.h>

#include "broker_internal.h"

#define STATS_PERIOD_US 1000000
#define RESTART_LIMIT	5

struct broker_state broker;

void broker_init(const struct sprout_config *cfg, const struct boot_info *bi)
{
	broker.cfg = cfg;
	broker.bi = bi;
	broker.ring_gpa = INVALID_GPA;
	reqtab_init(&broker.requests);
	conmux_init(&broker.con);
}

void broker_vm_created(struct vm *vm)
{
	spin_lock(&broker.lock);
	broker.vm = vm;
	if (!vdev_stats_map(vm))
		pr_warn("sprout: cannot map the load page into the broker vm %s\n", vm->cfg.name);
	broker.ring_gpa = INVALID_GPA;
	broker.events = 0;
	spin_unlock(&broker.lock);
}

struct vm *broker_vm(void)
{
	struct vm *vm = broker.vm;

	return vm && vm_state(vm) != VM_STOPPED && vm_state(vm) != VM_EMPTY ? vm : NULL;
}

bool broker_ready(void)
{
	return broker_vm() && broker.ring_gpa != INVALID_GPA;
}

/* Events first, then waiting_event: hc_wait_event() does the opposite (Dekker). */
static void broker_raise(u32 events)
{
	struct vm *vm = broker_vm();

	__atomic_fetch_or(&broker.events, events, __ATOMIC_SEQ_CST);
	if (!vm)
		return;
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		if (__atomic_load_n(&vm->vcpus[i]->waiting_event, __ATOMIC_SEQ_CST))
			sched_wake(vm->vcpus[i]);
}

u32 broker_take_events(struct vm *vm)
{
	u32 ev;

	if (vm != broker_vm())
		return 0;
	ev = __atomic_exchange_n(&broker.events, 0, __ATOMIC_SEQ_CST);
	return ev;
}

/* Copy queued messages into the broker's ring while it has room. */
static void ring_flush(void)
{
	struct vm *vm = broker_vm();
	struct sprout_ring hdr;
	bool posted = false;

	if (!vm || broker.ring_gpa == INVALID_GPA)
		return;
	while (broker.queued) {
		gpa_t slot;
		u32 head;

		if (vm_read(vm, broker.ring_gpa, &hdr, offsetof(struct sprout_ring, msg)))
			return;
		/* The broker owns tail; a nonsense value just means "full" until it behaves. */
		if (hdr.head - hdr.tail >= SPROUT_RING_SLOTS)
			break;
		slot = broker.ring_gpa + offsetof(struct sprout_ring, msg) +
		       (hdr.head % SPROUT_RING_SLOTS) * sizeof(struct sprout_msg);
		if (vm_write(vm, slot, &broker.queue[0], sizeof(struct sprout_msg)))
			return;
		head = hdr.head + 1;
		vm_write(vm, broker.ring_gpa + offsetof(struct sprout_ring, head), &head,
			 sizeof(head));
		memmove(&broker.queue[0], &broker.queue[1],
			--broker.queued * sizeof(struct sprout_msg));
		posted = true;
	}
	if (posted)
		broker_raise(SPROUT_EV_RING);
}

/* Queue a message; false when the queue is full (a notification is then dropped). */
static bool broker_post(const struct sprout_msg *msg)
{
	if (broker.queued == BROKER_QUEUE_MAX) {
		broker.dropped++;
		return false;
	}
	broker.queue[broker.queued++] = *msg;
	ring_flush();
	return true;
}

/*
 * Tell the broker the console is its own again; the lock is held. The VM
 * may have left the cursor mid-line (a shell's prompt): the broker's lines
 * start on a fresh one.
 */
static void console_detached(u32 id, u64 why)
{
	printk_console_line("", 0);
	broker_post(&(struct sprout_msg){
		.type = SPROUT_MSG_CONSOLE_DETACHED, .vm_id = id, .arg0 = why});
}

static bool post_request(const struct sprout_msg *msg, void *ctx)
{
	return broker_post(msg);
}

/* Requests are never dropped: one that found the queue full is posted later. */
static void post_waiting_requests(void)
{
	reqtab_post_waiting(&broker.requests, post_request, NULL);
}

void broker_ring_registered(void)
{
	/* A new (or restarted) broker sees every request still waiting for an answer. */
	broker.queued = 0;
	reqtab_unpost_all(&broker.requests);
	post_waiting_requests();
}

bool broker_request_memory(struct vcpu *v, bool host_low, u64 bytes, u64 gpa)
{
	struct sprout_msg msg = {
		.type = host_low ? SPROUT_MSG_HOST_LOW : SPROUT_MSG_MEM_REQUEST,
		.vm_id = v->vm->id,
		.arg0 = bytes,
		.arg1 = gpa,
		.arg2 = v->vm->mem.acct.committed,
		.arg3 = v->vm->mem.acct.quota,
	};
	u64 id;

	/*
	 * A broker still booting (no ring yet) gets the request when it
	 * registers its ring (broker_ring_registered()), as a restarted one
	 * does: a VM that reaches its quota first waits for it, not paused.
	 */
	if (!broker_vm() || v->vm == broker_vm())
		return false;
	spin_lock(&broker.lock);
	id = reqtab_add(&broker.requests, v, v->vm->id, &msg);
	if (id) {
		v->pending_request = id;
		pr_info("vm %s: waiting for the broker: request %llu, %s %llu KiB at GPA 0x%llx "
			"(committed %llu KiB, quota %llu KiB)\n",
			v->vm->cfg.name, id, host_low ? "host memory short for" : "over quota by",
			bytes >> 10, gpa, v->vm->mem.acct.committed >> 10,
			v->vm->mem.acct.quota >> 10);
		post_waiting_requests();
	}
	spin_unlock(&broker.lock);
	return id != 0;
}

struct vcpu *broker_take_request(u64 id)
{
	return reqtab_take(&broker.requests, id);
}

void broker_vm_started(struct vm *vm)
{
	if (vm->cfg.privileged || !broker_ready())
		return;
	spin_lock(&broker.lock);
	broker_post(&(struct sprout_msg){.type = SPROUT_MSG_VM_STARTED, .vm_id = vm->id});
	spin_unlock(&broker.lock);
}

void broker_vcpu_kept(struct vm *vm, u32 cpu, u32 ms, u32 ost)
{
	broker_post(&(struct sprout_msg){.type = SPROUT_MSG_VCPU_KEPT,
					 .vm_id = vm->id,
					 .arg0 = cpu,
					 .arg1 = ms,
					 .arg2 = ost});
}

void broker_vm_stopped(struct vm *vm)
{
	bool detached;

	spin_lock(&broker.lock);
	reqtab_drop_vm(&broker.requests, vm->id);
	detached = conmux_vm_stopped(&broker.con, vm->id);
	if (vm->cfg.privileged) {
		/* The operator needs a prompt: a restarted broker gets the console back. */
		conmux_vm_stopped(&broker.con, conmux_attached(&broker.con));
		broker.ring_gpa = INVALID_GPA;
		broker.events = 0;
		if (vm->stop_kind != VM_STOP_REQUEST)
			broker.restart_pending = true;
		spin_unlock(&broker.lock);
		return;
	}
	broker_post(&(struct sprout_msg){.type = SPROUT_MSG_VM_STOPPED,
					 .vm_id = vm->id,
					 .arg0 = vm->stop_kind,
					 .arg1 = (u64)(s64)vm->exit_status});
	if (detached)
		console_detached(vm->id, SPROUT_DETACH_STOPPED);
	spin_unlock(&broker.lock);
}

static void broker_restart(void)
{
	struct vm *old = broker.vm;
	struct vm_config cfg = old->cfg;

	broker.restart_pending = false;
	if (++broker.restarts > RESTART_LIMIT) {
		pr_err("sprout: the broker crashed %u times; not restarting it again\n",
		       RESTART_LIMIT);
		return;
	}
	pr_warn("sprout: restarting the broker VM (restart %u of at most %u)\n", broker.restarts,
		RESTART_LIMIT);
	vm_create_at(old, &cfg, broker.bi);
}

/* The attached VM while it can take input, else NULL (a stop on another CPU detaches it). */
static struct vm *console_vm(void)
{
	u32 id = conmux_attached(&broker.con);
	struct vm *vm;

	if (id >= VM_MAX)
		return NULL;
	vm = &vm_table[id];
	if (vm_state(vm) == VM_STOPPED || vm_state(vm) == VM_EMPTY || vm_stopping(vm))
		return NULL;
	return vm;
}

/* Move pending typed bytes into the attached VM's UART while it has room; the lock is held. */
static void console_feed(void)
{
	struct vm *vm = console_vm();
	u8 c;

	while (vm && conmux_peek(&broker.con, &c) && vdev_uart_rx(vm, c))
		conmux_pop(&broker.con);
}

/*
 * Bytes typed on the host console go to the broker's UART, or to the
 * attached VM's until the escape key gives the console back.
 */
static void console_input(void)
{
	struct vm *vm = broker_vm();
	bool got = false;
	int c;

	spin_lock(&broker.lock);
	while ((c = console_getc()) >= 0) {
		u32 id = conmux_attached(&broker.con);

		switch (conmux_typed(&broker.con, (u8)c)) {
		case CONMUX_TO_BROKER:
			if (vm)
				got |= vdev_uart_rx(vm, (u8)c);
			break;
		case CONMUX_DETACH: console_detached(id, SPROUT_DETACH_ESCAPE); break;
		case CONMUX_TO_VM:
		case CONMUX_DROPPED: console_feed(); break;
		}
	}
	console_feed();
	spin_unlock(&broker.lock);
	if (got)
		broker_raise(SPROUT_EV_CONSOLE);
}

long broker_console_attach(u64 id)
{
	struct vm *vm = id < VM_MAX && vm_state(&vm_table[id]) != VM_EMPTY ? &vm_table[id] : NULL;
	bool running = vm && vm_state(vm) == VM_RUNNING && !vm_stopping(vm);
	int err;

	spin_lock(&broker.lock);
	err = conmux_attach_check(&broker.con, (u32)id, vm != NULL, vm && vm->cfg.privileged,
				  running);
	if (!err)
		conmux_attach(&broker.con, (u32)id);
	spin_unlock(&broker.lock);
	return err;
}

enum conmux_style broker_console_style(const struct vm *vm)
{
	return conmux_style(&broker.con, vm->id, vm->cfg.privileged);
}

bool broker_restart_due(void)
{
	return broker.restart_pending;
}

void broker_tick(void)
{
	u64 now = time_us();

	if (broker.restart_pending)
		broker_restart();
	vdev_stats_update();
	console_input();
	spin_lock(&broker.lock);
	ring_flush();
	post_waiting_requests();
	if (broker_ready() && now - broker.last_stats_us >= STATS_PERIOD_US) {
		broker.last_stats_us = now;
		broker_post(
			&(struct sprout_msg){.type = SPROUT_MSG_STATS, .arg0 = host_free_bytes()});
	}
	spin_unlock(&broker.lock);
}
