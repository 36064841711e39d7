/* SPDX-License-Identifier: MIT */
/* Test-guest start-up and exit: PVH or multiboot info, command line, RAM size, main(). */
#include "guest.h"
#include "internal.h"
#include "multiboot.h"
#include "x86.h"

#define CMDLINE_MAX 256

/* Only the first 4 GiB are mapped (entry.S); boot data above that is ignored. */
#define MAPPED_LIMIT GiB(4)

/* EAX at mb_start32 (entry.S, in .data); 0 after the PVH entry. */
extern u32 guest_entry_eax;

const char *guest_boot_protocol = "pvh";
const struct hvm_start_info *guest_start_info;
const struct multiboot_info *guest_multiboot_info;
static char cmdline_buf[CMDLINE_MAX];
const char *guest_cmdline = cmdline_buf;
u64 guest_ram_size = MiB(2);
u64 guest_ram_top = MiB(2);

static bool mapped(u64 addr, u64 len)
{
	return addr && addr < MAPPED_LIMIT && len <= MAPPED_LIMIT - addr;
}

static void read_cmdline(u64 paddr)
{
	const char *src = (const char *)paddr;
	size_t i;

	if (!mapped(paddr, CMDLINE_MAX))
		return;
	for (i = 0; i < CMDLINE_MAX - 1 && src[i]; i++)
		cmdline_buf[i] = src[i];
	cmdline_buf[i] = '\0';
}

/* RAM totals of a memory map; the first MiB counts as RAM whatever holes it has, as on a PC. */
struct ram_count {
	u64 size, top;
};

static void ram_add(struct ram_count *rc, u64 addr, u64 len)
{
	u64 end = addr + len;

	if (end <= addr)
		return;
	rc->top = MAX(rc->top, end);
	if (end > MiB(1))
		rc->size += end - MAX(addr, MiB(1));
}

static void ram_set(const struct ram_count *rc)
{
	if (rc->top) {
		guest_ram_size = rc->size;
		guest_ram_top = rc->top;
	}
}

static void no_memmap(void)
{
	printf("guest: no memory map, assuming %llu MiB of RAM\n", guest_ram_size >> 20);
}

static void read_memmap(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *e = (const void *)si->memmap_paddr;
	struct ram_count rc = {MiB(1), 0};

	if (si->version < 1 || !si->memmap_entries ||
	    !mapped(si->memmap_paddr, (u64)si->memmap_entries * sizeof(*e))) {
		no_memmap();
		return;
	}
	for (u32 i = 0; i < si->memmap_entries; i++, e++)
		if (e->type == HVM_MEMMAP_TYPE_RAM)
			ram_add(&rc, e->addr, e->size);
	ram_set(&rc);
}

static void read_start_info(struct hvm_start_info *si)
{
	if (!mapped((u64)si, sizeof(*si)) || si->magic != HVM_START_MAGIC) {
		printf("guest: no start info (EBX 0x%llx)\n", (u64)si);
		return;
	}
	guest_start_info = si;
	read_cmdline(si->cmdline_paddr);
	read_memmap(si);
}

/*
 * Multiboot memory map (info flag 6): entries of {u32 size; u64 addr, len;
 * u32 type}, where size counts the bytes after itself, so the next entry is
 * size + 4 bytes on. Without a usable map, mem_upper (flag 0): KiB from 1 MiB.
 */
static void mb_read_memmap(const struct multiboot_info *mi)
{
	struct ram_count rc = {MiB(1), 0};
	u64 p = mi->mmap_addr, end = p + mi->mmap_length;

	if (!(mi->flags & MULTIBOOT_INFO_MEM_MAP) || !mapped(p, mi->mmap_length))
		end = p;
	while (end - p >= sizeof(struct multiboot_mmap_entry)) {
		const struct multiboot_mmap_entry *e = (const void *)p;

		if (e->size < sizeof(*e) - sizeof(e->size))
			break;
		if (e->type == MULTIBOOT_MEMORY_AVAILABLE)
			ram_add(&rc, e->addr, e->len);
		p += sizeof(e->size) + e->size;
	}
	if (!rc.top && (mi->flags & MULTIBOOT_INFO_MEMORY))
		ram_add(&rc, MiB(1), (u64)mi->mem_upper << 10);
	if (!rc.top)
		no_memmap();
	ram_set(&rc);
}

static void mb_read_info(const struct multiboot_info *mi)
{
	guest_boot_protocol = "multiboot";
	if (guest_entry_eax != MULTIBOOT_BOOTLOADER_MAGIC || !mapped((u64)mi, sizeof(*mi))) {
		printf("guest: no multiboot info (EAX 0x%x, EBX 0x%llx)\n", guest_entry_eax,
		       (u64)mi);
		return;
	}
	guest_multiboot_info = mi;
	if (mi->flags & MULTIBOOT_INFO_CMDLINE)
		read_cmdline(mi->cmdline);
	mb_read_memmap(mi);
}

/* EBX is the hvm_start_info after the PVH entry, the multiboot_info after mb_start32. */
void guest_start(struct hvm_start_info *si)
{
	traps_init();
	if (guest_entry_eax)
		mb_read_info((const struct multiboot_info *)si);
	else
		read_start_info(si);
	guest_exit(main());
}

void guest_exit(int status)
{
	printf("guest: exit %d\n", status);
	outl((u32)status, GUEST_EXIT_PORT);
	for (;;)
		asm volatile("cli; hlt");
}

bool cmdline_has(const char *word)
{
	size_t len = strlen(word);
	const char *p = guest_cmdline;

	while (*p) {
		size_t n = 0;

		while (*p == ' ')
			p++;
		while (p[n] && p[n] != ' ')
			n++;
		if (n && n == len && !strncmp(p, word, len))
			return true;
		p += n;
	}
	return false;
}
