/* SPDX-License-Identifier: MIT */
/* Length decoding of the few instructions that exit to the hypervisor. */
#ifndef HV_INSN_H
#define HV_INSN_H

#include <hv/types.h>

/*
 * Length of the instruction in bytes[0..n), decoded in 64-bit (long64) or
 * 16/32-bit mode. Only instructions that can cause an intercept are known
 * (CPUID, VMMCALL/VMCALL, HLT, RDMSR/WRMSR, IN/OUT/INS/OUTS, XSETBV, PAUSE,
 * INVD, WBINVD, the SVM/VMX instructions). Returns 0 for anything else.
 */
u32 insn_length(const u8 *bytes, u32 n, bool long64);

/* The ways to write CR0/CR4 that SVM intercepts (APM Vol. 2, 15.9). */
enum insn_cr_op {
	INSN_MOV_TO_CR, /* MOV CRn, reg: 0F 22 /r */
	INSN_CLTS,	/* CLTS: 0F 06, clears CR0.TS */
	INSN_LMSW,	/* LMSW reg: 0F 01 /6, loads CR0 bits 3:0 */
};

struct insn_cr_write {
	enum insn_cr_op op;
	u8 cr;	/* control register written */
	u8 gpr; /* source register (x86 encoding), MOV and LMSW */
};

/*
 * Decode a control-register write at bytes[0..n) for an SVM CPU without
 * decode assists. Returns its length, or 0 if it is none of the above (LMSW
 * with a memory operand included).
 */
u32 insn_decode_cr_write(const u8 *bytes, u32 n, bool long64, struct insn_cr_write *out);

#endif
