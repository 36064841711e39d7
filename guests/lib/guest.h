/* SPDX-License-Identifier: MIT */
/* The test-guest runtime: start-up state, console, test reports, exit, string helpers. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdarg.h>
#include <hv/types.h>
#include "pvh.h"

/* Exit status of a guest that took an exception nobody expected. */
#define GUEST_EXIT_CRASH 0x7f

/* Debug-exit port: Sprout records the value as the VM's exit status. */
#define GUEST_EXIT_PORT 0xf4

/* Written by the test: runs after the lib has parsed the start info. */
int main(void);

/*
 * Called once from entry.S in 64-bit mode with the start info from EBX:
 * installs the exception handlers, reads cmdline and memory map, runs main()
 * and exits with its return value.
 */
__noreturn void guest_start(struct hvm_start_info *si);

/*
 * Report status through the debug-exit port (Sprout: VM exit status; QEMU's
 * isa-debug-exit: process status (status << 1) | 1), then halt forever.
 */
__noreturn void guest_exit(int status);

/* The start info as handed over; NULL if EBX did not point to a valid one. */
extern const struct hvm_start_info *guest_start_info;

/* Kernel command line (copied, at most 255 bytes); "" when there is none. */
extern const char *guest_cmdline;

/* True when word appears in the command line as a whole space-separated word. */
bool cmdline_has(const char *word);

/*
 * RAM from the memory map: guest_ram_size counts the first MiB as RAM plus
 * every RAM entry above it (the configured memory size on Sprout and QEMU);
 * guest_ram_top is one past the highest RAM byte. 2 MiB each when the start
 * info has no memory map.
 */
extern u64 guest_ram_size;
extern u64 guest_ram_top;

/* Bounds of the loaded image including .bss (linker script symbols). */
extern char __image_start[], __image_end[];

/*
 * Point IDT entry vector (32-255) at handler: a 64-bit interrupt gate with
 * the given DPL, the highest CPL that may reach it with INT n. The handler is
 * an entry stub (it ends in IRETQ); vectors 0-31 stay the lib's (traps.c).
 */
void traps_set_gate(unsigned int vector, void (*handler)(void), unsigned int dpl);

/* Console: every byte goes to the UART at 0x3f8 and to port 0xe9. */
void console_putc(char c);
void console_write(const char *s, size_t len);
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
/* Print s and a newline. */
int puts(const char *s);

/*
 * TAP-like checks: print "ok <n> - <name>" or "FAIL <n> - <name>" and count.
 * Returns cond so a test can skip what depends on a failed check.
 */
bool report(bool cond, const char *fmt, ...) __printf(2, 3);

/* Print "<p> passed, <f> failed" on its own line; 0 if nothing failed, else 1. */
int report_summary(void);

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
