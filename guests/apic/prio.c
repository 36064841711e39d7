/* SPDX-License-Identifier: MIT */
/* Task priority and in-service priority: what a self-IPI waits for (SDM Vol. 3A, 11.8.3). */
#include "apic.h"

#define SETTLE_US  5000 /* long enough for a self-IPI that could be delivered to arrive */
#define TPR_CLASS7 0x70

/* TPR at a vector's class holds it in IRR; a higher class still comes; lowering TPR releases it. */
static void check_tpr(void)
{
	u32 n, ppr;
	bool irr;

	irq_reset();
	lapic_write(LAPIC_TPR, TPR_CLASS7);
	lapic_self_ipi(VEC_TPR_BLOCKED);
	delay_us(SETTLE_US);
	n = irq_count(0, VEC_TPR_BLOCKED);
	irr = lapic_bit(LAPIC_IRR, VEC_TPR_BLOCKED);
	ppr = lapic_read(LAPIC_PPR);
	report(n == 0 && irr && ppr == TPR_CLASS7,
	       "TPR 0x%x: self-IPI 0x%x stays pending (delivered %u, IRR %d, PPR 0x%x)", TPR_CLASS7,
	       VEC_TPR_BLOCKED, n, irr, ppr);
	lapic_self_ipi(VEC_TPR_ABOVE);
	n = wait_count(0, VEC_TPR_ABOVE, 1, SETTLE_US);
	report(n && !irq_count(0, VEC_TPR_BLOCKED),
	       "TPR 0x%x: self-IPI 0x%x of a higher class is delivered, 0x%x still is not",
	       TPR_CLASS7, VEC_TPR_ABOVE, VEC_TPR_BLOCKED);
	lapic_write(LAPIC_TPR, 0);
	n = wait_count(0, VEC_TPR_BLOCKED, 1, SETTLE_US);
	report(n && irq_count(0, VEC_TPR_BLOCKED) == 1 && !lapic_bit(LAPIC_IRR, VEC_TPR_BLOCKED),
	       "TPR 0: the pending 0x%x is delivered once and leaves IRR", VEC_TPR_BLOCKED);
}

