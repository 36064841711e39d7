/* SPDX-License-Identifier: MIT */
/* Interrupt bookkeeping of the apic guest: IDT gates, per-CPU counts, an event log, NMIs. */
#include "apic.h"
#include "smp.h"

#define IDT_FIRST_IRQ	   32
#define IDT_INTERRUPT_GATE 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define SEL_CODE64	   0x08
#define IRQ_STUB_SIZE	   16 /* stubs.S */

struct idt_entry {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

struct idtr {
	u16 limit;
	u64 base;
} __packed;

extern char irq_stubs[];
extern char nmi_stub[];

/* Called by stubs.S. */
void irq_dispatch(u64 vector);
void nmi_dispatch(void);

static irq_fn handlers[256];
static volatile u32 counts[APIC_CPUS][256];
static volatile u64 last_tsc[APIC_CPUS][256];
static volatile u32 nmis[APIC_CPUS];
static volatile u32 unexpected;
static volatile u32 events[EVENTS_MAX];
static volatile u32 event_count;

/* The vectors some test expects; anything else is counted as unexpected. */
static bool expected_vector(u32 v)
{
	return (v >= VEC_TIMER && v <= VEC_WAKE) || v == VEC_SPURIOUS;
}

/*
 * The lib's IDT (traps.c) has 256 entries, 0-31 filled; the secondary CPU
 * loads the same one (smp_entry.S), so gates written here serve both.
 */
static void set_gate(u32 vector, u64 addr)
{
	struct idtr idtr;
	struct idt_entry *idt;

	asm volatile("sidt %0" : "=m"(idtr));
	idt = (struct idt_entry *)(uintptr_t)idtr.base;
	idt[vector] = (struct idt_entry){
		.offset_lo = (u16)addr,
		.selector = SEL_CODE64,
		.type = IDT_INTERRUPT_GATE,
		.offset_mid = (u16)(addr >> 16),
		.offset_hi = (u32)(addr >> 32),
	};
}

void irq_init(void)
{
	for (u32 v = IDT_FIRST_IRQ; v < 256; v++)
		set_gate(v, (u64)(uintptr_t)irq_stubs + (v - IDT_FIRST_IRQ) * IRQ_STUB_SIZE);
	set_gate(X86_NMI, (u64)(uintptr_t)nmi_stub);
}

void irq_set_handler(u32 vector, irq_fn fn)
{
	handlers[vector & 0xff] = fn;
}

/*
 * Spurious interrupts stay out of the log: an APIC may deliver one whenever
 * what raised INTR is blocked by the time it is acknowledged (SDM Vol. 3A,
 * 11.9), and Bochs does so when a self-IPI arrives under a higher ISR bit.
 */
static void log_event(u32 cpu, u32 ev)
{
	u32 n;

	if (cpu != 0 || (ev & 0xff) == VEC_SPURIOUS)
		return;
	n = atomic_fetch_add_u32(&event_count, 1);
	if (n < EVENTS_MAX)
		events[n] = ev;
}

static u32 this_cpu(void)
{
	return MIN(smp_this_vcpu(), APIC_CPUS - 1);
}

void irq_dispatch(u64 vector)
{
	u32 v = (u32)vector, cpu = this_cpu();
	irq_fn fn = handlers[v];

	last_tsc[cpu][v] = rdtsc();
	atomic_fetch_add_u32(&counts[cpu][v], 1);
	if (!expected_vector(v))
		atomic_fetch_add_u32(&unexpected, 1);
	log_event(cpu, v);
	if (fn)
		fn(v, cpu);
	else if (v != VEC_SPURIOUS) /* a spurious interrupt sets no ISR bit: no EOI */
		lapic_eoi();
	log_event(cpu, v | EVENT_EXIT);
}

void nmi_dispatch(void)
{
	atomic_fetch_add_u32(&nmis[this_cpu()], 1);
}

u32 irq_count(u32 cpu, u32 vector)
{
	return atomic_load_u32(&counts[cpu][vector & 0xff]);
}

u64 irq_last_tsc(u32 cpu, u32 vector)
{
	return atomic_load_u64(&last_tsc[cpu][vector & 0xff]);
}

u32 nmi_count(u32 cpu)
{
	return atomic_load_u32(&nmis[cpu]);
}

u32 irq_unexpected(void)
{
	return atomic_load_u32(&unexpected);
}

void irq_reset(void)
{
	for (u32 c = 0; c < APIC_CPUS; c++) {
		for (u32 v = 0; v < 256; v++)
			atomic_store_u32(&counts[c][v], 0);
		atomic_store_u32(&nmis[c], 0);
	}
	atomic_store_u32(&event_count, 0);
}

u32 irq_events(u32 *buf, u32 max)
{
	u32 n = MIN(atomic_load_u32(&event_count), MIN(max, EVENTS_MAX));

	for (u32 i = 0; i < n; i++)
		buf[i] = events[i];
	return n;
}
