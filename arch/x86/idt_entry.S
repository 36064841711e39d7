/* SPDX-License-Identifier: MIT */
/* IDT entry stubs: one 16-byte stub per vector, all ending in trap_common. */

	.text
	.code64

/* Vectors for which the CPU pushes an error code (SDM Vol. 3A, 6.13). */
.macro STUB vec
	.balign 16
	.if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
.endm

	.balign 16
	.globl	idt_stubs
	.hidden	idt_stubs
idt_stubs:
	.altmacro
	.set	vec, 0
	.rept	256
	STUB	%vec
	.set	vec, vec + 1
	.endr

trap_common:
	cld
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	/* Keep the stack 16-byte aligned for the C handler. */
	movq	%rsp, %rbx
	andq	$-16, %rsp
	call	trap_handler
	movq	%rbx, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp
	iretq

	.section .note.GNU-stack, "", @progbits
