/* SPDX-License-Identifier: MIT */
/* The IOAPIC (82093AA): registers, the PIT on pin 2 (edge), COM1 on pin 4, the RTC on pin 8 (level). */
#include "apic.h"

#define IOREGSEL	0x00
#define IOWIN		0x10
#define IOAPIC_ID	0x00
#define IOAPIC_VER	0x01
#define IOAPIC_RTE(pin) (0x10 + 2 * (pin))
#define IOAPIC_PINS	24

/*
 * Redirection entry, low word (82093AA datasheet, 3.2.4):
 *
 *  31   17 16 15 14 13 12 11 10  8 7      0
 * +-------+--+--+--+--+--+--+-----+--------+
 * |       |M |TM|RI|PO|DS|DM| del | vector |
 * +-------+--+--+--+--+--+--+-----+--------+
 *
 * M mask, TM level, RI remote IRR (RO), PO active low, DS delivery status (RO),
 * DM logical; the high word's bits 31:24 are the destination.
 */
#define RTE_MASKED     BIT(16)
#define RTE_LEVEL      BIT(15)
#define RTE_REMOTE_IRR BIT(14)
#define RTE_LOW_ACTIVE BIT(13)
#define RTE_BUSY       BIT(12)
#define RTE_RO	       (RTE_REMOTE_IRR | RTE_BUSY)

/* IRQ 0 is GSI 2 on a PC (the MADT's interrupt source override); the RTC is IRQ 8. */
#define PIN_PIT	 2
#define PIN_RTC	 8
#define PIN_UART 4

/* COM1 (16550A): interrupt enable, identification, modem control. */
#define COM1_IER      0x3f9
#define COM1_IIR      0x3fa
#define COM1_MCR      0x3fc
#define IER_THRI      BIT(1)
#define MCR_OUT2      BIT(3) /* gates the UART's interrupt onto the ISA line on a PC */
#define IIR_ID_MASK   0x0f
#define IIR_THRE      0x02

#define PIT_HZ	      1193182ull
#define PIT_CH0	      0x40
#define PIT_CMD	      0x43
#define PIT_RATE      50
#define PIT_WINDOW_MS 400
#define PIT_TRIES     3

#define CMOS_INDEX    0x70
#define CMOS_DATA     0x71
#define RTC_A	      0x0a
#define RTC_B	      0x0b
#define RTC_C	      0x0c
#define RTC_B_PIE     BIT(6)
#define RTC_B_AIE     BIT(5)
#define RTC_B_UIE     BIT(4)
#define RTC_RATE_8HZ  0x0d /* 32768 >> (rate - 1) Hz: one period is 125 ms */
#define RTC_REFIRES   5	   /* EOIs without reading C before the handler reads it */
/*
 * The refires must all come within one period: from the 8 Hz periodic flag
 * alone, RTC_REFIRES interrupts would take 4 periods (500 ms). What a busy
 * host adds, by running the vCPU late after each EOI, stays well below it.
 */
#define RTC_REFIRE_SPAN_US 100000

static u32 ioapic_read(u32 reg)
{
	*(volatile u32 *)(uintptr_t)(IOAPIC_DEFAULT_BASE + IOREGSEL) = reg;
	return *(volatile u32 *)(uintptr_t)(IOAPIC_DEFAULT_BASE + IOWIN);
}

static void ioapic_write(u32 reg, u32 val)
{
	*(volatile u32 *)(uintptr_t)(IOAPIC_DEFAULT_BASE + IOREGSEL) = reg;
	*(volatile u32 *)(uintptr_t)(IOAPIC_DEFAULT_BASE + IOWIN) = val;
}

/* Destination first, then the low word that may unmask it. */
static void rte_set(u32 pin, u32 low, u8 dest)
{
	ioapic_write(IOAPIC_RTE(pin), RTE_MASKED);
	ioapic_write(IOAPIC_RTE(pin) + 1, (u32)dest << 24);
	ioapic_write(IOAPIC_RTE(pin), low);
}

static void rte_mask(u32 pin)
{
	ioapic_write(IOAPIC_RTE(pin), ioapic_read(IOAPIC_RTE(pin)) | RTE_MASKED);
}

