/* SPDX-License-Identifier: MIT */
/* IPIs between two CPUs: INIT/SIPI start-up, physical and logical destinations, shorthands, NMI. */
#include "apic.h"
#include "sipi.h"
#include "smp.h"

#define AP_APIC_ID	1
#define AP_ONLINE_MS	1000
#define INIT_WAIT_US	10000 /* SDM Vol. 3A, 9.4.4.1 */
#define STARTUP_WAIT_US 200
#define IPI_WAIT_US	100000
#define IPI_SETTLE_US	5000
#define LOGICAL_BSP	0x01 /* flat model: one bit per CPU, set by lapic_setup_cpu() */
#define LOGICAL_AP	0x02

extern char ap_tramp_start[], ap_tramp_end[], ap_tramp_count[];

enum ap_cmd { AP_IDLE, AP_SEND_TO_BSP, AP_HALT, AP_QUIT };

static volatile u32 ap_cmd;
static volatile u32 ap_online;
static volatile u32 ap_apic_id, ap_ldr;

/* The second CPU: its APIC set up like vCPU 0's, then interrupts on and commands polled. */
static void ap_worker(u32 id)
{
	u32 cmd;

	lapic_setup_cpu(id);
	ap_apic_id = lapic_read(LAPIC_ID) >> 24;
	ap_ldr = lapic_read(LAPIC_LDR);
	atomic_store_u32(&ap_online, 1);
	irq_enable();
	for (;;) {
		cmd = atomic_load_u32(&ap_cmd);
		if (cmd == AP_SEND_TO_BSP)
			lapic_send_ipi(0, ICR_FIXED | ICR_ASSERT | VEC_IPI_TO_BSP);
		if (cmd != AP_IDLE)
			atomic_store_u32(&ap_cmd, AP_IDLE);
		if (cmd == AP_QUIT)
			break;
		/* Interrupts are on: any interrupt (VEC_WAKE) ends the halt. */
		if (cmd == AP_HALT)
			asm volatile("hlt" ::: "memory");
		cpu_relax();
	}
	irq_disable();
	atomic_store_u32(&ap_online, 0);
}

bool ipi_ap_online(void)
{
	return atomic_load_u32(&ap_online);
}

static bool ap_command(u32 cmd)
{
	u64 end = rdtsc() + us_to_tsc(IPI_WAIT_US);

	atomic_store_u32(&ap_cmd, cmd);
	while (atomic_load_u32(&ap_cmd) != AP_IDLE) {
		if (rdtsc() > end)
			return false;
		cpu_relax();
	}
	return true;
}

void ipi_stop_ap(void)
{
	if (ipi_ap_online())
		ap_command(AP_QUIT);
}

/* INIT, 10 ms, STARTUP, 200 us, STARTUP through the xAPIC ICR (SDM Vol. 3A, 9.4.4.1). */
static bool start_ap(void)
{
	size_t len = (uintptr_t)ap_tramp_end - (uintptr_t)ap_tramp_start;
	volatile u32 *entries =
		(volatile u32 *)(uintptr_t)(SIPI_TRAMP_BASE + ((uintptr_t)ap_tramp_count -
							       (uintptr_t)ap_tramp_start));
	u64 t0 = rdtsc(), end = t0 + us_to_tsc(AP_ONLINE_MS * 1000);
	bool idle, online;

	smp_set_worker(ap_worker);
	smp_init(); /* records CR3 and IDT for smp_entry.S; -SPROUT_ENOSYS without Sprout */
	memcpy((void *)SIPI_TRAMP_BASE, ap_tramp_start, len);
	idle = lapic_send_ipi(AP_APIC_ID, ICR_INIT | ICR_ASSERT);
	delay_us(INIT_WAIT_US);
	idle &= lapic_send_ipi(AP_APIC_ID, ICR_STARTUP | ICR_ASSERT | SIPI_VECTOR);
	delay_us(STARTUP_WAIT_US);
	idle &= lapic_send_ipi(AP_APIC_ID, ICR_STARTUP | ICR_ASSERT | SIPI_VECTOR);
	while (!(online = ipi_ap_online()) && rdtsc() < end)
		cpu_relax();
	report(idle, "ICR delivery status clears after INIT and both STARTUPs");
	report(online && ap_apic_id == AP_APIC_ID && *entries == 1,
	       "INIT/SIPI/SIPI to APIC ID %u: online after %llu ms, APIC ID %u, trampoline ran %u "
	       "time(s)",
	       AP_APIC_ID, tsc_to_us(rdtsc() - t0) / 1000, ap_apic_id, *entries);
	return online;
}

