/* SPDX-License-Identifier: MIT */
/* Exception entry stubs for vectors 0-31: build a struct trap_frame and call trap_handler(). */

/* Vectors for which the CPU pushes an error code (SDM 6.15). */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
		      (v) == 29 || (v) == 30)

	.text
	.code64

.macro isr_stub vec
	.balign 16
isr_\vec:
	.if !HAS_ERROR(\vec)
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
.endm

.altmacro
.macro isr_stubs from, to
	isr_stub \from
	.if \to - \from
	isr_stubs %(\from + 1), \to
	.endif
.endm

isr_stubs 0, 31

/*
 * The CPU aligned RSP to 16 before pushing SS..RIP (5 words); with error code,
 * vector and 15 registers the frame is 22 words, so RSP is 16-aligned at the call.
 */
isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	call trap_handler
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

.macro isr_addr vec
	.quad isr_\vec
.endm

.macro isr_table from, to
	isr_addr %\from
	.if \to - \from
	isr_table %(\from + 1), \to
	.endif
.endm

	.section .rodata
	.balign 8
	.globl isr_stub_table
isr_stub_table:
	isr_table 0, 31
