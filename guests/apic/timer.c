/* SPDX-License-Identifier: MIT */
/* The local APIC timer: count-down, one-shot, divide, periodic, masking, TSC deadline, HLT. */
#include "apic.h"

#define DIV16_CODE	0x3
#define CAL_US		20000
#define ONESHOT_US	10000
#define DIVIDE_BASE_US	2000 /* one-shot period at divide 1; 32 times that at divide 32 */
#define PERIOD_US	10000
#define PERIODS		20
#define TRIES		3      /* windows a count may take when the emulator was preempted */
#define MIN_RELOADS	3      /* reloads seen by sampling; a preempted emulator hides some */
#define LATE_US		100000 /* how late an emulated interrupt may come */
#define DEADLINE_US	5000
#define HLT_US		5000
#define TIMER_HZ_MIN	100000ull
#define TIMER_HZ_MAX	20000000000ull
#define RATE_US		10000
#define RATIO_TOLERANCE 10 /* percent, for ratios of two rates measured in one run */

/* Divide configuration register values (SDM Vol. 3A, figure 11-10: bits 3, 1:0). */
static const struct {
	u32 code, div;
} divides[] = {{0xb, 1}, {0x0, 2}, {0x2, 8}, {0x8, 32}};

/* Timer ticks per second at divide 1, measured against the TSC. */
static u64 timer_hz;

static u32 timer_count_for_us(u64 us, u32 div)
{
	return (u32)MIN(timer_hz / div * us / 1000000, 0xffffffffull);
}

static void timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0);
}

static void timer_arm(u32 lvt, u32 div_code, u32 count)
{
	lapic_write(LAPIC_LVT_TIMER, lvt | VEC_TIMER);
	lapic_write(LAPIC_TIMER_DIV, div_code);
	lapic_write(LAPIC_TIMER_INIT, count);
}

static u64 count_rate(u32 div_code);

/* Masked one-shot from 0xffffffff at divide 16: the current count must fall; gives timer_hz. */
static void check_countdown(const char *mode)
{
	u32 c0, c1, c2;
	u64 t0, t1, rate;

	timer_arm(LVT_MASKED | LVT_TIMER_ONESHOT, DIV16_CODE, 0xffffffff);
	c0 = lapic_read(LAPIC_TIMER_CUR);
	t0 = rdtsc();
	delay_us(CAL_US);
	c1 = lapic_read(LAPIC_TIMER_CUR);
	t1 = rdtsc();
	delay_us(1000);
	c2 = lapic_read(LAPIC_TIMER_CUR);
	timer_stop();
	timer_hz = c0 > c1 ? (u64)(c0 - c1) * 16 * tsc_hz / (t1 - t0) : 0;
	report(c0 > c1 && c1 > c2 && timer_hz >= TIMER_HZ_MIN && timer_hz <= TIMER_HZ_MAX,
	       "%s timer: current count counts down (%u, %u, %u): %llu kHz at divide 1", mode, c0,
	       c1, c2, timer_hz / 1000);
	/* The rate the later checks arm by: the best of bracketed measurements. */
	rate = count_rate(DIV16_CODE) * 16;
	if (rate >= TIMER_HZ_MIN && rate <= TIMER_HZ_MAX)
		timer_hz = rate;
	if (!timer_hz)
		timer_hz = 100000000; /* a guess, to go on */
}

/*
 * A one-shot interrupt arrives once, at the timer's vector, after about its
 * period. A host that holds the emulator between the arming and its TSC
 * reading (or skewed timer_hz) moves one try out of the window: of 3 tries,
 * one in the window passes; one that does not fire at all fails at once.
 */
