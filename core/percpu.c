// SPDX-License-Identifier: MIT
/* Per-CPU data areas. */
#include <arch/x86.h>
#include <hv/percpu.h>

struct percpu percpu[MAX_CPUS];

void percpu_init(u32 cpu_id, u32 apic_id)
{
	struct percpu *p = &percpu[cpu_id];

	p->self = p;
	p->cpu_id = cpu_id;
	p->apic_id = apic_id;
	p->svm_hsave = INVALID_HPA;
	p->svm_host_vmcb = INVALID_HPA;
	p->vmxon_region = INVALID_HPA;
	wrmsr(MSR_GS_BASE, (u64)(uintptr_t)p);
	__atomic_store_n(&p->online, true, __ATOMIC_RELEASE);
}
