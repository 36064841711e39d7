// SPDX-License-Identifier: MIT
/* Hypervisor page tables: an identity map of physical memory in 2 MiB pages. */
#include <arch/paging.h>
#include <arch/x86.h>
#include <hv/printk.h>

/*
 *  PML4[0] -> PDPT[0..63] -> PD[i][0..511] -> 2 MiB page i*1G + j*2M
 *
 * All RAM is reachable at hva == hpa. The device hole below 4 GiB is mapped
 * too; MTRRs make it uncacheable, which is what the LAPIC and IOAPIC need.
 */
#define PTE_P  BIT(0)
#define PTE_W  BIT(1)
#define PTE_PS BIT(7)
#define NR_PDS (PAGING_IDENTITY_LIMIT / GiB(1))

static u64 pml4[512] __aligned(4096);
static u64 pdpt[512] __aligned(4096);
static u64 pds[NR_PDS][512] __aligned(4096);

u64 paging_init(u64 top)
{
	u64 limit = ALIGN_UP(MAX(top, GiB(4)), GiB(1));

	if (limit > PAGING_IDENTITY_LIMIT) {
		pr_warn("paging: RAM above %llu GiB is not used\n", PAGING_IDENTITY_LIMIT >> 30);
		limit = PAGING_IDENTITY_LIMIT;
	}
	for (u64 g = 0; g < limit / GiB(1); g++) {
		for (u64 j = 0; j < 512; j++)
			pds[g][j] = (g * GiB(1) + j * MiB(2)) | PTE_P | PTE_W | PTE_PS;
		pdpt[g] = (u64)(uintptr_t)pds[g] | PTE_P | PTE_W;
	}
	pml4[0] = (u64)(uintptr_t)pdpt | PTE_P | PTE_W;
	write_cr3((u64)(uintptr_t)pml4);
	return limit;
}

u64 paging_root(void)
{
	return (u64)(uintptr_t)pml4;
}
