/* SPDX-License-Identifier: MIT */
/* A pure model of one vCPU's local APIC (xAPIC and x2APIC): registers, interrupts, timer. */
#ifndef HV_VLAPIC_H
#define HV_VLAPIC_H

#include <hv/irqmsg.h>
#include <hv/types.h>

/*
 * The model follows the SDM Vol. 3A, chapter "Advanced Programmable Interrupt
 * Controller (APIC)". It touches no hardware and holds no global state: the
 * caller owns one struct vlapic per vCPU, serialises calls on it and moves
 * what it produces (IPIs, level EOIs, timer deadlines, pending events) to the
 * rest of the platform. Time is the guest TSC, passed as `now` to every call
 * that may need it.
 *
 * Not modelled: SMI, the LVT CMCI entry, thermal and performance-counter
 * events (their LVTs are plain registers), directed EOI, focus processor
 * checking and APR (reads 0). A divide-configuration change takes effect
 * at the next initial-count write.
 */

#define VLAPIC_BASE_BSP		BIT(8)
#define VLAPIC_BASE_EXTD	BIT(10) /* x2APIC mode */
#define VLAPIC_BASE_EN		BIT(11) /* APIC global enable */
#define VLAPIC_DEFAULT_GPA	0xfee00000ULL

#define VLAPIC_MSR_FIRST	0x800
#define VLAPIC_MSR_LAST		0x8ff
#define VLAPIC_MSR_TSC_DEADLINE 0x6e0
#define VLAPIC_MSR_EOI		0x80b /* x2APIC EOI: VLAPIC_MSR_FIRST + (0xb0 >> 4) */
#define VLAPIC_MSR_TMICT	0x838 /* x2APIC initial count: VLAPIC_MSR_FIRST + (0x380 >> 4) */

/* LVT entries, in register order (offsets 0x320..0x370). */
enum vlapic_lvt {
	VLAPIC_LVT_TIMER,
	VLAPIC_LVT_THERMAL,
	VLAPIC_LVT_PERF,
	VLAPIC_LVT_LINT0,
	VLAPIC_LVT_LINT1,
	VLAPIC_LVT_ERROR,
	VLAPIC_NR_LVT,
};

/* ESR bits (SDM Vol. 3A, "Error Handling"). */
#define VLAPIC_ESR_SEND_ACCEPT	BIT(2)
#define VLAPIC_ESR_SEND_ILLEGAL BIT(5)
#define VLAPIC_ESR_RECV_ILLEGAL BIT(6)
#define VLAPIC_ESR_ILLEGAL_REG	BIT(7)

/* IPIs an ICR write produced and the platform has not taken yet. */
#define VLAPIC_OUTBOX 8

/* Fixed properties of the vCPU's APIC, kept across resets. */
struct vlapic_config {
	u64 tsc_hz;   /* guest TSC rate: the unit of every `now` */
	u64 bus_hz;   /* APIC timer input clock before the divider */
	u8 phys_bits; /* guest MAXPHYADDR: APIC base bits above it are reserved */
};

struct vlapic {
	struct vlapic_config cfg;
	u64 apic_base;
	u32 initial_id; /* the x2APIC ID; its low 8 bits are the xAPIC ID at reset */
	u32 id;		/* current ID: 8 bits (writable) in xAPIC, initial_id in x2APIC */
	u32 tpr, ldr, dfr, svr;
	u32 isr[8], tmr[8], irr[8];
	u32 esr;	 /* what the guest reads: errors latched by its last ESR write */
	u32 esr_pending; /* errors since then */
	u32 icr_lo, icr_hi;
	u32 lvt[VLAPIC_NR_LVT];
	u32 tmict, tdcr;
	/* Timer: the next expiry in TSC while armed; period of a full count in TSC. */
	bool timer_armed;
	u64 timer_deadline, timer_period, tsc_deadline;
	/* Events for the vCPU and the platform. */
	u32 eoi_level[8]; /* vectors EOIed with their TMR bit set, for the IOAPIC */
	bool nmi, init, extint, sipi, wait_sipi;
	u8 sipi_vector;
	bool lint_level[2];
	struct apic_msg outbox[VLAPIC_OUTBOX];
	u8 out_head, out_count;
};

/* Set up a LAPIC in its power-on state; see vlapic_reset(). */
void vlapic_init(struct vlapic *l, const struct vlapic_config *cfg, u32 apic_id, bool bsp);

/*
 * Power-on/RESET: APIC base enabled in xAPIC mode at 0xfee00000 (with the BSP
 * flag for the BSP), software-disabled (SVR 0xff), every LVT masked, all
 * vectors and events cleared. Keeps l->cfg.
 */
void vlapic_reset(struct vlapic *l, u32 apic_id, bool bsp);

/*
 * IA32_APIC_BASE. set_base returns -EINVAL (inject #GP) for reserved bits or
 * an illegal transition: EXTD without EN, x2APIC -> xAPIC, disabled ->
 * x2APIC. A global disable returns the registers to their power-up values
 * (the 8-bit ID survives); xAPIC -> x2APIC sets the 32-bit ID and the LDR.
 * Relocating the base is the platform's business: it reads vlapic_get_base().
 */
u64 vlapic_get_base(const struct vlapic *l);
int vlapic_set_base(struct vlapic *l, u64 value);
bool vlapic_hw_enabled(const struct vlapic *l);
bool vlapic_x2apic_mode(const struct vlapic *l);
bool vlapic_sw_enabled(const struct vlapic *l);

/*
 * xAPIC MMIO: 32-bit accesses at `offset` in the 4 KiB page. Reserved
 * registers read 0 and set ESR "illegal register address"; writes to read-only
 * registers are ignored. With the APIC globally disabled or in x2APIC mode the
 * page reads 0 and ignores writes.
 */
