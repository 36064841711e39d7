/* SPDX-License-Identifier: MIT */
/* Guest helpers for workloads: cmdline options, a wall clock, the RAM map. */
#ifndef GUEST_UTIL_H
#define GUEST_UTIL_H

#include "guest.h"
#include "sprout.h"

/* Command line "key=value" options. */
enum opt_result {
	OPT_BAD = -1,	/* present but not a valid value */
	OPT_ABSENT = 0, /* not on the command line: *val is left alone */
	OPT_SET = 1,
};

/* key=N, decimal or 0x hex. */
enum opt_result opt_u64(const char *key, u64 *val);

/* key=N with an optional k, m or g suffix (KiB, MiB, GiB): a size in bytes. */
enum opt_result opt_size(const char *key, u64 *val);

/* key=0|1|no|yes|off|on. */
enum opt_result opt_bool(const char *key, bool *val);

/* Copy the value of key into buf (NUL terminated, cut to fit): OPT_SET or OPT_ABSENT. */
enum opt_result opt_str(const char *key, char *buf, size_t size);

/* TSC ticks per second and where that figure came from (see clock_init()). */
extern u64 clock_hz;
extern const char *clock_source;

/*
 * Find the TSC rate, first source that works: CPUID 0x15 (crystal), Sprout's
 * uptime from HC_SELF_STATS, the PIT, CPUID 0x16 (base MHz), else a 2 GHz
 * guess. Spins 20-60 ms for the calibrated sources. Idempotent.
 */
void clock_init(void);

u64 clock_ms_to_cycles(u64 ms);
u64 clock_cycles_to_us(u64 cycles);
u64 clock_cycles_to_ms(u64 cycles);

/*
 * Wait until the TSC reaches deadline, giving the CPU away meanwhile: under
 * Sprout with HC_WAIT_EVENT (or HC_YIELD if that is missing), else PAUSE.
 */
void clock_idle_until(u64 deadline);
void clock_idle_ms(u64 ms);

/* Copy the RAM ranges of the memory map; call once at start, before RAM is reused. */
void ram_init(void);

/* True when [gpa, gpa + len) is non-empty, does not wrap and is all RAM. */
bool ram_contains(u64 gpa, u64 len);

/* One past the highest RAM byte below 4 GiB (what the identity map reaches). */
u64 ram_low_top(void);

/* HC_SELF_STATS into info: 0, or a negative error (-SPROUT_ENOSYS without Sprout). */
long sprout_self_stats(struct sprout_vm_info *info);

#endif