static bool check_oneshot(const char *mode)
{
	u64 want = us_to_tsc(ONESHOT_US), t0, dt = 0;
	bool fired, in_window = false;
	u32 n = 0, cur, tries = 0;

	do {
		irq_reset();
		t0 = rdtsc();
		timer_arm(LVT_TIMER_ONESHOT, DIV16_CODE, timer_count_for_us(ONESHOT_US, 16));
		fired = wait_count(0, VEC_TIMER, 1, 4 * ONESHOT_US + 2 * LATE_US);
		if (fired) {
			dt = irq_last_tsc(0, VEC_TIMER) - t0;
			in_window = dt >= want * 9 / 10 && dt <= want * 2 + us_to_tsc(LATE_US);
		}
		tries++;
		if (!in_window)
			timer_stop();
	} while (fired && !in_window && tries < 3);
	report(fired && in_window,
	       "%s timer one-shot: interrupt at vector 0x%x after %llu us (armed for %u us, try "
	       "%u)",
	       mode, VEC_TIMER, tsc_to_us(dt), ONESHOT_US, tries);
	delay_us(3 * ONESHOT_US);
	n = irq_count(0, VEC_TIMER);
	cur = lapic_read(LAPIC_TIMER_CUR);
	report(n == 1 && cur == 0,
	       "%s timer one-shot: fires once (%u) and the count stays at 0 (%u)", mode, n, cur);
	timer_stop();
	return fired;
}

/* Read the current count between two TSC readings; returns the bracket's width. */
static u64 count_at(u32 *count, u64 *tsc)
{
	u64 a = rdtsc(), b;

	*count = lapic_read(LAPIC_TIMER_CUR);
	b = rdtsc();
	*tsc = a + (b - a) / 2;
	return b - a;
}

/*
 * Timer ticks per second at div_code, from the current count over RATE_US of
 * TSC time. Each count read is bracketed by TSC readings: an emulator
 * preempted between a read and its timestamp skews the rate, so of 5 tries
 * the one with the tightest brackets counts.
 */
static u64 count_rate(u32 div_code)
{
	u64 best_rate = 0, best_width = ~0ULL;

	for (int attempt = 0; attempt < 5; attempt++) {
		u32 c0, c1;
		u64 t0, t1, width;

		timer_arm(LVT_MASKED | LVT_TIMER_ONESHOT, div_code, 0xffffffff);
		width = count_at(&c0, &t0);
		delay_us(RATE_US);
		width += count_at(&c1, &t1);
		timer_stop();
		if (c0 > c1 && t1 > t0 && width < best_width) {
			best_width = width;
			best_rate = (u64)(c0 - c1) * tsc_hz / (t1 - t0);
		}
	}
	return best_rate;
}

/* TSC ticks from arming a one-shot of count at div_code to its interrupt; 0 if none came. */
static u64 oneshot_period(u32 div_code, u32 count, u64 timeout_us)
{
	u64 t0;

	irq_reset();
	t0 = rdtsc();
	timer_arm(LVT_TIMER_ONESHOT, div_code, count);
	if (!wait_count(0, VEC_TIMER, 1, timeout_us))
		return 0;
	return irq_last_tsc(0, VEC_TIMER) - t0;
}

/*
 * Divide d makes the count run d times slower than divide 1 (measured on the
 * current count, free of interrupt latency), and a one-shot of the same
 * initial count then takes at least that much longer: never early, late by
 * no more than the emulator's interrupt latency allows.
 */
static void check_divide(const char *mode)
{
	u32 count = timer_count_for_us(DIVIDE_BASE_US, 1);
	u64 rate1 = count_rate(divides[0].code), rate, ratio, want, period, expect;

	for (u32 i = 1; i < ARRAY_SIZE(divides); i++) {
		rate = count_rate(divides[i].code);
		ratio = rate ? rate1 * 100 / rate : 0;
		want = divides[i].div * 100;
		expect = (u64)count * tsc_hz / (rate ? rate : 1);
		period =
			oneshot_period(divides[i].code, count, tsc_to_us(expect) * 4 + 2 * LATE_US);
		report(ratio >= want * (100 - RATIO_TOLERANCE) / 100 &&
			       ratio <= want * (100 + RATIO_TOLERANCE) / 100 &&
			       period >= expect * 9 / 10 &&
			       period <= expect * 2 + us_to_tsc(LATE_US),
		       "%s timer divide %u (0x%x): counts %llu.%02llu times slower than divide 1, "
		       "one-shot of %u after %llu us (want %llu)",
		       mode, divides[i].div, divides[i].code, ratio / 100, ratio % 100, count,
		       tsc_to_us(period), tsc_to_us(expect));
	}
	timer_stop();
}

