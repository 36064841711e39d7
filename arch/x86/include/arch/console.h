/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor console: COM1 16550, the port 0xE9 mirror when the emulator has
 * one, and the screen (a firmware framebuffer and the PS/2 keyboard).
 */
#ifndef ARCH_CONSOLE_H
#define ARCH_CONSOLE_H

#include <hv/types.h>

struct boot_fb;

#define COM1_BASE     0x3f8
#define DEBUGCON_PORT 0xe9

/* Program COM1 for 115200 8N1 and probe for port 0xE9. */
void console_init(void);

/* Write len bytes to every console device; "\n" becomes "\r\n" on the UART. */
void console_write(const char *s, size_t len);

/*
 * Write the first bytes of s that need no wait for the UART (a FIFO's worth
 * once its transmitter is empty, or none); returns how many were written.
 */
size_t console_write_nowait(const char *s, size_t len);

/* True when console_init() found a 16550 at COM1. */
bool console_has_uart(void);

/* A received byte from COM1 or, with the screen on, the keyboard; -1 when none is waiting. */
int console_getc(void);

/*
 * Once the identity map covers the framebuffer: put the console on the screen
 * when `console = auto` would (no UART), with what was printed so far; title
 * stays on the screen's top row.
 */
void console_screen_probe(const struct boot_fb *fb, const char *title);

/* Apply the config's console = (enum config_console); what was printed so far shows. */
void console_screen_mode(u32 mode);

/* The screen console, for the boot log: "" when off, else a description. */
const char *console_screen_desc(void);

/* Used by console_write() and console_getc(): the screen's side. */
void screen_write(const char *s, size_t len);
int screen_getc(void);

#endif
