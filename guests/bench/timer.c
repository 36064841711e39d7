/* SPDX-License-Identifier: MIT */
/* bench: what a local APIC timer interrupt costs, from its deadline to the handler and EOI. */
#include "bench.h"
#include "lapic_regs.h"
#include "guest.h"
#include "sprout.h"
#include "util.h"
#include "x86.h"

#define VEC_TIMER	       0xe0
#define VEC_SPURIOUS	       0xff

#define CPUID1_ECX_X2APIC      BIT(21)
#define CPUID1_ECX_TSCDEADLINE BIT(24)
#define MSR_APIC_BASE	       0x1b
#define APIC_BASE_EXTD	       BIT(10)
#define APIC_BASE_ENABLE       BIT(11)
#define MSR_TSC_DEADLINE       0x6e0
#define MSR_X2APIC_FIRST       0x800
#define LAPIC_BASE	       0xfee00000ull
#define PIC1_DATA	       0x21
#define PIC2_DATA	       0xa1

#define TIMER_DIV_1	       0xb

#define SAMPLES		       31      /* interrupts per median */
#define ARM_AHEAD_US	       200     /* deadline after arming: well past the exit that arms it */
#define WAIT_US		       1000000 /* an interrupt that takes longer is counted as lost */
#define CAL_US		       2000    /* timer count against the TSC */
#define PERIOD_US	       500     /* the periodic timer at 2 kHz */
#define LOOP_PERIODS	       100     /* the work loop lasts this many periods */
#define LOOP_PAIRS	       5       /* runs with and without the timer, interleaved */
#define WORK_CAL_ITER	       100000u

/* Written by irq.S at handler entry, before anything else. */
extern volatile u64 timer_irq_tsc;
volatile u64 timer_irq_tsc;

/* Entry stubs in irq.S, for the IDT only. */
void timer_irq_stub(void);
void spurious_irq_stub(void);

/* Called by irq.S. */
void timer_irq(void);

static volatile u32 irq_count;
static volatile u64 eoi_cycles; /* of the last interrupt */
static u64 halt_wakes;		/* HLTs left, the interrupt's included */
static bool x2apic;
/* Timer ticks at divide 1 per TSC tick, as a ratio. */
static u64 cal_ticks, cal_tsc;

static u32 x2apic_msr(u32 reg)
{
	return MSR_X2APIC_FIRST + (reg >> 4);
}

static u32 lapic_read(u32 reg)
{
	if (x2apic)
		return (u32)rdmsr(x2apic_msr(reg));
	return *(volatile u32 *)(uintptr_t)(LAPIC_BASE + reg);
}

static void lapic_write(u32 reg, u32 val)
{
	if (x2apic)
		wrmsr(x2apic_msr(reg), val);
	else
		*(volatile u32 *)(uintptr_t)(LAPIC_BASE + reg) = val;
}

void timer_irq(void)
{
	u64 t0 = rdtsc();

	lapic_write(LAPIC_EOI, 0);
	eoi_cycles = rdtsc() - t0;
	irq_count = irq_count + 1;
}

static void irq_enable(void)
{
	asm volatile("sti" ::: "memory");
}

static void irq_disable(void)
{
	asm volatile("cli" ::: "memory");
}

static u64 us_to_tsc(u64 us)
{
	return clock_hz / 1000000 * us;
}

/* Spin (no PAUSE: it may exit) until the handler has run since count was before. */
static bool wait_irq(u32 before)
{
	u64 end = rdtsc() + us_to_tsc(WAIT_US);

	while (irq_count == before) {
		if (rdtsc() > end)
			return false;
	}
	return true;
}

