/* SPDX-License-Identifier: MIT */
/* The local APIC's registers and bits, for test guests that drive it (SDM Vol. 3A, ch. 11). */
#ifndef GUEST_LAPIC_REGS_H
#define GUEST_LAPIC_REGS_H

#include <hv/types.h>

/* Local APIC register offsets in the xAPIC page (SDM Vol. 3A, table 11-1);
 * in x2APIC mode MSR 0x800 + offset / 16. */
enum lapic_reg {
	LAPIC_ID = 0x020,
	LAPIC_VERSION = 0x030,
	LAPIC_TPR = 0x080,
	LAPIC_PPR = 0x0a0,
	LAPIC_EOI = 0x0b0,
	LAPIC_LDR = 0x0d0,
	LAPIC_DFR = 0x0e0,
	LAPIC_SVR = 0x0f0,
	LAPIC_ISR = 0x100, /* 8 registers of 32 bits, 0x10 apart */
	LAPIC_TMR = 0x180,
	LAPIC_IRR = 0x200,
	LAPIC_ESR = 0x280,
	LAPIC_ICR_LO = 0x300,
	LAPIC_ICR_HI = 0x310,
	LAPIC_LVT_TIMER = 0x320,
	LAPIC_LVT_LINT0 = 0x350,
	LAPIC_LVT_LINT1 = 0x360,
	LAPIC_LVT_ERROR = 0x370,
	LAPIC_TIMER_INIT = 0x380,
	LAPIC_TIMER_CUR = 0x390,
	LAPIC_TIMER_DIV = 0x3e0,
};

#define SVR_ENABLE BIT(8)
#define LVT_MASKED BIT(16)

/* LVT timer mode, bits 18:17. */
#define LVT_TIMER_ONESHOT  (0u << 17)
#define LVT_TIMER_PERIODIC (1u << 17)
#define LVT_TIMER_DEADLINE (2u << 17)

#endif
