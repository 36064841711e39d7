/* SPDX-License-Identifier: MIT */
/*
 * badstate: load control-register, EFER, XCR0 and MSR values that no CPU
 * accepts. Each must raise the fault real hardware raises (#GP or #UD) and
 * leave the state as it was; none may stop the VM ("VM entry failed").
 * Under SVM the CR writes fault in the CPU; under VMX the ones that exit
 * (CR0.NE flips, CR4 bits the guest may not set) fault in Sprout.
 */
#include "badstate.h"
#include "guest.h"
#include "x86.h"

#define CR0_PE		 BIT(0)
#define CR0_NE		 BIT(5)
#define CR0_NW		 BIT(29)
#define CR0_CD		 BIT(30)
#define CR0_PG		 BIT(31)
#define CR4_PAE		 BIT(5)
#define CR4_LA57	 BIT(12)
#define CR4_VMXE	 BIT(13)
#define CR4_OSXSAVE	 BIT(18)
#define CR4_PKE		 BIT(22)
#define EFER_LME	 BIT(8)
#define EFER_LMA	 BIT(10)
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_PAT		 0x277
#define MSR_LSTAR	 0xc0000082
#define MSR_CSTAR	 0xc0000083
#define MSR_FS_BASE	 0xc0000100
#define MSR_GS_BASE	 0xc0000101
#define MSR_KGS_BASE	 0xc0000102
#define NON_CANONICAL	 0x0000800000000000ull
#define PAT_DEFAULT	 0x0007040600070406ull

#define CPUID1_ECX_XSAVE BIT(26)
#define CPUID7_ECX_PKU	 BIT(3)
#define CPUID7_ECX_LA57	 BIT(16)

