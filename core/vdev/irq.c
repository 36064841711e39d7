// SPDX-License-Identifier: MIT
/*
 * A VM's interrupt path: device wires to the PIC and the IOAPIC, messages to
 * the local APICs, the PIC's INTR to LINT0, and before each VM entry the
 * vCPU's highest deliverable event to the vendor's injection.
 */
#include <arch/apic.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/hvm.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/vdev.h>
#include <hv/vm.h>
#include <hv/vplat.h>

#include "vdev_internal.h"

#define EXC_NMI 2

/* A vCPU that can hold interrupts: created, not stopped, not being launched. */
static struct vcpu *plat_vcpu(struct vm *vm, u32 id)
{
	struct vcpu *t = id < vm->nr_vcpus ? vm->vcpus[id] : NULL;

	return t && t->state != VCPU_STOPPED && t->state != VCPU_NEW ? t : NULL;
}

/*
 * Hand m to the local APICs it addresses (under the platform lock). Lowest
 * priority goes to the one matching APIC with the lowest PPR (SDM Vol. 3A,
 * 11.6.2.4; the first such one on a tie). INIT and STARTUP are the caller's.
 */
void plat_route(struct vplat *p, const struct apic_msg *m)
{
	struct vm *vm = p->vm;
	struct vcpu *best = NULL;

	for (u32 id = 0; id < vm->nr_vcpus && id < VM_MAX_VCPUS; id++) {
		struct vcpu *t = plat_vcpu(vm, id);

		if (!t || !vlapic_match(&t->lapic, m))
			continue;
		if (m->mode == APIC_DM_LOWEST && m->shorthand == APIC_SH_NONE) {
			if (!best || vlapic_priority(&t->lapic) < vlapic_priority(&best->lapic))
				best = t;
			continue;
		}
		vlapic_accept(&t->lapic, m);
		p->kick |= BIT(id);
	}
	if (best) {
		vlapic_accept(&best->lapic, m);
		p->kick |= BIT(best->id);
	}
}

/* The IOAPIC's messages: fixed, lowest priority, NMI, ExtINT (INIT/SMI ignored). */
static void plat_deliver(void *ctx, const struct apic_msg *m)
{
	if (m->mode != APIC_DM_INIT && m->mode != APIC_DM_STARTUP && m->mode != APIC_DM_SMI)
		plat_route(ctx, m);
}

/* The 8259 pair's INT output is wired to LINT0 of vCPU 0, as on a PC. */
void plat_sync_pic(struct vplat *p)
{
	struct vcpu *bsp = plat_vcpu(p->vm, 0);
	bool was, now;

	if (!bsp)
		return;
	was = bsp->lapic.extint;
	vlapic_lint(&bsp->lapic, 0, vpic_output(&p->pic));
	now = bsp->lapic.extint;
	if (now && !was)
		p->kick |= BIT(0);
}

/* A device wire changed: the PIC sees ISA IRQ n, the IOAPIC pin n (IRQ 0 on pin 2). */
void plat_set_irq(void *ctx, unsigned irq, bool level)
{
	struct vplat *p = ctx;

	if (irq >= 16)
		return;
	vpic_set_irq(&p->pic, irq, level);
	vioapic_set_irq(&p->ioapic, irq ? irq : 2, level);
	plat_sync_pic(p);
}

/*
 * The last edge on ISA IRQ irq is still waiting for the guest to take it: in
 * the master PIC's IRR (unmasked), or in a local APIC's IRR at the vector its
 * IOAPIC pin sends (unmasked). An edge that no controller passes on is not
 * waiting: the guest does not want these interrupts.
 */
static bool plat_irq_busy(void *ctx, unsigned irq)
{
	struct vplat *p = ctx;
	const struct vpic_chip *m = &p->pic.chip[0];
	u64 rte = p->ioapic.redir[irq ? irq : 2];
	u8 vec = (u8)(rte & VIOAPIC_RTE_VECTOR);

	if (irq < 8 && (m->irr & ~m->imr & BIT(irq)))
		return true;
	if (rte & VIOAPIC_RTE_MASKED)
		return false;
	for (u32 id = 0; id < p->vm->nr_vcpus && id < VM_MAX_VCPUS; id++) {
		struct vcpu *t = plat_vcpu(p->vm, id);

		if (t && (t->lapic.irr[vec / 32] & BIT(vec % 32)))
			return true;
	}
	return false;
}

void plat_init_irq(struct vplat *p, u8 ioapic_id)
{
	vpic_init(&p->pic);
	vioapic_init(&p->ioapic, ioapic_id, plat_deliver, p);
	vpit_set_busy_probe(&p->pit, plat_irq_busy);
}

