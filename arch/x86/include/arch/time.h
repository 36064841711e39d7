/* SPDX-License-Identifier: MIT */
/* TSC frequency, measured at boot against the PIT. */
#ifndef ARCH_TIME_H
#define ARCH_TIME_H

#include <hv/types.h>

extern u64 tsc_khz;

/* Measure the TSC against PIT channel 2; returns kHz (0 if the PIT never fired). */
u64 tsc_calibrate(void);

/* Busy-wait. */
void udelay(u64 us);

/* Microseconds since an arbitrary point, from the TSC. */
u64 time_us(void);

/* Read the host's CMOS clock (once, at boot); seconds since 1970 from it, advanced by the TSC. */
void rtc_read_host_clock(void);
u64 rtc_wall_clock(void);

#endif
