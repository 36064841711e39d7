// SPDX-License-Identifier: MIT
/* vCPU add and park for a guest that plugs CPUs through ACPI: the hotplug registers, the GPE, eject. */
#include <arch/time.h>

#include <hv/broker.h>
#include <hv/errno.h>
#include <hv/lifecycle.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/vm.h>
#include <hv/vplat.h>

#include "vdev_internal.h"

#define NS_PER_MS 1000000ULL

/*
 * A guest is told about CPUs through ACPI once its OS has enabled the
 * hotplug GPE (ACPICA does for every _Exx method it finds) and it has not
 * registered a Sprout vCPU entry: then the OS starts a plugged-in CPU itself
 * with INIT/SIPI, and lets one go by ejecting it.
 */
bool vplat_acpi_cpuhp(const struct vm *vm)
{
	const struct vacpi_pm *pm = &vm->dev.plat.pm;

	/*
	 * Once enabled, for good: the guest disables the GPE while it handles
	 * one (an eject in progress), and a park asked for then must still go
	 * through ACPI, never the Sprout protocol's forced park, which would
	 * take a CPU the kernel still has online.
	 */
	return !vm->vcpu_entry && (pm->gpe_en_seen[VPLAT_CPUHP_GPE / 8] & BIT(VPLAT_CPUHP_GPE % 8));
}

static bool vm_running(struct vm *vm)
{
	return vm_state(vm) == VM_RUNNING && !vm_stopping(vm);
}

/* Not enabled in the registers, and its vCPU slot free (an ejected vCPU is parked first). */
static int pick_insert(struct vm *vm, const struct vcpuhp *hp)
{
	for (u32 i = 1; i < hp->count && i < VM_MAX_VCPUS; i++) {
		const struct vcpu *v = i < vm->nr_vcpus ? vm->vcpus[i] : NULL;

		if (!vcpuhp_enabled(hp, i) && (!v || v->state == VCPU_STOPPED))
			return (int)i;
	}
	return VCPUHP_NONE;
}

long vplat_vcpu_add(struct vm *vm)
{
	struct vplat *p = &vm->dev.plat;
	int cpu;

	if (!vplat_acpi_cpuhp(vm))
		return sched_vcpu_add(vm);
	if (!vm_running(vm))
		return -EINVAL;
	if (sched_find_idle_cpu() < 0)
		return -EBUSY;
	spin_lock(&p->lock);
	cpu = pick_insert(vm, &p->cpuhp);
	if (cpu == VCPUHP_NONE) {
		spin_unlock(&p->lock);
		return -ENOSPC;
	}
	vcpuhp_insert(&p->cpuhp, (u32)cpu);
	vacpi_pm_raise_gpe(&p->pm, VPLAT_CPUHP_GPE);
	plat_unlock(p);
	pr_info("vm %s: CPU %d plugged in (ACPI CPU hotplug, GPE %u); the guest starts it\n",
		vm->cfg.name, cpu, VPLAT_CPUHP_GPE);
	return cpu;
}

/* Time in the guest, all vCPUs together: what it had to answer with. */
static u64 vm_guest_tsc(const struct vm *vm)
{
	u64 sum = vm->parked_busy_tsc;

	for (u32 i = 0; i < vm->nr_vcpus; i++)
		sum += vm->vcpus[i]->busy_tsc;
	return sum;
}

/*
 * The clock the eject grace runs on: the guest's time, not the host's. Once
 * the guest ran SPROUT_PARK_GRACE_RUN_MS since the request, the platform clock;
 * until then that clock held back by four graces, so a guest that a starved
 * host did not run is not judged on time it never had, and one that sleeps
 * through the request is still answered, later.
 */
static u64 eject_clock(struct vm *vm)
{
	u64 now = vplat_now_ns(vm), hold = 4ULL * VPLAT_EJECT_GRACE_MS * NS_PER_MS;
	u64 ran = vm_guest_tsc(vm) - vm->dev.plat.eject_busy_mark;

	if (ran >= SPROUT_PARK_GRACE_RUN_MS * tsc_khz)
		return now;
	return now > hold ? now - hold : 0;
}

long vplat_vcpu_park(struct vm *vm)
{
	struct vplat *p = &vm->dev.plat;
	u64 deadline = vplat_now_ns(vm) + VPLAT_EJECT_GRACE_MS * NS_PER_MS;
	int cpu;

	if (!vplat_acpi_cpuhp(vm))
		return sched_vcpu_park(vm);
	if (!vm_running(vm))
		return -EINVAL;
	spin_lock(&p->lock);
	if (vcpuhp_enabled_count(&p->cpuhp) <= MAX(vm->cfg.vcpus_min, 1u)) {
		spin_unlock(&p->lock);
		return -ERANGE;
	}
	cpu = vcpuhp_pick_remove(&p->cpuhp, vm->cfg.vcpus_min);
	if (cpu == VCPUHP_NONE) {
		spin_unlock(&p->lock);
		return -EBUSY;
	}
	vcpuhp_request_remove(&p->cpuhp, (u32)cpu, deadline);
	p->eject_busy_mark = vm_guest_tsc(vm);
	vacpi_pm_raise_gpe(&p->pm, VPLAT_CPUHP_GPE);
	plat_unlock(p);
	pr_info("vm %s: asking the guest to eject CPU %d (ACPI CPU hotplug, GPE %u)\n",
		vm->cfg.name, cpu, VPLAT_CPUHP_GPE);
	return cpu;
}

void vplat_cpuhp_event(struct vm *vm, enum vcpuhp_event ev, u32 cpu)
{
	u32 status = vm->dev.plat.cpuhp.ost_status;

	if (ev == VCPUHP_EV_REFUSED) {
		pr_info("vm %s: the guest refused to eject CPU %u (_OST status 0x%x): it keeps the "
			"vCPU\n",
			vm->cfg.name, cpu, status);
		broker_vcpu_kept(vm, cpu, 0, status);
	} else if (sched_vcpu_eject(vm, cpu)) {
		pr_info("vm %s: the guest ejected CPU %u; parking its vCPU\n", vm->cfg.name, cpu);
	} else {
		pr_info("vm %s: the guest ejected CPU %u (its vCPU was not running)\n",
			vm->cfg.name, cpu);
	}
}

void vplat_cpuhp_tick(struct vm *vm)
{
	struct vplat *p = &vm->dev.plat;
	int cpu;

	if (!p->cpuhp.removing)
		return;
	spin_lock(&p->lock);
	cpu = vcpuhp_expire(&p->cpuhp, eject_clock(vm));
	spin_unlock(&p->lock);
	if (cpu == VCPUHP_NONE)
		return;
	pr_info("vm %s: the guest did not eject CPU %d within %u ms: it keeps the vCPU\n",
		vm->cfg.name, cpu, VPLAT_EJECT_GRACE_MS);
	broker_vcpu_kept(vm, (u32)cpu, VPLAT_EJECT_GRACE_MS, 0);
}