/* Earliest guest time (ns) at which a device has an interrupt to raise. */
static u64 plat_next_ns(struct vplat *p, u64 now)
{
	return MIN(MIN(vpit_next_event_ns(&p->pit, now), vrtc_next_event_ns(&p->rtc, now)),
		   vacpi_pm_next_event_ns(&p->pm, now));
}

/* Let the devices raise what is due by now; note when the next one is. */
void plat_update(struct vplat *p, u64 now)
{
	u64 was = p->next_ns;

	if (now >= p->next_ns) {
		vpit_update(&p->pit, now);
		vrtc_update(&p->rtc, now);
		vacpi_pm_update(&p->pm, now);
	} else if (p->pit.backlog) {
		vpit_update(&p->pit, now); /* the next re-injected tick, once the last is taken */
	}
	p->next_ns = plat_next_ns(p, now);
	/* vCPU 0 keeps the devices' time: an earlier event must reach its timer. */
	if (p->next_ns < was)
		p->kick |= BIT(0);
}

/*
 * What the guest wrote to v's local APIC may have sent IPIs and EOIed level
 * interrupts: route the IPIs (INIT and STARTUP into sipi[], for the caller to
 * hand to the scheduler once the lock is dropped) and tell the IOAPIC of the
 * EOIs. Returns how many entries of sipi[] it filled.
 */
u32 plat_lapic_written(struct vplat *p, struct vcpu *v, struct apic_msg *sipi, u32 max)
{
	struct apic_msg m;
	u32 n = 0;
	int vec;

	while (vlapic_take_ipi(&v->lapic, &m)) {
		if (m.mode == APIC_DM_INIT || m.mode == APIC_DM_STARTUP) {
			if (n < max)
				sipi[n++] = m;
			continue;
		}
		plat_route(p, &m);
	}
	while ((vec = vlapic_take_level_eoi(&v->lapic)) >= 0)
		vioapic_eoi(&p->ioapic, (u8)vec);
	return n;
}

/*
 * Drop the platform lock, then make every vCPU that got something notice:
 * wake it if it waits, interrupt its CPU if it is in the guest (the host IPI
 * makes it exit, and its next entry injects). A vCPU about to enter has set
 * in_guest before it took the lock to look for events, so either it saw the
 * event or this sees in_guest.
 */
void plat_unlock(struct vplat *p)
{
	u32 kick = p->kick, self = this_cpu()->cpu_id;

	p->kick = 0;
	spin_unlock(&p->lock);
	for (u32 id = 0; kick && id < VM_MAX_VCPUS; id++) {
		struct vcpu *t;

		if (!(kick & BIT(id)))
			continue;
		kick &= ~BIT(id);
		t = plat_vcpu(p->vm, id);
		if (!t)
			continue;
		__atomic_store_n(&t->plat_dirty, true, __ATOMIC_SEQ_CST);
		sched_wake(t);
		if (__atomic_load_n(&t->in_guest, __ATOMIC_SEQ_CST) && t->run_cpu != self)
			smp_kick(t->run_cpu);
	}
}

/* INIT and STARTUP IPIs start vCPUs that do not run yet (their APIC ID is their index). */
void plat_send_sipis(struct vcpu *v, const struct apic_msg *sipi, u32 n)
{
	struct vm *vm = v->vm;

	for (u32 i = 0; i < n; i++) {
		const struct apic_msg *m = &sipi[i];

		for (u32 id = 0; id < vm->cfg.vcpus_max && id < VM_MAX_VCPUS; id++) {
			bool to_id = m->shorthand == APIC_SH_OTHERS || m->shorthand == APIC_SH_ALL
					     ? id != v->id
					     : m->shorthand == APIC_SH_NONE && !m->logical &&
						       (m->dest == id ||
							m->dest == APIC_BROADCAST_XAPIC ||
							m->dest == APIC_BROADCAST_X2APIC);

			if (to_id && id != v->id)
				sched_vcpu_init_sipi(vm, id, m->mode == APIC_DM_STARTUP, m->vector);
		}
	}
}

/* The next vector to inject: the PIC's through ExtINT first, else the LAPIC's best. */
static int plat_take_vector(struct vplat *p, struct vcpu *v)
{
	int vec;

	if (vlapic_take_extint(&v->lapic)) {
		vec = vpic_intack(&p->pic);
		plat_sync_pic(p);
		return vec;
	}
	vec = vlapic_pending_vector(&v->lapic);
	if (vec >= 0)
		vlapic_ack(&v->lapic, (u8)vec);
	return vec;
}