static void check_registers(void)
{
	u32 id = ioapic_read(IOAPIC_ID), ver = ioapic_read(IOAPIC_VER), bad = 0, lo, hi;
	u32 other = (id & 0x0f000000) ^ 0x05000000;

	ioapic_write(IOAPIC_ID, other);
	report((ioapic_read(IOAPIC_ID) & 0x0f000000) == other,
	       "IOAPIC ID register: ID %u (bits 27:24), takes %u when written", id >> 24 & 0xf,
	       other >> 24);
	ioapic_write(IOAPIC_ID, id);
	report((ver & 0xff) >= 0x11 && (ver & 0xff) <= 0x20 &&
		       (ver >> 16 & 0xff) == IOAPIC_PINS - 1,
	       "IOAPIC version register 0x%x: version 0x%x, %u redirection entries", ver,
	       ver & 0xff, (ver >> 16 & 0xff) + 1);
	for (u32 pin = 0; pin < IOAPIC_PINS; pin++) {
		rte_set(pin, RTE_MASKED | RTE_LEVEL | RTE_LOW_ACTIVE | (0x30 + pin), (u8)pin);
		lo = ioapic_read(IOAPIC_RTE(pin));
		hi = ioapic_read(IOAPIC_RTE(pin) + 1);
		bad += (lo & ~RTE_RO) != (RTE_MASKED | RTE_LEVEL | RTE_LOW_ACTIVE | (0x30 + pin)) ||
		       hi >> 24 != pin;
		rte_set(pin, RTE_MASKED, 0);
	}
	report(!bad, "all %u redirection entries hold what was written (%u differ), then masked",
	       IOAPIC_PINS, bad);
}

/* PIT channel 0 as a rate generator (mode 2) at PIT_RATE Hz. */
static void pit_start(void)
{
	u32 reload = (u32)(PIT_HZ / PIT_RATE);

	outb(0x34, PIT_CMD); /* channel 0, lobyte/hibyte, mode 2, binary */
	outb((u8)reload, PIT_CH0);
	outb((u8)(reload >> 8), PIT_CH0);
}

/* Mode 0 with the largest count: one more edge after 55 ms, then none. */
static void pit_stop(void)
{
	outb(0x30, PIT_CMD);
	outb(0, PIT_CH0);
	outb(0, PIT_CH0);
}

static bool pit_count_ok(u32 n)
{
	u32 want = PIT_RATE * PIT_WINDOW_MS / 1000;

	return n >= want * 2 / 3 && n <= want * 5 / 4;
}

/* Interrupts at VEC_PIT on CPU 0 in one window of PIT_WINDOW_MS. */
static u32 pit_window(void)
{
	irq_reset();
	delay_us(PIT_WINDOW_MS * 1000);
	return irq_count(0, VEC_PIT);
}

/*
 * PIT channel 0 in mode 2 through IOAPIC pin 2 to vCPU 0. An emulator kept
 * off the CPU loses ticks (the IRR holds one), so a window that counts too
 * few is tried again, up to PIT_TRIES windows.
 */
static void check_pit(void)
{
	u32 n, snap, tries = 0;

	pit_start();
	rte_set(PIN_PIT, VEC_PIT, 0); /* fixed, physical, edge, active high, to APIC ID 0 */
	do
		n = pit_window();
	while (++tries < PIT_TRIES && !pit_count_ok(n));
	report(pit_count_ok(n) && !irq_count(1, VEC_PIT),
	       "PIT channel 0 at %u Hz through IOAPIC pin %u: %u interrupts at 0x%x on CPU 0 in %u "
	       "ms (try %u), %u on CPU 1",
	       PIT_RATE, PIN_PIT, n, VEC_PIT, PIT_WINDOW_MS, tries, irq_count(1, VEC_PIT));
	report(irq_count(0, VEC_PIC_BASE) == 0 && irq_count(0, VEC_PIC_BASE + 2) == 0,
	       "the masked 8259 delivers none of them (vectors 0x%x, 0x%x: %u, %u)", VEC_PIC_BASE,
	       VEC_PIC_BASE + 2, irq_count(0, VEC_PIC_BASE), irq_count(0, VEC_PIC_BASE + 2));

	rte_mask(PIN_PIT);
	delay_us(20000); /* what was in flight arrives */
	snap = irq_count(0, VEC_PIT);
	delay_us(100000);
	n = irq_count(0, VEC_PIT) - snap;
	report(n == 0, "masking redirection entry %u stops them (%u in 100 ms)", PIN_PIT, n);
	ioapic_write(IOAPIC_RTE(PIN_PIT), VEC_PIT);
	wait_count(0, VEC_PIT, snap + 3, PIT_WINDOW_MS * 1000);
	n = irq_count(0, VEC_PIT) - snap;
	report(n >= 3, "unmasking it resumes them (%u within %u ms)", n, PIT_WINDOW_MS);
	rte_mask(PIN_PIT);
	pit_stop();
}

static u8 cmos_read(u8 reg)
{
	outb(reg, CMOS_INDEX);
	return inb(CMOS_DATA);
}

static void cmos_write(u8 reg, u8 val)
{
	outb(reg, CMOS_INDEX);
	outb(val, CMOS_DATA);
}

static struct {
	volatile u32 fires, remote_irr, tmr;
	volatile u64 first, last;
} rtc;

/*
 * RTC interrupt on a level-triggered pin: the line stays asserted until
 * register C is read. EOI without reading it clears remote IRR and the
 * IOAPIC sends the interrupt again; after RTC_REFIRES the handler turns the
 * periodic interrupt off and reads C, which lowers the line: no more come.
 */
