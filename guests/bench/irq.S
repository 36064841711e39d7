/* SPDX-License-Identifier: MIT */
/* Entry stubs of the bench guest's timer and spurious vectors (gates set by timer.c). */

	.text
	.code64

/*
 * The timer interrupt: read the TSC first thing, so that timer.c can tell
 * how long after its deadline the handler started, then save the registers
 * the C ABI lets a callee clobber and call timer_irq(). The CPU aligned RSP
 * to 16 before pushing SS..RIP (5 words); with 9 registers RSP is 16-aligned
 * at the call.
 */
	.balign 16
	.globl timer_irq_stub
timer_irq_stub:
	pushq %rax
	pushq %rdx
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, timer_irq_tsc(%rip)
	pushq %rcx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	cld
	call timer_irq
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rcx
	popq %rdx
	popq %rax
	iretq

/* A spurious interrupt sets no ISR bit (SDM Vol. 3A, 11.9): nothing to do, no EOI. */
	.balign 16
	.globl spurious_irq_stub
spurious_irq_stub:
	iretq
