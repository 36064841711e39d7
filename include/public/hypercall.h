/* SPDX-License-Identifier: MIT */
/*
 * Sprout hypercall ABI, shared by the hypervisor, the broker and guests.
 *
 * Calling convention (both vendors): RAX = call number, RDI, RSI, RDX, R10 =
 * arguments; the result comes back in RAX: >= 0 on success, a negative
 * SPROUT_E* code on failure. VMCALL on Intel, VMMCALL on AMD; CPUID leaf
 * 0x40000000 returns the signature "SproutSprout" and leaf 0x40000001 EAX the
 * ABI version. Pointers are guest-physical addresses inside the caller's RAM.
 */
#ifndef SPROUT_PUBLIC_HYPERCALL_H
#define SPROUT_PUBLIC_HYPERCALL_H

#define SPROUT_CPUID_BASE 0x40000000u
#define SPROUT_CPUID_VERSION 0x40000001u
/* "SproutSprout" in EBX, ECX, EDX of leaf 0x40000000. */
#define SPROUT_SIGNATURE_EBX 0x6f727053u /* "Spro" */
#define SPROUT_SIGNATURE_ECX 0x70537475u /* "utSp" */
#define SPROUT_SIGNATURE_EDX 0x74756f72u /* "rout" */
#define SPROUT_ABI_VERSION 1u

/* Call numbers. */
enum sprout_hypercall {
	HC_VERSION = 0,       /* () -> ABI version */
	HC_CONSOLE_WRITE = 1, /* (gpa buf, len) -> bytes written */
	HC_YIELD = 2,         /* () -> 0 */
	HC_COUNT
};

/* Error codes returned negated in RAX (same values as Linux errno). */
#define SPROUT_EPERM 1
#define SPROUT_ENOENT 2
#define SPROUT_EFAULT 14
#define SPROUT_EBUSY 16
#define SPROUT_EINVAL 22
#define SPROUT_ENOSYS 38

#endif
