/* SPDX-License-Identifier: MIT */
/* Sprout detection and the hypercall instruction (VMCALL on Intel, VMMCALL on AMD). */
#include "sprout.h"
#include "guest.h"
#include "user.h"
#include "x86.h"

enum hc_insn { HC_UNKNOWN, HC_NONE, HC_VMCALL, HC_VMMCALL };

static enum hc_insn hc_insn;

bool sprout_present(void)
{
	struct cpuid_regs r;

	/* Leaf 0x40000000 is only meaningful when the hypervisor-present bit is set. */
	if (!(cpuid(1).ecx & BIT(31)))
		return false;
	r = cpuid(SPROUT_CPUID_BASE);
	return r.eax >= SPROUT_CPUID_VERSION && r.ebx == SPROUT_SIGNATURE_EBX &&
	       r.ecx == SPROUT_SIGNATURE_ECX && r.edx == SPROUT_SIGNATURE_EDX;
}

/* Only AMD and Hygon take VMMCALL; every other vendor is treated as Intel. */
static enum hc_insn pick_insn(void)
{
	if (!sprout_present())
		return HC_NONE;
	return cpu_is_amd() ? HC_VMMCALL : HC_VMCALL;
}

long hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
	       unsigned long a3)
{
	register unsigned long r10 asm("r10") = a3;
	long ret;

	if (hc_insn == HC_UNKNOWN)
		hc_insn = pick_insn();
	if (hc_insn == HC_VMMCALL)
		asm volatile("vmmcall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
			     : "memory");
	else if (hc_insn == HC_VMCALL)
		asm volatile("vmcall"
			     : "=a"(ret)
			     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10)
			     : "memory");
	else
		ret = -SPROUT_ENOSYS;
	return ret;
}

long user_hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		    unsigned long a3)
{
	if (hc_insn == HC_UNKNOWN)
		hc_insn = pick_insn();
	if (hc_insn == HC_NONE)
		return -SPROUT_ENOSYS;
	return user_call(hc_insn == HC_VMMCALL ? user_vmmcall : user_vmcall, nr, a0, a1, a2, a3);
}

long sprout_version(void)
{
	return hypercall(HC_VERSION, 0, 0, 0, 0);
}

long sprout_console_write(const char *buf, unsigned long len)
{
	return hypercall(HC_CONSOLE_WRITE, (unsigned long)buf, len, 0, 0);
}

long sprout_yield(void)
{
	return hypercall(HC_YIELD, 0, 0, 0, 0);
}