struct periodic_run {
	u32 count, interrupts, reloads, over, absent;
};

/*
 * One window of PERIODS periods from arming; the timer keeps running
 * afterwards. The loop reads the TSC every 200 us; a gap of k whole periods
 * between two reads means this vCPU did not run for them (the host kept it
 * off the CPU), and the IRR holds one of the k interrupts at most.
 */
static void periodic_window(struct periodic_run *r)
{
	u64 period = us_to_tsc(PERIOD_US), end, now, last;
	u32 prev = r->count, cur;

	r->reloads = r->over = r->absent = 0;
	irq_reset();
	last = rdtsc();
	end = last + period * PERIODS + period / 2;
	timer_arm(LVT_TIMER_PERIODIC, DIV16_CODE, r->count);
	while ((now = rdtsc()) < end) {
		r->absent += (u32)((now - last) / period);
		last = now;
		cur = lapic_read(LAPIC_TIMER_CUR);
		r->reloads += cur > prev;
		r->over += cur > r->count;
		prev = cur;
		delay_us(200);
	}
	r->interrupts = irq_count(0, VEC_TIMER);
}

/* Periods in which the vCPU ran count; at most one interrupt a period. */
static bool periodic_ok(const struct periodic_run *r)
{
	return r->absent < PERIODS / 2 && r->interrupts + r->absent >= PERIODS * 2 / 3 &&
	       r->interrupts <= PERIODS * 5 / 4;
}

/*
 * Periodic: PERIODS interrupts in PERIODS periods, the current count
 * reloading each time. The periods the vCPU did not run are left out; a
 * window in which it ran for less than half of them says nothing and is
 * tried again, up to TRIES times.
 */
static void check_periodic(const char *mode)
{
	struct periodic_run r = {.count = timer_count_for_us(PERIOD_US, 16)};
	u32 tries = 0;

	do
		periodic_window(&r);
	while (++tries < TRIES && !periodic_ok(&r));
	report(periodic_ok(&r),
	       "%s timer periodic: %u interrupts in %u periods of %u us, %u of them not run "
	       "(try %u)",
	       mode, r.interrupts, PERIODS, PERIOD_US, r.absent, tries);
	report(r.reloads >= MIN_RELOADS && !r.over,
	       "%s timer periodic: current count reloads (%u times, %u reads above %u)", mode,
	       r.reloads, r.over, r.count);
}

/* With the periodic timer still running: the mask stops delivery, not the count. */
static void check_mask(const char *mode)
{
	u32 snap, n, c0, c1, resumed;

	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_PERIODIC | VEC_TIMER);
	delay_us(2 * PERIOD_US); /* what was in flight arrives */
	snap = irq_count(0, VEC_TIMER);
	c0 = lapic_read(LAPIC_TIMER_CUR);
	delay_us(5 * PERIOD_US + 1234);
	c1 = lapic_read(LAPIC_TIMER_CUR);
	n = irq_count(0, VEC_TIMER) - snap;
	report(n == 0 && c0 != c1,
	       "%s timer masked: %u interrupts in 5 periods, count still moving (%u, %u)", mode, n,
	       c0, c1);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | VEC_TIMER);
	resumed = wait_count(0, VEC_TIMER, snap + 2, 10 * PERIOD_US);
	lapic_write(LAPIC_TIMER_INIT, 0);
	delay_us(2 * PERIOD_US);
	snap = irq_count(0, VEC_TIMER);
	delay_us(3 * PERIOD_US);
	n = irq_count(0, VEC_TIMER) - snap;
	c0 = lapic_read(LAPIC_TIMER_CUR);
	report(resumed && n == 0 && c0 == 0,
	       "%s timer: unmasking resumes, initial count 0 stops it (%u after, count %u)", mode,
	       n, c0);
	timer_stop();
}

/*
 * Arm the TSC deadline, then disarm it at once: no interrupt may follow. A
 * host that kept the emulator off the CPU between the two writes for longer
 * than the deadline's distance lets it fire first, correctly: such a try does
 * not count and is made again, up to TRIES times.
 */