static void rtc_handler(u32 vector, u32 cpu)
{
	u32 n = rtc.fires + 1;

	rtc.remote_irr += (ioapic_read(IOAPIC_RTE(PIN_RTC)) & RTE_REMOTE_IRR) != 0;
	rtc.tmr += lapic_bit(LAPIC_TMR, vector);
	if (n == 1)
		rtc.first = rdtsc();
	rtc.last = rdtsc();
	if (n >= RTC_REFIRES) {
		/*
		 * Periodic interrupts off first: the next period may fall anywhere in
		 * the 125 ms (the first interrupt can come from a flag the old rate
		 * set), and only the line's level is under test here.
		 */
		cmos_write(RTC_B, (u8)(cmos_read(RTC_B) & ~RTC_B_PIE));
		cmos_read(RTC_C);
	}
	rtc.fires = n;
	lapic_eoi();
}

static void check_rtc(void)
{
	u8 a = cmos_read(RTC_A), b = cmos_read(RTC_B);
	u32 fires, after;
	u64 span;
	bool came, rirr_left;

	irq_set_handler(VEC_RTC, rtc_handler);
	cmos_read(RTC_C);
	rte_set(PIN_RTC, RTE_LEVEL | VEC_RTC, 0); /* level, active high, to APIC ID 0 */
	cmos_write(RTC_A, (u8)((a & 0xf0) | RTC_RATE_8HZ));
	cmos_write(RTC_B, (u8)((b & ~(RTC_B_AIE | RTC_B_UIE)) | RTC_B_PIE));
	came = wait_count(0, VEC_RTC, RTC_REFIRES, 400000);
	fires = rtc.fires;
	span = rtc.last - rtc.first;
	delay_us(50000); /* well inside the 125 ms until the next periodic interrupt */
	irq_disable();	 /* the handler uses IOREGSEL and the CMOS index too */
	after = rtc.fires - fires;
	rirr_left = ioapic_read(IOAPIC_RTE(PIN_RTC)) & RTE_REMOTE_IRR;
	cmos_write(RTC_B, (u8)(b & ~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE)));
	rte_mask(PIN_RTC);
	cmos_read(RTC_C);
	cmos_write(RTC_A, a);
	irq_enable();
	irq_set_handler(VEC_RTC, NULL);

	report(came && fires == RTC_REFIRES && span < us_to_tsc(RTC_REFIRE_SPAN_US),
	       "RTC on pin %u (level): EOI without reading C brings it again, %u times in %llu us",
	       PIN_RTC, fires, tsc_to_us(span));
	report(came && after == 0 && !rirr_left,
	       "RTC: reading C then EOI stops it (%u more in 50 ms), remote IRR then 0", after);
	report(fires && rtc.remote_irr == fires,
	       "RTC: remote IRR (bit 14) reads 1 in the handler before the EOI (%u of %u)",
	       rtc.remote_irr, fires);
	report(fires && rtc.tmr == fires,
	       "RTC: the local APIC's TMR bit for 0x%x is set (%u of %u)", VEC_RTC, rtc.tmr, fires);
}

/*
 * COM1's transmitter-empty interrupt on IRQ 4, as an interrupt-driven 8250
 * driver uses it: enabling THRI with the transmitter empty raises it at once
 * (with MCR.OUT2 set), reading IIR identifies and clears it, enabling THRI
 * again raises it again. Nothing is printed until the UART is quiet again:
 * the console writes to the same transmitter.
 */
static void check_uart(void)
{
	u8 mcr = inb(COM1_MCR), iir;
	u32 snap = irq_count(0, VEC_UART), first, second;

	rte_set(PIN_UART, VEC_UART, 0); /* fixed, physical, edge, active high, to APIC ID 0 */
	outb(mcr | MCR_OUT2, COM1_MCR);
	outb(IER_THRI, COM1_IER);
	wait_count(0, VEC_UART, snap + 1, 100000);
	first = irq_count(0, VEC_UART) - snap;
	iir = inb(COM1_IIR);
	outb(0, COM1_IER);
	outb(IER_THRI, COM1_IER);
	wait_count(0, VEC_UART, snap + 2, 100000);
	second = irq_count(0, VEC_UART) - snap;
	outb(0, COM1_IER);
	inb(COM1_IIR);
	outb(mcr, COM1_MCR);
	rte_mask(PIN_UART);
	report(first == 1 && (iir & IIR_ID_MASK) == IIR_THRE && second == 2,
	       "COM1 THRE interrupt through IOAPIC pin %u: raised by IER.THRI (%u), IIR 0x%02x "
	       "identifies it, raised again after IIR and IER (%u)",
	       PIN_UART, first, iir, second);
}

void ioapic_tests(void)
{
	check_registers();
	check_pit();
	check_uart();
	check_rtc();
}
