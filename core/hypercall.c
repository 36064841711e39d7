// SPDX-License-Identifier: MIT
/* Hypercall dispatch: check the caller's rights and every argument, then act. */
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/broker.h>
#include <hv/errno.h>
#include <hv/hcargs.h>
#include <hv/hvm.h>
#include <hv/lifecycle.h>
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

/*
 * Return pending events at once, or block until one comes or the timeout
 * passes; the result is then set by hypercall_wait_done(). waiting_event is
 * published before the events are looked at, and broker_raise() sets the
 * events before it looks at waiting_event: one of the two sees the other.
 */
static struct hc_result hc_wait_event(struct vcpu *v, u64 timeout_us)
{
	u32 ev;

	if (v->vm->cfg.privileged)
		vdev_console_flush_partial(v->vm);
	if (!timeout_us)
		return HC_RET(broker_take_events(v->vm));
	sched_block_prepare(v, rdtsc() + MIN(timeout_us, WAIT_EVENT_MAX_US) * tsc_khz / 1000);
	__atomic_store_n(&v->waiting_event, true, __ATOMIC_SEQ_CST);
	ev = broker_take_events(v->vm);
	if (!ev)
		return (struct hc_result){0, EXIT_BLOCK};
	__atomic_store_n(&v->waiting_event, false, __ATOMIC_SEQ_CST);
	sched_block_cancel(v);
	return HC_RET(ev);
}

void hypercall_wait_done(struct vcpu *v)
{
	if (!v->waiting_event)
		return;
	__atomic_store_n(&v->waiting_event, false, __ATOMIC_SEQ_CST);
	v->regs.rax = broker_take_events(v->vm); /* 0 after a timeout */
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

struct release_args {
	u64 gpa, len;
};

static long release_work(struct vm *vm, void *arg)
{
	struct release_args *r = arg;

	return (long)reclaim_release_range(&vm->mem, r->gpa, r->len);
}

static long hc_mem_release(struct vcpu *v, u64 gpa, u64 len)
{
	struct release_args r = {gpa, len};

	if (hcargs_release(v->vm->mem.ram_size, gpa, len))
		return -EINVAL;
	/* No vCPU of the VM may use a frame once it is freed: quiesce, free, flush. */
	return vm_quiesce(v->vm, release_work, &r);
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

static struct hc_result hc_vcpu_offline_ack(struct vcpu *v)
{
	/* vCPU 0 stays: it is the one the VM boots and ends on. */
	if (!v->id)
		return HC_RET(-EINVAL);
	return (struct hc_result){0, EXIT_PARK};
}

static struct hc_result hypercall(struct vcpu *v, const struct hc_args *a)
{
	if (a->nr >= HC_BROKER_FIRST && a->nr <= HC_BROKER_LAST)
		return HC_RET(
			broker_hypercall(v, a->nr, a->arg[0], a->arg[1], a->arg[2], a->arg[3]));
	long ret;

	if (hc_read_only(v, a->nr, &ret))
		return HC_RET(ret);
	switch (a->nr) {
	case HC_CONSOLE_WRITE: return HC_RET(hc_console_write(v, a->arg[0], a->arg[1]));
	case HC_YIELD: return (struct hc_result){0, EXIT_YIELD};
	case HC_WAIT_EVENT: return hc_wait_event(v, a->arg[0]);
	case HC_SELF_STATS: return HC_RET(hc_self_stats(v, a->arg[0]));
	case HC_MEM_RELEASE: return HC_RET(hc_mem_release(v, a->arg[0], a->arg[1]));
	case HC_VCPU_ONLINE_ACK: return HC_RET(hc_vcpu_online_ack(v));
	case HC_VCPU_REGISTER: return HC_RET(hc_vcpu_register(v, a->arg[0], a->arg[1]));
	case HC_VCPU_OFFLINE_ACK: return hc_vcpu_offline_ack(v);
	default: return HC_RET(-ENOSYS);
	}
}

/* A call from user mode (or V86): refused before its number is even looked at. */
static long hc_refuse(struct vcpu *v, u64 nr, u64 cpl)
{
	if (v->vm->refused_calls++ < 3)
		pr_warn("vm %s: hypercall %llu from CPL %llu refused (-EPERM)%s\n", v->vm->cfg.name,
			nr, cpl,
			v->vm->refused_calls == 3 ? "; further refusals are only counted" : "");
	return -EPERM;
}

static struct hc_args hc_args_of(const struct vcpu *v, const struct vm_exit *e)
{
	const struct gprs *r = &v->regs;
	bool wide = e->hc.wide;

	return (struct hc_args){
		.nr = hcargs_reg(r->rax, wide),
		.arg = {hcargs_reg(r->rdi, wide), hcargs_reg(r->rsi, wide),
			hcargs_reg(r->rdx, wide), hcargs_reg(r->r10, wide)},
	};
}

static struct hc_result hc_call(struct vcpu *v, const struct vm_exit *e, const struct hc_args *a)
{
	if (hcargs_caller(e->hc.cpl, e->hc.rflags))
		return HC_RET(hc_refuse(v, a->nr, e->hc.cpl));
	return hypercall(v, a);
}

enum exit_action handle_hypercall(struct vcpu *v, struct vm_exit *e)
{
	struct hc_args a = hc_args_of(v, e);
	struct hc_result res = hc_call(v, e, &a);

	v->regs.rax = (u64)res.ret;
	if (exit_resume_after(v, e) != EXIT_RESUME)
		return EXIT_STOP_VM;
	return res.act;
}
