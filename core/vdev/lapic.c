// SPDX-License-Identifier: MIT
/* xAPIC register stub: a page of plausible register values at the APIC base, no interrupts. */
#include <hv/pmm.h>
#include <hv/printk.h>
#include <hv/s2pt.h>
#include <hv/vdev.h>
#include <hv/vm.h>

#define LAPIC_GPA	0xfee00000ULL
#define LAPIC_ID	0x20
#define LAPIC_VERSION	0x30
#define LAPIC_SVR	0xf0
#define LAPIC_LVT_FIRST 0x320
#define LAPIC_LVT_LAST	0x370
#define LVT_MASKED	BIT(16)

/*
 * Single-vCPU guests only poke the APIC during start-up: read the ID and
 * version, set the spurious vector, send an INIT/IPI or two and poll the
 * ICR delivery-status bit. A page holding those values answers all of that
 * with no exits: writes land in the page and ICR's busy bit stays clear.
 * The page is the VM's own, outside its RAM and its quota.
 */
static void lapic_fill(u32 *regs, u32 apic_id)
{
	regs[LAPIC_ID / 4] = apic_id << 24;
	regs[LAPIC_VERSION / 4] = 0x00050014; /* version 0x14, 6 LVT entries */
	regs[LAPIC_SVR / 4] = 0xff;
	for (u32 off = LAPIC_LVT_FIRST; off <= LAPIC_LVT_LAST; off += 0x10)
		regs[off / 4] = LVT_MASKED;
}

bool vdev_lapic_fault(struct vcpu *v, gpa_t gpa)
{
	struct vm *vm = v->vm;
	hpa_t page;

	if ((gpa & PAGE_MASK) != LAPIC_GPA || vm->dev.lapic_page != INVALID_HPA)
		return false;
	page = pmm_alloc_zeroed(0);
	if (page == INVALID_HPA)
		return false;
	lapic_fill((u32 *)(uintptr_t)page, v->id);
	if (s2pt_map(&vm->mem.s2, LAPIC_GPA, page, S2PT_ORDER_4K, true)) {
		pmm_free(page, 0);
		return false;
	}
	vm->dev.lapic_page = page;
	return true;
}

void vdev_release(struct vm *vm)
{
	hpa_t old;

	vdev_console_flush(vm);
	vdev_stats_unmap(vm);
	vplat_release(vm);
	if (vm->dev.lapic_page == INVALID_HPA)
		return;
	if (!s2pt_unmap(&vm->mem.s2, LAPIC_GPA, S2PT_ORDER_4K, &old))
		pmm_free(old, 0);
	vm->dev.lapic_page = INVALID_HPA;
}
