/* SPDX-License-Identifier: MIT */
/* Secondary vCPUs: register the entry, bring each new vCPU online, run the worker, park. */
#include "smp.h"
#include "guest.h"
#include "spinlock.h"
#include "sprout.h"
#include "x86.h"

/* How long an idle secondary vCPU sleeps between looks for a worker or a park request. */
#define IDLE_WAIT_US 10000

_Static_assert(SMP_MAX_VCPUS == 8 && SMP_STACK_SIZE == 16384, "smp_entry.S has these figures too");

struct idtr {
	u16 limit;
	u64 base;
} __packed;

extern char smp_ap_start32[];

/* Read by smp_entry.S: what a new vCPU copies from vCPU 0 (the image is below 4 GiB). */
u32 smp_boot_cr3;
struct idtr smp_boot_idtr;

/* Stacks of vCPUs 1 .. SMP_MAX_VCPUS - 1, in that order: smp_entry.S picks one by id. */
u8 smp_stacks[SMP_MAX_VCPUS - 1][SMP_STACK_SIZE] __aligned(16);

static void (*volatile worker)(u32 vcpu);
static volatile u32 online_mask = 1;
static volatile u32 max_online = 1;
static bool registered;

static struct spinlock arrival_lock = SPINLOCK_INIT;
static struct smp_arrival arrival_log[SMP_ARRIVALS_MAX];
static volatile u32 arrival_count;
static volatile u64 last_latency[SMP_MAX_VCPUS];

/* No libgcc here, so no __builtin_popcount(). */
static u32 count_bits(u32 mask)
{
	u32 n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

static u64 read_cr3(void)
{
	u64 v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

int smp_init(void)
{
	u64 cr3 = read_cr3();
	long ret;

	/* A new vCPU loads CR3 while still in 32-bit mode. */
	if (cr3 >= GiB(4))
		return -SPROUT_EINVAL;
	/* Recorded without Sprout too, for guests that start their CPUs with INIT/SIPI. */
	smp_boot_cr3 = (u32)cr3;
	asm volatile("sidt %0" : "=m"(smp_boot_idtr));
	if (!sprout_present())
		return -SPROUT_ENOSYS;
	ret = hypercall(HC_VCPU_REGISTER, (unsigned long)smp_ap_start32, 0, 0, 0);
	if (ret < 0)
		return (int)ret;
	registered = true;
	return 0;
}

void smp_set_worker(void (*fn)(u32 vcpu))
{
	worker = fn;
}

u32 smp_online_mask(void)
{
	return atomic_load_u32(&online_mask);
}

u32 smp_vcpus_online(void)
{
	return count_bits(smp_online_mask());
}

u32 smp_vcpus_max_online(void)
{
	return atomic_load_u32(&max_online);
}

u32 smp_this_vcpu(void)
{
	u64 base = (u64)smp_stacks, sp;

	asm volatile("mov %%rsp, %0" : "=r"(sp));
	if (sp < base || sp >= base + sizeof(smp_stacks))
		return 0;
	return (u32)((sp - base) / SMP_STACK_SIZE) + 1;
}

bool smp_should_park(void)
{
	if (!registered || smp_this_vcpu() == 0)
		return false;
	return hypercall(HC_VCPU_POLL, 0, 0, 0, 0) == SPROUT_VCPU_PARK;
}

void smp_park_self(void)
{
	u32 id = smp_this_vcpu();

	if (id == 0)
		return;
	atomic_fetch_and_u32(&online_mask, ~(u32)BIT(id));
	hypercall(HC_VCPU_OFFLINE_ACK, 0, 0, 0, 0);
	/* Sprout does not return from that; if it ever does, stop here for good. */
	for (;;)
		asm volatile("cli; hlt");
}

u32 smp_arrivals(void)
{
	return atomic_load_u32(&arrival_count);
}

const struct smp_arrival *smp_arrival(u32 i)
{
	if (i >= MIN(smp_arrivals(), SMP_ARRIVALS_MAX))
		return NULL;
	return &arrival_log[i];
}

u64 smp_vcpu_latency(u32 id)
{
	return id < SMP_MAX_VCPUS ? atomic_load_u64(&last_latency[id]) : 0;
}

static void record_arrival(u32 id, u64 now, u64 request_tsc)
{
	/* The TSC is the host's and synchronized across vCPUs; clamp anyway. */
	u64 latency = now > request_tsc ? now - request_tsc : 0;
	u32 n;

	atomic_store_u64(&last_latency[id], latency);
	spin_lock(&arrival_lock);
	n = arrival_count;
	if (n < SMP_ARRIVALS_MAX)
		arrival_log[n] = (struct smp_arrival){id, now, latency};
	/* Published after the entry, so a reader that counts it sees it whole. */
	atomic_store_u32(&arrival_count, n + 1);
	spin_unlock(&arrival_lock);
}

/* The worker, once there is one; NULL when the vCPU is asked to park before that. */
static void (*wait_for_worker(void))(u32 vcpu)
{
	void (*fn)(u32 vcpu);

	while (!(fn = worker)) {
		if (smp_should_park())
			return NULL;
		hypercall(HC_WAIT_EVENT, IDLE_WAIT_US, 0, 0, 0);
	}
	return fn;
}

void smp_ap_main(u32 id, u32 arg, u64 request_tsc)
{
	u64 now = rdtsc();
	void (*fn)(u32 vcpu);
	u32 mask;

	(void)arg;
	record_arrival(id, now, request_tsc);
	hypercall(HC_VCPU_ONLINE_ACK, 0, 0, 0, 0);
	mask = atomic_fetch_or_u32(&online_mask, (u32)BIT(id)) | (u32)BIT(id);
	atomic_max_u32(&max_online, count_bits(mask));
	fn = wait_for_worker();
	if (fn)
		fn(id);
	smp_park_self();
	for (;;)
		asm volatile("cli; hlt");
}