static u64 read_cr0(void)
{
	u64 v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static u64 read_cr4(void)
{
	u64 v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* The state every case must leave as it found it. */
struct snap {
	u64 cr0, cr4, efer;
};

static struct snap snap(void)
{
	return (struct snap){read_cr0(), read_cr4(), rdmsr(MSR_EFER)};
}

static const char *name(int vector)
{
	return vector == GUEST_NO_FAULT ? "no fault" : x86_vector_name((unsigned int)vector);
}

/* One case: want the vector, and the control registers and EFER unchanged. */
static void expect_note(int got, int want, const struct snap *before, const char *what,
			const char *note, u64 val)
{
	struct snap after = snap();
	bool kept =
		after.cr0 == before->cr0 && after.cr4 == before->cr4 && after.efer == before->efer;

	report(got == want && kept, "%s%s (0x%llx): %s, want %s%s", what, note, val, name(got),
	       name(want), kept ? "" : ", state changed");
}

static void expect(int got, int want, const struct snap *before, const char *what, u64 val)
{
	expect_note(got, want, before, what, "", val);
}

static void try_cr0(const char *what, const char *note, u64 val)
{
	struct snap s = snap();

	guest_fault_arm();
	asm volatile(ASM_TRY("mov %0, %%cr0") : : "r"(val) : "memory");
	expect_note(guest_fault_taken(), X86_GP, &s, what, note, val);
}

static void try_cr4(const char *what, u64 val)
{
	struct snap s = snap();

	guest_fault_arm();
	asm volatile(ASM_TRY("mov %0, %%cr4") : : "r"(val) : "memory");
	expect(guest_fault_taken(), X86_GP, &s, what, val);
}

static void try_msr(const char *what, u32 msr, u64 val)
{
	struct snap s = snap();
	u64 old = 0;
	int vector;

	rdmsr_safe(msr, &old);
	vector = wrmsr_safe(msr, val);
	if (vector == GUEST_NO_FAULT)
		wrmsr_safe(msr, old);
	expect(vector, X86_GP, &s, what, val);
}

/* A valid write must still be taken, and read back as written. */
static void try_good_msr(const char *what, u32 msr, u64 val)
{
	u64 old = 0, now = 0;
	int vector;

	rdmsr_safe(msr, &old);
	vector = wrmsr_safe(msr, val);
	rdmsr_safe(msr, &now);
	wrmsr_safe(msr, old);
	report(vector == GUEST_NO_FAULT && now == val, "%s (0x%llx): %s, reads 0x%llx", what, val,
	       name(vector), now);
}

/* DR6/DR7 bits 63:32 are reserved (SDM Vol. 3B, 19.2.4; APM Vol. 2, 15.5.1). */
static void dr_cases(void)
{
	struct snap s = snap();

	guest_fault_arm();
	asm volatile(ASM_TRY("mov %0, %%dr7") : : "r"(0x400ull | BIT(32)) : "memory");
	expect(guest_fault_taken(), X86_GP, &s, "DR7 bit 32", 0x400ull | BIT(32));
	s = snap();
	guest_fault_arm();
	asm volatile(ASM_TRY("mov %0, %%dr6") : : "r"(0xffff0ff0ull | BIT(40)) : "memory");
	expect(guest_fault_taken(), X86_GP, &s, "DR6 bit 40", 0xffff0ff0ull | BIT(40));
}

/*
 * CR0 (SDM Vol. 3A, "MOV—Move to/from Control Registers"). Each case runs
 * as written and with NE flipped: a write that changes NE exits under VMX,
 * so both the CPU's checks and Sprout's emulation of them are exercised.
 */
static void cr0_cases(void)
{
	const u64 cr0 = read_cr0();
	const struct {
		const char *what;
		u64 val;
	} bad[] = {
		{"CR0 bit 32", cr0 | BIT(32)},
		{"CR0 bit 63", cr0 | BIT(63)},
		{"CR0.NW without CD", (cr0 & ~CR0_CD) | CR0_NW},
		{"CR0.PG without PE", cr0 & ~CR0_PE},
		{"CR0.PG cleared in 64-bit mode", cr0 & ~CR0_PG},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		try_cr0(bad[i].what, "", bad[i].val);
		try_cr0(bad[i].what, ", NE flipped", bad[i].val ^ CR0_NE);
	}
}

/* CR4: reserved bits, and bits of features the guest's CPUID does not show. */
static void cr4_cases(void)
{
	const u64 cr4 = read_cr4();
	const struct cpuid_regs l1 = cpuid(1), l7 = cpuid_count(7, 0);

	try_cr4("CR4 bit 63", cr4 | BIT(63));
	try_cr4("CR4 bit 32", cr4 | BIT(32));
	try_cr4("CR4 bit 15 (reserved)", cr4 | BIT(15));
	try_cr4("CR4.VMXE (VMX not in CPUID)", cr4 | CR4_VMXE);
	if (!(l7.ecx & CPUID7_ECX_PKU))
		try_cr4("CR4.PKE (PKU not in CPUID)", cr4 | CR4_PKE);
	if (!(l1.ecx & CPUID1_ECX_XSAVE))
		try_cr4("CR4.OSXSAVE (XSAVE not in CPUID)", cr4 | CR4_OSXSAVE);
	/* LA57 may not change in IA-32e mode, offered or not. */
	try_cr4("CR4.LA57 set in long mode", cr4 | CR4_LA57);
	try_cr4("CR4.PAE cleared in long mode", cr4 & ~CR4_PAE);
}

static void efer_cases(void)
{
	const u64 efer = rdmsr(MSR_EFER);
	struct snap s;
	int vector;

	try_msr("EFER bit 1 (reserved)", MSR_EFER, efer | BIT(1));
	try_msr("EFER bit 63 (reserved)", MSR_EFER, efer | BIT(63));
	try_msr("EFER.SVME (SVM not in CPUID)", MSR_EFER, efer | EFER_SVME);
	try_msr("EFER.LME cleared while paging", MSR_EFER, efer & ~EFER_LME);
	/* LMA is read-only: a write that clears it is taken, and LMA stays set. */
	s = snap();
	vector = wrmsr_safe(MSR_EFER, efer & ~EFER_LMA);
	expect(vector, GUEST_NO_FAULT, &s, "EFER.LMA cleared by WRMSR is ignored",
	       efer & ~EFER_LMA);
}

/* XSETBV faults #UD without CPUID.XSAVE or CR4.OSXSAVE, else #GP for bits not offered. */
static void xsetbv_case(const char *what, u64 xcr0)
{
	struct snap s = snap();
	bool xsave = (cpuid(1).ecx & CPUID1_ECX_XSAVE) && (read_cr4() & CR4_OSXSAVE);

	guest_fault_arm();
	asm volatile(ASM_TRY("xsetbv")
		     :
		     : "c"(0), "a"((u32)xcr0), "d"((u32)(xcr0 >> 32))
		     : "memory");
	expect(guest_fault_taken(), xsave ? X86_GP : X86_UD, &s, what, xcr0);
}

static void msr_cases(void)
{
	static const struct {
		const char *what;
		u32 msr;
	} addr_msrs[] = {
		{"non-canonical FS_BASE", MSR_FS_BASE},
		{"non-canonical GS_BASE", MSR_GS_BASE},
		{"non-canonical KERNEL_GS_BASE", MSR_KGS_BASE},
		{"non-canonical LSTAR", MSR_LSTAR},
		{"non-canonical CSTAR", MSR_CSTAR},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(addr_msrs); i++)
		try_msr(addr_msrs[i].what, addr_msrs[i].msr, NON_CANONICAL);
	/* AMD keeps SYSENTER_ESP/EIP 32-bit wide; Intel checks them like the others. */
	if (!cpu_is_amd()) {
		try_msr("non-canonical SYSENTER_ESP", MSR_SYSENTER_ESP, NON_CANONICAL);
		try_msr("non-canonical SYSENTER_EIP", MSR_SYSENTER_EIP, NON_CANONICAL);
	}
	try_good_msr("canonical FS_BASE", MSR_FS_BASE, 0xffff800000001000ull);
	try_good_msr("canonical LSTAR", MSR_LSTAR, 0x00007ffffffff000ull);
	try_msr("PAT with memory type 2", MSR_PAT, (PAT_DEFAULT & ~0xffull) | 2);
	try_msr("PAT with memory type 8", MSR_PAT, PAT_DEFAULT | (8ull << 56));
}

int badstate_run(void)
{
	printf("hostile: badstate: cr0 0x%llx cr4 0x%llx efer 0x%llx\n", read_cr0(), read_cr4(),
	       rdmsr(MSR_EFER));
	cr0_cases();
	cr4_cases();
	efer_cases();
	xsetbv_case("XSETBV of x87|SSE|AVX", 0x7);
	xsetbv_case("XSETBV of x87 only", 0x1);
	msr_cases();
	dr_cases();
	return report_summary();
}
