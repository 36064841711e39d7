/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 header and 32-bit entry: GRUB leaves us in protected mode with
 * paging off, EAX = 0x36d76289 and EBX = the boot information. Map the low
 * 4 GiB, enter long mode and call mb2_main(magic, mbi) on the boot stack.
 */

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define MB2_HEADER_LEN (mb2_header_end - mb2_header)

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long	MB2_MAGIC
	.long	MB2_ARCH_I386
	.long	MB2_HEADER_LEN
	.long	-(MB2_MAGIC + MB2_ARCH_I386 + MB2_HEADER_LEN)
	/* end tag */
	.short	0
	.short	0
	.long	8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl	mb2_entry32
mb2_entry32:
	cli
	cld
	movl	%eax, %esi		/* keep the magic out of the way of rep stos; EBX stays */

	/* GRUB zeroes ELF bss, but do not rely on it: the tables below live there. */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb

	/* PML4[0] -> PDPT; PDPT[0..3] -> 4 PDs of 2 MiB pages covering 4 GiB. */
	movl	$mb2_pdpt, %eax
	orl	$0x3, %eax
	movl	%eax, mb2_pml4
	movl	$mb2_pd, %edi
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax		/* present, writable, 2 MiB */
	movl	%eax, (%edi,%ecx,8)
	movl	%ecx, %eax
	shrl	$11, %eax		/* high dword of (ecx << 21) */
	movl	%eax, 4(%edi,%ecx,8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	1b
	movl	$mb2_pdpt, %edi
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$mb2_pd, %eax
	orl	$0x3, %eax
	movl	%eax, (%edi,%ecx,8)
	incl	%ecx
	cmpl	$4, %ecx
	jne	2b

	movl	%cr4, %eax
	orl	$(1 << 5), %eax		/* PAE */
	movl	%eax, %cr4
	movl	$mb2_pml4, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	orl	$(1 << 8), %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax	/* PG, PE */
	movl	%eax, %cr0

	lgdt	mb2_gdt_ptr
	ljmp	$0x08, $mb2_entry64

	.code64
mb2_entry64:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	leaq	boot_stack_top(%rip), %rsp
	xorl	%ebp, %ebp
	pushq	$0
	movl	%esi, %edi		/* magic */
	movl	%ebx, %esi		/* mbi */
	call	mb2_main
3:	cli
	hlt
	jmp	3b

	.section .rodata
	.balign 16
mb2_gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 64-bit code */
	.quad	0x00cf92000000ffff	/* data */
mb2_gdt_ptr:
	.short	mb2_gdt_ptr - mb2_gdt - 1
	.long	mb2_gdt

	.bss
	.balign 4096
mb2_pml4:
	.skip	4096
mb2_pdpt:
	.skip	4096
mb2_pd:
	.skip	4 * 4096

	.section .note.GNU-stack, "", @progbits
