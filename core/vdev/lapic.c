// SPDX-License-Identifier: MIT
/* Each vCPU's local APIC: its MSRs (x2APIC, APIC base, TSC deadline) and the IPIs it sends. */
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/sched.h>
#include <hv/vdev.h>
#include <hv/vm.h>

#define MSR_IA32_APIC_BASE 0x1b
#define APIC_BUS_HZ	   1000000000ULL /* the timer's input clock: 1 ns per tick */
#define APIC_SVR	   0xf0
#define APIC_SVR_ENABLE	   BIT(8)
#define APIC_LVT_LINT0	   0x350
#define APIC_LVT_LINT1	   0x360

void vdev_lapic_init(struct vcpu *v)
{
	struct vlapic_config cfg = {
		.tsc_hz = tsc_khz * 1000, .bus_hz = APIC_BUS_HZ, .phys_bits = 46};

	vlapic_init(&v->lapic, &cfg, v->id, v->id == 0);
	/*
	 * As PC firmware leaves it (the MP spec's virtual-wire mode): software
	 * enabled with spurious vector 0xff, LINT0 ExtINT (the 8259), LINT1 NMI.
	 */
	vlapic_mmio_write(&v->lapic, APIC_SVR, APIC_SVR_ENABLE | 0xff, 0);
	vlapic_mmio_write(&v->lapic, APIC_LVT_LINT0, APIC_DM_EXTINT << 8, 0);
	vlapic_mmio_write(&v->lapic, APIC_LVT_LINT1, APIC_DM_NMI << 8, 0);
}

/*
 * Hand the IPIs v's ICR produced to their targets. INIT and STARTUP start a
 * vCPU that does not run yet (its APIC ID is its index); other messages go to
 * the local APICs that accept them (no interrupt is injected yet).
 */
void vdev_lapic_route(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct apic_msg m;

	while (vlapic_take_ipi(&v->lapic, &m)) {
		for (u32 id = 0; id < vm->cfg.vcpus_max && id < VM_MAX_VCPUS; id++) {
			bool others = m.shorthand == APIC_SH_OTHERS || m.shorthand == APIC_SH_ALL;
			bool to_id =
				others ? (id != v->id || m.shorthand == APIC_SH_ALL)
				       : m.shorthand == APIC_SH_NONE && !m.logical &&
						 (m.dest == id || m.dest == APIC_BROADCAST_XAPIC ||
						  m.dest == APIC_BROADCAST_X2APIC);
			struct vcpu *t = id < vm->nr_vcpus ? vm->vcpus[id] : NULL;

			if (m.mode == APIC_DM_INIT || m.mode == APIC_DM_STARTUP) {
				if (to_id && id != v->id)
					sched_vcpu_init_sipi(vm, id, m.mode == APIC_DM_STARTUP,
							     m.vector);
				continue;
			}
			if (t && t->state != VCPU_STOPPED && t->state != VCPU_NEW &&
			    vlapic_match(&t->lapic, &m))
				vlapic_accept(&t->lapic, &m);
		}
	}
}

bool vdev_lapic_msr(struct vcpu *v, u32 msr, bool write, u64 *val, bool *fault)
{
	struct vplat *p = &v->vm->dev.plat;
	u64 now = rdtsc();
	int ret = 0;

	if (msr != MSR_IA32_APIC_BASE && msr != VLAPIC_MSR_TSC_DEADLINE &&
	    (msr < VLAPIC_MSR_FIRST || msr > VLAPIC_MSR_LAST))
		return false;
	spin_lock(&p->lock);
	if (msr == MSR_IA32_APIC_BASE && write)
		ret = vlapic_set_base(&v->lapic, *val);
	else if (msr == MSR_IA32_APIC_BASE)
		*val = vlapic_get_base(&v->lapic);
	else if (msr == VLAPIC_MSR_TSC_DEADLINE && write)
		vlapic_set_tsc_deadline(&v->lapic, *val, now);
	else if (msr == VLAPIC_MSR_TSC_DEADLINE)
		*val = vlapic_get_tsc_deadline(&v->lapic);
	else if (write)
		ret = vlapic_msr_write(&v->lapic, msr, *val, now);
	else
		ret = vlapic_msr_read(&v->lapic, msr, val, now);
	spin_unlock(&p->lock);
	*fault = ret != 0;
	if (write && !ret)
		vdev_lapic_route(v);
	return true;
}

void vdev_release(struct vm *vm)
{
	vdev_console_flush(vm);
	vdev_stats_unmap(vm);
	vplat_release(vm);
}
