/* SPDX-License-Identifier: MIT */
/* PVH and multiboot v1 entry of a test guest: 32-bit protected mode to long mode, guest_start(). */

#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define CR0_PE (1 << 0)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)

#define PTE_P 0x001
#define PTE_RW 0x002
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_PS 0x080

#define SEL_CODE64 0x08
#define SEL_DATA 0x10

/* 2 MiB pages from 3 GiB up (the device hole) are uncached. */
#define PD_ENTRIES 2048
#define PD_FIRST_UC 1536

#define STACK_SIZE 16384

/*
 * The PVH note: name "Xen", type XEN_ELFNOTE_PHYS32_ENTRY, a 4-byte desc with
 * the physical address of the 32-bit entry point.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4
	.long 4
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long pvh_start32
	.balign 4

/*
 * Multiboot v1: a header with the a.out kludge (flag 16), so the same ELF also
 * boots as a multiboot kernel. The loader copies [__image_start, __data_end)
 * from the file, leaves the rest up to __bss_end zero and enters mb_start32.
 * guest.ld puts .multiboot first in the image, well inside the first 8 KiB of
 * the file where loaders look for the header.
 */
#define MB_HEADER_MAGIC 0x1badb002
#define MB_FLAGS 0x00010002 /* memory info, a.out kludge */

	.section .multiboot, "a"
	.balign 4
mb_header:
	.long MB_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MB_HEADER_MAGIC + MB_FLAGS)
	.long mb_header		/* header_addr */
	.long __image_start	/* load_addr */
	.long __data_end	/* load_end_addr */
	.long __bss_end		/* bss_end_addr */
	.long mb_start32	/* entry_addr */

/*
 * Entry state (multiboot): as PVH below, but EAX = 0x2badb002 and EBX = the
 * multiboot_info. Keep EAX where start.c finds it: in .data, because .bss is
 * about to be cleared. Then take the PVH path.
 */
	.section .text.entry, "ax"
	.code32
	.globl mb_start32
mb_start32:
	movl %eax, guest_entry_eax
	jmp pvh_start32

	.section .data
	.balign 4
	.globl guest_entry_eax
guest_entry_eax:
	.long 0			/* stays 0 after the PVH entry */

/*
 * Entry state (PVH): 32-bit protected mode, paging off, flat segments,
 * interrupts off, EBX = GPA of struct hvm_start_info. ESI keeps EBX from here
 * to the call of guest_start; nothing below clobbers it.
 */
	.section .text.entry, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	movl %ebx, %esi

	/* .bss holds the page tables and the stack: zero it before using either. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	/* PML4[0] -> PDPT; PDPT[0..3] -> the four PDs covering 0-4 GiB. */
	movl $pdpt, %eax
	orl $(PTE_P | PTE_RW), %eax
	movl %eax, pml4
	movl $pd, %eax
	orl $(PTE_P | PTE_RW), %eax
	xorl %ecx, %ecx
1:	movl %eax, pdpt(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jb 1b

	/* Identity map 0-4 GiB with 2 MiB pages; only these 24 KiB are written. */
	movl $(PTE_P | PTE_RW | PTE_PS), %eax
	xorl %ecx, %ecx
2:	movl %eax, %edx
	cmpl $PD_FIRST_UC, %ecx
	jb 3f
	orl $(PTE_PWT | PTE_PCD), %edx
3:	movl %edx, pd(, %ecx, 8)
	addl $0x200000, %eax
	incl %ecx
	cmpl $PD_ENTRIES, %ecx
	jb 2b

	/* Long mode: PAE, CR3, EFER.LME, then paging (SDM 10.8.5). */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0

	lgdt gdt_desc
	ljmp $SEL_CODE64, $start64

	.code64
start64:
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movq $stack_top, %rsp
	xorl %ebp, %ebp
	movl %esi, %edi
	call guest_start
	/* guest_start never returns; stop here if it ever does. */
4:	cli
	hlt
	jmp 4b

	.section .rodata
	.balign 16
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: flat data, DPL 0 */
gdt_end:
	.balign 8
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096 * 4
	.balign 16
stack:	.skip STACK_SIZE
stack_top:
