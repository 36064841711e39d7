// SPDX-License-Identifier: MIT
/* hello's echo mode: prompt, read a line from COM1 as a terminal would, print it back. */
#include "guest.h"
#include "sprout.h"
#include "x86.h"
#include "echo.h"

#define UART_RBR      0x3f8
#define UART_LSR      0x3fd
#define UART_LSR_DR   0x01

#define ECHO_LINE_MAX 120
#define ASCII_DEL     0x7f

/* The next byte typed on COM1, giving the CPU away while there is none. */
static char read_byte(void)
{
	while (!(inb(UART_LSR) & UART_LSR_DR))
		sprout_yield();
	return (char)inb(UART_RBR);
}

/* One line with echo and backspace; the length, or -1 once the line is longer than buf. */
static int read_line(char *buf, int max)
{
	int len = 0;

	for (;;) {
		char c = read_byte();

		if (c == '\r' || c == '\n') {
			puts("");
			buf[len < max ? len : max] = '\0';
			return len;
		}
		if ((c == '\b' || c == ASCII_DEL) && len > 0) {
			len--;
			printf("\b \b");
		} else if (c >= ' ' && c < ASCII_DEL) {
			if (len < max)
				buf[len] = c;
			len++;
			console_putc(c);
		}
	}
}

void hello_echo(void)
{
	static char line[ECHO_LINE_MAX + 1];

	puts("hello: echo: ready (a line typed on COM1 comes back; quit ends)");
	for (;;) {
		int len;

		printf("echo> ");
		len = read_line(line, ECHO_LINE_MAX);
		if (len > ECHO_LINE_MAX) {
			printf("echo: line too long (%d characters, at most %d)\n", len,
			       ECHO_LINE_MAX);
			continue;
		}
		if (!strcmp(line, "quit"))
			break;
		printf("echo: %s\n", line);
	}
	puts("hello: echo: quit");
}
