/* SPDX-License-Identifier: MIT */
/* The bench guest's parts: each prints its own "bench: key=value" lines. */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdbool.h>

/*
 * The local APIC timer interrupt (timer.c): EOI cost in xAPIC and x2APIC
 * mode, TSC-deadline expiry to handler (spinning and halted), and the cost of
 * a periodic timer interrupt end to end, with exits per interrupt under Sprout.
 * Leaves interrupts disabled and the timer stopped.
 */
void bench_timer(void);
/*
 * Timer interrupts 1 ms apart for 3 s, each spun for (cmdline "timer-spin"):
 * false if one came more than a second late.
 */
bool bench_timer_spin(void);

#endif
