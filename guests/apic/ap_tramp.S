/* SPDX-License-Identifier: MIT */
/* Real-mode start of the CPU that INIT/SIPI wakes: protected mode, xAPIC ID, smp_ap_start32. */
#include "sipi.h"

/* SPROUT_VCPU_MAGIC of include/public/hypercall.h, which is C only. */
#define VCPU_MAGIC 0x53505243

#define CR0_PE (1 << 0)
#define XAPIC_ID 0xfee00020 /* bits 31:24: the APIC ID */

#define SEL_CODE32 0x08
#define SEL_DATA 0x10

#define OFF(sym) ((sym) - ap_tramp_start)
#define ABS(sym) (SIPI_TRAMP_BASE + OFF(sym))

/*
 * ipi.c copies [ap_tramp_start, ap_tramp_end) to SIPI_TRAMP_BASE, the page the
 * STARTUP vector names; the CPU arrives in real mode at SIPI_VECTOR:0000 with
 * its APIC in xAPIC mode (SDM Vol. 3A, 9.4.4). Unlike sipi_tramp.S it reads
 * the ID from the xAPIC page (paging is off, so 0xfee00020 is physical) and
 * does not touch x2APIC, which the CPU need not have. From smp_ap_start32 on
 * it is the lib's path: long mode on vCPU 0's tables, a stack by ID, and
 * smp_ap_main(), which runs the worker ipi.c set.
 */
	.section .rodata
	.balign 16
	.code16
	.globl ap_tramp_start
ap_tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl %ds:OFF(ap_gdt_desc)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $ABS(ap_tramp32)

	.code32
ap_tramp32:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	lock incl ABS(ap_tramp_count)

	/* smp_entry.S's registers: EAX magic, EBX id, ECX arg 0, EDX:ESI the TSC (low:high). */
	movl XAPIC_ID, %ebx
	shrl $24, %ebx
	rdtsc
	movl %edx, %esi
	movl %eax, %edx
	movl $VCPU_MAGIC, %eax
	xorl %ecx, %ecx
	movl $smp_ap_start32, %edi
	jmp *%edi

	.balign 8
ap_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: flat 32-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: flat data, DPL 0 */
ap_gdt_end:
	.balign 8
	.word 0
ap_gdt_desc:
	.word ap_gdt_end - ap_gdt - 1
	.long ABS(ap_gdt)

	.balign 4
	.globl ap_tramp_count
ap_tramp_count:
	.long 0
	.globl ap_tramp_end
ap_tramp_end:
