/* SPDX-License-Identifier: MIT */
/* Secondary vCPU entry: 32-bit mode to long mode on vCPU 0's page tables, then smp_ap_main(). */

/* SPROUT_VCPU_MAGIC of include/public/hypercall.h, which is C only. */
#define VCPU_MAGIC 0x53505243

#define CR0_PE (1 << 0)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)

/* The selectors of entry.S: the IDT that smp.c copies from vCPU 0 uses SEL_CODE64. */
#define SEL_CODE64 0x08
#define SEL_DATA 0x10

/* smp.h: SMP_MAX_VCPUS, SMP_STACK_SIZE (there is no stack for vCPU 0). */
#define MAX_VCPUS 8
#define STACK_SIZE 16384

/*
 * Entry state (include/public/hypercall.h, "vCPU protocol"): 32-bit protected
 * mode, paging off, flat segments, GDTR and IDTR empty, EAX = SPROUT_VCPU_MAGIC,
 * EBX = vCPU id, ECX = registered arg, EDX:ESI = TSC of the add request
 * (low:high). EBX and ESI survive to the call; ECX moves to EDI and EDX to
 * EBP, out of the way of RDMSR/WRMSR. The page tables are vCPU 0's (CR3
 * saved by smp_init()), so nothing here writes memory before the stack.
 */
	.text
	.code32
	.globl smp_ap_start32
smp_ap_start32:
	cli
	cld
	cmpl $VCPU_MAGIC, %eax
	jne ap_stop32
	/* Only slots 1 .. MAX_VCPUS - 1 have a stack. */
	leal -1(%ebx), %eax
	cmpl $(MAX_VCPUS - 1), %eax
	jae ap_stop32
	movl %ecx, %edi
	movl %edx, %ebp

	lgdt smp_gdt_desc

	/* Long mode: PAE, CR3, EFER.LME, then paging (SDM 10.8.5), as in entry.S. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl smp_boot_cr3, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $SEL_CODE64, $ap_start64

/* Not started the way smp.c expects: stay here, harmless. */
ap_stop32:
	cli
	hlt
	jmp ap_stop32

	.code64
ap_start64:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs

	/* vCPU id lives on stack id - 1, whose top is smp_stacks + id * STACK_SIZE. */
	movl %ebx, %eax
	imulq $STACK_SIZE, %rax
	leaq smp_stacks(%rax), %rsp

	/* vCPU 0's IDT, so an exception here is reported like one on vCPU 0. */
	lidt smp_boot_idtr

	/* smp_ap_main(id, arg, request_tsc = ESI:EBP as high:low). */
	movl %ebp, %edx
	shlq $32, %rsi
	orq %rsi, %rdx
	movl %edi, %esi
	movl %ebx, %edi
	xorl %ebp, %ebp
	call smp_ap_main
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.balign 16
smp_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: flat data, DPL 0 */
smp_gdt_end:
	/* LGDT in 32-bit mode reads a 32-bit base; the image is below 4 GiB. */
	.balign 8
	.word 0
smp_gdt_desc:
	.word smp_gdt_end - smp_gdt - 1
	.long smp_gdt
