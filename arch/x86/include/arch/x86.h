/* SPDX-License-Identifier: MIT */
/* x86-64 instruction wrappers: port I/O, MSRs, control registers, CPUID, TSC. */
#ifndef ARCH_X86_H
#define ARCH_X86_H

#include <hv/types.h>

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#define DEFINE_CR(n)                                                       \
	static inline u64 read_cr##n(void)                                 \
	{                                                                  \
		u64 v;                                                     \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void write_cr##n(u64 v)                              \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline u64 read_rflags(void)
{
	u64 v;

	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline u64 read_rbp(void)
{
	u64 v;

	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void sti(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void hlt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

static inline void invlpg(u64 va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline __noreturn void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

/* Control register and MSR bits used across the hypervisor. */
#define X86_CR0_PE		 BIT(0)
#define X86_CR0_MP		 BIT(1)
#define X86_CR0_EM		 BIT(2)
#define X86_CR0_TS		 BIT(3)
#define X86_CR0_ET		 BIT(4)
#define X86_CR0_NE		 BIT(5)
#define X86_CR0_WP		 BIT(16)
#define X86_CR0_NW		 BIT(29)
#define X86_CR0_CD		 BIT(30)
#define X86_CR0_PG		 BIT(31)
#define X86_CR4_PAE		 BIT(5)
#define X86_CR4_PGE		 BIT(7)
#define X86_CR4_OSFXSR		 BIT(9)
#define X86_CR4_OSXMMEXCPT	 BIT(10)
#define X86_CR4_VMXE		 BIT(13)

#define MSR_IA32_APIC_BASE	 0x1b
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_PAT		 0x277
#define MSR_EFER		 0xc0000080
#define MSR_STAR		 0xc0000081
#define MSR_LSTAR		 0xc0000082
#define MSR_CSTAR		 0xc0000083
#define MSR_SFMASK		 0xc0000084
#define MSR_FS_BASE		 0xc0000100
#define MSR_GS_BASE		 0xc0000101
#define MSR_KERNEL_GS_BASE	 0xc0000102

#define EFER_SCE		 BIT(0)
#define EFER_LME		 BIT(8)
#define EFER_LMA		 BIT(10)
#define EFER_NXE		 BIT(11)
#define EFER_SVME		 BIT(12)

#define X86_RFLAGS_IF		 BIT(9)
#define X86_RFLAGS_VM		 BIT(17)

#endif
