// SPDX-License-Identifier: MIT
/* Host stand-ins for printk() and panic() shared by the libFuzzer harnesses. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <hv/printk.h>

enum log_level log_threshold = LOG_ERR;

/* Format every message so that bad format arguments still trip the sanitizers, then drop it. */
void vprintk(enum log_level lvl, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (getenv("FUZZ_VERBOSE"))
		fputs(buf, stderr);
}

void printk(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(lvl, fmt, ap);
	va_end(ap);
}

/* Module code must not panic on any input: make it a crash that libFuzzer reports. */
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("panic: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}
