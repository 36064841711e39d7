// SPDX-License-Identifier: MIT
/* Guest CPUID: the host's answer through core/cpuid_policy.c; the CPUID instruction runs here. */
#include <arch/cpu.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/cpuid_policy.h>
#include <hv/exit.h>
#include <hv/gstate.h>
#include <hv/hvm.h>
#include <hv/vm.h>

#include "handlers.h"

/* What the policy needs to know of the host and of the asking vCPU (NULL: vCPU 0 of 1). */
static struct cpuid_ctx cpuid_ctx_of(const struct vcpu *v)
{
	static u32 max_basic, max_ext; /* every CPU is assumed identical */

	if (!max_basic) {
		max_ext = cpuid(0x80000000, 0).eax;
		max_basic = cpuid(0, 0).eax;
	}
	return (struct cpuid_ctx){
		.vendor = cpu_caps.vendor,
		.host_max_basic = max_basic,
		.host_max_ext = max_ext,
		.tsc_khz = tsc_khz,
		.vcpu_id = v ? v->id : 0,
		.nr_vcpus = v ? (u32)v->vm->nr_vcpus : 1,
	};
}

static struct cpuid_regs cpuid_guest(const struct cpuid_ctx *c, u32 leaf, u32 sub)
{
	struct cpuid_regs h = cpuid(leaf, sub);
	u32 r[CPUID_NREGS] = {h.eax, h.ebx, h.ecx, h.edx};

	cpuid_policy(c, leaf, sub, r);
	return (struct cpuid_regs){r[CPUID_EAX], r[CPUID_EBX], r[CPUID_ECX], r[CPUID_EDX]};
}

/*
 * The guest may set only the CR4/EFER/XCR0 bits of features its CPUID shows
 * (SDM Vol. 3A, 2.5): a bit the CPU has but the guest was not offered must
 * fault as on a CPU without the feature. Every CPU is assumed identical, so
 * racing first callers compute the same answer.
 */
/*
 * Built once, by the first caller, and published whole: a CPU that finds it
 * ready must never see it half written (a CR4 check against a cr4_allowed
 * still 0 would refuse the guest's PAE with #GP).
 */
const struct gstate_caps *cpuid_guest_caps(void)
{
	static struct gstate_caps caps;
	static bool ready;
	static spinlock_t lock = SPINLOCK_INIT;
	struct cpuid_ctx ctx = cpuid_ctx_of(NULL);
	struct gstate_caps mine;
	struct gstate_cpuid c;
	struct cpuid_regs r;

	if (__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
		return &caps;
	r = cpuid_guest(&ctx, 1, 0);
	c = (struct gstate_cpuid){.l1_ecx = r.ecx, .l1_edx = r.edx};
	r = cpuid_guest(&ctx, 7, 0);
	c.l7_ebx = r.ebx, c.l7_ecx = r.ecx, c.l7_edx = r.edx;
	c.d_eax = cpuid_guest(&ctx, 0xd, 0).eax;
	c.x1_edx = cpuid_guest(&ctx, 0x80000001, 0).edx;
	c.x8_eax = cpuid_guest(&ctx, 0x80000008, 0).eax;
	gstate_caps_from_cpuid(&c, &mine);
	spin_lock(&lock);
	if (!ready) {
		caps = mine;
		__atomic_store_n(&ready, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&lock);
	return &caps;
}

/*
 * A guest asks the same few leaves again and again (a spin on leaf 0, the
 * kernel's serializing CPUIDs): answer those from the vCPU's cache rather
 * than run the host's CPUID (an exit of its own when Sprout runs nested)
 * and the policy's table walk.
 */
enum exit_action handle_cpuid(struct vcpu *v, struct vm_exit *e)
{
	u32 leaf = (u32)v->regs.rax, sub = (u32)v->regs.rcx;
	struct vcpu_cpuid_hit *h = cpuid_slot(v, leaf);

	if (!cpuid_from_cache(v, h)) {
		struct cpuid_ctx ctx = cpuid_ctx_of(v);
		struct cpuid_regs r = cpuid_guest(&ctx, leaf, sub);

		*h = (struct vcpu_cpuid_hit){.leaf = leaf,
					     .sub = sub,
					     .nr_vcpus = v->vm->nr_vcpus,
					     .r = {r.eax, r.ebx, r.ecx, r.edx},
					     .valid = true};
		cpuid_from_cache(v, h);
	}
	return exit_resume_after(v, e);
}