/* Send one IPI and check how many interrupts at vector each CPU took. */
static void check_ipi(u32 dest, u32 icr, u32 vector, u32 want_bsp, u32 want_ap, const char *what)
{
	u32 bsp, ap;

	irq_reset();
	lapic_send_ipi(dest, icr | ICR_ASSERT | vector);
	if (want_bsp)
		wait_count(0, vector, want_bsp, IPI_WAIT_US);
	if (want_ap)
		wait_count(1, vector, want_ap, IPI_WAIT_US);
	delay_us(IPI_SETTLE_US);
	bsp = irq_count(0, vector);
	ap = irq_count(1, vector);
	report(bsp == want_bsp && ap == want_ap,
	       "%s: vector 0x%x taken %u time(s) on CPU 0, %u on CPU 1", what, vector, bsp, ap);
}

static void check_nmi(void)
{
	u64 end = rdtsc() + us_to_tsc(IPI_WAIT_US);

	irq_reset();
	lapic_send_ipi(AP_APIC_ID, ICR_NMI | ICR_ASSERT);
	while (!nmi_count(1) && rdtsc() < end)
		cpu_relax();
	delay_us(IPI_SETTLE_US);
	report(nmi_count(1) == 1 && nmi_count(0) == 0,
	       "NMI IPI to APIC ID %u: the NMI handler ran %u time(s) on CPU 1, %u on CPU 0",
	       AP_APIC_ID, nmi_count(1), nmi_count(0));
}

static void check_from_ap(void)
{
	bool done;

	irq_reset();
	done = ap_command(AP_SEND_TO_BSP);
	wait_count(0, VEC_IPI_TO_BSP, 1, IPI_WAIT_US);
	delay_us(IPI_SETTLE_US);
	report(done && irq_count(0, VEC_IPI_TO_BSP) == 1 && irq_count(1, VEC_IPI_TO_BSP) == 0,
	       "fixed IPI from CPU 1 to APIC ID 0: taken %u time(s) on CPU 0",
	       irq_count(0, VEC_IPI_TO_BSP));
}

/* CPU 1's handler of a ping: EOI, then the answer to CPU 0, as an OS's IPI handler would. */
static void pong(u32 vector, u32 cpu)
{
	lapic_eoi();
	lapic_send_ipi(0, ICR_FIXED | ICR_ASSERT | VEC_PONG);
}

/*
 * IPI round trips: CPU 0 sends VEC_PING to CPU 1, whose handler answers with
 * VEC_PONG; from CPU 0's ICR write to its handler of the answer, in TSC
 * cycles, the average of IPI_PINGS.
 */
#define IPI_PINGS 50

static void ipi_round_trips(void)
{
	u64 sum = 0;
	u32 done = 0;

	irq_set_handler(VEC_PING, pong);
	irq_reset();
	for (u32 i = 0; i < IPI_PINGS; i++) {
		u64 t0 = rdtsc(), end = t0 + us_to_tsc(IPI_WAIT_US);

		lapic_send_ipi(AP_APIC_ID, ICR_FIXED | ICR_ASSERT | VEC_PING);
		while (irq_count(0, VEC_PONG) <= i && rdtsc() < end)
			cpu_relax();
		if (irq_count(0, VEC_PONG) <= i)
			break;
		sum += irq_last_tsc(0, VEC_PONG) - t0;
		done++;
	}
	irq_set_handler(VEC_PING, NULL);
	report(done == IPI_PINGS, "IPI round trips CPU 0 -> CPU 1 -> CPU 0: %u of %u answered",
	       done, IPI_PINGS);
	if (done)
		printf("apic: ipi_roundtrip_cycles=%llu (%s, %u round trips)\n", sum / done,
		       lapic_x2apic ? "x2APIC" : "xAPIC", done);
}

