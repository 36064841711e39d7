// SPDX-License-Identifier: MIT
/* Broker-only hypercalls: every argument is checked before anything is done. */
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/broker.h>
#include <hv/errno.h>
#include <hv/hcargs.h>
#include <hv/hvm.h>
#include <hv/lifecycle.h>
#include <hv/percpu.h>
#include <hv/pmm.h>
#include <hv/zeropool.h>
#include <hv/printk.h>
#include <hv/reclaim.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/vplat.h>
#include <public/hypercall.h>

#include "broker_internal.h"

static struct vm *vm_by_id(u64 id)
{
	if (hcargs_vm_id(id, VM_MAX) || vm_state(&vm_table[id]) == VM_EMPTY)
		return NULL;
	return &vm_table[id];
}

void broker_fill_info(const struct vm *vm, struct sprout_vm_info *info)
{
	const struct vm_account *a = &vm->mem.acct;
	u64 end = vm_state(vm) == VM_STOPPED ? vm->stop_tsc : rdtsc();

	memset(info, 0, sizeof(*info));
	info->id = vm->id;
	info->state = vm_state(vm);
	strlcpy(info->name, vm->cfg.name, sizeof(info->name));
	info->privileged = vm->cfg.privileged;
	info->vcpus_min = vm->cfg.vcpus_min;
	info->vcpus_max = vm->cfg.vcpus_max;
	info->memory = vm->mem.ram_size;
	info->committed = a->committed;
	info->peak = a->peak;
	info->quota = a->quota;
	info->faults_4k = a->faults_4k;
	info->faults_2m = a->faults_2m;
	info->denied = a->denied;
	info->reclaimed = a->reclaimed;
	info->uptime_us =
		vm->start_tsc && end > vm->start_tsc ? (end - vm->start_tsc) * 1000 / tsc_khz : 0;
	info->exits = vm->parked_exits;
	info->busy_us = vm->parked_busy_tsc * 1000 / tsc_khz;
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];

		info->vcpus += v->state != VCPU_STOPPED;
		info->exits += v->exits;
		info->busy_us += v->busy_tsc * 1000 / tsc_khz;
		if (v->pending_request)
			info->pending_request = v->pending_request;
	}
	info->exit_status = vm->exit_status;
	info->stop_kind = vm->stop_kind;
	strlcpy(info->stop_reason, vm->stop_reason, sizeof(info->stop_reason));
}

static long hc_vm_list(struct vcpu *v, u64 gpa, u64 max)
{
	struct sprout_vm_info info;
	u64 n = 0;

	if (max > VM_MAX)
		max = VM_MAX;
	if (max && hcargs_buffer(v->vm->mem.ram_size, gpa, max * sizeof(info), 0))
		return -EFAULT;
	for (u32 i = 0; i < VM_MAX; i++) {
		if (vm_state(&vm_table[i]) == VM_EMPTY)
			continue;
		if (n == max)
			return -E2BIG;
		broker_fill_info(&vm_table[i], &info);
		if (vm_write(v->vm, gpa + n * sizeof(info), &info, sizeof(info)))
			return -EFAULT;
		n++;
	}
	return (long)n;
}

static long hc_vm_info(struct vcpu *v, u64 id, u64 gpa)
{
	struct sprout_vm_info info;
	struct vm *vm = vm_by_id(id);

	if (!vm)
		return -ENOENT;
	if (hcargs_buffer(v->vm->mem.ram_size, gpa, sizeof(info), 0))
		return -EFAULT;
	broker_fill_info(vm, &info);
	return vm_write(v->vm, gpa, &info, sizeof(info)) ? -EFAULT : 0;
}

static long hc_vm_create(struct vcpu *v, u64 gpa, u64 len)
{
	char name[CONFIG_NAME_MAX];
	struct vm *vm;

	if (hcargs_name_len(len))
		return -EINVAL;
	if (vm_read(v->vm, gpa, name, len))
		return -EFAULT;
	name[len] = '\0';
	if (vm_find(name))
		return -EEXIST;
	for (u32 i = 0; i < broker.cfg->vm_count; i++) {
		if (strcmp(broker.cfg->vms[i].name, name))
			continue;
		if (broker.cfg->vms[i].privileged)
			return -EPERM;
		vm = vm_create(&broker.cfg->vms[i], broker.bi);
		if (!vm)
			return -ENOSPC;
		return vm_state(vm) == VM_RUNNING ? (long)vm->id : -ENOEXEC;
	}
	return -ENOENT;
}

