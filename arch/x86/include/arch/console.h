/* SPDX-License-Identifier: MIT */
/* Hypervisor console: COM1 16550 and, when the emulator has one, the port 0xE9 mirror. */
#ifndef ARCH_CONSOLE_H
#define ARCH_CONSOLE_H

#include <hv/types.h>

#define COM1_BASE     0x3f8
#define DEBUGCON_PORT 0xe9

/* Program COM1 for 115200 8N1 and probe for port 0xE9. */
void console_init(void);

/* Write len bytes to every console device; "\n" becomes "\r\n" on the UART. */
void console_write(const char *s, size_t len);

/* True unless the last byte written was not a newline (a prompt is showing). */
bool console_at_line_start(void);

/* A received byte from COM1, or -1 when none is waiting. */
int console_getc(void);

#endif
