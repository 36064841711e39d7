/* SPDX-License-Identifier: MIT */
/* VMX world switch: load guest GPRs, VMLAUNCH/VMRESUME, save guest GPRs at the VM exit. */

/* Offsets in struct gprs (include/hv/vcpu.h); vmx.c checks them at build time. */
#define G_RAX 0
#define G_RBX 8
#define G_RCX 16
#define G_RDX 24
#define G_RSI 32
#define G_RDI 40
#define G_RBP 48
#define G_R8 56
#define G_R9 64
#define G_R10 72
#define G_R11 80
#define G_R12 88
#define G_R13 96
#define G_R14 104
#define G_R15 112

#define VMCS_HOST_RSP 0x6c14

	.text
	.code64
/*
 * int vmx_enter(struct gprs *gprs, bool launched, struct vcpu *v)
 *
 * VMX switches RSP, RIP, RFLAGS, CR0/3/4, segments and a few MSRs through the
 * VMCS but no general register (SDM Vol. 3C, 28.5 "Loading Host State"), so
 * they are moved here. The host RSP field points at this frame, written just
 * before the first entry; the host RIP field is vmx_exit_point, set once by
 * vmx.c. After a VM exit, vmx_exit_hot(v) may answer the exit in place
 * (CPUID, a read-only hypercall): then the guest is entered again with
 * VMRESUME from the same frame, so the host RSP field still holds. Otherwise
 * the exit "returns" from this function with 0. When VMLAUNCH or VMRESUME
 * fails it falls through with CF (VMfailInvalid) or ZF (VMfailValid) set:
 * return 1 + CF, so 1 means VM_INSTRUCTION_ERROR tells why.
 * Called with interrupts off.
 */
	.globl	vmx_enter
	.hidden	vmx_enter
	.globl	vmx_exit_point
	.hidden	vmx_exit_point
vmx_enter:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdx			/* 8(%rsp): v */
	pushq	%rdi			/* 0(%rsp): gprs, found again at the exit */

	movl	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax

	testb	%sil, %sil		/* ZF clear: launched, VMRESUME */
	movq	G_RBP(%rdi), %rbp
	movq	G_R12(%rdi), %r12
	movq	G_R13(%rdi), %r13
	movq	G_R14(%rdi), %r14
	movq	G_R15(%rdi), %r15
	/*
	 * After an exit answered in place: RBP and R12-R15 still hold the
	 * guest's, vmx_exit_hot() being C, which keeps them; the registers it
	 * may change (the caller-saved ones, RBX for CPUID) are loaded again.
	 */
.Lenter:				/* ZF says which; no MOV below touches it */
	movq	G_RAX(%rdi), %rax
	movq	G_RBX(%rdi), %rbx
	movq	G_RCX(%rdi), %rcx
	movq	G_RDX(%rdi), %rdx
	movq	G_RSI(%rdi), %rsi
	movq	G_R8(%rdi), %r8
	movq	G_R9(%rdi), %r9
	movq	G_R10(%rdi), %r10
	movq	G_R11(%rdi), %r11
	movq	G_RDI(%rdi), %rdi
	jnz	1f
	vmlaunch
	jmp	2f
1:	vmresume
2:	movl	$1, %eax
	adcl	$0, %eax
	addq	$16, %rsp
	jmp	3f

vmx_exit_point:
	pushq	%rdi			/* guest RDI; gprs is now at 8(%rsp) */
	movq	8(%rsp), %rdi
	movq	%rax, G_RAX(%rdi)
	movq	%rbx, G_RBX(%rdi)
	movq	%rcx, G_RCX(%rdi)
	movq	%rdx, G_RDX(%rdi)
	movq	%rsi, G_RSI(%rdi)
	movq	%rbp, G_RBP(%rdi)
	movq	%r8, G_R8(%rdi)
	movq	%r9, G_R9(%rdi)
	movq	%r10, G_R10(%rdi)
	movq	%r11, G_R11(%rdi)
	movq	%r12, G_R12(%rdi)
	movq	%r13, G_R13(%rdi)
	movq	%r14, G_R14(%rdi)
	movq	%r15, G_R15(%rdi)
	popq	%rax
	movq	%rax, G_RDI(%rdi)

	/* The frame holds 8 slots above the return address: align RSP for C. */
	movq	8(%rsp), %rdi		/* v */
	subq	$8, %rsp
	call	vmx_exit_hot
	addq	$8, %rsp
	movq	0(%rsp), %rdi		/* gprs */
	testb	%al, %al
	jnz	.Lenter			/* answered: ZF clear, VMRESUME */

	addq	$16, %rsp
	xorl	%eax, %eax
3:	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

	.section .note.GNU-stack, "", @progbits