static long vm_op(struct vm *vm, u64 op)
{
	switch (op) {
	case SPROUT_VM_OP_START: {
		struct vm_config cfg = vm->cfg;

		if (vm_state(vm) != VM_STOPPED)
			return -EBUSY;
		vm_create_at(vm, &cfg, broker.bi);
		return vm_state(vm) == VM_RUNNING ? 0 : -ENOEXEC;
	}
	case SPROUT_VM_OP_STOP:
		if (vm_state(vm) == VM_STOPPED)
			return -EINVAL;
		vm_stop(vm, VM_STOP_REQUEST, -1, "stopped by the broker");
		return 0;
	case SPROUT_VM_OP_PAUSE: return vm_pause(vm, "by the broker");
	case SPROUT_VM_OP_RESUME: {
		int err = vm_resume(vm);

		if (!err)
			pr_info("vm %s: resumed by the broker\n", vm->cfg.name);
		return err;
	}
	case SPROUT_VM_OP_DESTROY: {
		int err = vm_destroy(vm, "destroyed by the broker");

		if (!err)
			pr_info("vm %s: destroyed; its table slot %u is free\n", vm->cfg.name,
				vm->id);
		return err;
	}
	}
	return -EINVAL;
}

static long hc_vm_control(struct vcpu *v, u64 id, u64 op)
{
	struct vm *vm = vm_by_id(id);

	if (!vm)
		return -ENOENT;
	if (hcargs_vm_op(op))
		return -EINVAL;
	if (vm == v->vm)
		return -EBUSY; /* the broker does not stop or pause itself */
	return vm_op(vm, op);
}

static long hc_set_quota(u64 id, u64 bytes)
{
	struct vm *vm = vm_by_id(id);

	if (!vm)
		return -ENOENT;
	if (hcargs_quota(bytes))
		return -EINVAL;
	/* demand_fault() reads the quota under this lock: one value per decision. */
	demand_lock(&vm->mem);
	vm->mem.acct.quota = bytes;
	demand_unlock(&vm->mem);
	pr_info("vm %s: quota set to %llu KiB by the broker\n", vm->cfg.name, bytes >> 10);
	return 0;
}

static long hc_answer(u64 id, u64 answer)
{
	struct vcpu *v;

	if (hcargs_answer(answer))
		return -EINVAL;
	/* Taken out of the table under its lock: a stop that drops it cannot race. */
	v = broker_take_request(id);
	if (!v)
		return -ENOENT;
	vm_memory_answered(v, id, answer == SPROUT_ANSWER_GRANT);
	return 0;
}

static long reclaim_work(struct vm *vm, void *arg)
{
	return (long)reclaim_zero_pages(&vm->mem);
}

static long hc_reclaim(u64 id)
{
	struct vm *vm = vm_by_id(id);
	u64 bytes;
	long ret;

	if (!vm)
		return -ENOENT;
	if (vm_state(vm) == VM_STOPPED)
		return 0;
	/* Out of guest mode while its pages are checked and taken: no write can race. */
	ret = vm_quiesce(vm, reclaim_work, NULL);
	if (ret < 0)
		return ret;
	bytes = (u64)ret;
	pr_info("vm %s: reclaimed %llu KiB of zero pages (committed now %llu KiB)\n", vm->cfg.name,
		bytes >> 10, vm->mem.acct.committed >> 10);
	return (long)bytes;
}