static u64 median(u64 *v, u32 n)
{
	for (u32 i = 1; i < n; i++) {
		u64 x = v[i];
		u32 j = i;

		for (; j && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return v[n / 2];
}

static void timer_stop(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0);
}

/* Timer count (divide 1) that lasts tsc TSC ticks. */
static u32 timer_count(u64 tsc)
{
	return (u32)MAX(MIN(tsc * cal_ticks / cal_tsc, 0xffffffffull), 1);
}

/* Software-enable the APIC with the timer stopped, behind a masked 8259 pair. */
static void apic_setup(void)
{
	traps_set_gate(VEC_TIMER, timer_irq_stub, 0);
	traps_set_gate(VEC_SPURIOUS, spurious_irq_stub, 0);
	outb(0xff, PIC1_DATA);
	outb(0xff, PIC2_DATA);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED | VEC_SPURIOUS);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_1);
	timer_stop();
}

/* Timer ticks per TSC tick, from a masked count-down over CAL_US. */
static bool calibrate(void)
{
	u32 c0, c1;
	u64 t0, t1;

	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONESHOT | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	c0 = lapic_read(LAPIC_TIMER_CUR);
	t0 = rdtsc();
	while (rdtsc() - t0 < us_to_tsc(CAL_US))
		;
	c1 = lapic_read(LAPIC_TIMER_CUR);
	t1 = rdtsc();
	timer_stop();
	cal_ticks = c0 > c1 ? c0 - c1 : 0;
	cal_tsc = t1 - t0;
	return cal_ticks != 0;
}

/* EOI cycles (RDTSC around the write, in the handler): median of one-shot interrupts. */
static void bench_eoi(const char *mode)
{
	u64 v[SAMPLES];
	u32 n;

	for (n = 0; n < SAMPLES; n++) {
		u32 before = irq_count;

		lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_ONESHOT | VEC_TIMER);
		lapic_write(LAPIC_TIMER_INIT, timer_count(us_to_tsc(ARM_AHEAD_US)));
		if (!wait_irq(before))
			break;
		v[n] = eoi_cycles;
	}
	timer_stop();
	if (n < SAMPLES)
		printf("bench: timer_eoi_%s_cycles=na (interrupt %u lost)\n", mode, n);
	else
		printf("bench: timer_eoi_%s_cycles=%llu\n", mode, median(v, SAMPLES));
}

/*
 * Programming the timer, the write each one-shot interrupt of an OS starts
 * with (RDTSC around it): median of SAMPLES, each a second ahead and stopped
 * at once. deadline: IA32_TSC_DEADLINE in TSC-deadline mode; else the
 * initial count in one-shot mode.
 */
static void bench_arm(const char *name, bool deadline)
{
	u64 v[SAMPLES], ahead = us_to_tsc(WAIT_US), t0;

	lapic_write(LAPIC_LVT_TIMER,
		    (deadline ? LVT_TIMER_DEADLINE : LVT_TIMER_ONESHOT) | VEC_TIMER);
	for (u32 n = 0; n < SAMPLES; n++) {
		if (deadline) {
			t0 = rdtsc();
			wrmsr(MSR_TSC_DEADLINE, t0 + ahead);
			v[n] = rdtsc() - t0;
			wrmsr(MSR_TSC_DEADLINE, 0);
		} else {
			t0 = rdtsc();
			lapic_write(LAPIC_TIMER_INIT, timer_count(ahead));
			v[n] = rdtsc() - t0;
			lapic_write(LAPIC_TIMER_INIT, 0);
		}
	}
	timer_stop();
	printf("bench: timer_arm_%s_cycles=%llu\n", name, median(v, SAMPLES));
}

/* HLT until the handler has run since count was before; false after WAIT_US without it. */
static bool halt_irq(u32 before)
{
	u64 end = rdtsc() + us_to_tsc(WAIT_US);

	/*
	 * STI's shadow keeps the interrupt off until HLT has started. The NOP
	 * gives a hypervisor that resumes the guest after HLT with the shadow
	 * still set (Sprout on SVM) an interruptible instruction boundary
	 * before CLI: an interrupt window then costs an exit instead of
	 * spinning here for ever.
	 */
	while (irq_count == before) {
		if (rdtsc() > end)
			return false;
		asm volatile("sti; hlt; nop; cli" ::: "memory");
		halt_wakes++;
	}
	return true;
}

