// SPDX-License-Identifier: MIT
/* The broker's read-only load area: per-CPU placement figures and per-vCPU times, every tick. */
#include <arch/time.h>
#include <hv/percpu.h>
#include <hv/pmm.h>
#include <hv/zeropool.h>
#include <hv/printk.h>
#include <hv/s2pt.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/vdev.h>
#include <hv/vm.h>
#include <hv/vplat.h>
#include <public/hypercall.h>
#include <public/place.h>

/* SPROUT_STATS_PAGES pages, one block: the hypervisor writes them through its identity map. */
#define STATS_ORDER \
	(SPROUT_STATS_PAGES > 4 ? 3 : SPROUT_STATS_PAGES > 2 ? 2 : SPROUT_STATS_PAGES - 1)
_Static_assert((1u << STATS_ORDER) >= SPROUT_STATS_PAGES, "the block holds the load area");

static hpa_t stats_area = INVALID_HPA;
/* Slots below this were written non-empty at least once (the rest are still zero). */
static u32 stats_slots_used;

static struct sprout_stats_page *page(void)
{
	return (struct sprout_stats_page *)(uintptr_t)stats_area;
}

bool vdev_stats_map(struct vm *vm)
{
	u32 i;

	if (stats_area == INVALID_HPA)
		stats_area = pmm_alloc_zeroed(STATS_ORDER);
	if (stats_area == INVALID_HPA)
		return false;
	/* Read-only: a write by the broker is a fault outside its RAM and stops it. */
	for (i = 0; i < SPROUT_STATS_PAGES; i++) {
		if (s2pt_map(&vm->mem.s2, SPROUT_STATS_GPA + i * PAGE_SIZE,
			     stats_area + i * PAGE_SIZE, S2PT_ORDER_4K, false))
			break;
	}
	if (i < SPROUT_STATS_PAGES) {
		hpa_t old;

		while (i--)
			s2pt_unmap(&vm->mem.s2, SPROUT_STATS_GPA + i * PAGE_SIZE, S2PT_ORDER_4K,
				   &old);
		return false;
	}
	vm->dev.stats_mapped = true;
	return true;
}

void vdev_stats_unmap(struct vm *vm)
{
	hpa_t old;

	if (vm->dev.stats_mapped) {
		for (u32 i = 0; i < SPROUT_STATS_PAGES; i++)
			s2pt_unmap(&vm->mem.s2, SPROUT_STATS_GPA + i * PAGE_SIZE, S2PT_ORDER_4K,
				   &old);
	}
	vm->dev.stats_mapped = false;
}

static u8 vcpu_state_of(const struct vcpu *v)
{
	switch (v->state) {
	case VCPU_RUNNABLE:
	case VCPU_NEW: return SPROUT_VCPU_RUNNABLE;
	case VCPU_BLOCKED: return SPROUT_VCPU_HALTED;
	default: return SPROUT_VCPU_OFF;
	}
}

static void fill_vm(struct sprout_stats_page *p, u32 slot, const struct vm *vm)
{
	bool acpi = vplat_acpi_cpuhp(vm);
	u32 online = 0;

	p->vm[slot].id = vm->id;
	p->vm[slot].state = vm_state(vm);
	p->vm[slot].vcpus_max = vm->cfg.vcpus_max;
	for (u32 i = 0; i < SPROUT_STATS_VCPUS; i++) {
		const struct vcpu *v = i < vm->nr_vcpus ? vm->vcpus[i] : NULL;

		p->vm[slot].vcpu_busy_us[i] = v ? v->busy_tsc * 1000 / tsc_khz : 0;
		p->vm[slot].vcpu_state[i] = v ? vcpu_state_of(v) : SPROUT_VCPU_OFF;
		/*
		 * A CPU plugged in through ACPI is the guest's until it is ejected,
		 * started or not: the broker counts it, and parks it by an eject.
		 */
		if (p->vm[slot].vcpu_state[i] == SPROUT_VCPU_OFF && acpi &&
		    vcpuhp_enabled(&vm->dev.plat.cpuhp, i))
			p->vm[slot].vcpu_state[i] = SPROUT_VCPU_HALTED;
		p->vm[slot].vcpu_cpu[i] = v ? v->cpu : 0;
		online += v && v->state != VCPU_STOPPED;
	}
	p->vm[slot].vcpus_online = online;
}

void vdev_stats_update(void)
{
	struct sprout_stats_page *p = page();

	if (stats_area == INVALID_HPA)
		return;
	__atomic_fetch_add(&p->seq, 1, __ATOMIC_ACQ_REL);
	p->cpus = sched_cpu_count();
	/* The figures the hypervisor places new vCPUs by, and the free count they give. */
	sched_core_loads(p->core, SPROUT_STATS_CPUS);
	p->cpus_idle = place_free_count(p->core, SPROUT_STATS_CPUS);
	p->now_us = time_us();
	p->free_bytes = host_free_bytes();
	for (u32 c = 0; c < SPROUT_STATS_CPUS && c < MAX_CPUS; c++) {
		p->cpu[c].busy_us = percpu[c].busy_tsc * 1000 / tsc_khz;
		p->cpu[c].idle_us = percpu[c].idle_tsc * 1000 / tsc_khz;
	}
	for (u32 i = 0; i < SPROUT_STATS_VMS && i < VM_MAX; i++) {
		if (vm_state(&vm_table[i]) != VM_EMPTY) {
			fill_vm(p, i, &vm_table[i]);
			stats_slots_used = MAX(stats_slots_used, i + 1);
		} else if (i < stats_slots_used) {
			memset(&p->vm[i], 0, sizeof(p->vm[i]));
		}
	}
	__atomic_fetch_add(&p->seq, 1, __ATOMIC_ACQ_REL);
}
