/* SPDX-License-Identifier: MIT */
/* The apic guest: local APIC and IOAPIC registers, interrupt bookkeeping, timing helpers. */
#ifndef APIC_APIC_H
#define APIC_APIC_H

#include "guest.h"
#include "spinlock.h"
#include "x86.h"

/* CPUs this guest handles: vCPU 0 and the one it starts (smp_this_vcpu() < 2). */
#define APIC_CPUS	       2

#define CPUID1_ECX_X2APIC      BIT(21)
#define CPUID1_ECX_TSCDEADLINE BIT(24)

#define MSR_APIC_BASE	       0x1b
#define APIC_BASE_BSP	       BIT(8)
#define APIC_BASE_EXTD	       BIT(10)
#define APIC_BASE_ENABLE       BIT(11)
#define MSR_TSC_DEADLINE       0x6e0
#define MSR_X2APIC_FIRST       0x800
#define LAPIC_DEFAULT_BASE     0xfee00000ull
#define IOAPIC_DEFAULT_BASE    0xfec00000ull

#include "lapic_regs.h"

/*
 * ICR low word (SDM Vol. 3A, 11.6.1):
 *
 *  31    20 19 18 17 16 15 14 13 12 11 10  8 7      0
 * +--------+-----+-----+--+--+--+--+--+-----+--------+
 * |        |short|     |TM|L |  |DS|DM|mode| vector |
 * +--------+-----+-----+--+--+--+--+--+-----+--------+
 *
 * The xAPIC destination is ICR high bits 31:24. Writing the low word sends.
 */
#define ICR_FIXED	    (0u << 8)
#define ICR_NMI		    (4u << 8)
#define ICR_INIT	    (5u << 8)
#define ICR_STARTUP	    (6u << 8)
#define ICR_LOGICAL	    BIT(11)
#define ICR_BUSY	    BIT(12)
#define ICR_ASSERT	    BIT(14) /* level: 1 for all but INIT de-assert (SDM 11.6.1) */
#define ICR_SELF	    (1u << 18)
#define ICR_ALL_INCL_SELF   (2u << 18)
#define ICR_ALL_EXCL_SELF   (3u << 18)
#define ICR_XAPIC_DEST(d)   ((u32)(d) << 24)
#define ICR_BUSY_TIMEOUT_MS 100

/*
 * Vectors. The class (vector >> 4) decides priority; 0x20-0x2f is where the
 * 8259 is remapped, so anything it lets through is counted there.
 */
enum apic_vector {
	VEC_PIC_BASE = 0x20,
	VEC_TIMER = 0x40,
	VEC_NEST_LOW = 0x41,
	VEC_ORDER_LOW = 0x51,
	VEC_PIT = 0x52,
	VEC_UART = 0x54,
	VEC_RTC = 0x58,
	VEC_NEST_OUTER = 0x61,
	VEC_NEST_SAME = 0x65,
	VEC_TPR_BLOCKED = 0x75,
	VEC_NEST_HIGH = 0x81,
	VEC_TPR_ABOVE = 0x85,
	VEC_ORDER_HIGH = 0x91,
	VEC_IPI_PHYS = 0xa0,
	VEC_IPI_LOGICAL = 0xa1,
	VEC_IPI_LOGICAL_BOTH = 0xa2,
	VEC_IPI_LOGICAL_SELF = 0xa3,
	VEC_IPI_SELF = 0xa4,
	VEC_IPI_ALL = 0xa5,
	VEC_IPI_OTHERS = 0xa6,
	VEC_IPI_TO_BSP = 0xa7,
	VEC_PING = 0xa8, /* the IPI round trip (ipi-bench) */
	VEC_PONG = 0xa9,
	VEC_WAKE = 0xaa, /* an IPI to a halted CPU (ipi-bench) */
	VEC_SPURIOUS = 0xff,
};

/* Local APIC (lapic.c). lapic_x2apic selects MSR access (x2APIC mode) for this guest. */
extern bool lapic_x2apic;
u32 lapic_read(u32 reg);
void lapic_write(u32 reg, u32 val);
void lapic_eoi(void);
/* Bit vector of the 256-bit register at base (LAPIC_ISR, LAPIC_TMR, LAPIC_IRR). */
bool lapic_bit(u32 base, u32 vector);
/* Software-enable the calling CPU's APIC: SVR, flat logical model with LDR bit cpu, TPR 0. */
void lapic_setup_cpu(u32 cpu);
/* ICR write to an xAPIC destination; false if delivery status stayed busy. */
bool lapic_send_ipi(u32 dest, u32 icr_low);
void lapic_self_ipi(u32 vector);
/* IPIs sent and ones whose delivery status never cleared. */
extern volatile u32 ipi_sent, ipi_stuck;

/* Interrupts (irq.c, stubs.S). */
typedef void (*irq_fn)(u32 vector, u32 cpu);

/* Point the IDT's vectors 32-255 and 2 (NMI) at the counting stubs. */
void irq_init(void);
/* Handler that runs in place of the default "count and EOI"; NULL for the default. */
void irq_set_handler(u32 vector, irq_fn fn);
/* Interrupts taken at vector on cpu since the last irq_reset(). */
u32 irq_count(u32 cpu, u32 vector);
/* TSC when vector last arrived on cpu. */
u64 irq_last_tsc(u32 cpu, u32 vector);
u32 nmi_count(u32 cpu);
/* Zero the counters and the event log. */
void irq_reset(void);
/* Interrupts since start outside VEC_TIMER..VEC_IPI_TO_BSP and VEC_SPURIOUS (8259's too). */
u32 irq_unexpected(void);

/* Event log of vCPU 0: each entry is a vector, with EVENT_EXIT set when its handler returned. */
#define EVENT_EXIT 0x100
#define EVENTS_MAX 32
u32 irq_events(u32 *buf, u32 max);

static inline void irq_enable(void)
{
	asm volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" ::: "memory");
}

/* Time (main.c): TSC ticks per second, calibrated at start. */
extern u64 tsc_hz;
u64 us_to_tsc(u64 us);
u64 tsc_to_us(u64 ticks);
void delay_us(u64 us);
/* Spin (interrupts as they are) until cpu took want interrupts at vector, or us pass. */
bool wait_count(u32 cpu, u32 vector, u32 want, u64 us);

/* The parts of the test. */
void timer_tests(const char *mode);
void prio_tests(void);
/* Start the second CPU and test IPIs; false if it could not be started. */
bool ipi_tests(void);
/* Only start the second CPU and time IPI round trips (cmdline ipi-bench). */
bool ipi_bench(void);
/* Tell the second CPU to stop (after the IOAPIC tests, which check it got nothing). */
void ipi_stop_ap(void);
bool ipi_ap_online(void);
void ioapic_tests(void);

#endif
