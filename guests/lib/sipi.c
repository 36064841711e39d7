/* SPDX-License-Identifier: MIT */
/* Start secondary vCPUs with INIT and STARTUP IPIs through the x2APIC ICR (MSR 0x830). */
#include "sipi.h"
#include "guest.h"
#include "smp.h"
#include "spinlock.h"
#include "sprout.h"
#include "x86.h"

#define CPUID1_ECX_X2APIC BIT(21)
#define MSR_APIC_BASE	  0x1b
#define APIC_BASE_EXTD	  BIT(10)
#define APIC_BASE_ENABLE  BIT(11)
#define MSR_X2APIC_ICR	  0x830

/*
 * ICR in x2APIC mode (SDM Vol. 3A, 10.6.1 and 10.12.9): one 64-bit write,
 * destination APIC ID in 63:32, no delivery status to poll.
 *
 *  63        32 31   20 19 18 17 16 15 14 13 12 11 10  8 7      0
 * +------------+-------+-----+-----+--+--+--+--+--+-----+--------+
 * | destination|       |short|     |TM|L |  |  |DM|mode | vector |
 * +------------+-------+-----+-----+--+--+--+--+--+-----+--------+
 */
#define ICR_DEST(id)	 ((u64)(id) << 32)
#define ICR_MODE_INIT	 (5u << 8)
#define ICR_MODE_STARTUP (6u << 8)
#define ICR_LEVEL_ASSERT BIT(14)
#define ICR_TRIGGER_LVL	 BIT(15)

/* Waits of the universal start-up algorithm (SDM Vol. 3A, 9.4.4.1). */
#define INIT_WAIT_US	10000
#define STARTUP_WAIT_US 200
#define POLL_US		1000

extern char sipi_tramp_start[], sipi_tramp_end[], sipi_tramp_tsc[], sipi_tramp_count[];

static bool prepared;

/* A label of sipi_tramp.S in the copy at SIPI_TRAMP_BASE. */
static volatile void *tramp_copy(const char *sym)
{
	return (volatile void *)(uintptr_t)(SIPI_TRAMP_BASE + (u64)(sym - sipi_tramp_start));
}

/*
 * Sleep at least us microseconds. Under Sprout HC_WAIT_EVENT does it (a VM
 * other than the broker has no events to end it early); the caller has made
 * sure Sprout is there.
 */
static void wait_us(u32 us)
{
	hypercall(HC_WAIT_EVENT, us, 0, 0, 0);
}

static bool x2apic_enable(void)
{
	u64 base;

	if (!(cpuid(1).ecx & CPUID1_ECX_X2APIC))
		return false;
	base = rdmsr(MSR_APIC_BASE);
	if ((base & (APIC_BASE_EXTD | APIC_BASE_ENABLE)) != (APIC_BASE_EXTD | APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD | APIC_BASE_ENABLE);
	return true;
}

/*
 * Once: x2APIC mode here, the trampoline in place, and smp_init() for what
 * smp_entry.S copies from vCPU 0 (CR3, IDT). smp_init() also registers the
 * entry for vCPUs the broker adds; both kinds share the vCPU slots.
 */
static int prepare(void)
{
	size_t len = (uintptr_t)sipi_tramp_end - (uintptr_t)sipi_tramp_start;
	int ret;

	if (prepared)
		return 0;
	if (!sprout_present() || !x2apic_enable())
		return -SPROUT_ENOSYS;
	if (len > 4096)
		return -SPROUT_E2BIG;
	ret = smp_init();
	if (ret)
		return ret;
	memcpy((void *)(uintptr_t)SIPI_TRAMP_BASE, sipi_tramp_start, len);
	prepared = true;
	return 0;
}

int sipi_send_init_startup(u32 apic_id)
{
	u64 icr_startup = ICR_DEST(apic_id) | ICR_MODE_STARTUP | SIPI_VECTOR;
	int ret = prepare();

	if (ret)
		return ret;
	wrmsr(MSR_X2APIC_ICR,
	      ICR_DEST(apic_id) | ICR_TRIGGER_LVL | ICR_LEVEL_ASSERT | ICR_MODE_INIT);
	wait_us(INIT_WAIT_US);
	/* Stored before STARTUP: smp_ap_main() measures the arrival latency from it. */
	atomic_store_u64(tramp_copy(sipi_tramp_tsc), rdtsc());
	wrmsr(MSR_X2APIC_ICR, icr_startup);
	wait_us(STARTUP_WAIT_US);
	/* A CPU that already runs ignores the second one; it is for one that missed the first. */
	wrmsr(MSR_X2APIC_ICR, icr_startup);
	return 0;
}

int sipi_start_vcpu(u32 apic_id)
{
	u32 bit;
	int ret;

	if (apic_id == 0 || apic_id >= SMP_MAX_VCPUS)
		return -SPROUT_EINVAL;
	bit = (u32)BIT(apic_id);
	if (smp_online_mask() & bit)
		return -SPROUT_EBUSY;
	ret = sipi_send_init_startup(apic_id);
	if (ret)
		return ret;
	for (u32 waited = 0; !(smp_online_mask() & bit); waited += POLL_US / 1000) {
		if (waited >= SIPI_ONLINE_TIMEOUT_MS)
			return -SPROUT_EAGAIN;
		wait_us(POLL_US);
	}
	return 0;
}

u32 sipi_tramp_entries(void)
{
	if (!prepared)
		return 0;
	return atomic_load_u32(tramp_copy(sipi_tramp_count));
}
