// SPDX-License-Identifier: MIT
/* Leveled logging to the console and panic(). */
#include <arch/console.h>
#include <arch/x86.h>
#include <hv/logring.h>
#include <hv/printk.h>
#include <hv/spinlock.h>
#include <hv/string.h>

enum log_level log_threshold = LOG_INFO;

/*
 * Text goes through a ring: a writer puts its bytes in under printk_lock,
 * and a flusher (one at a time, under flush_lock) takes them out to the
 * devices in the same order. Once the scheduler runs (printk_set_deferred()),
 * info and debug lines wait there: idle CPUs poll the UART and give it what
 * it takes without a wait, and so does every CPU at its scheduler tick. A
 * UART at 115200 baud takes 87 us a byte, and a hypervisor must not stall a
 * vCPU's exit, the launch of a new vCPU or the wake-up of a halted one for a
 * log line. Errors and warnings are flushed by their writer, and so is a
 * backlog of LOG_RING_BACKLOG.
 */
#define LOG_RING_SIZE (64 * 1024)
/*
 * Text the devices may lag behind before a writer flushes itself: 4 KiB is
 * 0.35 s of a 115200-baud UART. Output faster than the UART stalls writers,
 * as it must; this bounds how far the log trails what happened.
 */
#define LOG_RING_BACKLOG (4 * 1024)

static char ring_buf[LOG_RING_SIZE];
static struct logring ring = {.buf = ring_buf, .size = LOG_RING_SIZE, .last = '\n'};
static spinlock_t printk_lock = SPINLOCK_INIT; /* the ring */
static spinlock_t flush_lock = SPINLOCK_INIT;  /* the devices */
static bool deferred;
static volatile bool emergency;
static const char *const level_prefix[] = {
	[LOG_ERR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

/* Move the ring's text to the devices; the caller holds flush_lock. */
static void flush_locked(void)
{
	char chunk[256];

	for (;;) {
		size_t n;

		spin_lock(&printk_lock);
		n = logring_take(&ring, chunk, sizeof(chunk));
		spin_unlock(&printk_lock);
		if (!n)
			return;
		console_write(chunk, n);
	}
}

void printk_flush(void)
{
	if (emergency)
		return;
	spin_lock(&flush_lock);
	flush_locked();
	spin_unlock(&flush_lock);
}

bool printk_flush_nowait(void)
{
	char chunk[64];
	u32 budget = 4; /* chunks: a bound on the time with interrupts off */
	bool left;

	/* A racy look first: most calls have nothing to write. */
	if (emergency || __atomic_load_n(&ring.head, __ATOMIC_RELAXED) ==
				 __atomic_load_n(&ring.tail, __ATOMIC_RELAXED))
		return false;
	if (!spin_trylock(&flush_lock))
		return false; /* another CPU is at it, and takes this text too */
	while (budget--) {
		size_t n, done;

		spin_lock(&printk_lock);
		n = logring_peek(&ring, chunk, sizeof(chunk));
		spin_unlock(&printk_lock);
		if (!n)
			break;
		done = console_write_nowait(chunk, n);
		spin_lock(&printk_lock);
		logring_drop(&ring, done);
		spin_unlock(&printk_lock);
		if (done < n)
			break; /* the UART is busy: come back later */
	}
	spin_lock(&printk_lock);
	left = logring_used(&ring) != 0;
	spin_unlock(&printk_lock);
	spin_unlock(&flush_lock);
	return left;
}

void printk_set_deferred(bool on)
{
	deferred = on;
	if (!on)
		printk_flush();
}

void printk_emergency(void)
{
	char chunk[256];
	size_t n;

	/* No locks from here: the CPU that holds one may be the one that stopped. */
	emergency = true;
	while ((n = logring_take(&ring, chunk, sizeof(chunk))))
		console_write(chunk, n);
}

/*
 * Put s in the ring, on a line of its own when line is set (a log line never
 * continues the broker's prompt), then flush unless the text may wait.
 */
static void log_put(const char *s, size_t len, bool line, bool now)
{
	if (emergency) {
		if (line && !logring_at_line_start(&ring))
			console_write("\n", 1);
		console_write(s, len);
		if (len)
			ring.last = s[len - 1];
		return;
	}
	spin_lock(&printk_lock);
	if (line && !logring_at_line_start(&ring)) {
		while (!logring_put(&ring, "\n", 1)) {
			spin_unlock(&printk_lock);
			printk_flush();
			spin_lock(&printk_lock);
		}
	}
	while (len) {
		size_t n = logring_put(&ring, s, len);

		s += n;
		len -= n;
		if (len) {
			/* Full: this writer empties it, then goes on. */
			spin_unlock(&printk_lock);
			printk_flush();
			spin_lock(&printk_lock);
		}
	}
	now |= logring_used(&ring) >= LOG_RING_BACKLOG;
	spin_unlock(&printk_lock);
	if (now || !deferred)
		printk_flush();
}

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
	log_put(buf, len, true, lvl <= LOG_WARN);
}

void printk_console(const char *s, size_t len)
{
	log_put(s, len, false, false);
}

void printk_console_line(const char *s, size_t len)
{
	log_put(s, len, true, false);
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
	/* What the ring held first, then the reason, bypassing the locks. */
	printk_emergency();
	console_write("\n*** SPROUT PANIC ***\n", 22);
	console_write(buf, MIN((size_t)(n < 0 ? 0 : n), sizeof(buf) - 1));
	console_write("\n*** CPU halted ***\n", 20);
	cpu_halt_forever();
}
