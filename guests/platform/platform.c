/* SPDX-License-Identifier: MIT */
/* platform: checks the VM's PC platform as firmware-less software finds it: ACPI, PM timer, PIT, RTC, ROM, holes, S5. */
#include "guest.h"
#include "util.h"
#include "x86.h"

#define ROM_BASE       0xe0000ull
#define ROM_END	       0x100000ull
#define PIT_HZ	       1193182ull
#define PM_TIMER_HZ    3579545ull
#define PM1_CNT_SLP_EN BIT(13)
#define SLP_TYP_SHIFT  10
#define FADT_PM_TMR    76  /* PM_TMR_BLK, ACPI 6.x FADT */
#define FADT_PM1A_CNT  64  /* PM1a_CNT_BLK */
#define FADT_FLAGS     112 /* TMR_VAL_EXT is bit 8 */
#define MADT_LAPIC     0
#define MADT_IOAPIC    1
#define PIT_10MS       11932 /* PIT ticks (1.193182 MHz) in 10 ms */
#define TOLERANCE_PCT  3     /* platform clocks against each other: only the polling step remains */

struct sdt {
	char sig[4];
	u32 len;
	u8 rev, csum;
	char oem[6], table[8];
	u32 oem_rev, creator, creator_rev;
} __attribute__((packed));

static u8 sum(const void *p, u32 n)
{
	const u8 *b = p;
	u8 s = 0;

	while (n--)
		s += *b++;
	return s;
}

static const u8 *find_rsdp(void)
{
	for (u64 a = ROM_BASE; a < ROM_END; a += 16)
		if (!memcmp((const void *)a, "RSD PTR ", 8))
			return (const u8 *)a;
	return NULL;
}

static const struct sdt *find_table(const struct sdt *xsdt, const char *sig)
{
	const u64 *e = (const u64 *)(xsdt + 1);
	u32 n = (xsdt->len - sizeof(*xsdt)) / 8;

	for (u32 i = 0; i < n; i++) {
		u64 ptr;

		memcpy(&ptr, &e[i], 8); /* entries are not 8-byte aligned */
		if (!memcmp(((const struct sdt *)ptr)->sig, sig, 4))
			return (const struct sdt *)ptr;
	}
	return NULL;
}

static void check_madt(const struct sdt *madt, u32 cpus_max)
{
	const u8 *p = (const u8 *)madt + 44, *end = (const u8 *)madt + madt->len;
	u32 lapics = 0, enabled = 0, ioapics = 0, ioapic_addr = 0;

	report(!sum(madt, madt->len), "MADT checksum");
	for (; p + 2 <= end && p[1] >= 2; p += p[1]) {
		if (p[0] == MADT_LAPIC) {
			lapics++;
			enabled += p[4] & 1;
		} else if (p[0] == MADT_IOAPIC) {
			ioapics++;
			memcpy(&ioapic_addr, p + 4, 4);
		}
	}
	report(lapics == cpus_max, "MADT lists %u processors (vcpus max %u)", lapics, cpus_max);
	report(enabled == 1, "MADT: %u processor enabled at boot, the others hot-pluggable",
	       enabled);
	report(ioapics == 1 && ioapic_addr == 0xfec00000u, "MADT: one IOAPIC at 0x%x", ioapic_addr);
}

/* Returns the FADT's PM timer and PM1a control ports. */
static bool pm_24bit; /* FADT TMR_VAL_EXT clear: the PM timer wraps at 2^24 */

