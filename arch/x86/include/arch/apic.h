/* SPDX-License-Identifier: MIT */
/* Host local APIC: enable, EOI, the periodic timer that bounds every guest time slice. */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <hv/types.h>

#define APIC_TIMER_VECTOR    0xec
#define APIC_SPURIOUS_VECTOR 0xff

/* Enable this CPU's LAPIC (xAPIC or x2APIC, as firmware left it); the BSP masks the 8259s. */
void apic_init_cpu(bool bsp);

/* Start the periodic timer with the given period; calibrated against the TSC once. */
void apic_timer_start(u64 period_us);

/*
 * Make this CPU's timer interrupt come no later than at_tsc (0: no request);
 * the scheduler tick goes on as before. Interrupts off.
 */
/* crash_test = lose-timer: drop one host timer interrupt later, as a lossy emulator would. */
void apic_timer_lose_once(void);
void apic_timer_request(u64 at_tsc);

/*
 * This CPU's host timer as it stands: the TSC it is armed for, the count
 * left, and whether its interrupt is pending in the IRR or in service.
 */
struct apic_timer_state {
	u64 armed_at_tsc;
	u32 count;
	bool irr, isr;
	u32 tpr, ppr;	      /* task and processor priority */
	s32 irr_top, isr_top; /* highest vector pending / in service, -1 if none */
};
void apic_timer_state(struct apic_timer_state *s);

#define APIC_ICR_INIT	 0x00004500 /* INIT, level assert */
#define APIC_ICR_STARTUP 0x00004600 /* STARTUP; OR in the vector (page number) */

/* Send an IPI with the given ICR low word (vector or mode) to one APIC ID. */
void apic_send_ipi(u32 dest_apic_id, u32 icr_low);

void apic_eoi(void);
u32 apic_id(void);

extern volatile u64 apic_timer_ticks;

#endif
