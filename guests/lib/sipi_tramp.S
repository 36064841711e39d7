/* SPDX-License-Identifier: MIT */
/* Real-mode start of an INIT/SIPI vCPU: to 32-bit protected mode, x2APIC ID, smp_ap_start32. */
#include "sipi.h"

/* SPROUT_VCPU_MAGIC of include/public/hypercall.h, which is C only. */
#define VCPU_MAGIC 0x53505243

#define CR0_PE (1 << 0)
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_EXTD (1 << 10)
#define APIC_BASE_ENABLE (1 << 11)
#define MSR_X2APIC_ID 0x802

#define SEL_CODE32 0x08
#define SEL_DATA 0x10

/* Where a label of this blob lies in real mode (offset from CS = DS) and in the copy. */
#define OFF(sym) ((sym) - sipi_tramp_start)
#define ABS(sym) (SIPI_TRAMP_BASE + OFF(sym))

/*
 * sipi.c copies [sipi_tramp_start, sipi_tramp_end) to SIPI_TRAMP_BASE; it is
 * never run where it is linked. Entry state (SDM Vol. 3A, 9.4.4; Sprout's
 * sched_vcpu_init_sipi): real mode, CS = SIPI_VECTOR << 8 with base
 * SIPI_TRAMP_BASE, IP 0, the other segments 0, 64 KiB limits, paging off,
 * the local APIC in xAPIC mode. Only absolute addresses are used once in
 * protected mode, so the 32-bit part runs with flat segments.
 */
	.section .rodata
	.balign 16
	.code16
	.globl sipi_tramp_start
sipi_tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl %ds:OFF(tramp_gdt_desc)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $ABS(tramp32)

	.code32
tramp32:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	lock incl ABS(sipi_tramp_count)

	/* x2APIC mode on this vCPU too: its ID MSR (0x802) raises #GP before that. */
	movl $MSR_APIC_BASE, %ecx
	rdmsr
	orl $(APIC_BASE_ENABLE | APIC_BASE_EXTD), %eax
	wrmsr
	movl $MSR_X2APIC_ID, %ecx
	rdmsr

	/*
	 * smp_entry.S's registers: EAX = magic, EBX = vCPU id (the APIC ID),
	 * ECX = arg (none), EDX:ESI = a TSC (low:high): the one sipi.c stored
	 * before STARTUP, so the arrival latency counts from there.
	 */
	movl %eax, %ebx
	movl ABS(sipi_tramp_tsc), %edx
	movl ABS(sipi_tramp_tsc) + 4, %esi
	movl $VCPU_MAGIC, %eax
	xorl %ecx, %ecx
	movl $smp_ap_start32, %edi
	jmp *%edi

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: flat 32-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: flat data, DPL 0 */
tramp_gdt_end:
	.balign 8
	.word 0
tramp_gdt_desc:
	.word tramp_gdt_end - tramp_gdt - 1
	.long ABS(tramp_gdt)

	/* Written by sipi.c in the copy. */
	.balign 8
	.globl sipi_tramp_tsc
sipi_tramp_tsc:
	.quad 0
	.globl sipi_tramp_count
sipi_tramp_count:
	.long 0
	.globl sipi_tramp_end
sipi_tramp_end:
