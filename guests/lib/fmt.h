/* SPDX-License-Identifier: MIT */
/* vsnprintf for guests, pure C (host-tested); printf formats through it. */
#ifndef GUEST_FMT_H
#define GUEST_FMT_H

#include <stdarg.h>
#include <hv/types.h>

/*
 * Format like C's vsnprintf into buf (size bytes, NUL-terminated when size
 * > 0) and return the length the whole output would have. Supports %d %i %u
 * %x %X %p %s %c %%, the sizes l, ll and z, a width, and the 0 and - flags:
 * the subset guests' printf offers.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
