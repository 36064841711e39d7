/* SPDX-License-Identifier: MIT */
/* Host local APIC: enable, EOI, the periodic timer that bounds every guest time slice. */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <hv/types.h>

#define APIC_TIMER_VECTOR 0xec
#define APIC_SPURIOUS_VECTOR 0xff

/* Mask the 8259s, enable this CPU's LAPIC (xAPIC or x2APIC, as firmware left it). */
void apic_init_cpu(void);

/* Start the periodic timer with the given period; calibrated against the TSC once. */
void apic_timer_start(u64 period_us);

void apic_eoi(void);
u32 apic_id(void);

extern volatile u64 apic_timer_ticks;

#endif
