/* SPDX-License-Identifier: MIT */
/* hcfuzz: random hypercalls with hostile arguments; the VM and its memory must come out intact. */
#include "util.h"
#include "x86.h"

#define EXIT_USAGE     2
#define DEFAULT_CALLS  100000
#define DEFAULT_SEED   1
#define NR_SLOTS       (HC_BROKER_LAST + 9) /* call numbers drawn uniformly: 0..LAST+8 */
#define SLOT_HUGE      NR_SLOTS		    /* every larger number is counted here */
#define HUGE_EVERY     16		    /* one call in 16 has a huge number */
#define WAIT_MAX_US    1000
#define SCRATCH_PAGES  16
#define CONSOLE_CAP    4 /* bytes printed by a console write that would succeed */
#define PROGRESS_EVERY 10000
#define MAX_PRINTED    10
#define CANARY_BYTE    0xc3
#define FILL_BYTE      0xa5
#define HOLE_BASE      0xc0000000ull
#define LAPIC_GPA      0xfee00000ull
#define LOW_HOLE       0xa0000ull

/* The only RAM of the image a call may write or release: buf, between two canary pages. */
static struct {
	u8 lo[PAGE_SIZE];
	u8 buf[SCRATCH_PAGES * PAGE_SIZE];
	u8 hi[PAGE_SIZE];
} scratch __aligned(PAGE_SIZE);

#define SCRATCH_START ((u64)scratch.buf)
#define SCRATCH_END   (SCRATCH_START + sizeof(scratch.buf))

/* End of code and read-only data (guest.ld): what the code checksum covers. */
extern char __extable_end[];

static const char dots[] = "....";

/*
 * The entry a registered vCPU would start at, should the broker add one: it
 * runs in 32-bit mode, where these bytes (fa f4 eb fd) still mean cli, hlt,
 * jmp back to the hlt.
 */
asm(".pushsection .text\n\t"
    ".globl hcfuzz_vcpu_halt\n"
    "hcfuzz_vcpu_halt:\n\t"
    "cli\n"
    "1:\thlt\n\t"
    "jmp 1b\n\t"
    ".popsection");
extern char hcfuzz_vcpu_halt[];

struct call {
	u64 nr;
	u64 a[4];
};

static const int err_codes[] = {SPROUT_EPERM,  SPROUT_ENOENT, SPROUT_E2BIG, SPROUT_EAGAIN,
				SPROUT_ENOMEM, SPROUT_EFAULT, SPROUT_EBUSY, SPROUT_EEXIST,
				SPROUT_EINVAL, SPROUT_ENOSPC, SPROUT_ENOSYS};
static const char *const err_names[] = {"EPERM", "ENOENT", "E2BIG",  "EAGAIN", "ENOMEM", "EFAULT",
					"EBUSY", "EEXIST", "EINVAL", "ENOSPC", "ENOSYS"};
#define ERR_KINDS ARRAY_SIZE(err_codes)

/* Results per call number. */
struct tally {
	u32 calls, ok, err[ERR_KINDS], other;
	u64 cycles; /* TSC cycles spent in the calls */
};

static struct tally tally[NR_SLOTS + 1];

/* What the final report() lines count. */
struct checks {
	u64 broker, broker_bad;	  /* broker-only calls; not -SPROUT_EPERM */
	u64 unknown, unknown_bad; /* unknown numbers; not -SPROUT_ENOSYS */
	u64 oob, oob_bad;	  /* calls with a buffer not all RAM; succeeded */
	u64 odd;		  /* results neither >= 0 nor a SPROUT_E* code */
	u64 releases, release_bad, release_unaligned;
	unsigned int printed;
};

static struct checks chk;
static u64 rng_state;

/* xorshift64* */
static u64 rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static u64 rng_below(u64 n)
{
	return rng() % n;
}

enum arg_kind {
	ARG_ZERO,
	ARG_SMALL,
	ARG_ONES,
	ARG_SCRATCH,	 /* page-aligned, in the scratch buffer */
	ARG_SCRATCH_ODD, /* anywhere in the scratch buffer */
	ARG_PAST_END,	 /* the first pages past the end of RAM */
	ARG_STRADDLE,	 /* the last bytes of RAM: a buffer from there crosses its end */
	ARG_HOLE,	 /* the 3-4 GiB device hole, LAPIC page included */
	ARG_LOW_HOLE,	 /* 0xa0000-0xfffff, not RAM */
	ARG_HIGH,	 /* above 4 GiB */
	ARG_NONCANON,
	ARG_HUGE,
	ARG_SIZE, /* a plausible length */
	ARG_RANDOM,
	ARG_KINDS
};