static bool check_acpi(u32 cpus_max, u16 *pm_tmr, u16 *pm1a_cnt)
{
	const u8 *rsdp = find_rsdp();
	const struct sdt *xsdt, *fadt, *madt;
	u64 xsdt_addr;
	u32 flags;

	if (!report(rsdp, "RSDP found by a scan of 0xe0000-0xfffff"))
		return false;
	if (guest_start_info)
		report(guest_start_info->rsdp_paddr == (u64)rsdp,
		       "PVH start info points at the RSDP (0x%llx)", guest_start_info->rsdp_paddr);
	report(!sum(rsdp, 20) && rsdp[15] == 2 && !sum(rsdp, 36), "RSDP revision 2, checksums");
	memcpy(&xsdt_addr, rsdp + 24, 8);
	xsdt = (const struct sdt *)xsdt_addr;
	if (!report(!memcmp(xsdt->sig, "XSDT", 4) && !sum(xsdt, xsdt->len), "XSDT at 0x%llx",
		    xsdt_addr))
		return false;
	fadt = find_table(xsdt, "FACP");
	madt = find_table(xsdt, "APIC");
	if (!report(fadt && madt, "XSDT lists FACP and APIC"))
		return false;
	report(!sum(fadt, fadt->len), "FADT checksum");
	memcpy(pm_tmr, (const u8 *)fadt + FADT_PM_TMR, 2);
	memcpy(pm1a_cnt, (const u8 *)fadt + FADT_PM1A_CNT, 2);
	memcpy(&flags, (const u8 *)fadt + FADT_FLAGS, 4);
	pm_24bit = !(flags & BIT(8));
	report(*pm_tmr, "FADT: %u-bit PM timer at port 0x%x", pm_24bit ? 24 : 32, *pm_tmr);
	check_madt(madt, cpus_max);
	return true;
}

/* PIT channel 2 in mode 0 for count ticks, gated on through port 0x61, as Linux calibrates. */
static void pit_start(u32 count)
{
	outb((u8)((inb(0x61) & ~0x02) | 0x01), 0x61); /* gate on, speaker off */
	outb(0xb0, 0x43);			      /* channel 2, lo/hi, mode 0, binary */
	outb(count & 0xff, 0x42);
	outb((u8)(count >> 8), 0x42);
}

/*
 * Time 10 ms of PIT channel 2 on another clock (read by clock(), 32 bits,
 * wrapping), bracketed so that a guest scheduled late cannot skew it: the
 * count starts between the readings s0 and s1 around its start, and ends
 * after the last poll that saw OUT2 low (the reading before that poll, l)
 * and no later than the reading after the poll that saw it high (h). The
 * elapsed time lies in [l - s1, h - s0]. Returns the polls, 0 on a timeout.
 */
static u32 pit_bracket(u32 (*clock)(void), u32 *lo, u32 *hi)
{
	u32 s0 = clock(), s1, l;

	pit_start(PIT_10MS);
	s1 = clock();
	l = s1;
	for (u32 polls = 1; polls < 100000000; polls++) {
		u32 t = clock();

		if (inb(0x61) & 0x20) {
			u32 h = clock();

			*lo = l - s1 < h - s0 ? l - s1 : 0;
			*hi = h - s0;
			return polls;
		}
		l = t;
	}
	return 0;
}

static u16 pm_port;
static u32 pm_last, pm_high;

static u32 pm_clock(void)
{
	u32 now = inl(pm_port);

	if (!pm_24bit)
		return now;
	/* Extend to 32 bits: read far more often than every 4.6 s, it wraps at most once. */
	now &= 0xffffff;
	if (now < pm_last)
		pm_high += 1u << 24;
	pm_last = now;
	return pm_high | now;
}

static u32 tsc_clock(void)
{
	return (u32)rdtsc();
}

/*
 * A clock against the PIT: of 9 bracketed attempts, the tightest must contain
 * want (+- the tolerance). A clock that runs at the wrong rate misses; a
 * preempted emulator only widens the bracket.
 */
