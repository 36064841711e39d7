// SPDX-License-Identifier: MIT
/* x2APIC registers through MSRs 0x800-0x83f: enough to start CPUs with INIT and SIPI. */
#include <hv/printk.h>
#include <hv/sched.h>
#include <hv/vdev.h>
#include <hv/vm.h>

#define X2APIC_FIRST	 0x800
#define X2APIC_LAST	 0x83f
#define APIC_BASE_EXTD	 BIT(10)
#define APIC_BASE_ENABLE BIT(11)

/* Register numbers: MSR - 0x800, i.e. the xAPIC offset >> 4. */
#define REG_ID	      0x02
#define REG_VERSION   0x03
#define REG_EOI	      0x0b
#define REG_LDR	      0x0d
#define REG_ICR	      0x30
#define REG_LVT_FIRST 0x32
#define REG_LVT_LAST  0x37

/* ICR fields (SDM Vol. 3A, 10.12.9). */
#define ICR_MODE(icr)	   (((icr) >> 8) & 7)
#define ICR_MODE_INIT	   5
#define ICR_MODE_STARTUP   6
#define ICR_SHORTHAND(icr) (((icr) >> 18) & 3)
#define ICR_ALL_BUT_SELF   3

static bool x2apic_enabled(const struct vcpu *v)
{
	return (v->apic_base & (APIC_BASE_EXTD | APIC_BASE_ENABLE)) ==
	       (APIC_BASE_EXTD | APIC_BASE_ENABLE);
}

bool x2apic_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	u32 reg = msr - X2APIC_FIRST;

	if (msr < X2APIC_FIRST || msr > X2APIC_LAST || !x2apic_enabled(v))
		return false;
	switch (reg) {
	case REG_ID: *val = v->id; break;
	case REG_VERSION: *val = 0x00050014; break; /* version 0x14, 6 LVT entries */
	case REG_LDR: *val = ((v->id >> 4) << 16) | (1u << (v->id & 15)); break;
	case REG_ICR: *val = v->apic_icr; break;
	default: *val = v->apic_regs[reg]; break;
	}
	return true;
}

/* Deliver the INIT and STARTUP messages of an ICR write; other IPIs carry no interrupt here. */
static void icr_send(struct vcpu *v, u64 icr)
{
	u32 mode = ICR_MODE(icr);
	u32 dest = (u32)(icr >> 32);

	if (mode != ICR_MODE_INIT && mode != ICR_MODE_STARTUP)
		return;
	if (ICR_SHORTHAND(icr) == ICR_ALL_BUT_SELF) {
		for (u32 id = 0; id < v->vm->cfg.vcpus_max; id++)
			if (id != v->id)
				sched_vcpu_init_sipi(v->vm, id, mode == ICR_MODE_STARTUP, (u8)icr);
		return;
	}
	if (ICR_SHORTHAND(icr) == 0)
		sched_vcpu_init_sipi(v->vm, dest, mode == ICR_MODE_STARTUP, (u8)icr);
}

bool x2apic_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	u32 reg = msr - X2APIC_FIRST;

	if (msr < X2APIC_FIRST || msr > X2APIC_LAST || !x2apic_enabled(v))
		return false;
	switch (reg) {
	case REG_ID:
	case REG_VERSION:
	case REG_LDR:
	case REG_EOI: break; /* read-only, or nothing to acknowledge */
	case REG_ICR:
		v->apic_icr = val;
		icr_send(v, val);
		break;
	default: v->apic_regs[reg] = (u32)val;
	}
	return true;
}
