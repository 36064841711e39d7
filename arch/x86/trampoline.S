/* SPDX-License-Identifier: MIT */
/*
 * Application-processor start-up code. smp.c copies it to a page below 1 MiB
 * and fills in the data block at its end; the SIPI vector is that page number.
 * Real mode -> 32-bit protected mode -> long mode on the hypervisor's page
 * tables, then a jump to the C entry with the CPU index in EDI. EBX holds the
 * page's linear address throughout (CS << 4 in real mode).
 */

#define TR_OFF(sym) ((sym) - trampoline_start)

	.section .rodata
	.balign 16
	.globl	trampoline_start, trampoline_end
	.hidden	trampoline_start, trampoline_end
	.code16
trampoline_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	movzwl	%ax, %ebx
	shll	$4, %ebx
	lgdtl	TR_OFF(tr_gdt_ptr)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	*TR_OFF(tr_far32)

	.code32
tr_entry32:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$((1 << 5) | (1 << 9) | (1 << 10)), %eax	/* PAE, OSFXSR, OSXMMEXCPT */
	movl	%eax, %cr4
	movl	TR_OFF(tr_cr3)(%ebx), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx
	rdmsr
	orl	TR_OFF(tr_efer)(%ebx), %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000023, %eax	/* PG, NE, MP, PE */
	movl	%eax, %cr0
	ljmpl	*TR_OFF(tr_far64)(%ebx)

	.code64
tr_entry64:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %ss
	movq	TR_OFF(tr_stack)(%rbx), %rsp
	movl	TR_OFF(tr_cpu)(%rbx), %edi
	movq	TR_OFF(tr_target)(%rbx), %rax
	xorl	%ebp, %ebp
	pushq	$0
	jmp	*%rax

	.balign 16
tr_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00af9a000000ffff	/* 0x18: 64-bit code */
tr_gdt_ptr:				/* patched: base = page + TR_OFF(tr_gdt) */
	.short	tr_gdt_ptr - tr_gdt - 1
	.long	0
	.balign 8
	.globl	trampoline_data
	.hidden	trampoline_data
trampoline_data:
tr_far32:	.long 0			/* page + TR_OFF(tr_entry32) */
		.short 0x08
		.short 0
tr_far64:	.long 0			/* page + TR_OFF(tr_entry64) */
		.short 0x18
		.short 0
tr_cr3:		.long 0
tr_efer:	.long 0
tr_stack:	.quad 0
tr_target:	.quad 0
tr_cpu:		.long 0
		.long 0
trampoline_end:

	.globl	trampoline_off_gdt, trampoline_off_gdt_ptr, trampoline_off_entry32
	.globl	trampoline_off_entry64
	.hidden	trampoline_off_gdt, trampoline_off_gdt_ptr, trampoline_off_entry32
	.hidden	trampoline_off_entry64
	.balign 4
trampoline_off_gdt:	.long TR_OFF(tr_gdt)
trampoline_off_gdt_ptr:	.long TR_OFF(tr_gdt_ptr)
trampoline_off_entry32:	.long TR_OFF(tr_entry32)
trampoline_off_entry64:	.long TR_OFF(tr_entry64)

	.section .note.GNU-stack, "", @progbits