static u64 gen_arg(void)
{
	static const u64 sizes[] = {1, 8, 255, 256, 4096, 4097, 8192, 65536};
	u64 r = rng();

	switch (rng_below(ARG_KINDS)) {
	case ARG_ZERO: return 0;
	case ARG_SMALL: return r % 16;
	case ARG_ONES: return ~0ull;
	case ARG_SCRATCH: return SCRATCH_START + r % SCRATCH_PAGES * PAGE_SIZE;
	case ARG_SCRATCH_ODD: return SCRATCH_START + r % sizeof(scratch.buf);
	case ARG_PAST_END: return guest_ram_top + r % (4 * PAGE_SIZE);
	case ARG_STRADDLE: return guest_ram_top - 1 - r % 256;
	case ARG_HOLE: return r & 1 ? LAPIC_GPA + (r >> 1) % PAGE_SIZE : HOLE_BASE + r % GiB(1);
	case ARG_LOW_HOLE: return LOW_HOLE + r % (MiB(1) - LOW_HOLE);
	case ARG_HIGH: return GiB(4) + r % GiB(64);
	case ARG_NONCANON: return BIT(47) + r % (~0ull - BIT(48) + 1);
	case ARG_HUGE: return r & 1 ? BIT(32 + (r >> 1) % 32) : ~0ull - (r >> 1) % PAGE_SIZE;
	case ARG_SIZE: return sizes[r % ARRAY_SIZE(sizes)];
	default: return r;
	}
}

/* Mostly 0..NR_SLOTS-1; sometimes a huge number, some of which are a real one plus 2^32. */
static u64 gen_nr(void)
{
	static const u64 huge[] = {
		~0ull,
		BIT(32) | HC_CONSOLE_WRITE,
		BIT(32) | HC_MEM_RELEASE,
		BIT(32) | HC_VM_CONTROL,
		BIT(63) | HC_SELF_STATS,
		0xffffffffull,
		BIT(63),
	};

	if (rng_below(HUGE_EVERY))
		return rng_below(NR_SLOTS);
	if (rng() & 1)
		return huge[rng_below(ARRAY_SIZE(huge))];
	return rng() | BIT(40);
}

/* True when [gpa, gpa + len) (at least one byte; it may wrap) overlaps the loaded image. */
static bool hits_image(u64 gpa, u64 len)
{
	u64 lo = (u64)__image_start, hi = (u64)__image_end, end = gpa + MAX(len, 1ull);

	if (end < gpa)
		return gpa < hi || end > lo;
	return gpa < hi && end > lo;
}

static bool in_scratch(u64 gpa, u64 len)
{
	return gpa >= SCRATCH_START && len <= sizeof(scratch.buf) &&
	       gpa - SCRATCH_START <= sizeof(scratch.buf) - len;
}

/* A call argument the hypervisor writes to (or releases): a[gpa] for a[len] * unit bytes. */
struct out_arg {
	u64 nr;
	unsigned int gpa;
	int len; /* index of the count argument, or -1 for exactly unit bytes */
	u64 unit;
};

static const struct out_arg out_args[] = {
	{HC_SELF_STATS, 0, -1, sizeof(struct sprout_vm_info)},
	{HC_MEM_RELEASE, 0, 1, 1},
	{HC_BROKER_RING_SETUP, 0, -1, PAGE_SIZE},
	{HC_VM_LIST, 0, 1, sizeof(struct sprout_vm_info)},
	{HC_VM_INFO, 1, -1, sizeof(struct sprout_vm_info)},
	{HC_VM_CONSOLE_READ, 1, 2, 1},
	{HC_HOST_STATS, 0, -1, sizeof(struct sprout_host_stats)},
};

/* Move an output range that would land on the image into scratch, shortening it to fit. */
static void keep_off_image(struct call *c, const struct out_arg *o)
{
	u64 *gpa = &c->a[o->gpa], count = o->len < 0 ? 1 : c->a[o->len];
	u64 len = count > ~0ull / o->unit ? ~0ull : count * o->unit;

	if (!hits_image(*gpa, len) || in_scratch(*gpa, len))
		return;
	if (o->len < 0) {
		*gpa = SCRATCH_START + *gpa % (sizeof(scratch.buf) - o->unit + 1);
		return;
	}
	*gpa = SCRATCH_START + *gpa % sizeof(scratch.buf);
	c->a[o->len] = MIN(count, (SCRATCH_END - *gpa) / o->unit);
}

