/* SPDX-License-Identifier: MIT */
/* Test-guest start-up and exit: start info, command line, RAM size, main(). */
#include "guest.h"
#include "internal.h"
#include "x86.h"

#define CMDLINE_MAX 256

/* Only the first 4 GiB are mapped (entry.S); boot data above that is ignored. */
#define MAPPED_LIMIT GiB(4)

const struct hvm_start_info *guest_start_info;
static char cmdline_buf[CMDLINE_MAX];
const char *guest_cmdline = cmdline_buf;
u64 guest_ram_size = MiB(2);
u64 guest_ram_top = MiB(2);

static bool mapped(u64 addr, u64 len)
{
	return addr && addr < MAPPED_LIMIT && len <= MAPPED_LIMIT - addr;
}

static void read_cmdline(const struct hvm_start_info *si)
{
	const char *src = (const char *)si->cmdline_paddr;
	size_t i;

	if (!mapped(si->cmdline_paddr, CMDLINE_MAX))
		return;
	for (i = 0; i < CMDLINE_MAX - 1 && src[i]; i++)
		cmdline_buf[i] = src[i];
	cmdline_buf[i] = '\0';
}

/* The first MiB counts as RAM whatever holes the map shows there, as on a PC. */
static void read_memmap(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *e = (const void *)si->memmap_paddr;
	u64 size = MiB(1), top = 0;

	if (si->version < 1 || !si->memmap_entries ||
	    !mapped(si->memmap_paddr, (u64)si->memmap_entries * sizeof(*e))) {
		printf("guest: no memory map, assuming %llu MiB of RAM\n", guest_ram_size >> 20);
		return;
	}
	for (u32 i = 0; i < si->memmap_entries; i++, e++) {
		u64 end = e->addr + e->size;

		if (e->type != HVM_MEMMAP_TYPE_RAM || end <= e->addr)
			continue;
		top = MAX(top, end);
		if (end > MiB(1))
			size += end - MAX(e->addr, MiB(1));
	}
	if (top) {
		guest_ram_size = size;
		guest_ram_top = top;
	}
}

static void read_start_info(struct hvm_start_info *si)
{
	if (!mapped((u64)si, sizeof(*si)) || si->magic != HVM_START_MAGIC) {
		printf("guest: no start info (EBX 0x%llx)\n", (u64)si);
		return;
	}
	guest_start_info = si;
	read_cmdline(si);
	read_memmap(si);
}

void guest_start(struct hvm_start_info *si)
{
	traps_init();
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
