/* SPDX-License-Identifier: MIT */
/* GDT, TSS and IDT set-up, the trap frame, and the crash report for host exceptions. */
#ifndef ARCH_TRAPS_H
#define ARCH_TRAPS_H

#include <hv/types.h>

#define GDT_CODE64 0x08
#define GDT_DATA   0x10
#define GDT_TSS	   0x18

/* Register state pushed by the IDT stubs (idt_entry.S); order matters. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define TRAPS_IST_AREA_SIZE (3 * 8192)

/*
 * Load CPU cpu's GDT and TSS, and the shared IDT (built by CPU 0). ist_area
 * holds TRAPS_IST_AREA_SIZE bytes of stacks for #DF, NMI and #MC; NULL on
 * the boot CPU, which has static ones.
 */
void traps_init_cpu(u32 cpu, void *ist_area);

/* Handler for an interrupt vector >= 32; NULL acknowledges nothing. */
typedef void (*irq_handler_t)(struct trap_frame *f);
void traps_set_irq_handler(u8 vector, irq_handler_t fn);

/* Called from the stubs. */
void trap_handler(struct trap_frame *f);

/* Print a stack trace starting at the given frame pointer. */
void print_stack_trace(u64 rbp);

#endif
