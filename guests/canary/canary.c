/* SPDX-License-Identifier: MIT */
/* canary: stays alive and checks its memory and clock while something bad happens elsewhere. */
#include "util.h"
#include "x86.h"

#define EXIT_USAGE	  2
#define DEFAULT_PERIOD_MS 200
#define DEFAULT_COUNT	  20

#define UART_RBR	  0x3f8
#define UART_LSR	  0x3fd
#define UART_LSR_DR	  0x01

/* 1 MiB of pattern in CHUNKS places: .bss, just past the image, mid-RAM and the top of RAM. */
#define CHUNKS	    4
#define CHUNK_BYTES KiB(256)
#define SALT	    0x63616e6172792121ull /* "canary!!" */

struct chunk {
	const char *where;
	u64 *p;
};

static u64 bss_chunk[CHUNK_BYTES / sizeof(u64)] __aligned(PAGE_SIZE);
static struct chunk chunks[CHUNKS];

/* Never zero, and different for every word, so a misplaced page shows as well as a lost one. */
static u64 canary_word(const u64 *w)
{
	return ((u64)w * 0x9e3779b97f4a7c15ull) ^ SALT;
}

/* Place the chunks; false when RAM is too small for them not to overlap. */
static bool chunks_place(void)
{
	u64 first = ALIGN_UP((u64)__image_end, LARGE_PAGE_SIZE);
	u64 last = ALIGN_DOWN(ram_low_top(), PAGE_SIZE) - CHUNK_BYTES;
	u64 mid = ALIGN_DOWN(first + (last - first) / 2, PAGE_SIZE);

	if (ram_low_top() < first + 3 * CHUNK_BYTES) {
		printf("canary: RAM top 0x%llx is too low for 3 chunks above 0x%llx\n",
		       ram_low_top(), first);
		return false;
	}
	chunks[0] = (struct chunk){"bss", bss_chunk};
	chunks[1] = (struct chunk){"past-image", (u64 *)first};
	chunks[2] = (struct chunk){"mid-ram", (u64 *)mid};
	chunks[3] = (struct chunk){"ram-top", (u64 *)last};
	return true;
}

static void chunks_fill(void)
{
	for (unsigned int c = 0; c < CHUNKS; c++) {
		u64 *p = chunks[c].p;

		for (u64 i = 0; i < CHUNK_BYTES / sizeof(*p); i++)
			p[i] = canary_word(&p[i]);
		printf("canary: pattern %s 0x%llx-0x%llx\n", chunks[c].where, (u64)p,
		       (u64)p + CHUNK_BYTES);
	}
}

/* Bad words of all chunks; the first bad one of each chunk is printed. */
static u64 chunks_check(unsigned int period)
{
	u64 bad = 0;

	for (unsigned int c = 0; c < CHUNKS; c++) {
		const u64 *p = chunks[c].p;
		u64 n = 0, first = 0;

		for (u64 i = 0; i < CHUNK_BYTES / sizeof(*p); i++) {
			if (p[i] != canary_word(&p[i]) && !n++)
				first = i;
		}
		if (n)
			printf("canary: period %u: %llu bad words in %s, first at 0x%llx: 0x%llx\n",
			       period, n, chunks[c].where, (u64)&p[first], p[first]);
		bad += n;
	}
	return bad;
}

struct run {
	u64 period_ms, count;
	u64 done;  /* periods run: count, or fewer after a quit */
	bool quit; /* a 'q' typed on COM1 ends the run after that period's check */
	u64 bad_words;
	u64 tsc_stuck, uptime_stuck; /* periods in which that clock did not advance */
	bool have_uptime;
	u64 max_late; /* TSC cycles: worst wake-up after a period's deadline */
};

/* Sprout's uptime, or ~0 without HC_SELF_STATS. */
static u64 uptime_us(void)
{
	struct sprout_vm_info info;

	return sprout_self_stats(&info) < 0 ? ~0ull : info.uptime_us;
}

/* quit=yes: a 'q' among the bytes typed on COM1 since the last period (other bytes are dropped). */
static bool quit_typed(void)
{
	bool q = false;
	u8 lsr;

	/* All ones: no UART at that port, nothing to read. */
	while ((lsr = inb(UART_LSR)) != 0xff && (lsr & UART_LSR_DR))
		q |= inb(UART_RBR) == 'q';
	return q;
}

static void run_periods(struct run *r)
{
	u64 period = clock_ms_to_cycles(r->period_ms), t0 = rdtsc(), last_tsc = t0;
	u64 last_up = uptime_us();

	r->have_uptime = last_up != ~0ull;
	for (unsigned int n = 1; n <= r->count; n++) {
		u64 deadline = t0 + n * period, now, up;

		clock_idle_until(deadline);
		now = rdtsc();
		r->max_late = MAX(r->max_late, now - deadline);
		printf("canary: alive %u\n", n);
		r->bad_words += chunks_check(n);
		r->tsc_stuck += now <= last_tsc;
		last_tsc = now;
		r->done = n;
		if (r->have_uptime) {
			up = uptime_us();
			r->uptime_stuck += up == ~0ull || up <= last_up;
			last_up = up;
		}
		if (r->quit && quit_typed()) {
			printf("canary: quit typed on the console after %u periods\n", n);
			break;
		}
	}
}

static bool parse_options(struct run *r)
{
	enum opt_result p = opt_u64("period-ms", &r->period_ms);
	enum opt_result c = opt_u64("count", &r->count);
	enum opt_result q = opt_bool("quit", &r->quit);

	if (p == OPT_BAD || c == OPT_BAD || q == OPT_BAD || !r->period_ms) {
		puts("canary: usage: period-ms=N (N >= 1, default 200) count=N (default 20) "
		     "quit=yes|no (default no)");
		return false;
	}
	return true;
}

int main(void)
{
	struct run r = {.period_ms = DEFAULT_PERIOD_MS, .count = DEFAULT_COUNT};
	u64 t0;

	ram_init();
	if (!parse_options(&r) || !chunks_place())
		return EXIT_USAGE;
	clock_init();
	printf("canary: period_ms=%llu count=%llu tsc_hz=%llu from %s, sprout=%s\n", r.period_ms,
	       r.count, clock_hz, clock_source, sprout_present() ? "yes" : "no");
	chunks_fill();
	t0 = rdtsc();
	run_periods(&r);
	printf("canary: elapsed_ms=%llu expected_ms=%llu max_late_ms=%llu\n",
	       clock_cycles_to_ms(rdtsc() - t0), r.period_ms * r.done,
	       clock_cycles_to_ms(r.max_late));
	report(!r.bad_words, "1 MiB pattern in %u places intact at %llu checks (%llu bad words)",
	       CHUNKS, r.done, r.bad_words);
	report(!r.tsc_stuck, "TSC advanced in every period (%llu periods without)", r.tsc_stuck);
	if (r.have_uptime)
		report(!r.uptime_stuck, "Sprout uptime advanced in every period (%llu without)",
		       r.uptime_stuck);
	else
		puts("canary: no Sprout uptime (HC_SELF_STATS failed): clock check by TSC only");
	return report_summary();
}
