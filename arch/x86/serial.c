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
#define UART_LCR       3
#define UART_MCR       4
#define UART_LSR       5
#define UART_SCR       7

#define LSR_DATA_READY BIT(0)
#define LSR_THR_EMPTY  BIT(5)

static bool uart_present;
static char last_char = '\n';
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

bool console_at_line_start(void)
{
	return last_char == '\n';
}

void console_write(const char *s, size_t len)
{
	if (len)
		last_char = s[len - 1];
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
