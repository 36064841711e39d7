/* SPDX-License-Identifier: MIT */
/* TSC frequency, measured at boot against the ACPI PM timer or the PIT. */
#ifndef ARCH_TIME_H
#define ARCH_TIME_H

#include <hv/types.h>

extern u64 tsc_khz;

/*
 * Measure the TSC against the ACPI PM timer at pm_port (0: none; pm_32: 32
 * bits, else 24) or else PIT channel 2, and log it; returns kHz.
 */
u64 tsc_calibrate(u16 pm_port, bool pm_32);

/* Busy-wait. */
void udelay(u64 us);

/* Microseconds since an arbitrary point, from the TSC. */
u64 time_us(void);

/* Read the host's CMOS clock (once, at boot); seconds since 1970 from it, advanced by the TSC. */
void rtc_read_host_clock(void);
u64 rtc_wall_clock(void);

#endif