/* Keep the call from harming the guest itself or from blocking, then it may go out. */
static void tame(struct call *c)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(out_args); i++) {
		if (out_args[i].nr == c->nr)
			keep_off_image(c, &out_args[i]);
	}
	if (c->nr == HC_WAIT_EVENT)
		c->a[0] = 1 + c->a[0] % WAIT_MAX_US;
	if (c->nr == HC_VCPU_REGISTER && ram_contains(c->a[0], 1))
		c->a[0] = (u64)hcfuzz_vcpu_halt;
	if (c->nr == HC_CONSOLE_WRITE && c->a[1] <= PAGE_SIZE && ram_contains(c->a[0], c->a[1])) {
		c->a[0] = (u64)dots;
		c->a[1] = MIN(c->a[1], (u64)CONSOLE_CAP);
	}
}

static void gen_call(struct call *c)
{
	c->nr = gen_nr();
	for (unsigned int i = 0; i < ARRAY_SIZE(c->a); i++)
		c->a[i] = gen_arg();
	tame(c);
}

static void print_call(u64 i, const struct call *c, long ret, const char *why)
{
	if (chk.printed++ >= MAX_PRINTED)
		return;
	printf("hcfuzz: call %llu: nr 0x%llx (0x%llx, 0x%llx, 0x%llx, 0x%llx) -> %ld: %s\n", i,
	       c->nr, c->a[0], c->a[1], c->a[2], c->a[3], ret, why);
}

static void count_result(const struct call *c, long ret, u64 cycles)
{
	struct tally *t = &tally[c->nr < NR_SLOTS ? c->nr : SLOT_HUGE];

	t->calls++;
	t->cycles += cycles;
	if (ret >= 0) {
		t->ok++;
		return;
	}
	for (unsigned int k = 0; k < ERR_KINDS; k++) {
		if (ret == -err_codes[k]) {
			t->err[k]++;
			return;
		}
	}
	t->other++;
	chk.odd++;
}

/* The buffer a public call reads or writes, if it takes one: false if not. */
static bool call_buffer(const struct call *c, u64 *gpa, u64 *len)
{
	*gpa = c->a[0];
	switch (c->nr) {
	case HC_CONSOLE_WRITE:
	case HC_MEM_RELEASE: *len = c->a[1]; return true;
	case HC_SELF_STATS: *len = sizeof(struct sprout_vm_info); return true;
	case HC_VCPU_REGISTER:
		*len = 1;
		return true; /* how much the entry needs is Sprout's call */
	default: return false;
	}
}

/* A zero length is no buffer at all, so only non-empty ranges count. */
static void check_buffer(u64 i, const struct call *c, long ret)
{
	u64 gpa, len;

	if (!call_buffer(c, &gpa, &len) || !len || ram_contains(gpa, len))
		return;
	chk.oob++;
	if (ret >= 0) {
		chk.oob_bad++;
		print_call(i, c, ret, "success with a buffer outside RAM");
	}
}

static void check_number(u64 i, const struct call *c, long ret)
{
	if (c->nr >= HC_BROKER_FIRST && c->nr <= HC_BROKER_LAST) {
		chk.broker++;
		if (ret != -SPROUT_EPERM) {
			chk.broker_bad++;
			print_call(i, c, ret, "broker-only call not refused with -SPROUT_EPERM");
		}
	} else if (c->nr >= HC_COUNT_PUBLIC) {
		chk.unknown++;
		if (ret != -SPROUT_ENOSYS) {
			chk.unknown_bad++;
			print_call(i, c, ret, "unknown call number not answered -SPROUT_ENOSYS");
		}
	}
}

static bool scratch_release(const struct call *c)
{
	return c->nr == HC_MEM_RELEASE && c->a[1] && in_scratch(c->a[0], c->a[1]);
}

/* After a release of [gpa, gpa + len) in scratch: that range reads zero, the rest kept FILL_BYTE. */
static void check_release(u64 i, const struct call *c, long ret)
{
	u64 off = c->a[0] - SCRATCH_START, bad = 0;

	if (ret < 0)
		return;
	chk.releases++;
	if (!IS_ALIGNED(c->a[0] | c->a[1], PAGE_SIZE)) {
		chk.release_unaligned++;
		print_call(i, c, ret, "HC_MEM_RELEASE of an unaligned range succeeded");
	}
	for (u64 b = 0; b < sizeof(scratch.buf); b++) {
		bool released = b >= off && b - off < c->a[1];

		bad += scratch.buf[b] != (released ? 0 : FILL_BYTE);
	}
	if (bad) {
		chk.release_bad++;
		print_call(i, c, ret, "scratch after HC_MEM_RELEASE is not as expected");
	}
}