/* One TSC-deadline interrupt: handler entry minus deadline, ~0 if it never came. */
static u64 deadline_sample(bool halt)
{
	u32 before = irq_count;
	u64 deadline;
	bool came;

	irq_disable();
	deadline = rdtsc() + us_to_tsc(ARM_AHEAD_US);
	wrmsr(MSR_TSC_DEADLINE, deadline);
	if (halt) {
		came = halt_irq(before);
		irq_enable();
	} else {
		irq_enable();
		came = wait_irq(before);
	}
	if (!came)
		return ~0ull;
	return timer_irq_tsc > deadline ? timer_irq_tsc - deadline : 0;
}

static bool bench_latency(bool halt)
{
	const char *how = halt ? "hlt" : "spin";
	u64 v[SAMPLES];

	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_DEADLINE | VEC_TIMER);
	for (u32 n = 0; n < SAMPLES; n++) {
		v[n] = deadline_sample(halt);
		if (v[n] == ~0ull) {
			wrmsr(MSR_TSC_DEADLINE, 0);
			timer_stop();
			printf("bench: timer_latency_%s_cycles=na (interrupt %u lost, %llu HLTs "
			       "left)\n",
			       how, n, halt_wakes);
			return false;
		}
	}
	timer_stop();
	printf("bench: timer_latency_%s_cycles=%llu\n", how, median(v, SAMPLES));
	return true;
}

struct loop_run {
	u64 cycles, exits;
	u32 irqs;
};

static void work(u64 iters)
{
	for (u64 i = 0; i < iters; i++)
		asm volatile("" : "+r"(i));
}

static u64 vm_exits(void)
{
	struct sprout_vm_info info;

	return sprout_self_stats(&info) >= 0 ? info.exits : 0;
}

/* The work loop with the periodic timer at count, or masked and stopped (count 0). */
static void loop_run(struct loop_run *r, u64 iters, u32 count)
{
	u32 n0 = irq_count;
	u64 e0 = vm_exits(), t0;

	lapic_write(LAPIC_LVT_TIMER, (count ? 0 : LVT_MASKED) | LVT_TIMER_PERIODIC | VEC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, count);
	t0 = rdtsc();
	work(iters);
	r->cycles = rdtsc() - t0;
	timer_stop();
	r->irqs = irq_count - n0;
	r->exits = vm_exits() - e0;
}

/*
 * A periodic timer interrupt end to end: the same work loop with a 2 kHz
 * periodic timer and without, LOOP_PAIRS times each, interleaved. The cost
 * per interrupt is (fastest run with - fastest run without) / interrupts in
 * it (host load only ever adds time). Exits per interrupt from all runs: those
 * with the timer, less the fixed exits of a run (its hypercall and register
 * writes) and less the other exits the runs without it had (the scheduler
 * tick, say) at their rate over the longer time the runs with it took.
 */
static void bench_periodic(const char *mode)
{
	u64 period = us_to_tsc(PERIOD_US), iters, on = ~0ull, off = ~0ull;
	u64 e_on = 0, e_off = 0, c_on = 0, c_off = 0, fixed;
	u32 irqs = 0, all_irqs = 0;
	struct loop_run r;
	s64 x100;

	loop_run(&r, WORK_CAL_ITER, 0); /* once to warm up (an emulator translates it) */
	loop_run(&r, WORK_CAL_ITER, 0);
	iters = period * LOOP_PERIODS * WORK_CAL_ITER / MAX(r.cycles, 1);
	for (u32 i = 0; i < LOOP_PAIRS; i++) {
		loop_run(&r, iters, 0);
		off = MIN(off, r.cycles);
		e_off += r.exits;
		c_off += r.cycles;
		loop_run(&r, iters, timer_count(period));
		if (r.cycles < on) {
			on = r.cycles;
			irqs = r.irqs;
		}
		e_on += r.exits;
		c_on += r.cycles;
		all_irqs += r.irqs;
	}
	/* The exits of a run's own hypercall and register writes: those of an empty run. */
	loop_run(&r, 0, 0);
	fixed = r.exits;
	loop_run(&r, 0, 0);
	fixed = MIN(fixed, r.exits) * LOOP_PAIRS;
	if (!irqs) {
		printf("bench: timer_irq_%s_cycles=na (no interrupt)\n", mode);
		return;
	}
	printf("bench: timer_irq_%s_cycles=%llu timer_irq_%s_count=%u loop_cycles=%llu\n", mode,
	       on > off ? (on - off) / irqs : 0, mode, irqs, off);
	if (!sprout_present())
		return;
	/* The runs with the timer last longer: take out their share of the background exits. */
	e_off = e_off > fixed ? e_off - fixed : 0;
	x100 = ((s64)e_on - (s64)fixed - (s64)(e_off * c_on / MAX(c_off, 1))) * 100 / all_irqs;
	printf("bench: timer_irq_%s_exits=%lld.%02lld\n", mode, MAX(x100, 0) / 100,
	       MAX(x100, 0) % 100);
}

