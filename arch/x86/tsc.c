// SPDX-License-Identifier: MIT
/* TSC calibration against the 8254 PIT, and TSC-based delays. */
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
 * held high, and count TSC ticks until its output rises. Both QEMU and Bochs
 * emulate this; Bochs in virtual time, which is what its TSC counts as well.
 */
static u64 pit_measure(void)
{
	u64 count = PIT_HZ * CAL_MS / 1000, t0, t1;
	u64 spins = 0;

	outb(PIT_GATE, (u8)((inb(PIT_GATE) & ~0x02) | 0x01));
	outb(PIT_CMD, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2, (u8)count);
	outb(PIT_CH2, (u8)(count >> 8));
	t0 = rdtsc();
	while (!(inb(PIT_GATE) & 0x20))
		if (++spins > 100000000ULL)
			return 0;
	t1 = rdtsc();
	return (t1 - t0) / CAL_MS;
}

u64 tsc_calibrate(void)
{
	u64 best = 0;

	/* Take the smallest of three runs: emulator hiccups only make a run longer. */
	for (int i = 0; i < 3; i++) {
		u64 khz = pit_measure();

		if (khz && (!best || khz < best))
			best = khz;
	}
	tsc_khz = best;
	if (!best) {
		pr_warn("tsc: PIT did not count; assuming 1 GHz\n");
		tsc_khz = 1000000;
	}
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