static long hc_console_read(struct vcpu *v, u64 id, u64 gpa, u64 len, u64 offset)
{
	struct vm *vm = vm_by_id(id);
	u64 head, first;
	u64 n;

	if (!vm)
		return -ENOENT;
	head = vm->dev.ring.head;
	if (!len)
		return (long)head;
	if (hcargs_buffer(v->vm->mem.ram_size, gpa, len, HC_CONSOLE_READ_MAX))
		return len > HC_CONSOLE_READ_MAX ? -EINVAL : -EFAULT;
	first = head > SPROUT_CONSOLE_RING ? head - SPROUT_CONSOLE_RING : 0;
	offset = MAX(offset, first);
	if (offset >= head)
		return 0;
	n = MIN(len, head - offset);
	for (u64 i = 0; i < n; i++) {
		char c = vm->dev.ring.buf[(offset + i) % VDEV_CONSOLE_RING];

		if (vm_write(v->vm, gpa + i, &c, 1))
			return -EFAULT;
	}
	return (long)n;
}

static long hc_host_stats(struct vcpu *v, u64 gpa)
{
	static struct sprout_host_stats s;

	if (hcargs_buffer(v->vm->mem.ram_size, gpa, sizeof(s), 0))
		return -EFAULT;
	memset(&s, 0, sizeof(s));
	s.total_bytes = pmm_total_frames() * PAGE_SIZE;
	s.free_bytes = host_free_bytes();
	s.reserve_bytes = DEMAND_HOST_RESERVE;
	s.cpus = sched_cpu_count();
	s.cpus_idle = sched_idle_count();
	s.uptime_us = time_us();
	for (u32 c = 0; c < MAX_CPUS && c < ARRAY_SIZE(s.cpu_busy_us); c++)
		s.cpu_busy_us[c] = percpu[c].busy_tsc * 1000 / tsc_khz;
	return vm_write(v->vm, gpa, &s, sizeof(s)) ? -EFAULT : 0;
}

static long hc_ring_setup(struct vcpu *v, u64 gpa)
{
	struct sprout_ring hdr = {.magic = SPROUT_RING_MAGIC, .slots = SPROUT_RING_SLOTS};

	int err = hcargs_ring(v->vm->mem.ram_size, gpa);

	if (err)
		return err;
	if (vm_write(v->vm, gpa, &hdr, sizeof(hdr)))
		return -EFAULT;
	spin_lock(&broker.lock);
	broker.ring_gpa = gpa;
	broker_ring_registered();
	spin_unlock(&broker.lock);
	pr_info("sprout: broker vm %s registered its ring at GPA 0x%llx\n", v->vm->cfg.name, gpa);
	return 0;
}

long broker_hypercall(struct vcpu *v, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	if (v->vm != broker_vm()) {
		/* A flood of these must not flood the console: name the VM a few times. */
		if (v->vm->refused_calls++ < 3)
			pr_warn("vm %s: broker-only hypercall %llu refused (-EPERM)%s\n",
				v->vm->cfg.name, nr,
				v->vm->refused_calls == 3 ? "; further refusals are only counted"
							  : "");
		return -EPERM;
	}
	switch (nr) {
	case HC_BROKER_RING_SETUP: return hc_ring_setup(v, a0);
	case HC_VM_LIST: return hc_vm_list(v, a0, a1);
	case HC_VM_INFO: return hc_vm_info(v, a0, a1);
	case HC_VM_CREATE: return hc_vm_create(v, a0, a1);
	case HC_VM_CONTROL: return hc_vm_control(v, a0, a1);
	case HC_VM_SET_QUOTA: return hc_set_quota(a0, a1);
	case HC_REQUEST_ANSWER: return hc_answer(a0, a1);
	case HC_VM_RECLAIM: return hc_reclaim(a0);
	case HC_VM_CONSOLE_READ: return hc_console_read(v, a0, a1, a2, a3);
	case HC_VCPU_ADD:
	case HC_VCPU_PARK: {
		struct vm *vm = vm_by_id(a0);

		if (!vm)
			return -ENOENT;
		return nr == HC_VCPU_ADD ? vplat_vcpu_add(vm) : vplat_vcpu_park(vm);
	}
	case HC_HOST_STATS: return hc_host_stats(v, a0);
	case HC_CONSOLE_ATTACH: return broker_console_attach(a0);
	}
	return -ENOSYS;
}
