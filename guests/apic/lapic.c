/* SPDX-License-Identifier: MIT */
/* Local APIC access for the apic guest: xAPIC page or x2APIC MSRs, EOI, IPIs. */
#include "apic.h"

bool lapic_x2apic;
volatile u32 ipi_sent, ipi_stuck;

/* x2APIC MSR of an xAPIC register offset (SDM Vol. 3A, 11.12.1.2). */
static u32 x2apic_msr(u32 reg)
{
	return MSR_X2APIC_FIRST + (reg >> 4);
}

u32 lapic_read(u32 reg)
{
	if (lapic_x2apic)
		return (u32)rdmsr(x2apic_msr(reg));
	return *(volatile u32 *)(uintptr_t)(LAPIC_DEFAULT_BASE + reg);
}

void lapic_write(u32 reg, u32 val)
{
	if (lapic_x2apic)
		wrmsr(x2apic_msr(reg), val);
	else
		*(volatile u32 *)(uintptr_t)(LAPIC_DEFAULT_BASE + reg) = val;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

bool lapic_bit(u32 base, u32 vector)
{
	return lapic_read(base + (vector / 32) * 0x10) & BIT(vector % 32);
}

void lapic_setup_cpu(u32 cpu)
{
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_TPR, 0);
	if (!lapic_x2apic) {
		/* Flat model: the LDR's top byte is a bit mask, one bit per CPU. */
		lapic_write(LAPIC_DFR, 0xffffffff);
		lapic_write(LAPIC_LDR, (u32)BIT(cpu) << 24);
	}
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED | VEC_SPURIOUS);
	/* Writing ESR latches the errors so far; a read then gives them (SDM 11.5.3). */
	lapic_write(LAPIC_ESR, 0);
}

/* Poll delivery status (xAPIC only: x2APIC has none) until it reads idle. */
static bool icr_wait_idle(void)
{
	u64 end = rdtsc() + us_to_tsc(ICR_BUSY_TIMEOUT_MS * 1000);

	while (lapic_read(LAPIC_ICR_LO) & ICR_BUSY) {
		if (rdtsc() > end)
			return false;
		cpu_relax();
	}
	return true;
}

bool lapic_send_ipi(u32 dest, u32 icr_low)
{
	bool idle;

	if (lapic_x2apic) {
		wrmsr(x2apic_msr(LAPIC_ICR_LO), (u64)dest << 32 | icr_low);
		atomic_fetch_add_u32(&ipi_sent, 1);
		return true;
	}
	lapic_write(LAPIC_ICR_HI, ICR_XAPIC_DEST(dest));
	lapic_write(LAPIC_ICR_LO, icr_low);
	idle = icr_wait_idle();
	atomic_fetch_add_u32(&ipi_sent, 1);
	if (!idle)
		atomic_fetch_add_u32(&ipi_stuck, 1);
	return idle;
}

void lapic_self_ipi(u32 vector)
{
	lapic_send_ipi(0, ICR_SELF | ICR_FIXED | ICR_ASSERT | vector);
}
