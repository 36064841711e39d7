// SPDX-License-Identifier: MIT
/* Host local APIC driver (xAPIC MMIO or x2APIC MSRs) and the 8259 mask-off. */
#include <arch/apic.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/traps.h>
#include <arch/x86.h>
#include <hv/percpu.h>
#include <hv/printk.h>

#define APIC_BASE_X2APIC    BIT(10)
#define APIC_BASE_ENABLE    BIT(11)
#define APIC_REG_ID	    0x20
#define APIC_REG_EOI	    0xb0
#define APIC_REG_SVR	    0xf0
#define APIC_REG_LVT_TIMER  0x320
#define APIC_REG_TIMER_INIT 0x380
#define APIC_REG_TIMER_CUR  0x390
#define APIC_REG_TIMER_DIV  0x3e0
#define APIC_SVR_ENABLE	    BIT(8)
#define APIC_LVT_MASKED	    BIT(16)
#define APIC_DIV_16	    0x3

volatile u64 apic_timer_ticks;
static bool x2apic_mode;
static u64 xapic_base;
static u32 ticks_per_ms;

static u32 apic_read(u32 reg)
{
	if (x2apic_mode)
		return (u32)rdmsr(0x800 + (reg >> 4));
	return *(volatile u32 *)(uintptr_t)(xapic_base + reg);
}

static void apic_write(u32 reg, u32 val)
{
	if (x2apic_mode)
		wrmsr(0x800 + (reg >> 4), val);
	else
		*(volatile u32 *)(uintptr_t)(xapic_base + reg) = val;
}