static void check_against_pit(const char *what, u32 (*clock)(void), u64 want)
{
	u32 lo = 0, hi = ~0u, polls = 0;

	for (int attempt = 0; attempt < 9; attempt++) {
		u32 l, h;

		polls = pit_bracket(clock, &l, &h);
		if (!polls)
			break;
		if (h - l < hi - lo)
			lo = l, hi = h;
	}
	if (!report(polls, "PIT channel 2 OUT went high after %u polls", polls))
		return;
	report((u64)lo * 100 <= want * (100 + TOLERANCE_PCT) &&
		       (u64)hi * (100 + TOLERANCE_PCT) >= want * 100,
	       "%s: %u..%u ticks while the PIT counts 10 ms (want %llu +- %u%%)", what, lo, hi,
	       want, TOLERANCE_PCT);
}

static void check_pm_timer(u16 port)
{
	pm_port = port;
	check_against_pit("PM timer", pm_clock, PM_TIMER_HZ / 100);
}

/* The TSC against the PIT, Linux's first calibration, at the rate Sprout reports. */
static void check_tsc_vs_pit(void)
{
	check_against_pit("TSC", tsc_clock, clock_ms_to_cycles(10));
}

static u8 cmos(u8 reg)
{
	outb(reg, 0x70);
	return inb(0x71);
}

static unsigned bcd(u8 v, bool binary)
{
	return binary ? v : (v >> 4) * 10u + (v & 15u);
}

static void check_rtc(void)
{
	bool bin = cmos(0x0b) & 0x04;
	unsigned s0, s1, year = bcd(cmos(0x32), bin) * 100 + bcd(cmos(0x09), bin);
	unsigned mon = bcd(cmos(0x08), bin), day = bcd(cmos(0x07), bin);

	report(year >= 2024 && year < 2100 && mon >= 1 && mon <= 12 && day >= 1 && day <= 31,
	       "RTC date %04u-%02u-%02u", year, mon, day);
	report(cmos(0x0d) & 0x80, "RTC register D: valid RAM and time");
	s0 = bcd(cmos(0x00), bin);
	clock_idle_ms(1100);
	s1 = bcd(cmos(0x00), bin);
	report((s1 + 60 - s0) % 60 >= 1 && (s1 + 60 - s0) % 60 <= 2,
	       "RTC seconds advance with time (%u then %u after 1.1 s)", s0, s1);
}

static void check_rom(void)
{
	volatile u32 *rom = (volatile u32 *)0xf0000;
	u32 before = *rom;

	*rom = ~before;
	report(*rom == before, "a write to the BIOS ROM is dropped (0x%x stays)", before);
}

#define HPET_GPA 0xfed00000ull /* in the device hole; Sprout offers no HPET */
#define VGA_GPA	 0xa0000ull    /* the legacy video hole */

/* Nothing at the address: every size reads all-ones, a write is dropped, the VM goes on. */
static void check_nothing_at(const char *what, u64 gpa)
{
	volatile u8 *p = (volatile u8 *)(uintptr_t)gpa;
	u64 merged = 0x1122334455667788ull, sx = 0;
	u32 before;

	report(p[1] == 0xff && *(volatile u16 *)(p + 2) == 0xffff &&
		       *(volatile u32 *)(p + 4) == 0xffffffffu && *(volatile u64 *)(p + 8) == ~0ull,
	       "%s at 0x%llx reads all-ones as 8, 16, 32 and 64 bits", what, gpa);
	/* MOV to AL keeps the rest of RAX; MOVSX to a 32-bit register zero-extends to 64. */
	asm volatile("movb (%1), %%al" : "+a"(merged) : "r"(p) : "memory");
	asm volatile("movsbl (%1), %k0" : "=r"(sx) : "r"(p) : "memory");
	report(merged == 0x11223344556677ffull && sx == 0xffffffffull,
	       "%s: byte loads merge and sign-extend like the CPU (0x%llx, 0x%llx)", what, merged,
	       sx);
	before = *(volatile u32 *)(p + 16);
	*(volatile u32 *)(p + 16) = 0x12345678;
	*(volatile u8 *)(p + 20) = 0x5a;
	report(before == 0xffffffffu && *(volatile u32 *)(p + 16) == 0xffffffffu && p[20] == 0xff,
	       "%s: writes are dropped and the VM goes on", what);
}

