/* SPDX-License-Identifier: MIT */
/* The boot CPU's stack, and a helper to move onto it. */

	.bss
	.balign 4096
	.globl	boot_stack, boot_stack_top
	.hidden	boot_stack, boot_stack_top
boot_stack:
	.skip	65536
boot_stack_top:

	.text
	.code64
/*
 * void switch_stack_call(void *top, void (*fn)(void *), void *arg)
 * Continue on a new stack; fn must not return.
 */
	.globl	switch_stack_call
	.hidden	switch_stack_call
switch_stack_call:
	movq	%rdi, %rsp
	xorl	%ebp, %ebp
	movq	%rdx, %rdi
	pushq	$0		/* fake return address ends stack traces */
	jmp	*%rsi

	.section .note.GNU-stack, "", @progbits
