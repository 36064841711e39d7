/* SPDX-License-Identifier: MIT */
/* Ring 3 for test guests: run a short piece of code at CPL 3 and come back to ring 0. */
#ifndef GUEST_USER_H
#define GUEST_USER_H

/*
 * GDT of user.c. 0x08 and 0x10 are entry.S's kernel selectors, unchanged; the
 * user selectors carry RPL 3. The TSS holds RSP0, the ring-0 stack of every
 * interrupt or exception taken at CPL 3.
 */
#define USER_SEL_KERNEL_CS 0x08
#define USER_SEL_KERNEL_DS 0x10
#define USER_SEL_DS	   0x1b /* 0x18 | RPL 3: data, DPL 3 */
#define USER_SEL_CS	   0x23 /* 0x20 | RPL 3: 64-bit code, DPL 3 */
#define USER_SEL_TSS	   0x28 /* 64-bit TSS, 16-byte descriptor */

/* Interrupt gate with DPL 3: ring-3 code ends with "int $USER_RETURN_VECTOR". */
#define USER_RETURN_VECTOR 0x80

/* Offset of RSP0 in the 64-bit TSS (SDM Vol. 3A, "64-Bit TSS Format"). */
#define USER_TSS_RSP0 4

#ifndef __ASSEMBLY__
#include <hv/types.h>

/*
 * Ring-3 code for user_call(), in user_entry.S. Each ends with
 * "int $USER_RETURN_VECTOR" and touches nothing but registers.
 *   user_vmcall, user_vmmcall: the hypercall instruction (RAX, RDI, RSI,
 *     RDX, R10 as user_call() set them), RAX = the result.
 *   user_read_cs: RAX = CS, whose low two bits are the CPL.
 */
extern const char user_vmcall[], user_vmmcall[], user_read_cs[];

/*
 * Run the code at entry at CPL 3 with RAX, RDI, RSI, RDX and R10 set as
 * given, and return the RAX it leaves when it executes
 * "int $USER_RETURN_VECTOR". The code must lie in the loaded image (only the
 * image is mapped user-accessible) and may use the 1 KiB ring-3 stack that
 * RSP points to; interrupts stay off. An exception at CPL 3 is reported like
 * any other and ends the guest (GUEST_EXIT_CRASH).
 *
 * The first call sets ring 3 up on this vCPU: the GDT with user segments
 * and a TSS, the return gate in the IDT, the user bit on the identity map of
 * the image. vCPU 0 only: on another vCPU it returns -SPROUT_EINVAL.
 */
long user_call(const void *entry, u64 rax, u64 rdi, u64 rsi, u64 rdx, u64 r10);

/* The CPL that code run by user_call() sees, from its CS: 3 when ring 3 works. */
unsigned int user_cpl(void);

#endif
#endif
