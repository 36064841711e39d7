/* SPDX-License-Identifier: MIT */
/* apic: the local APIC timer, priorities, IPIs and the IOAPIC, used the way an OS uses them. */
#include "apic.h"
#include "util.h"

#define PIT_HZ		1193182ull
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_GATE	0x61 /* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 output */
#define PIT_CAL_MS	20
#define PIT_SPIN_MAX	4000000000ull
#define TSC_MIN_HZ	10000000ull
#define HV_CPUID_BASE	0x40000000
#define HV_CPUID_TIMING 0x40000010 /* EAX: TSC kHz, EBX: APIC bus kHz (VMware's leaf) */

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1

u64 tsc_hz;

u64 us_to_tsc(u64 us)
{
	return us * (tsc_hz / 1000000);
}

u64 tsc_to_us(u64 ticks)
{
	return ticks / (tsc_hz / 1000000);
}

void delay_us(u64 us)
{
	u64 end = rdtsc() + us_to_tsc(us);

	while (rdtsc() < end)
		cpu_relax();
}

bool wait_count(u32 cpu, u32 vector, u32 want, u64 us)
{
	u64 end = rdtsc() + us_to_tsc(us);

	while (irq_count(cpu, vector) < want) {
		if (rdtsc() > end)
			return false;
		cpu_relax();
	}
	return true;
}

/* The TSC rate a hypervisor states in leaf 0x40000010, if it has that leaf. */
static u64 tsc_hz_from_hypervisor(void)
{
	if (!(cpuid(1).ecx & BIT(31)) || cpuid(HV_CPUID_BASE).eax < HV_CPUID_TIMING)
		return 0;
	return (u64)cpuid(HV_CPUID_TIMING).eax * 1000;
}

/* PIT channel 2 in mode 0, gate high: its output (port 0x61 bit 5) rises after PIT_CAL_MS. */
static u64 pit_measure(void)
{
	u64 count = PIT_HZ * PIT_CAL_MS / 1000, t0, t;
	u8 gate = inb(PIT_GATE);

	outb((u8)((gate & ~0x02) | 0x01), PIT_GATE);
	outb(0xb0, PIT_CMD); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb((u8)count, PIT_CH2);
	outb((u8)(count >> 8), PIT_CH2);
	t0 = rdtsc();
	do {
		t = rdtsc();
		if (t - t0 > PIT_SPIN_MAX)
			return 0;
	} while (!(inb(PIT_GATE) & 0x20));
	return (t - t0) * 1000 / PIT_CAL_MS;
}

/* The median of three, since an emulated PIT is read late now and then. */
static u64 tsc_hz_from_pit(void)
{
	u64 a = pit_measure(), b = pit_measure(), c = pit_measure();

	return MAX(MIN(a, b), MIN(MAX(a, b), c));
}

static void calibrate_tsc(void)
{
	const char *source = "cpuid 0x40000010";

	tsc_hz = tsc_hz_from_hypervisor();
	if (tsc_hz < TSC_MIN_HZ) {
		tsc_hz = tsc_hz_from_pit();
		source = "PIT channel 2";
	}
	report(tsc_hz >= TSC_MIN_HZ, "TSC rate %llu kHz from %s", tsc_hz / 1000, source);
	if (tsc_hz < TSC_MIN_HZ)
		tsc_hz = 2000000000ull; /* keep going with a guess */
}

/*
 * Remap the 8259s to 0x20-0x2f (ICW1-4), then mask every line (OCW1): what
 * ExtINT still let through would be counted there as unexpected.
 */
static void pic_mask_all(void)
{
	outb(0x11, PIC1_CMD);
	outb(0x11, PIC2_CMD);
	outb(VEC_PIC_BASE, PIC1_DATA);
	outb(VEC_PIC_BASE + 8, PIC2_DATA);
	outb(0x04, PIC1_DATA); /* slave on IRQ 2 */
	outb(0x02, PIC2_DATA);
	outb(0x01, PIC1_DATA); /* 8086 mode */
	outb(0x01, PIC2_DATA);
	outb(0xff, PIC1_DATA);
	outb(0xff, PIC2_DATA);
	report(inb(PIC1_DATA) == 0xff && inb(PIC2_DATA) == 0xff,
	       "8259 masks 0x21/0xa1 read 0xff after masking");
}

static void lapic_check_base(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);
	u32 ver;

	report((base & ~0xfffull) == LAPIC_DEFAULT_BASE && (base & APIC_BASE_ENABLE) &&
		       (base & APIC_BASE_BSP) && !(base & APIC_BASE_EXTD),
	       "IA32_APIC_BASE 0x%llx: xAPIC enabled at 0xfee00000, BSP", base);
	lapic_setup_cpu(0);
	ver = lapic_read(LAPIC_VERSION);
	report((ver & 0xff) >= 0x10 && (ver & 0xff) <= 0x15 && ((ver >> 16) & 0xff) >= 4,
	       "local APIC version 0x%x: integrated APIC, %u LVT entries", ver & 0xff,
	       ((ver >> 16) & 0xff) + 1);
	report(lapic_read(LAPIC_SVR) == (SVR_ENABLE | VEC_SPURIOUS) &&
		       lapic_read(LAPIC_ID) >> 24 == 0,
	       "SVR enabled with spurious vector 0xff, APIC ID 0 (ID register 0x%x)",
	       lapic_read(LAPIC_ID));
}

/* The x2APIC variants of the timer checks; vCPU 0 stays in x2APIC mode afterwards. */
static void x2apic_tests(void)
{
	u64 base;

	if (!(cpuid(1).ecx & CPUID1_ECX_X2APIC)) {
		printf("# skip x2APIC timer checks: CPUID.1:ECX bit 21 (x2APIC) is clear\n");
		return;
	}
	base = rdmsr(MSR_APIC_BASE);
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	lapic_x2apic = true;
	report(rdmsr(MSR_X2APIC_FIRST + (LAPIC_ID >> 4)) == 0 &&
		       lapic_read(LAPIC_SVR) == (SVR_ENABLE | VEC_SPURIOUS),
	       "x2APIC mode: ID MSR 0x802 reads 0, SVR kept from xAPIC mode");
	timer_tests("x2APIC");
}

int main(void)
{
	u64 cpus = 2;

	if (opt_u64("cpus", &cpus) == OPT_BAD || cpus < 1 || cpus > APIC_CPUS) {
		printf("apic: bad cpus= (1 or 2)\n");
		return 2;
	}
	printf("apic: cmdline \"%s\", %llu CPUs expected\n", guest_cmdline, cpus);
	calibrate_tsc();
	irq_init();
	pic_mask_all();
	lapic_check_base();
	irq_enable();

	if (cmdline_has("ipi-bench")) {
		if (cpus > 1)
			ipi_bench();
		ipi_stop_ap();
		irq_disable();
		return report_summary();
	}
	timer_tests("xAPIC");
	prio_tests();
	if (cpus > 1)
		ipi_tests();
	else
		printf("# skip IPI checks: cpus=1\n");
	ioapic_tests();
	ipi_stop_ap();
	x2apic_tests();

	irq_disable();
	report(irq_unexpected() == 0, "no interrupt at a vector outside 0x%x-0x%x and 0x%x (%u)",
	       VEC_TIMER, VEC_IPI_TO_BSP, VEC_SPURIOUS, irq_unexpected());
	return report_summary();
}
