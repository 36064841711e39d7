/* SPDX-License-Identifier: MIT */
/* Interrupt entry stubs for vectors 32-255 and the NMI: save the scratch registers, call C. */

	.text
	.code64

/*
 * One 16-byte stub per vector 32-255, in order, so irq.c finds vector v's at
 * irq_stubs + (v - 32) * IRQ_STUB_SIZE. Each pushes its vector (at most 5
 * bytes) and jumps to irq_common (at most 5).
 */
	.balign 16
	.globl irq_stubs
irq_stubs:
	.set vec, 32
	.rept 256 - 32
	.balign 16
	pushq $vec
	jmp irq_common
	.set vec, vec + 1
	.endr

/*
 * The CPU aligned RSP to 16 before pushing SS..RIP (5 words); with the vector
 * and 10 registers RSP is 16-aligned at the call. Only the registers the C
 * ABI lets a callee clobber are saved (and RBP, for the alignment).
 */
.macro save_scratch
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %rbp
	cld
.endm

.macro restore_scratch
	popq %rbp
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
.endm

irq_common:
	save_scratch
	movq 80(%rsp), %rdi
	call irq_dispatch
	restore_scratch
	addq $8, %rsp
	iretq

	.globl nmi_stub
	.balign 16
nmi_stub:
	pushq $2
	save_scratch
	call nmi_dispatch
	restore_scratch
	addq $8, %rsp
	iretq