static void fuzz_one(u64 i)
{
	struct call c;
	long ret;
	u64 t0;

	gen_call(&c);
	if (scratch_release(&c))
		memset(scratch.buf, FILL_BYTE, sizeof(scratch.buf));
	t0 = rdtsc();
	ret = hypercall(c.nr, c.a[0], c.a[1], c.a[2], c.a[3]);
	count_result(&c, ret, rdtsc() - t0);
	check_number(i, &c, ret);
	check_buffer(i, &c, ret);
	if (scratch_release(&c))
		check_release(i, &c, ret);
}

/* FNV-1a over code and read-only data. */
static u64 code_checksum(void)
{
	const u8 *p = (const u8 *)__image_start;
	u64 len = (u64)__extable_end - (u64)__image_start, h = 0xcbf29ce484222325ull;

	for (u64 i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static u64 canary_bad_bytes(void)
{
	u64 bad = 0;

	for (unsigned int b = 0; b < PAGE_SIZE; b++)
		bad += (scratch.lo[b] != CANARY_BYTE) + (scratch.hi[b] != CANARY_BYTE);
	return bad;
}

static void print_slot(unsigned int s)
{
	const struct tally *t = &tally[s];

	if (!t->calls)
		return;
	if (s == SLOT_HUGE)
		printf("hcfuzz: nr huge: calls %u ok %u", t->calls, t->ok);
	else
		printf("hcfuzz: nr %u: calls %u ok %u", s, t->calls, t->ok);
	for (unsigned int k = 0; k < ERR_KINDS; k++) {
		if (t->err[k])
			printf(" %s %u", err_names[k], t->err[k]);
	}
	if (t->other)
		printf(" other %u", t->other);
	printf(" avg_cycles %llu\n", t->cycles / t->calls);
}

static void report_checks(u64 sum0)
{
	u64 canary = canary_bad_bytes(), sum = code_checksum();
	long ver = sprout_version();

	for (unsigned int s = 0; s <= SLOT_HUGE; s++)
		print_slot(s);
	report(!chk.broker_bad, "%llu broker-only calls all returned -SPROUT_EPERM (%llu did not)",
	       chk.broker, chk.broker_bad);
	report(!chk.unknown_bad,
	       "%llu unknown call numbers all returned -SPROUT_ENOSYS (%llu did not)", chk.unknown,
	       chk.unknown_bad);
	report(!chk.oob_bad, "%llu calls with a buffer outside RAM all failed (%llu succeeded)",
	       chk.oob, chk.oob_bad);
	report(!chk.odd, "every result is >= 0 or -SPROUT_E* (%llu are not)", chk.odd);
	report(!chk.release_unaligned, "no unaligned HC_MEM_RELEASE succeeded (%llu did)",
	       chk.release_unaligned);
	report(!chk.release_bad,
	       "%llu scratch releases: range reads zero, rest untouched (%llu bad)", chk.releases,
	       chk.release_bad);
	report(!canary, "canary pages around the scratch buffer intact (%llu bytes changed)",
	       canary);
	report(sum == sum0, "code checksum unchanged (0x%llx, was 0x%llx)", sum, sum0);
	report(ver == SPROUT_ABI_VERSION, "HC_VERSION still returns %ld", ver);
}

static bool parse_options(u64 *calls)
{
	enum opt_result c = opt_u64("calls", calls);
	enum opt_result s = opt_u64("seed", &rng_state);

	if (c == OPT_BAD || s == OPT_BAD) {
		puts("hcfuzz: usage: calls=N (default 100000) seed=S (default 1)");
		return false;
	}
	return true;
}

int main(void)
{
	u64 calls = DEFAULT_CALLS, sum0;

	rng_state = DEFAULT_SEED;
	ram_init();
	if (!parse_options(&calls))
		return EXIT_USAGE;
	if (!rng_state)
		rng_state = DEFAULT_SEED; /* xorshift stays at 0 for ever */
	printf("hcfuzz: calls=%llu seed=%llu scratch 0x%llx-0x%llx image 0x%llx-0x%llx\n", calls,
	       rng_state, SCRATCH_START, SCRATCH_END, (u64)__image_start, (u64)__image_end);
	if (!report(sprout_present(), "running under Sprout (CPUID signature)"))
		return report_summary();
	memset(scratch.lo, CANARY_BYTE, sizeof(scratch.lo));
	memset(scratch.hi, CANARY_BYTE, sizeof(scratch.hi));
	sum0 = code_checksum();
	for (u64 i = 0; i < calls; i++) {
		fuzz_one(i);
		if ((i + 1) % PROGRESS_EVERY == 0)
			printf("hcfuzz: %llu calls\n", i + 1);
	}
	report_checks(sum0);
	return report_summary();
}
