/* SPDX-License-Identifier: MIT */
/* memtouch: touches N MiB of its RAM in a chosen order and reports the cost and Sprout's figures. */
#include "memtouch.h"
#include "x86.h"

#define DEFAULT_MIB  64
#define MAX_MIB	     4096u
#define SPARSE_EVERY 16
#define PATTERN_SALT 0xa5a5a5a5a5a5a5a5ull
#define MAX_POINTS   (GiB(4) / PAGE_SIZE)

enum pattern { PATTERN_SEQ, PATTERN_RANDOM, PATTERN_SPARSE };

static const char *const pattern_names[] = {"seq", "random", "sparse"};

struct options {
	u64 mib, step, start, phases, idle_ms, hold_ms;
	enum pattern pattern;
	bool verify_zero, write, release;
	char step_name[16];
	char bench[16];
};

struct region {
	u64 start, bytes, step;
	u64 points;  /* touch points in the region: bytes / step */
	u64 touches; /* how many of them the pattern visits */
	u64 mask;    /* random: 2^k - 1, the smallest such mask covering every point */
};

struct phase_result {
	u64 touched;   /* touches made */
	u64 distinct;  /* different points among them */
	u64 bad_bytes; /* bytes that did not read as expected before the touch */
	u64 cycles;
};

/* One bit per touch point: proves every point was visited exactly once. */
static u64 seen[MAX_POINTS / 64];

static bool num_ok(enum opt_result r, const char *key)
{
	if (r == OPT_BAD)
		printf("memtouch: bad value in %s=\n", key);
	return r != OPT_BAD;
}

static bool parse_pattern(struct options *o)
{
	char name[16];

	if (opt_str("pattern", name, sizeof(name)) == OPT_ABSENT)
		return true;
	for (unsigned int i = 0; i < ARRAY_SIZE(pattern_names); i++) {
		if (!strcmp(name, pattern_names[i])) {
			o->pattern = (enum pattern)i;
			return true;
		}
	}
	printf("memtouch: pattern=%s: want seq, random or sparse\n", name);
	return false;
}

static bool parse_step(struct options *o)
{
	if (!num_ok(opt_size("step", &o->step), "step"))
		return false;
	if (o->step < PAGE_SIZE || !IS_ALIGNED(o->step, PAGE_SIZE)) {
		printf("memtouch: step=%llu: want a multiple of 4k (4k, 1m, 2m)\n", o->step);
		return false;
	}
	opt_str("step", o->step_name, sizeof(o->step_name));
	return true;
}

/* start=MIB, or INVALID_GPA for the first 2 MiB boundary above the image. */
static bool parse_start(struct options *o)
{
	u64 mib = 0;
	enum opt_result r = opt_u64("start", &mib);

	o->start = INVALID_GPA;
	if (r == OPT_SET && mib <= MAX_MIB)
		o->start = MiB(mib);
	return num_ok(r == OPT_SET && mib > MAX_MIB ? OPT_BAD : r, "start");
}

static bool parse_options(struct options *o)
{
	bool ok = true;

	*o = (struct options){.mib = DEFAULT_MIB,
			      .step = PAGE_SIZE,
			      .phases = 1,
			      .verify_zero = true,
			      .step_name = "4k"};
	ok &= num_ok(opt_u64("mib", &o->mib), "mib");
	ok &= num_ok(opt_u64("phases", &o->phases), "phases");
	ok &= num_ok(opt_u64("idle-ms", &o->idle_ms), "idle-ms");
	ok &= num_ok(opt_u64("hold-ms", &o->hold_ms), "hold-ms");
	ok &= num_ok(opt_bool("verify-zero", &o->verify_zero), "verify-zero");
	ok &= num_ok(opt_bool("write", &o->write), "write");
	ok &= num_ok(opt_bool("release", &o->release), "release");
	ok &= parse_pattern(o) && parse_step(o) && parse_start(o);
	opt_str("bench", o->bench, sizeof(o->bench));
	if (ok && (!o->mib || o->mib > MAX_MIB || !o->phases)) {
		printf("memtouch: want 1 <= mib <= %u and phases >= 1\n", MAX_MIB);
		ok = false;
	}
	return ok;
}