/* Leave the xAPIC for x2APIC mode (SDM Vol. 3A, 11.12.5: from enabled xAPIC, set EXTD). */
static bool x2apic_enable(void)
{
	u64 base;

	if (!(cpuid(1).ecx & CPUID1_ECX_X2APIC))
		return false;
	base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE))
		return false;
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	x2apic = true;
	return true;
}

/*
 * Timer interrupts keep coming (cmdline "timer-spin"): for SPIN_MS, arm the
 * TSC deadline 1 ms ahead and spin for its interrupt, with no exit of the
 * guest's own in between. Every interrupt then depends on the host timer of
 * the CPU the vCPU runs on: one the host lost and did not get back shows as
 * an interrupt later than WAIT_US. Returns false if any was that late.
 */
#define SPIN_MS	       3000
#define SPIN_PERIOD_US 1000

bool bench_timer_spin(void)
{
	u64 end, worst = 0;
	u32 n = 0, lost = 0;

	clock_init();
	x2apic = rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD;
	apic_setup();
	if (!(cpuid(1).ecx & CPUID1_ECX_TSCDEADLINE)) {
		puts("bench: timer_spin=na (no TSC-deadline mode)");
		return false;
	}
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_DEADLINE | VEC_TIMER);
	irq_enable();
	for (end = rdtsc() + us_to_tsc(SPIN_MS * 1000ull); rdtsc() < end; n++) {
		u32 before = irq_count;
		u64 deadline = rdtsc() + us_to_tsc(SPIN_PERIOD_US);

		wrmsr(MSR_TSC_DEADLINE, deadline);
		if (!wait_irq(before)) {
			lost++;
			continue;
		}
		if (timer_irq_tsc > deadline)
			worst = MAX(worst, timer_irq_tsc - deadline);
	}
	irq_disable();
	wrmsr(MSR_TSC_DEADLINE, 0);
	timer_stop();
	printf("bench: timer_spin interrupts=%u lost=%u worst_us=%llu\n", n - lost, lost,
	       worst / us_to_tsc(1));
	return !lost;
}

void bench_timer(void)
{
	clock_init();
	x2apic = rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD;
	apic_setup();
	if (!calibrate()) {
		puts("bench: timer=na (the APIC timer does not count)");
		return;
	}
	printf("bench: timer tsc_hz=%llu apic_ticks_per_ms=%llu\n", clock_hz,
	       cal_ticks * (clock_hz / 1000) / cal_tsc);
	irq_enable();
	if (!x2apic) {
		bench_eoi("xapic");
		bench_periodic("xapic");
	}
	if (!x2apic && !x2apic_enable()) {
		puts("bench: timer_eoi_x2apic_cycles=na (no x2APIC)");
	} else {
		bench_eoi("x2apic");
		bench_periodic("x2apic");
		bench_arm("x2apic", false);
	}
	if (!(cpuid(1).ecx & CPUID1_ECX_TSCDEADLINE)) {
		puts("bench: timer_latency_spin_cycles=na (no TSC-deadline mode)");
	} else {
		bench_arm("tscdl", true);
		if (bench_latency(false))
			bench_latency(true);
	}
	irq_disable();
	timer_stop();
}