/*
 * An IPI to a halted CPU: CPU 1 halts (AP_HALT), CPU 0 gives it IPI_HALT_US
 * to get there, then sends VEC_WAKE; from the ICR write to CPU 1's handler,
 * in TSC cycles (one TSC for both CPUs), the median of IPI_WAKES. This is
 * the emulator's (or Sprout's) cost of waking a halted CPU with an IPI.
 */
#define IPI_WAKES   15
#define IPI_HALT_US 2000

static void ipi_wakes(void)
{
	u64 lat[IPI_WAKES];
	u32 done = 0;

	irq_reset();
	for (u32 i = 0; i < IPI_WAKES; i++) {
		u64 t0, end;

		if (!ap_command(AP_HALT))
			break;
		delay_us(IPI_HALT_US);
		t0 = rdtsc();
		end = t0 + us_to_tsc(IPI_WAIT_US);
		lapic_send_ipi(AP_APIC_ID, ICR_FIXED | ICR_ASSERT | VEC_WAKE);
		while (irq_count(1, VEC_WAKE) <= i && rdtsc() < end)
			cpu_relax();
		if (irq_count(1, VEC_WAKE) <= i)
			break;
		lat[done++] = irq_last_tsc(1, VEC_WAKE) - t0;
	}
	report(done == IPI_WAKES, "IPI to halted CPU 1: %u of %u woke it", done, IPI_WAKES);
	if (!done)
		return;
	/* Insertion sort: the median of a handful. */
	for (u32 i = 1; i < done; i++) {
		u64 x = lat[i];
		u32 j = i;

		for (; j > 0 && lat[j - 1] > x; j--)
			lat[j] = lat[j - 1];
		lat[j] = x;
	}
	printf("apic: ipi_wake_cycles=%llu (%s, median of %u, %llu us)\n", lat[done / 2],
	       lapic_x2apic ? "x2APIC" : "xAPIC", done, tsc_to_us(lat[done / 2]));
}

/* The round trip and the wake-up alone, for `make bench` (cmdline ipi-bench). */
bool ipi_bench(void)
{
	if (!start_ap()) {
		printf("# skip IPI round trips: the second CPU did not come online\n");
		return false;
	}
	ipi_round_trips();
	ipi_wakes();
	return true;
}

bool ipi_tests(void)
{
	if (!start_ap()) {
		printf("# skip IPI checks: the second CPU did not come online\n");
		return false;
	}
	report(ap_ldr == (u32)LOGICAL_AP << 24, "CPU 1's LDR reads 0x%x (flat, bit 1)", ap_ldr);
	check_ipi(AP_APIC_ID, ICR_FIXED, VEC_IPI_PHYS, 0, 1, "fixed IPI, physical destination 1");
	check_ipi(LOGICAL_AP, ICR_FIXED | ICR_LOGICAL, VEC_IPI_LOGICAL, 0, 1,
		  "fixed IPI, logical destination 0x02");
	check_ipi(LOGICAL_AP | LOGICAL_BSP, ICR_FIXED | ICR_LOGICAL, VEC_IPI_LOGICAL_BOTH, 1, 1,
		  "fixed IPI, logical destination 0x03");
	check_ipi(LOGICAL_BSP, ICR_FIXED | ICR_LOGICAL, VEC_IPI_LOGICAL_SELF, 1, 0,
		  "fixed IPI, logical destination 0x01 (the sender)");
	check_ipi(0, ICR_FIXED | ICR_SELF, VEC_IPI_SELF, 1, 0, "shorthand self");
	check_ipi(0, ICR_FIXED | ICR_ALL_INCL_SELF, VEC_IPI_ALL, 1, 1,
		  "shorthand all including self");
	check_ipi(0, ICR_FIXED | ICR_ALL_EXCL_SELF, VEC_IPI_OTHERS, 0, 1,
		  "shorthand all excluding self");
	check_from_ap();
	check_nmi();
	ipi_round_trips();
	report(ipi_stuck == 0, "ICR delivery status cleared after each of %u IPIs (%u stuck)",
	       ipi_sent, ipi_stuck);
	return true;
}