static void check_unassigned(void)
{
	check_nothing_at("unassigned HPET area", HPET_GPA);
	check_nothing_at("VGA hole", VGA_GPA);
}

#define XAPIC		0xfee00000ull
#define APIC_ID		0x20
#define APIC_VERSION	0x30
#define APIC_SVR	0xf0
#define APIC_LVT_TIMER	0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR	0x390
#define APIC_TIMER_DIV	0x3e0

static u32 xapic_read(u32 reg)
{
	return *(volatile u32 *)(XAPIC + reg);
}

static void xapic_write(u32 reg, u32 val)
{
	*(volatile u32 *)(XAPIC + reg) = val;
}

/* The local APIC as firmware leaves it, through its xAPIC page (every access is emulated). */
static void check_lapic(void)
{
	u64 base = rdmsr(0x1b);
	u32 c0, c1;

	report((base & ~0xfffull) == XAPIC && (base & BIT(11)) && (base & BIT(8)),
	       "IA32_APIC_BASE 0x%llx: enabled BSP at 0xfee00000", base);
	report(xapic_read(APIC_ID) >> 24 == 0, "xAPIC ID %u", xapic_read(APIC_ID) >> 24);
	report((xapic_read(APIC_VERSION) & 0xff) >= 0x10, "xAPIC version 0x%x",
	       xapic_read(APIC_VERSION));
	report((xapic_read(APIC_SVR) & 0x1ff) == 0x1ff && (xapic_read(0x350) & 0x700) == 0x700 &&
		       (xapic_read(0x360) & 0x700) == 0x400,
	       "local APIC as firmware leaves it: enabled, LINT0 ExtINT, LINT1 NMI");
	xapic_write(APIC_SVR, 0x1ff);
	report(xapic_read(APIC_SVR) == 0x1ff, "SVR enable and spurious vector read back");
	xapic_write(APIC_LVT_TIMER, BIT(16) | 0xec); /* masked: the count runs, nothing fires */
	xapic_write(APIC_TIMER_DIV, 0xb);	     /* divide by 1 */
	xapic_write(APIC_TIMER_INIT, 0x10000000);
	c0 = xapic_read(APIC_TIMER_CUR);
	clock_idle_ms(2);
	c1 = xapic_read(APIC_TIMER_CUR);
	report(c0 <= 0x10000000 && c1 < c0, "APIC timer counts down (0x%x then 0x%x)", c0, c1);
	xapic_write(APIC_TIMER_INIT, 0);
	report(xapic_read(APIC_TIMER_CUR) == 0, "APIC timer stops at initial count 0");
	report(rdmsr_safe(0x802, &base) == X86_GP, "x2APIC ID MSR faults in xAPIC mode");
}

#define IOAPIC 0xfec00000ull

static u32 ioapic_read(u32 reg)
{
	*(volatile u32 *)IOAPIC = reg;
	return *(volatile u32 *)(IOAPIC + 0x10);
}

static void ioapic_write(u32 reg, u32 val)
{
	*(volatile u32 *)IOAPIC = reg;
	*(volatile u32 *)(IOAPIC + 0x10) = val;
}

/* The IOAPIC as Linux probes and programs it at boot (82093AA registers, version 0x20). */
static void check_ioapic(void)
{
	u32 ver = ioapic_read(1);

	report((ver & 0xff) == 0x20 && ((ver >> 16) & 0xff) == 23,
	       "IOAPIC version 0x%x with 24 redirection entries", ver & 0xff);
	report(ioapic_read(0x10) & BIT(16), "redirection entry 0 masked at reset");
	ioapic_write(0x12, BIT(16) | BIT(15) | 0x31); /* pin 1: masked, level, vector 0x31 */
	ioapic_write(0x13, 0x01000000);
	report(ioapic_read(0x12) == (BIT(16) | BIT(15) | 0x31) && ioapic_read(0x13) == 0x01000000,
	       "redirection entry 1 programmed and read back");
}

