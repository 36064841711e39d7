// SPDX-License-Identifier: MIT
/* COM1 16550 UART driver and the port 0xE9 debug console mirror; the screen is screen.c. */
#include <arch/console.h>
#include <arch/x86.h>

/* 16550 register offsets from the base port. */
#define UART_THR       0 /* transmit holding (DLAB=0) */
#define UART_RBR       0 /* receive buffer (DLAB=0) */
#define UART_DLL       0 /* divisor latch low (DLAB=1) */
#define UART_IER       1
#define UART_DLM       1 /* divisor latch high (DLAB=1) */
#define UART_FCR       2
#define UART_IIR       2 /* read */
#define UART_LCR       3
#define UART_MCR       4
#define UART_LSR       5
#define UART_SCR       7

#define UART_FIFO_SIZE 16 /* 16550A transmit FIFO */

#define LSR_DATA_READY BIT(0)
#define LSR_THR_EMPTY  BIT(5)
#define LSR_TX_EMPTY   BIT(6)

static bool uart_present;
/* What the transmitter takes when empty: a 16550A's FIFO, or THR and the shift register. */
static u32 uart_room = 2;
static bool debugcon_present;

void console_init(void)
{
	/* A missing UART floats the bus: the scratch register does not hold a value. */
	outb(COM1_BASE + UART_SCR, 0x5a);
	uart_present = inb(COM1_BASE + UART_SCR) == 0x5a;
	if (uart_present) {
		outb(COM1_BASE + UART_IER, 0x00);
		outb(COM1_BASE + UART_LCR, 0x80); /* DLAB on */
		outb(COM1_BASE + UART_DLL, 1);	  /* 115200 baud */
		outb(COM1_BASE + UART_DLM, 0);
		outb(COM1_BASE + UART_LCR, 0x03); /* 8N1, DLAB off */
		outb(COM1_BASE + UART_FCR, 0xc7); /* FIFOs on and cleared */
		outb(COM1_BASE + UART_MCR, 0x03); /* DTR, RTS */
		/* IIR bits 7:6 read 11b once a 16550A has its FIFOs on; an 8250 has none. */
		if ((inb(COM1_BASE + UART_IIR) & 0xc0) == 0xc0)
			uart_room = UART_FIFO_SIZE;
	}
	/* QEMU's debugcon and Bochs' port_e9_hack read back 0xE9. */
	debugcon_present = inb(DEBUGCON_PORT) == 0xe9;
}

static void uart_putc(char c)
{
	for (u32 spins = 0; spins < 100000; spins++)
		if (inb(COM1_BASE + UART_LSR) & LSR_THR_EMPTY)
			break;
	outb(COM1_BASE + UART_THR, (u8)c);
}

void console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (uart_present) {
			if (s[i] == '\n')
				uart_putc('\r');
			uart_putc(s[i]);
		}
		if (debugcon_present)
			outb(DEBUGCON_PORT, (u8)s[i]);
	}
	screen_write(s, len);
}

/*
 * The bytes of s the UART takes without a wait: none while its transmitter
 * still holds bytes, else a FIFO's worth (16 on a 16550A, 2 without a
 * FIFO), a newline taking two. Those bytes go to the other devices too.
 */
size_t console_write_nowait(const char *s, size_t len)
{
	size_t n = 0;

	if (uart_present) {
		u32 room = uart_room;
		u8 lsr = inb(COM1_BASE + UART_LSR);

		/* With a FIFO, THRE says it is empty; without, TEMT says both registers are. */
		if (!(lsr & (uart_room == UART_FIFO_SIZE ? LSR_THR_EMPTY : LSR_TX_EMPTY)))
			return 0;
		for (; n < len && room >= (s[n] == '\n' ? 2u : 1u); n++) {
			if (s[n] == '\n') {
				outb(COM1_BASE + UART_THR, '\r');
				room--;
			}
			outb(COM1_BASE + UART_THR, (u8)s[n]);
			room--;
		}
	} else {
		n = len;
	}
	if (!n)
		return 0;
	if (debugcon_present)
		for (size_t i = 0; i < n; i++)
			outb(DEBUGCON_PORT, (u8)s[i]);
	screen_write(s, n);
	return n;
}

bool console_has_uart(void)
{
	return uart_present;
}

int console_getc(void)
{
	if (!uart_present || !(inb(COM1_BASE + UART_LSR) & LSR_DATA_READY))
		return screen_getc();
	return inb(COM1_BASE + UART_RBR);
}