static u64 read_cr8(void)
{
	u64 v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static void write_cr8(u64 v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

/* CR8 is the TPR's bits 7:4 in 64-bit mode (SDM Vol. 3A, 11.8.6.1), both ways. */
static void check_cr8(void)
{
	u32 n, tpr;
	u64 cr8;

	irq_reset();
	write_cr8(TPR_CLASS7 >> 4);
	tpr = lapic_read(LAPIC_TPR);
	lapic_self_ipi(VEC_TPR_BLOCKED);
	delay_us(SETTLE_US);
	n = irq_count(0, VEC_TPR_BLOCKED);
	report(n == 0 && tpr == TPR_CLASS7 && lapic_bit(LAPIC_IRR, VEC_TPR_BLOCKED),
	       "CR8 7: TPR reads 0x%x, self-IPI 0x%x stays pending (delivered %u)", tpr,
	       VEC_TPR_BLOCKED, n);
	lapic_write(LAPIC_TPR, 0x35);
	cr8 = read_cr8();
	write_cr8(0);
	n = wait_count(0, VEC_TPR_BLOCKED, 1, SETTLE_US);
	report(cr8 == 3 && n == 1 && lapic_read(LAPIC_TPR) == 0,
	       "TPR 0x35 reads as CR8 %llu; CR8 0 delivers the pending 0x%x (%u)", cr8,
	       VEC_TPR_BLOCKED, n);
}

static bool events_match(const u32 *want, u32 n)
{
	u32 got[EVENTS_MAX], k = irq_events(got, EVENTS_MAX);

	if (k != n) {
		printf("apic: %u events, want %u:", k, n);
		for (u32 i = 0; i < k; i++)
			printf(" %s0x%x", got[i] & EVENT_EXIT ? "/" : "", got[i] & 0xff);
		printf("\n");
		return false;
	}
	return memcmp(got, want, n * sizeof(*want)) == 0;
}

/* Two self-IPIs raised with interrupts off are taken highest vector first. */
static void check_order(void)
{
	static const u32 want[] = {VEC_ORDER_HIGH, VEC_ORDER_HIGH | EVENT_EXIT, VEC_ORDER_LOW,
				   VEC_ORDER_LOW | EVENT_EXIT};
	bool both;

	irq_disable();
	irq_reset();
	lapic_self_ipi(VEC_ORDER_LOW);
	lapic_self_ipi(VEC_ORDER_HIGH);
	both = lapic_bit(LAPIC_IRR, VEC_ORDER_LOW) && lapic_bit(LAPIC_IRR, VEC_ORDER_HIGH);
	irq_enable();
	delay_us(SETTLE_US);
	report(both && events_match(want, ARRAY_SIZE(want)),
	       "self-IPIs 0x%x then 0x%x with IF=0: both in IRR, taken 0x%x first", VEC_ORDER_LOW,
	       VEC_ORDER_HIGH, VEC_ORDER_HIGH);
}

static struct {
	bool isr_outer, irr_same, irr_low;
	u32 high, same, low;
} nest;

/*
 * The handler of VEC_NEST_OUTER enables interrupts before its EOI: a higher
 * class must interrupt it at once; its own class and lower ones must wait.
 */
static void nest_outer(u32 vector, u32 cpu)
{
	irq_enable();
	lapic_self_ipi(VEC_NEST_HIGH);
	wait_count(0, VEC_NEST_HIGH, 1, SETTLE_US);
	lapic_self_ipi(VEC_NEST_SAME);
	lapic_self_ipi(VEC_NEST_LOW);
	delay_us(SETTLE_US);
	irq_disable();
	nest.high = irq_count(0, VEC_NEST_HIGH);
	nest.same = irq_count(0, VEC_NEST_SAME);
	nest.low = irq_count(0, VEC_NEST_LOW);
	nest.isr_outer = lapic_bit(LAPIC_ISR, VEC_NEST_OUTER);
	nest.irr_same = lapic_bit(LAPIC_IRR, VEC_NEST_SAME);
	nest.irr_low = lapic_bit(LAPIC_IRR, VEC_NEST_LOW);
	lapic_eoi();
}

static void check_nesting(void)
{
	static const u32 want[] = {
		VEC_NEST_OUTER,
		VEC_NEST_HIGH,
		VEC_NEST_HIGH | EVENT_EXIT,
		VEC_NEST_OUTER | EVENT_EXIT,
		VEC_NEST_SAME,
		VEC_NEST_SAME | EVENT_EXIT,
		VEC_NEST_LOW,
		VEC_NEST_LOW | EVENT_EXIT,
	};

	irq_set_handler(VEC_NEST_OUTER, nest_outer);
	irq_reset();
	lapic_self_ipi(VEC_NEST_OUTER);
	delay_us(3 * SETTLE_US);
	irq_set_handler(VEC_NEST_OUTER, NULL);
	report(nest.high == 1 && nest.isr_outer,
	       "nested: 0x%x interrupts the handler of 0x%x before its EOI (%u, ISR bit %d)",
	       VEC_NEST_HIGH, VEC_NEST_OUTER, nest.high, nest.isr_outer);
	report(!nest.same && !nest.low && nest.irr_same && nest.irr_low,
	       "nested: 0x%x (same class) and 0x%x (lower) stay in IRR meanwhile (%u, %u)",
	       VEC_NEST_SAME, VEC_NEST_LOW, nest.same, nest.low);
	report(events_match(want, ARRAY_SIZE(want)),
	       "nested: after the EOI 0x%x comes, then 0x%x; order of entries and exits right",
	       VEC_NEST_SAME, VEC_NEST_LOW);
}

/* Vectors 32-255 with their ISR bit set. */
static u32 in_service(void)
{
	u32 n = 0;

	for (u32 v = 32; v < 256; v++)
		n += lapic_bit(LAPIC_ISR, v);
	return n;
}

void prio_tests(void)
{
	check_tpr();
	check_cr8();
	check_order();
	check_nesting();
	report(in_service() == 0 && lapic_read(LAPIC_PPR) == 0,
	       "afterwards nothing in service (%u ISR bits, PPR 0x%x)", in_service(),
	       lapic_read(LAPIC_PPR));
}
