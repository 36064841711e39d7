// SPDX-License-Identifier: MIT
/* Each vCPU's local APIC: its MSRs (x2APIC, APIC base, TSC deadline) and the IPIs it sends. */
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/sched.h>
#include <hv/vdev.h>
#include <hv/vm.h>

#include "vdev_internal.h"

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

bool vdev_lapic_eoi_hot(struct vcpu *v)
{
	struct vplat *p = &v->vm->dev.plat;
	bool done;

	spin_lock(&p->lock);
	done = vlapic_eoi_quiet(&v->lapic);
	spin_unlock(&p->lock);
	return done;
}

bool vdev_lapic_timer_hot(struct vcpu *v, u32 msr, u64 val)
{
	struct vplat *p = &v->vm->dev.plat;
	bool done;

	spin_lock(&p->lock);
	done = vlapic_timer_write_quiet(&v->lapic, msr, val, vcpu_guest_tsc(v));
	if (done)
		vplat_timer_moved(p, v);
	spin_unlock(&p->lock);
	return done;
}

bool vdev_msr_is_lapic(u32 msr)
{
	return msr == MSR_IA32_APIC_BASE || msr == VLAPIC_MSR_TSC_DEADLINE ||
	       (msr >= VLAPIC_MSR_FIRST && msr <= VLAPIC_MSR_LAST);
}

bool vdev_lapic_msr(struct vcpu *v, u32 msr, bool write, u64 *val, bool *fault)
{
	struct vplat *p = &v->vm->dev.plat;
	struct apic_msg sipi[PLAT_SIPI_MAX];
	u64 now = vcpu_guest_tsc(v); /* the LAPIC counts in the guest's TSC */
	u32 nsipi = 0;
	int ret = 0;

	if (!vdev_msr_is_lapic(msr))
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
	if (write && !ret)
		nsipi = plat_lapic_written(p, v, sipi, PLAT_SIPI_MAX);
	plat_unlock(p);
	plat_send_sipis(v, sipi, nsipi);
	*fault = ret != 0;
	return true;
}

u64 vdev_lapic_get_cr8(struct vcpu *v)
{
	struct vplat *p = &v->vm->dev.plat;
	u64 val;

	spin_lock(&p->lock);
	val = (v->lapic.tpr >> 4) & 0xf;
	spin_unlock(&p->lock);
	return val;
}

bool vdev_lapic_set_cr8(struct vcpu *v, u64 val)
{
	struct vplat *p = &v->vm->dev.plat;

	if (val & ~0xfULL)
		return false;
	spin_lock(&p->lock);
	v->lapic.tpr = (u32)val << 4; /* TPR bits 3:0 read 0 after a CR8 write */
	spin_unlock(&p->lock);
	return true;
}

void vdev_release(struct vm *vm)
{
	vdev_console_flush(vm);
	vdev_stats_unmap(vm);
	vplat_release(vm);
}
