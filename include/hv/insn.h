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

#endif