static void check_deadline_disarm(const char *mode)
{
	u32 late = 0, base;
	u64 t0, t1;

	do {
		base = irq_count(0, VEC_TIMER);
		t0 = rdtsc();
		wrmsr(MSR_TSC_DEADLINE, t0 + us_to_tsc(DEADLINE_US));
		wrmsr(MSR_TSC_DEADLINE, 0);
		t1 = rdtsc();
		delay_us(4 * DEADLINE_US);
	} while (t1 - t0 >= us_to_tsc(DEADLINE_US) && ++late < TRIES);
	report(t1 - t0 < us_to_tsc(DEADLINE_US) && irq_count(0, VEC_TIMER) == base,
	       "%s TSC deadline: writing 0 disarms it (%u; %u tries disarmed too late)", mode,
	       irq_count(0, VEC_TIMER) - base, late);
}

/* TSC-deadline mode (SDM Vol. 3A, 11.5.4.1). */
static void check_deadline(const char *mode)
{
	u64 deadline, at = 0, msr;
	bool fired;
	u32 cur, before;

	if (!(cpuid(1).ecx & CPUID1_ECX_TSCDEADLINE)) {
		printf("# skip %s TSC-deadline checks: CPUID.1:ECX bit 24 is clear\n", mode);
		return;
	}
	irq_reset();
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_DEADLINE | VEC_TIMER);
	/* The MMIO write of the LVT is not ordered before WRMSR without a fence. */
	asm volatile("mfence" ::: "memory");
	lapic_write(LAPIC_TIMER_INIT, 12345); /* ignored in this mode */
	deadline = rdtsc() + us_to_tsc(DEADLINE_US);
	wrmsr(MSR_TSC_DEADLINE, deadline);
	cur = lapic_read(LAPIC_TIMER_CUR);
	fired = wait_count(0, VEC_TIMER, 1, 20 * DEADLINE_US);
	if (fired)
		at = irq_last_tsc(0, VEC_TIMER);
	msr = rdmsr(MSR_TSC_DEADLINE);
	report(fired && at >= deadline && cur == 0,
	       "%s TSC deadline: interrupt %lld us after the deadline, current count %u", mode,
	       fired ? (long long)(at - deadline) / (long long)(tsc_hz / 1000000) : 0, cur);
	/* "When the timer generates an interrupt, it disarms itself and clears the MSR." */
	report(fired && msr == 0, "%s TSC deadline: the MSR reads 0 once it fired (0x%llx)", mode,
	       msr);

	check_deadline_disarm(mode);

	before = irq_count(0, VEC_TIMER);
	wrmsr(MSR_TSC_DEADLINE, 1);
	fired = wait_count(0, VEC_TIMER, before + 1, 4 * DEADLINE_US);
	report(fired, "%s TSC deadline: a deadline in the past fires at once", mode);
	wrmsr(MSR_TSC_DEADLINE, 0);
	timer_stop();
}

/* STI; HLT with a one-shot armed: the timer interrupt ends the halt. */
static void check_hlt(const char *mode)
{
	u64 t0, dt;
	u32 n;

	irq_reset();
	irq_disable();
	t0 = rdtsc();
	timer_arm(LVT_TIMER_ONESHOT, DIV16_CODE, timer_count_for_us(HLT_US, 16));
	/* STI's shadow keeps the interrupt off until HLT has started. */
	asm volatile("sti; hlt; cli" ::: "memory");
	dt = rdtsc() - t0;
	n = irq_count(0, VEC_TIMER);
	irq_enable();
	report(n == 1 && dt >= us_to_tsc(HLT_US) / 2,
	       "%s timer: HLT woken by the one-shot after %llu us (armed for %u us)", mode,
	       tsc_to_us(dt), HLT_US);
	timer_stop();
}

void timer_tests(const char *mode)
{
	check_countdown(mode);
	if (!check_oneshot(mode)) {
		printf("# skip %s timer checks that need its interrupt: none arrived\n", mode);
		return;
	}
	check_divide(mode);
	check_periodic(mode);
	check_mask(mode);
	check_deadline(mode);
	check_hlt(mode);
}