u32 vlapic_mmio_read(struct vlapic *l, u32 offset, u64 now);
void vlapic_mmio_write(struct vlapic *l, u32 offset, u32 val, u64 now);

/*
 * x2APIC MSRs 0x800-0x8ff. Return 0, or -EINVAL when the guest gets #GP:
 * not in x2APIC mode, reserved or absent register (DFR, APR, ICR high,
 * 0x840+), read of a write-only one (EOI, SELF IPI), write of a read-only
 * one (ID, LDR, ...), reserved bits 63:32 (ICR: 31:20, 17:16, 13), a
 * non-zero EOI or ESR write. ICR is the one 64-bit MSR 0x830.
 */
int vlapic_msr_read(struct vlapic *l, u32 msr, u64 *val, u64 now);
int vlapic_msr_write(struct vlapic *l, u32 msr, u64 val, u64 now);

/* Does message `m` address this LAPIC (destination or shorthand relative to m->src)? */
bool vlapic_match(const struct vlapic *l, const struct apic_msg *m);

/* Priority for lowest-priority arbitration by the platform: the PPR. */
u8 vlapic_priority(const struct vlapic *l);
u8 vlapic_ppr(const struct vlapic *l);

/*
 * Accept a message the platform routed here. FIXED/LOWEST set IRR (and TMR
 * when level-triggered) if the APIC is software-enabled, vectors 0-15 set ESR
 * "receive illegal vector" instead; NMI, INIT and ExtINT set pending flags;
 * STARTUP is kept only after an INIT (wait-for-SIPI); SMI and an INIT level
 * de-assert are ignored. A globally disabled APIC accepts nothing.
 */
void vlapic_accept(struct vlapic *l, const struct apic_msg *m);

/* Highest IRR vector whose priority class is above the PPR's, or -1. */
int vlapic_pending_vector(const struct vlapic *l);
/* The platform injected `vector`: move it from IRR to ISR. */
void vlapic_ack(struct vlapic *l, u8 vector);
/* A vector EOIed while level-triggered (TMR set), for an IOAPIC EOI broadcast; -1 if none. */
int vlapic_take_level_eoi(struct vlapic *l);

/*
 * Nothing pending at all: no IRR bit (whatever its priority, so that a TPR
 * or PPR change cannot make one deliverable), no NMI, ExtINT, INIT, STARTUP
 * or queued IPI.
 */
bool vlapic_quiet(const struct vlapic *l);
/*
 * An EOI that changes nothing but the ISR, done in place: x2APIC mode, no IRR
 * bit at all and the vector in service edge-triggered, so no interrupt becomes
 * deliverable and no EOI goes to the I/O APIC. False, nothing changed, for any
 * other case (vlapic_msr_write()'s, under the platform's full look).
 */
bool vlapic_eoi_quiet(struct vlapic *l);
bool vlapic_has_nmi(const struct vlapic *l);
bool vlapic_take_nmi(struct vlapic *l);
bool vlapic_take_extint(struct vlapic *l);
/* A pending INIT: resets the APIC as INIT does (ID and APIC base kept), enters wait-for-SIPI. */
bool vlapic_take_init(struct vlapic *l);
/* A pending STARTUP: its vector (the real-mode page of the start address). */
bool vlapic_take_sipi(struct vlapic *l, u8 *vector);

/*
 * The next IPI an ICR write produced, for the platform to route with
 * vlapic_match(). The ICR delivery-status bit reads 1 while the outbox holds
 * messages. Self IPIs (ICR shorthand SELF with fixed mode, x2APIC SELF IPI
 * MSR) never go through the outbox: they set this APIC's IRR directly.
 * Shorthand ALL does go out and matches the sender too.
 */
bool vlapic_take_ipi(struct vlapic *l, struct apic_msg *out);

/* LINT0/LINT1 input pin level, delivered as its LVT entry says (ExtINT, NMI, fixed, ...). */
void vlapic_lint(struct vlapic *l, int pin, bool level);

/*
 * Timer. timer_update fires an expired timer: sets the LVT timer vector in
 * IRR unless masked; periodic re-arms from the previous deadline (missed
 * periods coalesce into one interrupt), one-shot and TSC-deadline disarm.
 * next_deadline is the guest TSC at which to call it next, ~0 for never.
 */
void vlapic_timer_update(struct vlapic *l, u64 now);
u64 vlapic_next_deadline(const struct vlapic *l);
/* IA32_TSC_DEADLINE: ignored (reads 0) unless the LVT timer is in TSC-deadline mode. */
void vlapic_set_tsc_deadline(struct vlapic *l, u64 deadline, u64 now);
u64 vlapic_get_tsc_deadline(const struct vlapic *l);
/*
 * A timer write that changes nothing but this APIC's next deadline, done in
 * place: IA32_TSC_DEADLINE in TSC-deadline mode, or the x2APIC initial count
 * in one-shot or periodic mode, with neither the old timer nor the new one due
 * at now, so nothing is delivered. False, nothing changed, for any other case
 * (the common path's vlapic_set_tsc_deadline() or vlapic_msr_write()).
 */
bool vlapic_timer_write_quiet(struct vlapic *l, u32 msr, u64 val, u64 now);

/* The WRMSRs the exit fast path tries to answer in place (exit_hot()). */
static inline bool vlapic_msr_write_hot(u32 msr)
{
	return msr == VLAPIC_MSR_EOI || msr == VLAPIC_MSR_TMICT || msr == VLAPIC_MSR_TSC_DEADLINE;
}

#endif