/*
 * What test kernels and Linux touch early: the MSRs behind what CPUID offers
 * must work, and AMD's architectural MSRs must exist.
 */
static void check_msrs(void)
{
	static const u32 amd_read[] = {0xc0010010, 0xc0010015, 0xc0011029, 0xc0010055};
	bool pdcm = cpuid(1).ecx & BIT(15);
	u64 v = 0;
	int bad = 0;

	report(!pdcm || rdmsr_safe(0x345, &v) == GUEST_NO_FAULT,
	       "CPUID PDCM %s, IA32_PERF_CAPABILITIES %s", pdcm ? "offered" : "hidden",
	       pdcm ? "readable" : "not needed");
	if (!cpu_is_amd())
		return;
	for (u32 msr = 0xc0010000; msr <= 0xc0010007; msr++)
		bad += wrmsr_safe(msr, 0) != GUEST_NO_FAULT ||
		       rdmsr_safe(msr, &v) != GUEST_NO_FAULT;
	report(!bad, "AMD legacy performance counters 0xc0010000-7 reset and read (%d faults)",
	       bad);
	bad = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(amd_read); i++)
		bad += rdmsr_safe(amd_read[i], &v) != GUEST_NO_FAULT;
	report(!bad, "AMD SYSCFG, HWCR, DE_CFG, 0xc0010055 read (%d faults)", bad);
	wrmsr_safe(0xc0011029, BIT(1));
	report(rdmsr_safe(0xc0011029, &v) == GUEST_NO_FAULT && (v & BIT(1)),
	       "DE_CFG keeps LFENCE serializing");
}

/*
 * IA32_TSC is writable as on hardware: RDTSC goes on from the value written
 * (a TSC offset in the VMCB/VMCS), RDMSR agrees; then the TSC is put back.
 */
static void check_tsc_write(void)
{
	const u64 jump = 1ULL << 40;
	u64 target = rdtsc() + jump, after, msr = 0;
	int ret = wrmsr_safe(0x10, target);

	after = rdtsc();
	if (ret == GUEST_NO_FAULT)
		ret = rdmsr_safe(0x10, &msr);
	report(ret == GUEST_NO_FAULT && after >= target &&
		       after - target < clock_ms_to_cycles(1000) && msr >= after &&
		       msr - after < clock_ms_to_cycles(1000),
	       "IA32_TSC write: RDTSC goes on from the value written (+%llu), RDMSR agrees (+%llu)",
	       after - target, msr - after);
	wrmsr_safe(0x10, rdtsc() - jump);
	after = rdtsc();
	report(after < target - jump / 2, "IA32_TSC written back: RDTSC follows again");
}

static void check_pic(void)
{
	outb(0xfb, 0x21);
	outb(0xff, 0xa1);
	report(inb(0x21) == 0xfb && inb(0xa1) == 0xff, "8259 masks read back");
}

int main(void)
{
	u64 cpus = 1;
	u16 pm_tmr = 0, pm1a_cnt = 0;

	opt_u64("cpus", &cpus);
	printf("platform: checking the PC platform (%llu possible CPUs)\n", cpus);
	if (check_acpi((u32)cpus, &pm_tmr, &pm1a_cnt) && pm_tmr)
		check_pm_timer(pm_tmr);
	check_tsc_vs_pit();
	check_rtc();
	check_rom();
	check_unassigned();
	check_lapic();
	check_ioapic();
	check_msrs();
	check_tsc_write();
	check_pic();
	if (report_summary() || !pm1a_cnt)
		return 1;
	printf("platform: powering off through ACPI S5\n");
	outw((u16)((5u << SLP_TYP_SHIFT) | PM1_CNT_SLP_EN), pm1a_cnt);
	printf("platform: FAIL - still running after the S5 request\n");
	return 1;
}
