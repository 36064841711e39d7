/* SPDX-License-Identifier: MIT */
/* Ring 3 for test guests: a GDT with user segments, a TSS for RSP0, the user bit on the image. */
#include "guest.h"
#include "internal.h"
#include "smp.h"
#include "sprout.h"
#include "user.h"

#define PTE_US	 BIT(2)
#define PTE_ADDR 0x000ffffffffff000ull

#define CR4_SMEP BIT(20)
#define CR4_SMAP BIT(21)

#define GDT_TSS	 (USER_SEL_TSS / 8)

/*
 * The 64-bit TSS (SDM Vol. 3A, "Task Management in 64-bit Mode"; APM Vol. 2,
 * "64-Bit Task State Segment"). There is no task switching in long mode: the
 * TSS only gives the stack pointers. An interrupt or exception that moves the
 * CPU from CPL 3 to CPL 0 loads RSP from RSP0, aligns it down to 16 bytes and
 * pushes SS, RSP, RFLAGS, CS, RIP there (SDM Vol. 3A, "64-Bit Mode Stack
 * Frame"; APM Vol. 2, "Long-Mode Interrupt Control Transfers").
 */
struct tss64 {
	u32 reserved0;
	u64 rsp[3]; /* rsp[0] is RSP0; user_entry.S sets it on every entry to ring 3 */
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base; /* at the limit: no I/O bitmap, IN/OUT at CPL 3 raise #GP */
} __packed;

struct tss64 user_tss __aligned(16) = {.iomap_base = sizeof(struct tss64)};

/* user_entry.S: the IRETQ into ring 3, and the target of the return gate. */
long user_enter(const void *entry, u64 rax, u64 rdi, u64 rsi, u64 rdx, u64 r10);
void user_return(void);

/*
 * Writable, since LTR marks the TSS descriptor busy. In 64-bit mode base and
 * limit of code and data segments are ignored; what counts is the access
 * byte (bits 40-47: P, DPL, S, type) and, for code, L (bit 53).
 */
static u64 gdt[GDT_TSS + 2] __aligned(16) = {
	0,
	0x00af9a000000ffffull, /* 0x08: code, DPL 0, L: entry.S's */
	0x00cf92000000ffffull, /* 0x10: data, DPL 0: entry.S's */
	0x00cff2000000ffffull, /* 0x18: data, DPL 3 */
	0x00affa000000ffffull, /* 0x20: code, DPL 3, L */
			       /* 0x28: the TSS, 16 bytes; gdt_set_tss() fills it in */
};

/* SDM Vol. 3A, "TSS Descriptor in 64-bit mode": type 9 (available 64-bit TSS), P, DPL 0. */
static void gdt_set_tss(void)
{
	u64 base = (u64)&user_tss, limit = sizeof(user_tss) - 1;

	gdt[GDT_TSS] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS + 1] = base >> 32;
}

/* The table a non-leaf entry points to, after setting U/S in the entry. */
static u64 *user_next_table(u64 *entry)
{
	*entry |= PTE_US;
	return (u64 *)(*entry & PTE_ADDR);
}

/*
 * CPL 3 may touch a page only when U/S is set at every level of its walk
 * (SDM Vol. 3A, "Access Rights"; APM Vol. 2, "Page-Protection Checks").
 * entry.S identity-maps 0-4 GiB with 2 MiB pages; set U/S along the walk of
 * each 2 MiB page of the image: code, data and the ring-3 stack. The rest of
 * RAM stays supervisor-only.
 */
static void user_map_image(void)
{
	u64 start = ALIGN_DOWN((u64)__image_start, LARGE_PAGE_SIZE), end = (u64)__image_end;
	u64 cr3;

	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	for (u64 va = start; va < end; va += LARGE_PAGE_SIZE) {
		u64 *pml4 = (u64 *)(cr3 & PTE_ADDR);
		u64 *pdpt = user_next_table(&pml4[(va >> 39) & 511]);
		u64 *pd = user_next_table(&pdpt[(va >> 30) & 511]);

		pd[(va >> 21) & 511] |= PTE_US;
	}
	/* The entries were cached without U/S: flush them (none are global). */
	asm volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

/* With the image user-accessible, SMEP would stop ring 0 running it and SMAP touching it. */
static void user_no_smep(void)
{
	u64 cr4;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	if (cr4 & (CR4_SMEP | CR4_SMAP))
		asm volatile("mov %0, %%cr4" : : "r"(cr4 & ~(CR4_SMEP | CR4_SMAP)) : "memory");
}

static void user_mode_init(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed gdtr = {sizeof(gdt) - 1, (u64)gdt};

	gdt_set_tss();
	/* Selectors 0x08 and 0x10 stay what they were: no segment register needs a reload. */
	asm volatile("lgdt %0" : : "m"(gdtr) : "memory");
	asm volatile("ltr %w0" : : "r"((u16)USER_SEL_TSS) : "memory");
	traps_set_gate(USER_RETURN_VECTOR, user_return, 3);
	user_no_smep();
	user_map_image();
}

long user_call(const void *entry, u64 rax, u64 rdi, u64 rsi, u64 rdx, u64 r10)
{
	static bool ready;

	/* One TSS, loaded on vCPU 0; other vCPUs run on their own GDT (smp_entry.S). */
	if (smp_this_vcpu())
		return -SPROUT_EINVAL;
	if (!ready) {
		user_mode_init();
		ready = true;
	}
	return user_enter(entry, rax, rdi, rsi, rdx, r10);
}

unsigned int user_cpl(void)
{
	long cs = user_call(user_read_cs, 0, 0, 0, 0, 0);

	return cs < 0 ? 0 : (unsigned int)cs & 3;
}
