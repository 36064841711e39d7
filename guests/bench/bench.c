/* SPDX-License-Identifier: MIT */
/* bench: microbenchmarks printed as "bench: key=value" lines, under Sprout or plain QEMU. */
#include "bench.h"
#include "guest.h"
#include "sprout.h"
#include "x86.h"

#define ITERATIONS	2000u
#define UNASSIGNED_PORT 0x2b0

/* 2,000,000 bits (250 KB of .bss) per round; ROUNDS sized for 1-3 s under QEMU TCG. */
#define SIEVE_N	     2000000u
#define SIEVE_ROUNDS 40u

/* First-touch cost is measured over this much untouched RAM past the image, if present. */
#define TOUCH_BYTES MiB(4)

static u64 sieve_bits[SIEVE_N / 64 + 1];

/*
 * Each exit loop has a twin with NOP in place of the exiting instruction:
 * the loop's own cost. Under Bochs, where the TSC counts instructions and
 * CPUID is one, that twin is what the loop costs without Sprout, and the
 * difference is Sprout's instructions per round trip.
 */
#define LOOP_CPUID(insn)                                                      \
	({                                                                    \
		u64 start_ = rdtsc();                                         \
		u32 a_, b_, c_, d_;                                           \
		for (unsigned int i_ = 0; i_ < ITERATIONS; i_++)              \
			asm volatile(insn                                     \
				     : "=a"(a_), "=b"(b_), "=c"(c_), "=d"(d_) \
				     : "a"(0), "c"(0));                       \
		(rdtsc() - start_) / ITERATIONS;                              \
	})

/* HC_VERSION with its four argument registers, as the guest library passes them. */
#define LOOP_HCALL(insn)                                                                   \
	({                                                                                 \
		u64 start_ = rdtsc();                                                      \
		register unsigned long r10_ asm("r10") = 0;                                \
		long ret_;                                                                 \
		for (unsigned int i_ = 0; i_ < ITERATIONS; i_++)                           \
			asm volatile(insn                                                  \
				     : "=a"(ret_)                                          \
				     : "a"((unsigned long)HC_VERSION), "D"(0UL), "S"(0UL), \
				       "d"(0UL), "r"(r10_)                                 \
				     : "memory");                                          \
		(rdtsc() - start_) / ITERATIONS;                                           \
	})

static u64 avg_cpuid(void)
{
	return LOOP_CPUID("cpuid");
}

static u64 avg_cpuid_loop(void)
{
	return LOOP_CPUID("nop");
}

static u64 avg_hypercall(void)
{
	return cpu_is_amd() ? LOOP_HCALL("vmmcall") : LOOP_HCALL("vmcall");
}

static u64 avg_hypercall_loop(void)
{
	return LOOP_HCALL("nop");
}

static u64 avg_pio(void)
{
	u64 start = rdtsc();

	for (unsigned int i = 0; i < ITERATIONS; i++)
		inb(UNASSIGNED_PORT);
	return (rdtsc() - start) / ITERATIONS;
}

static bool composite(u32 i)
{
	return sieve_bits[i / 64] & BIT(i % 64);
}

/* Sieve of Eratosthenes over [0, SIEVE_N]; returns the number of primes. */
static u32 sieve(void)
{
	u32 count = 0;

	for (unsigned int w = 0; w < ARRAY_SIZE(sieve_bits); w++)
		sieve_bits[w] = 0;
	for (u32 i = 2; (u64)i * i <= SIEVE_N; i++) {
		if (composite(i))
			continue;
		for (u32 j = i * i; j <= SIEVE_N; j += i)
			sieve_bits[j / 64] |= BIT(j % 64);
	}
	for (u32 i = 2; i <= SIEVE_N; i++)
		count += !composite(i);
	return count;
}

static void bench_sieve(void)
{
	u64 start = rdtsc();
	u32 primes = 0;

	for (unsigned int r = 0; r < SIEVE_ROUNDS; r++)
		primes = sieve();
	printf("bench: sieve_cycles=%llu primes=%u n=%u rounds=%u\n", rdtsc() - start, primes,
	       SIEVE_N, SIEVE_ROUNDS);
}

/* Under Sprout every first write to a page is a stage-2 fault that allocates memory. */
static void bench_touch(void)
{
	u64 base = ALIGN_UP((u64)__image_end, LARGE_PAGE_SIZE);
	u64 pages = TOUCH_BYTES / PAGE_SIZE;
	u64 start;

	if (base + TOUCH_BYTES > guest_ram_top) {
		puts("bench: touch_cycles=na");
		return;
	}
	start = rdtsc();
	for (u64 p = 0; p < pages; p++)
		*(volatile u8 *)(base + p * PAGE_SIZE) = 1;
	printf("bench: touch_cycles=%llu pages=%llu\n", (rdtsc() - start) / pages, pages);
}

int main(void)
{
	printf("bench: start, sprout=%s\n", sprout_present() ? "yes" : "no");
	/* The timer part alone, for a quick look under Bochs: cmdline "timer-only". */
	if (cmdline_has("timer-spin"))
		return bench_timer_spin() ? 0 : 1;
	if (cmdline_has("timer-only")) {
		bench_timer();
		return 0;
	}
	printf("bench: cpuid_cycles=%llu cpuid_loop_cycles=%llu\n", avg_cpuid(), avg_cpuid_loop());
	if (sprout_present())
		printf("bench: hypercall_cycles=%llu hypercall_loop_cycles=%llu\n", avg_hypercall(),
		       avg_hypercall_loop());
	else
		puts("bench: hypercall_cycles=na");
	printf("bench: pio_cycles=%llu\n", avg_pio());
	bench_sieve();
	bench_touch();
	bench_timer();
	return 0;
}
