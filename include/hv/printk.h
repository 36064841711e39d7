/* SPDX-License-Identifier: MIT */
/* Leveled logging and panic(). */
#ifndef HV_PRINTK_H
#define HV_PRINTK_H

#include <stdarg.h>
#include <hv/types.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Messages above this level are dropped; set from the config ("log = debug"). */
extern enum log_level log_threshold;

void printk(enum log_level lvl, const char *fmt, ...) __printf(2, 3);
void vprintk(enum log_level lvl, const char *fmt, va_list ap);

/* Write text to the console as it is (the broker's own output, prompts included). */
void printk_console(const char *s, size_t len);
/* The same on a line of its own: a newline first when the cursor is not at a line start. */
void printk_console_line(const char *s, size_t len);

/*
 * Log text waits in a ring until a flush once printk_set_deferred(true) (the
 * scheduler, when it starts): errors, warnings and a backlog are flushed at
 * once, the rest by idle CPUs and at scheduler ticks (core/printk.c).
 */
void printk_set_deferred(bool on);
/* Write out everything in the ring now (waits for another CPU's flush, and for the UART). */
void printk_flush(void);
/*
 * Write what the devices take without a wait, unless another CPU is flushing;
 * true while text is left (an idle CPU then polls instead of halting).
 */
bool printk_flush_nowait(void);
/* Crash or panic: the ring's text out, and from now on every write direct, without locks. */
void printk_emergency(void);

#define pr_err(...)   printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  printk(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Stop the hypervisor on this CPU after printing the reason; never returns. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond)                                                          \
	do {                                                                  \
		if (unlikely(cond))                                           \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

#endif