static bool region_init(const struct options *o, struct region *r)
{
	u64 image_end = (u64)__image_end, top = ram_low_top();

	r->start = o->start != INVALID_GPA ? o->start : ALIGN_UP(image_end, LARGE_PAGE_SIZE);
	r->bytes = MiB(o->mib);
	r->step = o->step;
	if (r->start < image_end || r->start > top || r->bytes > top - r->start) {
		printf("memtouch: region 0x%llx + %llu MiB is not in free RAM 0x%llx-0x%llx\n",
		       r->start, o->mib, image_end, top);
		return false;
	}
	r->points = r->bytes / r->step;
	if (!r->points) {
		printf("memtouch: step %s is larger than the region\n", o->step_name);
		return false;
	}
	r->touches = o->pattern == PATTERN_SPARSE ? (r->points + SPARSE_EVERY - 1) / SPARSE_EVERY
						  : r->points;
	for (r->mask = 0; r->mask < r->points - 1; r->mask = r->mask << 1 | 1)
		;
	return true;
}

/* A bijection on [0, mask]: odd multiplies, an add and xorshifts, all mod 2^k. */
static u64 perm_mix(u64 x, u64 mask)
{
	x = (x * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull) & mask;
	x ^= x >> 7;
	x = (x * 0xbf58476d1ce4e5b9ull) & mask;
	x ^= x >> 11;
	return x;
}

/* The k-th point the pattern visits. Random: cycle-walk the bijection back into [0, points). */
static u64 point_index(const struct region *r, enum pattern p, u64 k)
{
	u64 x = k;

	if (p == PATTERN_SEQ)
		return k;
	if (p == PATTERN_SPARSE)
		return k * SPARSE_EVERY;
	do
		x = perm_mix(x, r->mask);
	while (x >= r->points);
	return x;
}

static u64 pattern_word(const u64 *w)
{
	return (u64)w ^ PATTERN_SALT;
}

static unsigned int nonzero_bytes(u64 x)
{
	unsigned int n = 0;

	for (; x; x >>= 8)
		n += (x & 0xff) != 0;
	return n;
}

/* Bytes of the page at p that differ from what it should hold: zero, or the pattern. */
static u64 page_bad_bytes(const u64 *p, bool pattern)
{
	u64 bad = 0;

	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*p); i++) {
		u64 diff = p[i] ^ (pattern ? pattern_word(&p[i]) : 0);

		if (diff)
			bad += nonzero_bytes(diff);
	}
	return bad;
}

/*
 * Check the page (whole) if asked, then write to it: the pattern over the
 * whole page with write=1, else one 8-byte store of zero, which backs the page
 * and leaves it all-zero (reclaimable).
 */
static u64 touch_page(const struct options *o, u64 addr, bool expect_pattern)
{
	u64 *p = (u64 *)addr, bad = 0;

	if (o->verify_zero)
		bad = page_bad_bytes(p, expect_pattern);
	if (o->write) {
		for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*p); i++)
			p[i] = pattern_word(&p[i]);
	} else {
		*(volatile u64 *)p = 0;
	}
	return bad;
}

static bool mark_seen(u64 i)
{
	bool fresh = !(seen[i / 64] & BIT(i % 64));

	seen[i / 64] |= BIT(i % 64);
	return fresh;
}

static void touch_phase(const struct options *o, const struct region *r, bool expect_pattern,
			struct phase_result *res)
{
	u64 t0;

	memset(seen, 0, ALIGN_UP(r->points, 64) / 8);
	*res = (struct phase_result){0};
	t0 = rdtsc();
	for (u64 k = 0; k < r->touches; k++) {
		u64 i = point_index(r, o->pattern, k);

		if (i >= r->points)
			continue;
		res->touched++;
		res->distinct += mark_seen(i);
		res->bad_bytes += touch_page(o, r->start + i * r->step, expect_pattern);
	}
	res->cycles = rdtsc() - t0;
}

void memtouch_print_stats(void)
{
	struct sprout_vm_info info;
	long ret = sprout_self_stats(&info);

	if (ret < 0) {
		printf("memtouch: stats unavailable (%ld)\n", ret);
		return;
	}
	printf("memtouch: committed=%llu faults_4k=%llu faults_2m=%llu\n", (u64)info.committed,
	       (u64)info.faults_4k, (u64)info.faults_2m);
}

