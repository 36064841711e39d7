/* SPDX-License-Identifier: MIT */
/* TSC-based time for the workload guests: find the TSC rate, convert, and idle politely. */
#include "util.h"
#include "x86.h"

#define PIT_HZ		  1193182ull
#define PIT_CH2		  0x42
#define PIT_CMD		  0x43
#define PIT_GATE	  0x61 /* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 output */

#define CAL_MS		  20
#define CAL_MIN_HZ	  10000000ull	/* below 10 MHz a measurement is taken as broken */
#define CAL_SPIN_MAX	  4000000000ull /* TSC cycles before a calibration gives up */
#define CAL_START_SAMPLES 5
#define GUESS_HZ	  2000000000ull
#define WAIT_EVENT_US	  10000 /* longest single HC_WAIT_EVENT while idling */

u64 clock_hz;
const char *clock_source = "none";

/* CPUID 0x15: TSC = crystal * EBX / EAX; only exact when ECX gives the crystal. */
static u64 hz_from_cpuid15(void)
{
	struct cpuid_regs r;

	if (cpuid(0).eax < 0x15)
		return 0;
	r = cpuid(0x15);
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	return (u64)r.ecx * r.ebx / r.eax;
}

/*
 * The rate the hypervisor states in leaf 0x40000010 (EAX: TSC kHz), when
 * CPUID.1:ECX[31] says there is one and its leaves reach that far. Exact,
 * and unlike a measurement it does not depend on how often this vCPU runs.
 */
static u64 hz_from_hv_leaf(void)
{
	if (!(cpuid(1).ecx & BIT(31)) || cpuid(SPROUT_CPUID_BASE).eax < SPROUT_CPUID_TIMING)
		return 0;
	return (u64)cpuid(SPROUT_CPUID_TIMING).eax * 1000;
}

static u64 hz_from_cpuid16(void)
{
	if (cpuid(0).eax < 0x16)
		return 0;
	return (u64)(cpuid(0x16).eax & 0xffff) * 1000000;
}

/*
 * One reading of Sprout's uptime_us, taken between two TSC readings: a
 * reading during which the vCPU was descheduled has a wide bracket.
 */
struct uptime_sample {
	u64 before, after, us;
};

static bool sample_uptime(struct uptime_sample *s)
{
	struct sprout_vm_info info;
	long ret;

	s->before = rdtsc();
	ret = sprout_self_stats(&info);
	s->after = rdtsc();
	s->us = ret >= 0 ? info.uptime_us : 0;
	return ret >= 0;
}

/* The tightest of a few readings, to start from. */
static bool first_sample(struct uptime_sample *best)
{
	struct uptime_sample s;

	for (int i = 0; i < CAL_START_SAMPLES; i++) {
		if (!sample_uptime(&s))
			return false;
		if (!i || s.after - s.before < best->after - best->before)
			*best = s;
	}
	return true;
}

/*
 * TSC cycles per second against Sprout's uptime: sample until at least CAL_MS
 * have passed and the two brackets together are under 1/256 of the interval,
 * so a deschedule in the middle of a reading cannot skew the rate.
 */
static u64 hz_from_sprout(void)
{
	struct uptime_sample a, b;
	u64 limit = rdtsc() + CAL_SPIN_MAX, lo, hi;

	if (!first_sample(&a))
		return 0;
	do {
		if (!sample_uptime(&b) || b.after > limit)
			return 0;
		lo = b.before - a.after;
		hi = b.after - a.before;
	} while (b.us < a.us + CAL_MS * 1000 || hi - lo > lo / 256);
	return (lo + hi) / 2 * 1000000 / (b.us - a.us);
}

/* PIT channel 2 in mode 0, gate high: its output rises after CAL_MS. */
static u64 pit_measure(void)
{
	u64 count = PIT_HZ * CAL_MS / 1000, t0, t;
	u8 gate = inb(PIT_GATE);

	if (gate == 0xff)
		return 0; /* nothing decodes port 0x61 */
	outb((u8)((gate & ~0x02) | 0x01), PIT_GATE);
	outb(0xb0, PIT_CMD); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb((u8)count, PIT_CH2);
	outb((u8)(count >> 8), PIT_CH2);
	t0 = rdtsc();
	if (inb(PIT_GATE) & 0x20)
		return 0; /* the output should be low right after programming */
	do {
		t = rdtsc();
		if (t - t0 > CAL_SPIN_MAX)
			return 0;
	} while (!(inb(PIT_GATE) & 0x20));
	return (t - t0) * 1000 / CAL_MS;
}

/* The median of three, since an emulated PIT is read late now and then. */
static u64 hz_from_pit(void)
{
	u64 a = pit_measure(), b = a ? pit_measure() : 0, c = b ? pit_measure() : 0;

	if (!c)
		return 0;
	return MAX(MIN(a, b), MIN(MAX(a, b), c));
}

static bool try_source(u64 (*measure)(void), const char *name)
{
	u64 hz = measure();

	if (hz < CAL_MIN_HZ)
		return false;
	clock_hz = hz;
	clock_source = name;
	return true;
}

void clock_init(void)
{
	if (clock_hz)
		return;
	if (try_source(hz_from_cpuid15, "cpuid15") || try_source(hz_from_hv_leaf, "hv-leaf") ||
	    try_source(hz_from_sprout, "sprout") || try_source(hz_from_pit, "pit") ||
	    try_source(hz_from_cpuid16, "cpuid16"))
		return;
	clock_hz = GUESS_HZ;
	clock_source = "guess";
}

u64 clock_ms_to_cycles(u64 ms)
{
	clock_init();
	return ms * (clock_hz / 1000);
}

u64 clock_cycles_to_us(u64 cycles)
{
	clock_init();
	return cycles / (clock_hz / 1000000);
}

u64 clock_cycles_to_ms(u64 cycles)
{
	clock_init();
	return cycles / (clock_hz / 1000);
}

/* Decided on first use; a call that fails once is not tried again. */
static bool idle_ready, wait_works, yield_works;

static void idle_once(u64 left)
{
	u64 us = MIN(clock_cycles_to_us(left), WAIT_EVENT_US);

	if (!idle_ready) {
		wait_works = yield_works = sprout_present();
		idle_ready = true;
	}
	if (wait_works) {
		if (hypercall(HC_WAIT_EVENT, us ? us : 1, 0, 0, 0) >= 0)
			return;
		wait_works = false;
	}
	if (yield_works) {
		if (sprout_yield() >= 0)
			return;
		yield_works = false;
	}
	cpu_relax();
}

void clock_idle_until(u64 deadline)
{
	for (u64 now = rdtsc(); now < deadline; now = rdtsc())
		idle_once(deadline - now);
}

void clock_idle_ms(u64 ms)
{
	clock_idle_until(rdtsc() + clock_ms_to_cycles(ms));
}
