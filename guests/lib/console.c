/* SPDX-License-Identifier: MIT */
/* Guest console: UART 0x3f8 and port 0xe9, and a small printf. */
#include "fmt.h"
#include "guest.h"
#include "sprout.h"
#include "x86.h"

#define UART_BASE     0x3f8
#define UART_LSR      (UART_BASE + 5)
#define UART_LSR_THRE 0x20
#define DEBUGCON_PORT 0xe9

/* Bound the wait so a missing or stuck UART slows output instead of hanging the guest. */
#define UART_SPIN_MAX 100000

/*
 * Under Sprout the UART is the console (the hypervisor prefixes each line with
 * the VM name); port 0xe9 is only used when running on a bare emulator, where
 * it is the clean channel the test harness reads.
 */
static int debugcon_wanted = -1;

void console_putc(char c)
{
	if (debugcon_wanted < 0)
		debugcon_wanted = !sprout_present();
	for (unsigned int i = 0; i < UART_SPIN_MAX; i++) {
		if (inb(UART_LSR) & UART_LSR_THRE)
			break;
		cpu_relax();
	}
	outb((u8)c, UART_BASE);
	if (debugcon_wanted)
		outb((u8)c, DEBUGCON_PORT);
}

void console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		console_putc(s[i]);
}

int puts(const char *s)
{
	size_t len = strlen(s);

	console_write(s, len);
	console_putc('\n');
	return (int)len + 1;
}

/* Formatted through fmt_vsnprintf(); longer output than the buffer is cut. */
int vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
