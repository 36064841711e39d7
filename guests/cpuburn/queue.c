/* SPDX-License-Identifier: MIT */
/* cpuburn's work queue: items taken with a fetch-add, hashed, marked done exactly once. */
#include "cpuburn.h"
#include "spinlock.h"
#include "x86.h"

/* The input every item hashes a window of: 64 KiB, filled once from a fixed seed. */
#define BUF_WORDS 8192
#define BUF_SEED  0x6370756275726e21ull /* "cpuburn!" */

/* A working secondary vCPU asks Sprout whether to park at most this often (ms). */
#define POLL_MS 2

/* An idle one sleeps this long between looks at the queue and its park flag. */
#define IDLE_MS 10

static u64 buf[BUF_WORDS];
static u32 work_words;
static u64 poll_cycles;

/* Per item: times done (must end as 1), who did it last, its result. */
static volatile u8 done_count[QUEUE_MAX_ITEMS];
static u8 done_by[QUEUE_MAX_ITEMS];
static u32 result[QUEUE_MAX_ITEMS];

static struct {
	u32 first, items;
	volatile u32 taken; /* the fetch-add counter: may run past items */
	volatile u32 done;
} phases[QUEUE_MAX_PHASES];

static volatile u32 open_phase = QUEUE_CLOSED;
static volatile u64 total_done;
/* Each written by its own vCPU only, read by vCPU 0 for the reports. */
static volatile u64 done_by_vcpu[SMP_MAX_VCPUS];

void queue_init(u32 work_bytes)
{
	u64 x = BUF_SEED;

	for (u32 i = 0; i < BUF_WORDS; i++) {
		/* xorshift64 */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = x;
	}
	work_words = work_bytes / 8;
	poll_cycles = clock_ms_to_cycles(POLL_MS);
}

/* FNV-1a over 64-bit words with an extra shift, from a window chosen by the item number. */
static u32 hash_item(u32 item)
{
	u64 h = 0xcbf29ce484222325ull ^ item;
	u32 pos = (u32)(((u64)item * 977) % BUF_WORDS);

	for (u32 k = 0; k < work_words; k++) {
		h ^= buf[pos];
		h *= 0x100000001b3ull;
		h ^= h >> 29;
		if (++pos == BUF_WORDS)
			pos = 0;
	}
	return (u32)(h ^ (h >> 32));
}

void queue_open(u32 p, u32 first, u32 items)
{
	phases[p].first = first;
	phases[p].items = items;
	phases[p].taken = 0;
	phases[p].done = 0;
	atomic_store_u32(&open_phase, p);
}

void queue_close(void)
{
	atomic_store_u32(&open_phase, QUEUE_CLOSED);
}

u32 queue_phase_done(u32 p)
{
	return atomic_load_u32(&phases[p].done);
}

bool queue_phase_drained(u32 p)
{
	return queue_phase_done(p) == phases[p].items;
}

bool queue_work_one(u32 vcpu)
{
	u32 p = atomic_load_u32(&open_phase), k, item;

	if (p == QUEUE_CLOSED)
		return false;
	/* A vCPU that read p just before the phase closed finds its counter spent. */
	k = atomic_fetch_add_u32(&phases[p].taken, 1);
	if (k >= phases[p].items)
		return false;
	item = phases[p].first + k;
	result[item] = hash_item(item);
	done_by[item] = (u8)vcpu;
	atomic_fetch_add_u8(&done_count[item], 1);
	done_by_vcpu[vcpu]++;
	atomic_fetch_add_u64(&total_done, 1);
	atomic_fetch_add_u32(&phases[p].done, 1);
	return true;
}

u64 queue_done(void)
{
	return atomic_load_u64(&total_done);
}

u64 queue_done_by(u32 vcpu)
{
	return vcpu < SMP_MAX_VCPUS ? done_by_vcpu[vcpu] : 0;
}

void queue_worker(u32 vcpu)
{
	u64 next_poll = 0;

	for (;;) {
		u64 now = rdtsc();

		/* One exit per poll: while busy only every POLL_MS, well inside the park grace. */
		if (now >= next_poll) {
			if (smp_should_park())
				return;
			next_poll = now + poll_cycles;
		}
		if (!queue_work_one(vcpu)) {
			clock_idle_ms(IDLE_MS);
			next_poll = 0;
		}
	}
}

void queue_count_marks(u32 total, u32 *missing, u32 *repeated)
{
	*missing = *repeated = 0;
	for (u32 i = 0; i < total; i++) {
		*missing += done_count[i] == 0;
		*repeated += done_count[i] > 1;
	}
}

u32 queue_verify_sample(u32 total, u32 per_vcpu, u32 *checked)
{
	u32 seen[SMP_MAX_VCPUS] = {0}, bad = 0;

	*checked = 0;
	for (u32 i = 0; i < total; i++) {
		u32 v = done_by[i];

		if (!done_count[i] || v >= SMP_MAX_VCPUS || seen[v] >= per_vcpu)
			continue;
		seen[v]++;
		(*checked)++;
		if (hash_item(i) != result[i]) {
			if (!bad)
				printf("cpuburn: item %u done by vCPU %u: result 0x%x, expected "
				       "0x%x\n",
				       i, v, result[i], hash_item(i));
			bad++;
		}
	}
	return bad;
}
