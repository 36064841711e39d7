// SPDX-License-Identifier: MIT
/* TSC calibration against the ACPI PM timer or the 8254 PIT, and TSC-based delays. */
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/printk.h>

#define PIT_HZ	 1193182ULL
#define PIT_CH2	 0x42
#define PIT_CMD	 0x43
#define PIT_GATE 0x61 /* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 output */
#define CAL_MS	 20

u64 tsc_khz;

/*
 * Program channel 2 in mode 0 (interrupt on terminal count) with the gate
 * held high, and time its 20 ms in TSC ticks, bracketed: the count starts
 * between the TSC readings around its programming (s0, s1) and ends after
 * the reading before the last poll that saw the output low (l) and before
 * the reading after the poll that saw it high (h). So the 20 ms lie in
 * [l - s1, h - s0] however late an emulator on a busy host runs this.
 * Both QEMU and Bochs emulate the PIT; Bochs in virtual time, which is what
 * its TSC counts as well. Returns false if the output never rose.
 */
static bool pit_bracket(u64 *lo, u64 *hi)
{
	u64 count = PIT_HZ * CAL_MS / 1000, s0, s1, l, h;
	u64 spins = 0;

	outb(PIT_GATE, (u8)((inb(PIT_GATE) & ~0x02) | 0x01));
	outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	s0 = rdtsc();
	outb(PIT_CH2, (u8)count);
	outb(PIT_CH2, (u8)(count >> 8));
	s1 = l = rdtsc();
	for (;;) {
		u64 t = rdtsc();

		if (inb(PIT_GATE) & 0x20)
			break;
		l = t;
		if (++spins > 100000000ULL)
			return false;
	}
	h = rdtsc();
	*lo = l > s1 ? l - s1 : 0;
	*hi = h - s0;
	return true;
}

#define PM_HZ	     3579545ULL
#define PM_CAL_TICKS (PM_HZ / 10) /* 100 ms */
#define PM_SPINS     100000000ULL

/* Read the PM timer between two TSC readings: the midpoint, and the read's width. */
static u32 pm_read(u16 port, u64 *tsc, u64 *width)
{
	u64 a = rdtsc(), b;
	u32 v = inl(port);

	b = rdtsc();
	*tsc = a + (b - a) / 2;
	*width = b - a;
	return v;
}

/*
 * Against the ACPI PM timer over 100 ms, timing only the first and the last
 * read: each is taken when a read is as quick as the quickest of a few, so a
 * host that preempts the emulator (or an I/O path that waits for a lock)
 * moves neither end by more than a quick read's width. 0 if it does not tick.
 */
static u64 pm_calibrate(u16 port, bool ext32)
{
	u32 mask = ext32 ? 0xffffffffu : 0xffffffu, v0, v, d;
	u64 fast = ~0ULL, t0, t, w, spins = 0;

	for (int i = 0; i < 16; i++) {
		pm_read(port, &t, &w);
		fast = MIN(fast, w);
	}
	do
		v0 = pm_read(port, &t0, &w);
	while (w > 2 * fast && ++spins < PM_SPINS);
	for (;;) {
		v = pm_read(port, &t, &w);
		d = (v - v0) & mask;
		if (d >= PM_CAL_TICKS && w <= 2 * fast)
			break;
		if (++spins > PM_SPINS || d > mask / 2)
			return 0;
	}
	return (t - t0) * PM_HZ / d / 1000;
}

u64 tsc_calibrate(u16 pm_port, bool pm_32)
{
	u64 best_lo = 0, best_hi = ~0ULL;

	if (pm_port) {
		tsc_khz = pm_calibrate(pm_port, pm_32);
		if (tsc_khz) {
			pr_info("tsc: %llu.%03llu MHz (against the ACPI PM timer)\n",
				tsc_khz / 1000, tsc_khz % 1000);
			return tsc_khz;
		}
		pr_warn("tsc: the ACPI PM timer at 0x%x does not tick; trying the PIT\n", pm_port);
	}
	/* Of five runs, the tightest bracket: emulator hiccups only widen one. */
	for (int i = 0; i < 5; i++) {
		u64 lo, hi;

		if (pit_bracket(&lo, &hi) && hi - lo < best_hi - best_lo)
			best_lo = lo, best_hi = hi;
	}
	if (best_hi == ~0ULL) {
		pr_warn("tsc: PIT did not count; assuming 1 GHz\n");
		tsc_khz = 1000000;
		return tsc_khz;
	}
	tsc_khz = (best_lo + (best_hi - best_lo) / 2) / CAL_MS;
	pr_info("tsc: %llu.%03llu MHz (against the PIT: 20 ms in %llu..%llu ticks)\n",
		tsc_khz / 1000, tsc_khz % 1000, best_lo, best_hi);
	return tsc_khz;
}

void udelay(u64 us)
{
	u64 end = rdtsc() + us * tsc_khz / 1000;

	while (rdtsc() < end)
		__asm__ volatile("pause");
}

u64 time_us(void)
{
	return rdtsc() * 1000 / tsc_khz;
}
