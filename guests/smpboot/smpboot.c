/* SPDX-License-Identifier: MIT */
/* smpboot: start vCPUs 1..N-1 with INIT/SIPI through the x2APIC ICR, as an OS does, and check them. */
#include "util.h"
#include "sipi.h"
#include "smp.h"
#include "spinlock.h"
#include "x86.h"

#define EXIT_USAGE	  2
#define DEFAULT_VCPUS	  3
#define MSR_X2APIC_ID	  0x802
#define CPUID1_ECX_X2APIC BIT(21)
#define WORK_ROUNDS	  20000
#define IDLE_US		  10000
#define FINISH_MS	  5000
#define QUIET_MS	  200

/* What one started vCPU saw, in the order they came. */
struct ap_record {
	u32 lib_id; /* the id smp_ap_main() got: EBX at smp_ap_start32, the trampoline's MSR read */
	u32 msr_id; /* x2APIC ID MSR read again in the worker */
	u32 cpuid_id; /* CPUID.1:EBX[31:24], the initial APIC ID */
	u32 stack_id; /* smp_this_vcpu(): the stack smp_entry.S picked */
	u64 work;
};

static volatile u32 counter;  /* each started vCPU adds one */
static volatile u32 finished; /* each adds one after writing its record */
static struct ap_record records[SMP_MAX_VCPUS];

/* A small piece of work whose result vCPU 0 can recompute: xorshift64 seeded by the id. */
static u64 work(u32 id)
{
	u64 x = 0x9e3779b97f4a7c15ull * (id + 1);

	for (u32 i = 0; i < WORK_ROUNDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

static void ap_worker(u32 vcpu)
{
	u32 slot = atomic_fetch_add_u32(&counter, 1);
	struct ap_record r = {
		.lib_id = vcpu,
		.msr_id = (u32)rdmsr(MSR_X2APIC_ID),
		.cpuid_id = cpuid(1).ebx >> 24,
		.stack_id = smp_this_vcpu(),
	};

	r.work = work(r.msr_id);
	if (slot < SMP_MAX_VCPUS)
		records[slot] = r;
	/* Published after the record: vCPU 0 reads records only up to this count. */
	atomic_fetch_add_u32(&finished, 1);
	while (!smp_should_park())
		hypercall(HC_WAIT_EVENT, IDLE_US, 0, 0, 0);
}

static void check_bsp_before(void)
{
	u64 id = 0;

	report(cpuid(1).ecx & CPUID1_ECX_X2APIC, "CPUID.1:ECX reports x2APIC");
	report(rdmsr_safe(MSR_X2APIC_ID, &id) == X86_GP,
	       "x2APIC ID MSR raises #GP while vCPU 0's APIC is in xAPIC mode");
}

static void start_all(u32 n)
{
	for (u32 d = 1; d < n; d++) {
		u64 t0 = rdtsc();
		int ret = sipi_start_vcpu(d);
		u64 ms = clock_cycles_to_ms(rdtsc() - t0);

		report(ret == 0, "vCPU %u online after INIT/SIPI to APIC ID %u (ret %d, %llu ms)",
		       d, d, ret, ms);
		if (!ret)
			printf("smpboot: vCPU %u: STARTUP to its first C code %llu us\n", d,
			       clock_cycles_to_us(smp_vcpu_latency(d)));
	}
}

static void wait_finished(u32 n)
{
	u64 deadline = rdtsc() + clock_ms_to_cycles(FINISH_MS);

	while (atomic_load_u32(&finished) < n - 1 && rdtsc() < deadline)
		clock_idle_ms(1);
	report(atomic_load_u32(&finished) == n - 1, "%u of %u started vCPUs did their work",
	       atomic_load_u32(&finished), n - 1);
}

static const struct ap_record *find_record(u32 id, u32 count)
{
	for (u32 i = 0; i < count; i++)
		if (records[i].msr_id == id)
			return &records[i];
	return NULL;
}

static void check_records(u32 n)
{
	u32 count = MIN(atomic_load_u32(&finished), SMP_MAX_VCPUS), seen = 0;
	bool distinct = true;

	report(atomic_load_u32(&counter) == n - 1, "shared counter %u == %u",
	       atomic_load_u32(&counter), n - 1);
	report(sipi_tramp_entries() == n - 1, "trampoline entered %u times (one per vCPU)",
	       sipi_tramp_entries());
	for (u32 d = 1; d < n; d++) {
		const struct ap_record *r = find_record(d, count);

		if (!report(r, "vCPU %u: a started vCPU reads x2APIC ID %u", d, d))
			continue;
		report(r->lib_id == d && r->cpuid_id == d && r->stack_id == d && r->work == work(d),
		       "vCPU %u: entry id %u, CPUID APIC ID %u, stack of vCPU %u, work %s", d,
		       r->lib_id, r->cpuid_id, r->stack_id, r->work == work(d) ? "right" : "wrong");
	}
	for (u32 i = 0; i < count; i++) {
		u32 bit = records[i].msr_id < 32 ? (u32)BIT(records[i].msr_id) : 0;

		distinct = distinct && bit && !(seen & bit);
		seen |= bit;
	}
	report(distinct, "started vCPUs saw distinct x2APIC IDs (mask 0x%x)", seen);
}

static void check_bsp_id(u32 n)
{
	u64 id = ~0ull;
	int fault = rdmsr_safe(MSR_X2APIC_ID, &id);

	report(fault == GUEST_NO_FAULT && id == 0 && cpuid(1).ebx >> 24 == 0,
	       "x2APIC ID MSR on vCPU 0 reads %llu", id);
	report(smp_vcpus_online() == n, "%u vCPUs online (mask 0x%x)", smp_vcpus_online(),
	       smp_online_mask());
}

/* APIC IDs n (the VM's vcpus max, when vcpus= matches the config) and 8 (VM_MAX_VCPUS). */
static void check_beyond_max(u32 n)
{
	u32 arrivals = smp_arrivals(), entries = sipi_tramp_entries(), mask = smp_online_mask();
	int ret1 = sipi_send_init_startup(n), ret2 = sipi_send_init_startup(SMP_MAX_VCPUS);

	clock_idle_ms(QUIET_MS);
	report(!ret1 && !ret2 && smp_arrivals() == arrivals && sipi_tramp_entries() == entries &&
		       smp_online_mask() == mask,
	       "INIT/SIPI to APIC IDs %u and %u: no new vCPU in %u ms (trampoline entries %u, mask "
	       "0x%x)",
	       n, SMP_MAX_VCPUS, QUIET_MS, sipi_tramp_entries(), smp_online_mask());
}

int main(void)
{
	u64 vcpus = DEFAULT_VCPUS;
	u32 n;

	if (opt_u64("vcpus", &vcpus) == OPT_BAD || vcpus < 1 || vcpus > SMP_MAX_VCPUS) {
		printf("smpboot: vcpus= must be 1..%u\n", SMP_MAX_VCPUS);
		return EXIT_USAGE;
	}
	n = (u32)vcpus;
	clock_init();
	printf("smpboot: start, vcpus=%u sprout=%s clock=%s %llu MHz, trampoline at 0x%x\n", n,
	       sprout_present() ? "yes" : "no", clock_source, clock_hz / 1000000, SIPI_TRAMP_BASE);
	check_bsp_before();
	smp_set_worker(ap_worker);
	start_all(n);
	wait_finished(n);
	check_records(n);
	check_bsp_id(n);
	check_beyond_max(n);
	return report_summary();
}
