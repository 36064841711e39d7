/* SPDX-License-Identifier: MIT */
/* Into ring 3 with IRETQ and back through an interrupt gate of DPL 3; the ring-3 stubs. */
#include "user.h"

#define RFLAGS_FIXED 0x2 /* bit 1 is always set; IF = 0, IOPL = 0 */
#define USER_STACK_SIZE 1024

	.text
	.code64

/*
 * long user_enter(entry, rax, rdi, rsi, rdx, r10), from user_call() (user.c).
 * SysV arguments: RDI = entry, RSI, RDX, RCX, R8, R9 = the registers to set.
 *
 * Keep the callee-saved registers on this stack and remember RSP, then point
 * TSS.RSP0 at it: the return gate and any exception at CPL 3 push their frame
 * below what is kept here. IRETQ pops RIP, CS, RFLAGS, RSP, SS; since the RPL
 * of the new CS is 3, it is a return to an outer privilege level: it loads
 * SS:RSP from the frame too and nulls DS, ES, FS and GS, whose DPL 0 is below
 * the new CPL (SDM Vol. 2A, IRET, "RETURN-TO-OUTER-PRIVILEGE-LEVEL"; APM Vol. 3,
 * IRETQ; APM Vol. 2, "Long-Mode Interrupt Control Transfers").
 */
	.globl user_enter
user_enter:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, user_kernel_rsp(%rip)
	movq %rsp, user_tss + USER_TSS_RSP0(%rip)

	movq %rdi, %r11
	movq %rsi, %rax
	movq %rdx, %rdi
	movq %rcx, %rsi
	movq %r8, %rdx
	movq %r9, %r10

	pushq $USER_SEL_DS		/* SS */
	pushq $user_stack_top		/* RSP */
	pushq $RFLAGS_FIXED		/* RFLAGS */
	pushq $USER_SEL_CS		/* CS */
	pushq %r11			/* RIP */
	iretq

/*
 * "int $USER_RETURN_VECTOR" at CPL 3 lands here at CPL 0 on the stack from
 * TSS.RSP0, with SS null (64-bit mode loads a null SS on a change of CPL).
 * The frame it pushed is not needed: restore SS and the data segments, take
 * RSP as user_enter left it, and return with the RAX of the ring-3 code.
 */
	.globl user_return
user_return:
	movl $USER_SEL_KERNEL_DS, %ecx
	movl %ecx, %ss
	movq user_kernel_rsp(%rip), %rsp
	movl %ecx, %ds
	movl %ecx, %es
	movl %ecx, %fs
	movl %ecx, %gs
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

/* Ring-3 code (user.h): each ends by going back to ring 0 through the gate. */
	.balign 16
	.globl user_vmcall
user_vmcall:
	vmcall
	int $USER_RETURN_VECTOR

	.globl user_vmmcall
user_vmmcall:
	vmmcall
	int $USER_RETURN_VECTOR

	.globl user_read_cs
user_read_cs:
	xorl %eax, %eax
	movw %cs, %ax
	int $USER_RETURN_VECTOR

	.section .bss
	.balign 8
user_kernel_rsp:
	.skip 8
	.balign 16
user_stack:
	.skip USER_STACK_SIZE
user_stack_top:
