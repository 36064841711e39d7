/* SPDX-License-Identifier: MIT */
/* Broker console output: whole lines through HC_CONSOLE_WRITE, one exit per line. */
#include "guest.h"
#include "sprout.h"
#include "broker.h"
#include "fmt.h"

/* Longest line formatted at once; HC_CONSOLE_WRITE itself takes up to 4096 bytes. */
#define OUT_MAX 1024

/*
 * Byte by byte through the UART costs two exits per character (status poll
 * and write), and other VMs' lines printed meanwhile land in the middle of
 * ours. A line buffer sent with one HC_CONSOLE_WRITE costs one exit.
 */
static char out_buf[OUT_MAX];
static size_t out_len;
/* HC_CONSOLE_WRITE failed once: write through the UART from then on. */
static bool out_uart;

void out_flush(void)
{
	long ret;

	if (!out_len)
		return;
	if (!out_uart) {
		ret = sprout_console_write(out_buf, out_len);
		if (ret == (long)out_len) {
			out_len = 0;
			return;
		}
		out_uart = true;
	}
	console_write(out_buf, out_len);
	out_len = 0;
}

void out_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out_buf[out_len++] = s[i];
		if (s[i] == '\n' || out_len == sizeof(out_buf))
			out_flush();
	}
}

void out_putc(char c)
{
	out_write(&c, 1);
}

int out_vprintf(const char *fmt, va_list ap)
{
	static char line[OUT_MAX];
	int n = fmt_vsnprintf(line, sizeof(line), fmt, ap);

	out_write(line, MIN((size_t)n, sizeof(line) - 1));
	return n;
}

int out_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = out_vprintf(fmt, ap);
	va_end(ap);
	return n;
}
