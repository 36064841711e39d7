// SPDX-License-Identifier: MIT
/* Leveled logging to the console and panic(). */
#include <arch/console.h>
#include <arch/x86.h>
#include <hv/printk.h>
#include <hv/spinlock.h>
#include <hv/string.h>

enum log_level log_threshold = LOG_INFO;

static spinlock_t printk_lock = SPINLOCK_INIT;
static const char *const level_prefix[] = {
	[LOG_ERR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

void vprintk(enum log_level lvl, const char *fmt, va_list ap)
{
	char buf[512];
	size_t plen, len;
	int n;

	if (lvl > log_threshold)
		return;
	plen = strlcpy(buf, level_prefix[lvl], sizeof(buf));
	n = vsnprintf(buf + plen, sizeof(buf) - plen, fmt, ap);
	len = MIN(plen + (size_t)(n < 0 ? 0 : n), sizeof(buf) - 1);
	spin_lock(&printk_lock);
	/* A log line never continues the broker's prompt. */
	if (!console_at_line_start())
		console_write("\n", 1);
	console_write(buf, len);
	spin_unlock(&printk_lock);
}

void printk_console(const char *s, size_t len)
{
	spin_lock(&printk_lock);
	console_write(s, len);
	spin_unlock(&printk_lock);
}

void printk_console_line(const char *s, size_t len)
{
	spin_lock(&printk_lock);
	if (!console_at_line_start())
		console_write("\n", 1);
	console_write(s, len);
	spin_unlock(&printk_lock);
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
	char buf[256];
	va_list ap;
	int n;

	cli();
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Bypass the lock: the CPU that holds it may be the one panicking. */
	console_write("\n*** SPROUT PANIC ***\n", 22);
	console_write(buf, MIN((size_t)(n < 0 ? 0 : n), sizeof(buf) - 1));
	console_write("\n*** CPU halted ***\n", 20);
	cpu_halt_forever();
}
