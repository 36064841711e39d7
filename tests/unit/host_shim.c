// SPDX-License-Identifier: MIT
/* Host stand-ins for the hypervisor's printk() and panic(), used by unit tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <hv/printk.h>

#include "utest.h"

enum log_level log_threshold = LOG_WARN;
jmp_buf *utest_panic_jmp;
char utest_panic_msg[256];

/* Captured log output, so tests can check what was printed. */
char utest_log[16384];
size_t utest_log_len;

void vprintk(enum log_level lvl, const char *fmt, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	if (utest_log_len < sizeof(utest_log) - 1) {
		int n = vsnprintf(utest_log + utest_log_len, sizeof(utest_log) - utest_log_len, fmt,
				  ap2);
		if (n > 0)
			utest_log_len += (size_t)n;
		if (utest_log_len >= sizeof(utest_log))
			utest_log_len = sizeof(utest_log) - 1;
	}
	va_end(ap2);
	if (lvl <= log_threshold)
		vprintf(fmt, ap);
}

void printk(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(lvl, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(utest_panic_msg, sizeof(utest_panic_msg), fmt, ap);
	va_end(ap);
	if (utest_panic_jmp)
		longjmp(*utest_panic_jmp, 1);
	fprintf(stderr, "panic: %s\n", utest_panic_msg);
	abort();
}
