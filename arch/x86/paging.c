// SPDX-License-Identifier: MIT
/* Hypervisor page tables: an identity map of physical memory; page 0 absent, data not executable. */
#include <arch/paging.h>
#include <arch/x86.h>
#include <hv/printk.h>
#include <hv/string.h>

/*
 *  PML4[0] -> PDPT[0..63] -> PD[i][0..511] -> 2 MiB page i*1G + j*2M
 *                                          \-> PT (4 KiB pages) where a finer map is needed:
 *                                              the first 2 MiB and the image's code
 *          -> PDPT[64] -> PD -> PT[0] -> physical page 0, read-only (PAGING_PAGE0_ALIAS)
 *          -> PDPT[65] -> PD -> 2 MiB pages of one device range (PAGING_WINDOW)
 *
 * All RAM is reachable at hva == hpa, except page 0: a NULL dereference in the
 * hypervisor must fault, not read or corrupt the real-mode IVT. Only the image's
 * code and the AP trampoline are executable when the CPU has NX (SDM Vol. 3A,
 * 4.6 "Access Rights": XD needs IA32_EFER.NXE, or bit 63 is reserved). The device
 * hole below 4 GiB is mapped too; MTRRs make it uncacheable, which is what the
 * LAPIC and IOAPIC need.
 */
#define PTE_P  BIT(0)
#define PTE_W  BIT(1)
#define PTE_PS BIT(7)
#define PTE_XD BIT(63)
#define NR_PDS (PAGING_IDENTITY_LIMIT / GiB(1))
#define NR_PTS 4 /* 2 MiB regions mapped in 4 KiB pages: the first, and the code's */

static u64 pml4[512] __aligned(4096);
static u64 pdpt[512] __aligned(4096);
static u64 pds[NR_PDS][512] __aligned(4096);
static u64 pts[NR_PTS][512] __aligned(4096);
static u64 alias_pd[512] __aligned(4096);
static u64 alias_pt[512] __aligned(4096);
static u64 window_pd[512] __aligned(4096);
static u32 nr_pts;
static u64 xd; /* PTE_XD when the CPU has NX, else 0 */

/* Linker symbols (linker.ld, and gnu-efi's elf_x86_64_efi.lds): the image and its code. */
extern const char ImageBase[], _etext[];

static u64 *pd_entry(u64 pa)
{
	return &pds[pa / GiB(1)][(pa % GiB(1)) / MiB(2)];
}

/* Map the 2 MiB region of pa with a page table (once); its pages keep the region's rights. */
static u64 *split(u64 pa)
{
	u64 *pde = pd_entry(pa), *pt;
	u64 base = ALIGN_DOWN(pa, MiB(2));

	if (!(*pde & PTE_PS))
		return (u64 *)(uintptr_t)(*pde & ~(PTE_XD | 0xfffULL));
	if (nr_pts == NR_PTS)
		panic("paging: more than %u regions need 4 KiB pages", NR_PTS);
	pt = pts[nr_pts++];
	for (u64 i = 0; i < 512; i++)
		pt[i] = (base + i * PAGE_SIZE) | PTE_P | PTE_W | xd;
	*pde = (u64)(uintptr_t)pt | PTE_P | PTE_W;
	return pt;
}

/* Let the CPU execute [start, end): the code of the image, or the AP trampoline. */
static void map_exec(u64 start, u64 end)
{
	for (u64 pa = ALIGN_DOWN(start, PAGE_SIZE); pa < end; pa += PAGE_SIZE)
		split(pa)[(pa % MiB(2)) / PAGE_SIZE] &= ~PTE_XD;
}

u64 paging_init(u64 top)
{
	u64 limit = ALIGN_UP(MAX(top, GiB(4)), GiB(1));

	if (limit > PAGING_IDENTITY_LIMIT) {
		pr_warn("paging: RAM above %llu GiB is not used\n", PAGING_IDENTITY_LIMIT >> 30);
		limit = PAGING_IDENTITY_LIMIT;
	}
	if (cpuid(0x80000001, 0).edx & BIT(20)) {
		xd = PTE_XD;
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	}
	for (u64 g = 0; g < limit / GiB(1); g++) {
		for (u64 j = 0; j < 512; j++)
			pds[g][j] = (g * GiB(1) + j * MiB(2)) | PTE_P | PTE_W | PTE_PS | xd;
		pdpt[g] = (u64)(uintptr_t)pds[g] | PTE_P | PTE_W;
	}
	split(0)[0] = 0;
	map_exec((u64)(uintptr_t)ImageBase, (u64)(uintptr_t)_etext);
	alias_pt[0] = 0 | PTE_P | xd;
	alias_pd[0] = (u64)(uintptr_t)alias_pt | PTE_P | PTE_W;
	pdpt[PAGING_PAGE0_ALIAS / GiB(1)] = (u64)(uintptr_t)alias_pd | PTE_P | PTE_W;
	pml4[0] = (u64)(uintptr_t)pdpt | PTE_P | PTE_W;
	write_cr3((u64)(uintptr_t)pml4);
	return limit;
}

void paging_allow_exec(u64 pa, u64 len)
{
	map_exec(pa, pa + len);
	write_cr3((u64)(uintptr_t)pml4);
}

u64 paging_map_window(u64 pa, u64 len)
{
	u64 base = ALIGN_DOWN(pa, MiB(2)), end;

	if (!len || pa + len < pa || ALIGN_UP(pa + len, MiB(2)) - base > PAGING_WINDOW_MAX)
		return 0;
	end = ALIGN_UP(pa + len, MiB(2));
	memset(window_pd, 0, sizeof(window_pd));
	for (u64 a = base, i = 0; a < end; a += MiB(2), i++)
		window_pd[i] = a | PTE_P | PTE_W | PTE_PS | xd;
	pdpt[PAGING_WINDOW / GiB(1)] = (u64)(uintptr_t)window_pd | PTE_P | PTE_W;
	write_cr3((u64)(uintptr_t)pml4); /* no stale entries of an earlier window */
	return PAGING_WINDOW + (pa - base);
}

u64 paging_root(void)
{
	return (u64)(uintptr_t)pml4;
}
