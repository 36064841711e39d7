/* SPDX-License-Identifier: MIT */
/* SVM world switch: load guest GPRs, VMLOAD/VMRUN/VMSAVE, save guest GPRs, VMLOAD host. */

/* Offsets in struct gprs (include/hv/vcpu.h). RAX lives in the VMCB. */
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

/*
 * The frame's mark (32(%rsp) in svm_vmrun): set from the first VMRUN to the
 * return, so a VMRUN is outstanding or svm_vmrun's host part runs with the
 * frame live. Anything else at svm_vmrun_resume is a #VMEXIT with no VMRUN
 * behind it.
 */
#define MARK_LIVE 0x21e2040e

	.text
	.code64
/*
 * void svm_vmrun(hpa_t vmcb, struct gprs *gprs, hpa_t host_vmcb, struct vcpu *v)
 *
 * VMRUN saves host RAX/RSP/RIP (and a few more) in the host save area and
 * restores them at #VMEXIT; FS, GS, TR, LDTR, KernelGSBase and the SYSCALL
 * MSRs are not switched by VMRUN at all, hence the VMLOAD/VMSAVE pairs.
 * With the host's state back, svm_exit_hot(v) may answer the exit in place
 * (CPUID, a read-only hypercall): then the guest runs again at once.
 * Called with interrupts off; returns with them off.
 */
	.globl	svm_vmrun
	.hidden	svm_vmrun
svm_vmrun:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	$MARK_LIVE		/* 32(%rsp): the mark */
	pushq	%rcx			/* 24(%rsp): v */
	pushq	%rdx			/* 16(%rsp): host VMCB */
	pushq	%rsi			/* 8(%rsp): gprs */
	pushq	%rdi			/* 0(%rsp): guest VMCB */

	movq	%rsi, %rax
	movq	G_RBP(%rax), %rbp
	movq	G_R12(%rax), %r12
	movq	G_R13(%rax), %r13
	movq	G_R14(%rax), %r14
	movq	G_R15(%rax), %r15
	/*
	 * After an exit answered in place: RBP and R12-R15 still hold the
	 * guest's, svm_exit_hot() being C, which keeps them (and they are not
	 * stored in gprs until it declines an exit); the registers it may
	 * change (the caller-saved ones, RBX for CPUID) are loaded again.
	 */
.Lenter:
	movq	8(%rsp), %rax
	movq	G_RBX(%rax), %rbx
	movq	G_RCX(%rax), %rcx
	movq	G_RDX(%rax), %rdx
	movq	G_R8(%rax), %r8
	movq	G_R9(%rax), %r9
	movq	G_R10(%rax), %r10
	movq	G_R11(%rax), %r11
	movq	G_RSI(%rax), %rsi
	movq	G_RDI(%rax), %rdi

	/*
	 * With V_INTR_MASKING the host's RFLAGS.IF at VMRUN decides whether
	 * physical interrupts may interrupt the guest (APM Vol. 2, 15.21.1):
	 * set it, with GIF clear so nothing is taken before VMRUN. A host
	 * interrupt then exits the guest and waits, GIF clear again, for the
	 * run loop's own interrupt window.
	 */
	movq	0(%rsp), %rax
	clgi
	sti
	vmload	%rax
	vmrun	%rax
	.globl	svm_vmrun_resume
	.hidden	svm_vmrun_resume
svm_vmrun_resume:
	/*
	 * #VMEXIT reloads RSP, RIP and RAX from the host save area of the last
	 * VMRUN. Only a VMRUN still outstanding leaves this frame behind it:
	 * check before anything is saved.
	 */
	cmpq	$MARK_LIVE, 32(%rsp)
	jne	.Lno_vmrun
	vmsave	%rax
	cli

	/* Host RAX/RSP are back; RAX (the guest VMCB) is free after the VMSAVE. */
	movq	%rdi, %rax		/* guest RDI */
	movq	8(%rsp), %rdi		/* gprs */
	movq	%rbx, G_RBX(%rdi)
	movq	%rcx, G_RCX(%rdi)
	movq	%rdx, G_RDX(%rdi)
	movq	%rsi, G_RSI(%rdi)
	movq	%r8, G_R8(%rdi)
	movq	%r9, G_R9(%rdi)
	movq	%r10, G_R10(%rdi)
	movq	%r11, G_R11(%rdi)
	movq	%rax, G_RDI(%rdi)

	movq	16(%rsp), %rax		/* host VMCB */
	vmload	%rax
	stgi

	/* The frame holds 11 slots above the return address: RSP is aligned for C. */
	movq	24(%rsp), %rdi		/* v */
	call	svm_exit_hot
	testb	%al, %al
	jnz	.Lenter

	/*
	 * RBP and R12-R15, callee-saved, still hold the guest's: no exit
	 * answered in place reads them, so they are stored only now.
	 */
	movq	8(%rsp), %rdi		/* gprs */
	movq	%rbp, G_RBP(%rdi)
	movq	%r12, G_R12(%rdi)
	movq	%r13, G_R13(%rdi)
	movq	%r14, G_R14(%rdi)
	movq	%r15, G_R15(%rdi)
	movq	$0, 32(%rsp)		/* the frame dies here */
	addq	$40, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

	/*
	 * crash_test = stray-vmexit: what a #VMEXIT with no VMRUN outstanding
	 * does, on a stack whose would-be mark is not one: RSP and RAX as the
	 * host save area would give them, then svm_vmrun's return point.
	 */
	.globl	svm_stray_exit_test
	.hidden	svm_stray_exit_test
svm_stray_exit_test:
	subq	$64, %rsp
	movq	$0, 32(%rsp)
	xorl	%eax, %eax
	jmp	svm_vmrun_resume

	/*
	 * A #VMEXIT came while no VMRUN was outstanding on this CPU: an emulator
	 * fault (seen under QEMU 7.2's multi-threaded TCG, docs/design.md). One
	 * inside svm_vmrun's host part finds the frame live and goes the common
	 * way, where the saved host state (svm_saved_host_state()) stops that VM.
	 * Past the return, the stack below the VMRUN's RSP belongs to whatever
	 * ran since: report and stop the CPU.
	 */
.Lno_vmrun:
	cli
	andq	$-16, %rsp
	call	svm_exit_without_vmrun	/* does not return */
	ud2

	.section .note.GNU-stack, "", @progbits