static u64 ns_to_tsc(u64 ns)
{
	return ns / 1000000 * tsc_khz + ns % 1000000 * tsc_khz / 1000000;
}

/*
 * The host TSC at which v has its next timer event, 0 if none: its LAPIC timer,
 * and for vCPU 0 the devices' next interrupt (it keeps the devices' time
 * while everything sleeps).
 */
static u64 plat_next_tsc(struct vplat *p, struct vcpu *v)
{
	u64 next = vlapic_next_deadline(&v->lapic); /* guest TSC: back to the host's */

	if (next != ~0ULL)
		next -= (u64)v->tsc_offset;

	if (v->id == 0 && p->next_ns != VPLAT_NO_EVENT)
		next = MIN(next, p->t0_tsc + ns_to_tsc(p->next_ns));
	return next == ~0ULL ? 0 : MAX(next, 1ULL);
}

/* Where a quiet entry's fast path ends: v's next timer event or the slice's end. */
static u64 quiet_until(const struct percpu *cpu, u64 next)
{
	return next ? MIN(next, cpu->slice_end_tsc) : cpu->slice_end_tsc;
}

void vplat_timer_moved(struct vplat *p, struct vcpu *v)
{
	u64 next = plat_next_tsc(p, v);

	apic_timer_request(next);
	v->quiet.until_tsc = quiet_until(this_cpu(), next);
}

/*
 * Before each entry of v (on its CPU, interrupts off, v->in_guest set):
 * bring the timers up to date, then inject what v can take now (NMI first,
 * then the highest interrupt) and ask for an exit when the guest opens a
 * window for the rest. A halted vCPU (HLT) stays off the CPU until an NMI or,
 * with RFLAGS.IF set, an interrupt is pending: its block is announced under
 * the lock, so an interrupt routed after the unlock cancels it.
 */
bool vplat_vcpu_entry(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vplat *p = &vm->dev.plat;
	struct vlapic *l = &v->lapic;
	u64 tsc, now, next;
	bool nmi, irq, enter = true;

	/*
	 * The fast path: the last look found nothing to inject, no window to
	 * ask for, v not halted; nobody marked v since, no timer of v is due,
	 * and this CPU's host timer, armed then for v's next event, has not
	 * fired (firing re-arms it for the scheduler's tick). Then this look
	 * would find the same: skip the lock and the device updates. The run
	 * loop asks vcpu_entry_quiet() itself before calling; this is for
	 * any other caller.
	 */
	if (vcpu_entry_quiet(v, this_cpu()->cpu_id, this_cpu()->timer_fired, rdtsc()))
		return true;
	v->quiet.until_tsc = 0;
	__atomic_store_n(&v->plat_dirty, false, __ATOMIC_SEQ_CST);
	tsc = vcpu_guest_tsc(v);
	now = vplat_now_ns(vm);
	spin_lock(&p->lock);
	plat_update(p, now);
	vlapic_timer_update(l, tsc);
	nmi = vlapic_has_nmi(l);
	irq = l->extint || vlapic_pending_vector(l) >= 0;
	if (v->halted) {
		if (nmi || (irq && (hvm->get_reg(v, VCPU_REG_RFLAGS) & X86_RFLAGS_IF))) {
			v->halted = false;
		} else {
			sched_block_prepare(v, plat_next_tsc(p, v));
			enter = false;
		}
	}
	if (enter) {
		if (nmi && hvm->nmi_allowed(v) && vlapic_take_nmi(l)) {
			hvm->inject_event(v, EXC_NMI, EVENT_NMI, false, 0);
			nmi = false;
		}
		if (irq && hvm->irq_allowed(v)) {
			int vec = plat_take_vector(p, v);

			if (vec >= 0)
				hvm->inject_event(v, (u8)vec, EVENT_EXTINT, false, 0);
			irq = l->extint || vlapic_pending_vector(l) >= 0;
		}
		hvm->set_windows(v, irq, nmi);
		/* The guest's timers fire on time, not at the next scheduler tick. */
		next = plat_next_tsc(p, v);
		apic_timer_request(next);
		if (!nmi && !irq && vlapic_quiet(l)) {
			struct percpu *cpu = this_cpu();

			v->quiet.cpu = cpu->cpu_id;
			v->quiet.fired = cpu->timer_fired;
			v->quiet.until_tsc = quiet_until(cpu, next);
		}
	}
	plat_unlock(p);
	return enter;
}