/* Remap the 8259s away from the exception vectors, then mask every line. */
static void pic_disable(void)
{
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static u64 tick_period_tsc;

/*
 * The host timer runs one-shot: at each scheduler tick, and earlier when a
 * guest timer (or a blocked vCPU's deadline) asks for it. Converted from TSC
 * to APIC timer counts with the calibration; a count that fires a little
 * early only re-arms for the rest.
 */
static void timer_arm(struct percpu *cpu, u64 at)
{
	u64 now = rdtsc(), count = 1;

	if (at > now && tsc_khz)
		count = MAX((at - now) * ticks_per_ms / tsc_khz, 1ULL);
	cpu->timer_at_tsc = at;
	apic_write(APIC_REG_TIMER_INIT, (u32)MIN(count, 0xffffffffULL));
}

/*
 * crash_test = lose-timer: the 100th host timer interrupt taken while a vCPU
 * runs is dropped, not handled, so nothing arms the one-shot timer again:
 * what an emulator that loses the interrupt leaves behind. The CPU gets its
 * ticks back only through the watch of sched/sched.c.
 */
#define LOSE_AFTER 100
static u32 lose_countdown;

void apic_timer_lose_once(void)
{
	lose_countdown = LOSE_AFTER;
}

static bool timer_lose_now(const struct percpu *cpu)
{
	u32 c = __atomic_load_n(&lose_countdown, __ATOMIC_RELAXED);

	if (!c || !cpu->current)
		return false;
	while (c && !__atomic_compare_exchange_n(&lose_countdown, &c, c - 1, false,
						 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return c == 1;
}

static void apic_timer_irq(struct trap_frame *f)
{
	struct percpu *cpu = this_cpu();
	u64 now = rdtsc();

	if (unlikely(lose_countdown) && timer_lose_now(cpu)) {
		pr_warn("apic: CPU %u: host timer interrupt dropped (crash test lose-timer)\n",
			cpu->cpu_id);
		apic_eoi();
		return;
	}
	cpu->timer_fired++;
	if (now >= cpu->tick_next_tsc) {
		apic_timer_ticks++;
		cpu->timer_ticks++;
		cpu->tick_next_tsc += tick_period_tsc;
		if (cpu->tick_next_tsc <= now) /* fell behind: do not make up for it */
			cpu->tick_next_tsc = now + tick_period_tsc;
	}
	timer_arm(cpu, cpu->tick_next_tsc);
	apic_eoi();
}

void apic_timer_request(u64 at_tsc)
{
	struct percpu *cpu = this_cpu();

	if (at_tsc && at_tsc < cpu->timer_at_tsc)
		timer_arm(cpu, at_tsc);
}

#define APIC_REG_TPR 0x080
#define APIC_REG_PPR 0x0a0
#define APIC_REG_ISR 0x100
#define APIC_REG_IRR 0x200

void apic_timer_state(struct apic_timer_state *s)
{
	u32 reg = (APIC_TIMER_VECTOR / 32) * 0x10, bit = BIT(APIC_TIMER_VECTOR % 32);

	s->armed_at_tsc = this_cpu()->timer_at_tsc;
	s->count = apic_read(APIC_REG_TIMER_CUR);
	s->irr = apic_read(APIC_REG_IRR + reg) & bit;
	s->isr = apic_read(APIC_REG_ISR + reg) & bit;
	s->tpr = apic_read(APIC_REG_TPR);
	s->ppr = apic_read(APIC_REG_PPR);
	s->irr_top = s->isr_top = -1;
	for (s32 r = 7; r >= 0 && (s->irr_top < 0 || s->isr_top < 0); r--) {
		u32 irr = apic_read(APIC_REG_IRR + (u32)r * 0x10);
		u32 isr = apic_read(APIC_REG_ISR + (u32)r * 0x10);

		if (irr && s->irr_top < 0)
			s->irr_top = r * 32 + 31 - __builtin_clz(irr);
		if (isr && s->isr_top < 0)
			s->isr_top = r * 32 + 31 - __builtin_clz(isr);
	}
}

static void apic_spurious_irq(struct trap_frame *f)
{
}

void apic_eoi(void)
{
	apic_write(APIC_REG_EOI, 0);
}

u32 apic_id(void)
{
	u32 id = apic_read(APIC_REG_ID);

	return x2apic_mode ? id : id >> 24;
}

#define APIC_REG_ICR_LO 0x300
#define APIC_REG_ICR_HI 0x310
#define APIC_ICR_BUSY	BIT(12)

void apic_send_ipi(u32 dest, u32 icr_low)
{
	if (x2apic_mode) {
		wrmsr(0x830, ((u64)dest << 32) | icr_low);
		return;
	}
	apic_write(APIC_REG_ICR_HI, dest << 24);
	apic_write(APIC_REG_ICR_LO, icr_low);
	for (int i = 0; i < 100000 && (apic_read(APIC_REG_ICR_LO) & APIC_ICR_BUSY); i++)
		__asm__ volatile("pause");
}

/*
 * A kick also comes from the CPU that watches this one's timer (sched/sched.c).
 * A timer REARM_TICKS overdue with its vector neither pending nor in service
 * did not reach the IRR (or an emulator has not expired it yet: QEMU's timers
 * run in another thread, late on a busy host): arm it again, to fire now. A
 * debug line, as the kick's: on a loaded emulator both are routine.
 */
#define REARM_TICKS 2
static void apic_kick_irq(struct trap_frame *f)
{
	struct percpu *cpu = this_cpu();
	u32 reg = (APIC_TIMER_VECTOR / 32) * 0x10, bit = BIT(APIC_TIMER_VECTOR % 32);

	apic_eoi();
	if (smp_stopping)
		smp_stop_self();
	if (tick_period_tsc && cpu->timer_at_tsc &&
	    rdtsc() > cpu->timer_at_tsc + REARM_TICKS * tick_period_tsc &&
	    !(apic_read(APIC_REG_IRR + reg) & bit) && !(apic_read(APIC_REG_ISR + reg) & bit)) {
		pr_debug("apic: CPU %u: host timer %u ticks overdue and not pending; armed again\n",
			 cpu->cpu_id, REARM_TICKS);
		timer_arm(cpu, rdtsc());
	}
}

void apic_init_cpu(bool bsp)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (bsp)
		pic_disable();
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	x2apic_mode = base & APIC_BASE_X2APIC;
	xapic_base = base & ~0xfffULL;
	apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	traps_set_irq_handler(APIC_TIMER_VECTOR, apic_timer_irq);
	traps_set_irq_handler(APIC_SPURIOUS_VECTOR, apic_spurious_irq);
	traps_set_irq_handler(0xf0, apic_kick_irq); /* IPI_KICK_VECTOR */
}

/* Count APIC timer ticks over 10 ms of TSC time; the bus clock is not architectural. */
static void apic_timer_calibrate(void)
{
	u32 start = 0xffffffff, left;

	apic_write(APIC_REG_TIMER_DIV, APIC_DIV_16);
	apic_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_REG_TIMER_INIT, start);
	udelay(10000);
	left = apic_read(APIC_REG_TIMER_CUR);
	apic_write(APIC_REG_TIMER_INIT, 0);
	ticks_per_ms = (start - left) / 10;
	if (!ticks_per_ms)
		ticks_per_ms = 1;
}

void apic_timer_start(u64 period_us)
{
	struct percpu *cpu = this_cpu();

	if (!ticks_per_ms)
		apic_timer_calibrate();
	tick_period_tsc = MAX(period_us * tsc_khz / 1000, 1ULL);
	apic_write(APIC_REG_TIMER_DIV, APIC_DIV_16);
	apic_write(APIC_REG_LVT_TIMER, APIC_TIMER_VECTOR); /* one-shot */
	cpu->tick_next_tsc = rdtsc() + tick_period_tsc;
	timer_arm(cpu, cpu->tick_next_tsc);
	if (!this_cpu()->cpu_id)
		pr_info("apic: %s, timer %u ticks/ms, period %llu us\n",
			x2apic_mode ? "x2APIC" : "xAPIC", ticks_per_ms, period_us);
}
