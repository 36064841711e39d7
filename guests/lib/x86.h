/* SPDX-License-Identifier: MIT */
/* x86 instructions for test guests (CPUID, TSC, port I/O, MSRs) and fault recovery. */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <hv/types.h>

/* Exception vectors. */
enum x86_vector {
	X86_DE = 0,
	X86_DB = 1,
	X86_NMI = 2,
	X86_BP = 3,
	X86_OF = 4,
	X86_BR = 5,
	X86_UD = 6,
	X86_NM = 7,
	X86_DF = 8,
	X86_TS = 10,
	X86_NP = 11,
	X86_SS = 12,
	X86_GP = 13,
	X86_PF = 14,
	X86_MF = 16,
	X86_AC = 17,
	X86_MC = 18,
	X86_XM = 19,
	X86_VE = 20,
	X86_CP = 21,
};

#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_EFER		 0xc0000080
#define EFER_SVME		 BIT(12)

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid_count(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline struct cpuid_regs cpuid(u32 leaf)
{
	return cpuid_count(leaf, 0);
}

/* True on AMD and Hygon CPUs, which use VMMCALL and VMRUN; vendor is EBX, EDX, ECX of leaf 0. */
static inline bool cpu_is_amd(void)
{
	struct cpuid_regs r = cpuid(0);

	/* EBX, EDX, ECX spell "Auth" "enti" "cAMD" or "Hygo" "nGen" "uine". */
	if (r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163)
		return true;
	return r.ebx == 0x6f677948 && r.edx == 0x6e65476e && r.ecx == 0x656e6975;
}

/* RDTSC is not ordered against earlier loads; good enough for averages over many runs. */
static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Linux argument order: value first, then port. */
static inline void outb(u8 v, u16 port)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 v, u16 port)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u32 v, u16 port)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

/*
 * Fault recovery. Code inside ASM_TRY() may fault: the exception handler
 * looks the faulting RIP up in the fixup table, records the vector in
 * guest_fault and resumes right after the wrapped instructions. Call
 * guest_fault_arm() before and guest_fault_taken() after:
 *
 *	guest_fault_arm();
 *	asm volatile(ASM_TRY("ud2") : : : "memory");
 *	if (guest_fault_taken() == X86_UD) ...
 *
 * Registers an instruction would have written keep their old values when it
 * faults; give such outputs a defined value before the asm. Exceptions outside
 * any ASM_TRY() still end the guest with GUEST_EXIT_CRASH.
 */
#define GUEST_NO_FAULT (-1)

#define ASM_TRY(insns)                           \
	"661:\n\t" insns "\n662:\n\t"            \
	".pushsection .guest_extable, \"a\"\n\t" \
	".balign 8\n\t"                          \
	".quad 661b, 662b\n\t"                   \
	".popsection\n\t"

struct guest_fault {
	int vector; /* GUEST_NO_FAULT, or the vector of the last recovered fault */
	u64 error;  /* error code, 0 for vectors without one */
	u64 rip;    /* address of the faulting instruction */
	u64 cr2;    /* CR2 at the time of a #PF */
};

extern struct guest_fault guest_fault;

static inline void guest_fault_arm(void)
{
	guest_fault.vector = GUEST_NO_FAULT;
	asm volatile("" ::: "memory");
}

/* Vector of the fault recovered since guest_fault_arm(), or GUEST_NO_FAULT. */
static inline int guest_fault_taken(void)
{
	asm volatile("" ::: "memory");
	return guest_fault.vector;
}

/* WRMSR that returns GUEST_NO_FAULT, or the vector it raised (#GP for a rejected MSR). */
static inline int wrmsr_safe(u32 msr, u64 v)
{
	guest_fault_arm();
	asm volatile(ASM_TRY("wrmsr") : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
	return guest_fault_taken();
}

static inline int rdmsr_safe(u32 msr, u64 *v)
{
	u32 lo = 0, hi = 0;

	guest_fault_arm();
	asm volatile(ASM_TRY("rdmsr") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*v = ((u64)hi << 32) | lo;
	return guest_fault_taken();
}

/* Short name of an exception vector ("#GP"), "#??" for reserved ones. */
const char *x86_vector_name(unsigned int vector);

#endif