/* Phase 1 and every phase without write=1 expect zero; later ones what phase 1 wrote. */
static void report_phase(const struct options *o, const struct region *r, u64 phase,
			 const struct phase_result *res)
{
	bool expect_zero = phase == 1 || !o->write;

	if (o->phases > 1)
		printf("memtouch: phase %llu/%llu\n", phase, o->phases);
	printf("memtouch: touched %llu MiB in %llu pages, pattern %s, step %s\n", o->mib,
	       res->touched, pattern_names[o->pattern], o->step_name);
	if (!o->verify_zero)
		puts("memtouch: nonzero_bytes=na");
	else
		printf("memtouch: %s=%llu\n", expect_zero ? "nonzero_bytes" : "mismatched_bytes",
		       res->bad_bytes);
	printf("memtouch: cycles=%llu cycles_per_page=%llu\n", res->cycles,
	       res->cycles / MAX(res->touched, 1ull));
	memtouch_print_stats();
	report(res->touched == r->touches && res->distinct == r->touches,
	       "phase %llu: %llu touches of %llu distinct pages (want %llu)", phase, res->touched,
	       res->distinct, r->touches);
	if (o->verify_zero)
		report(!res->bad_bytes,
		       "phase %llu: pages read %s before the touch (%llu bytes off)", phase,
		       expect_zero ? "zero" : "back what phase 1 wrote", res->bad_bytes);
}

static void run_phases(const struct options *o, const struct region *r)
{
	struct phase_result res;

	for (u64 phase = 1; phase <= o->phases; phase++) {
		touch_phase(o, r, phase > 1 && o->write, &res);
		report_phase(o, r, phase, &res);
		if (o->idle_ms) {
			printf("memtouch: idle %llu ms\n", o->idle_ms);
			clock_idle_ms(o->idle_ms);
		}
	}
}

static void zero_page(u64 addr)
{
	u64 *p = (u64 *)addr;

	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*p); i++)
		p[i] = 0;
}

/* Give the region back as a guest that frees memory would: zero what it wrote, then release. */
static void release_region(const struct options *o, const struct region *r)
{
	long ret;

	for (u64 k = 0; o->write && k < r->touches; k++)
		zero_page(r->start + point_index(r, o->pattern, k) * r->step);
	ret = hypercall(HC_MEM_RELEASE, r->start, r->bytes, 0, 0);
	if (ret < 0 && !sprout_present()) {
		printf("memtouch: release unavailable (%ld)\n", ret);
		return;
	}
	printf("memtouch: released=%ld\n", ret);
	report(ret >= 0 && (u64)ret <= r->bytes,
	       "HC_MEM_RELEASE of 0x%llx + 0x%llx returns %ld (want 0..0x%llx)", r->start, r->bytes,
	       ret, r->bytes);
	memtouch_print_stats();
}

static void clock_banner(void)
{
	clock_init();
	printf("memtouch: tsc_hz=%llu from %s\n", clock_hz, clock_source);
}

int main(void)
{
	struct options o;
	struct region r;

	ram_init();
	printf("memtouch: cmdline \"%s\", RAM %llu MiB, sprout=%s\n", guest_cmdline,
	       guest_ram_size >> 20, sprout_present() ? "yes" : "no");
	if (!parse_options(&o))
		return MEMTOUCH_EXIT_USAGE;
	if (!strcmp(o.bench, "fault"))
		return memtouch_bench_fault(o.start != INVALID_GPA
						    ? o.start
						    : ALIGN_UP((u64)__image_end, LARGE_PAGE_SIZE),
					    ram_low_top());
	if (o.bench[0]) {
		printf("memtouch: bench=%s: only bench=fault exists\n", o.bench);
		return MEMTOUCH_EXIT_USAGE;
	}
	if (!region_init(&o, &r))
		return MEMTOUCH_EXIT_USAGE;
	printf("memtouch: region 0x%llx-0x%llx, %llu touch points, %llu to touch\n", r.start,
	       r.start + r.bytes, r.points, r.touches);
	if (o.idle_ms || o.hold_ms)
		clock_banner();
	run_phases(&o, &r);
	if (o.release)
		release_region(&o, &r);
	if (o.hold_ms) {
		printf("memtouch: holding %llu ms\n", o.hold_ms);
		clock_idle_ms(o.hold_ms);
	}
	return report_summary();
}
