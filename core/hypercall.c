// SPDX-License-Identifier: MIT
/* Hypercall dispatch: check the caller's rights and every argument, then act. */
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/broker.h>
#include <hv/errno.h>
#include <hv/hcargs.h>
#include <hv/hvm.h>
#include <hv/loader.h>
#include <hv/printk.h>
#include <hv/reclaim.h>
#include <hv/sched.h>
#include <hv/vdev.h>
#include <hv/vm.h>
#include <public/hypercall.h>

#include "handlers.h"

#define WAIT_EVENT_MAX_US 10000000ULL

static long hc_console_write(struct vcpu *v, u64 gpa, u64 len)
{
	char buf[256];
	u64 done = 0;

	int err = hcargs_buffer(v->vm->mem.ram_size, gpa, len, HC_CONSOLE_WRITE_MAX);

	if (err)
		return err;
	while (done < len) {
		u64 chunk = MIN(len - done, sizeof(buf));

		if (vm_read(v->vm, gpa + done, buf, chunk))
			return -EFAULT;
		for (u64 i = 0; i < chunk; i++)
			vdev_console_putc(v->vm, buf[i]);
		done += chunk;
	}
	return (long)len;
}

/* Return pending events at once, or block until one comes or the timeout passes. */
static long hc_wait_event(struct vcpu *v, u64 timeout_us)
{
	u32 ev = broker_take_events(v->vm);

	if (v->vm->cfg.privileged)
		vdev_console_flush_partial(v->vm);
	if (ev || !timeout_us)
		return ev;
	v->waiting_event = true;
	v->wake_tsc = rdtsc() + MIN(timeout_us, WAIT_EVENT_MAX_US) * tsc_khz / 1000;
	return 0;
}

static long hc_self_stats(struct vcpu *v, u64 gpa)
{
	struct sprout_vm_info info;
	int err = hcargs_buffer(v->vm->mem.ram_size, gpa, sizeof(info), 0);

	if (err)
		return err;
	broker_fill_info(v->vm, &info);
	return vm_write(v->vm, gpa, &info, sizeof(info)) ? -EFAULT : 0;
}

static long hc_mem_release(struct vcpu *v, u64 gpa, u64 len)
{
	s64 bytes;

	if (hcargs_release(v->vm->mem.ram_size, gpa, len))
		return -EINVAL;
	/* The VM's other vCPUs leave guest mode first: none may use a frame once it is freed. */
	if (!sched_hold_vm(v->vm))
		return -EBUSY;
	bytes = reclaim_release_range(&v->vm->mem, gpa, len);
	if (bytes > 0)
		for (u32 i = 0; i < v->vm->nr_vcpus; i++)
			hvm->s2_flush(v->vm->vcpus[i]);
	sched_release_vm(v->vm);
	return (long)bytes;
}

static long hc_vcpu_register(struct vcpu *v, u64 entry, u64 arg)
{
	int err = hcargs_vcpu_entry(v->vm->mem.ram_size, entry);

	if (err)
		return err;
	v->vm->vcpu_entry = (u32)entry;
	v->vm->vcpu_entry_arg = (u32)arg;
	return 0;
}

static long hc_vcpu_online_ack(struct vcpu *v)
{
	if (v->online_acked)
		return -EINVAL;
	v->online_acked = true;
	if (v->id)
		pr_info("vm %s: vCPU %u is online\n", v->vm->cfg.name, v->id);
	return 0;
}

static long hypercall(struct vcpu *v, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	if (nr >= HC_BROKER_FIRST && nr <= HC_BROKER_LAST)
		return broker_hypercall(v, nr, a0, a1, a2, a3);
	switch (nr) {
	case HC_VERSION: return SPROUT_ABI_VERSION;
	case HC_CONSOLE_WRITE: return hc_console_write(v, a0, a1);
	case HC_YIELD: return 0;
	case HC_WAIT_EVENT: return hc_wait_event(v, a0);
	case HC_SELF_STATS: return hc_self_stats(v, a0);
	case HC_MEM_RELEASE: return hc_mem_release(v, a0, a1);
	case HC_VCPU_ONLINE_ACK: return hc_vcpu_online_ack(v);
	case HC_VCPU_REGISTER: return hc_vcpu_register(v, a0, a1);
	case HC_VCPU_POLL: return v->park_requested ? SPROUT_VCPU_PARK : SPROUT_VCPU_RUN;
	case HC_VCPU_OFFLINE_ACK:
		/* vCPU 0 stays: it is the one the VM boots and ends on. */
		return v->id ? 0 : -EINVAL;
	default: return -ENOSYS;
	}
}

enum exit_action handle_hypercall(struct vcpu *v, struct vm_exit *e)
{
	struct gprs *r = &v->regs;
	u64 nr = r->rax;

	r->rax = (u64)hypercall(v, nr, r->rdi, r->rsi, r->rdx, r->r10);
	if (v->vm->state == VM_STOPPED || v->state == VCPU_STOPPED)
		return EXIT_STOP_VM;
	if (exit_resume_after(v, e) != EXIT_RESUME)
		return EXIT_STOP_VM;
	if (v->waiting_event)
		return EXIT_BLOCK;
	if (nr == HC_VCPU_OFFLINE_ACK && v->id)
		return EXIT_PARK;
	return nr == HC_YIELD ? EXIT_YIELD : EXIT_RESUME;
}
