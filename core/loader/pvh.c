// SPDX-License-Identifier: MIT
/* PVH boot: load an ELF kernel with a XEN_ELFNOTE_PHYS32_ENTRY note, build hvm_start_info. */
#include <public/pvh.h>

#include <hv/errno.h>
#include <hv/loader.h>
#include <hv/string.h>

/*
 * Boot area as PVH uses it (each block 8-byte aligned unless a string):
 *
 *   0x6000  struct hvm_start_info          always here, easy to find in a dump
 *           hvm_memmap_table_entry[n]      the guest E820 (loader_guest_e820)
 *           hvm_modlist_entry[nmods]       only with modules
 *           kernel command line            NUL terminated
 *           module command lines           NUL terminated, only non-empty ones
 */

static int pvh_entry(struct loader_ctx *lc, const struct loader_elf *ef, u32 *entry)
{
	const u8 *desc;
	u32 descsz;
	int ret;

	ret = loader_elf_find_note(lc, ef, XEN_ELFNOTE_NAME, XEN_ELFNOTE_PHYS32_ENTRY, &desc,
				   &descsz);
	if (ret == -ENOENT)
		return loader_error(
			lc, -ENOEXEC,
			"no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY); is this a PVH kernel?");
	if (ret)
		return ret;
	/* Linux emits 8 bytes (_ASM_PTR), others 4; x86 is little-endian. */
	if (descsz != 4 && descsz != 8)
		return loader_error(lc, -ENOEXEC, "PVH entry note has %u bytes, expected 4 or 8",
				    descsz);
	memcpy(entry, desc, sizeof(*entry));
	if (!loader_elf_paddr_loaded(lc, ef, *entry))
		return loader_error(lc, -ENOEXEC, "PVH entry 0x%x is not inside a loaded segment",
				    *entry);
	return 0;
}

static int pvh_memmap(struct loader_ctx *lc, struct hvm_start_info *si)
{
	struct guest_e820 map[LOADER_E820_MAX];
	struct hvm_memmap_table_entry ent[LOADER_E820_MAX];
	u32 n = loader_guest_e820(lc->mem->ram_size, map, LOADER_E820_MAX);
	gpa_t gpa;
	int ret;

	memset(ent, 0, sizeof(ent));
	for (u32 i = 0; i < n; i++) {
		ent[i].addr = map[i].addr;
		ent[i].size = map[i].size;
		ent[i].type = map[i].type;
	}
	ret = loader_boot_put(lc, ent, n * sizeof(ent[0]), 8, &gpa);
	if (ret)
		return ret;
	si->memmap_paddr = gpa;
	si->memmap_entries = n;
	return 0;
}

static int pvh_modlist(struct loader_ctx *lc, const gpa_t *mod_gpas, struct hvm_start_info *si)
{
	struct hvm_modlist_entry ent[LOADER_MAX_MODULES];
	gpa_t list;
	int ret;

	if (!lc->nmods)
		return 0;
	memset(ent, 0, sizeof(ent));
	/* The list goes first so that it stays 8-byte aligned before the strings. */
	ret = loader_boot_alloc(lc, lc->nmods * sizeof(ent[0]), 8, &list);
	if (ret)
		return ret;
	for (u32 i = 0; i < lc->nmods; i++) {
		const char *cmd = lc->mods[i].cmdline;
		gpa_t str = 0;

		if (cmd && *cmd) {
			ret = loader_boot_string(lc, cmd, &str);
			if (ret)
				return ret;
		}
		ent[i].paddr = mod_gpas[i];
		ent[i].size = lc->mods[i].size;
		ent[i].cmdline_paddr = str;
	}
	si->nr_modules = lc->nmods;
	si->modlist_paddr = list;
	return loader_write(lc, list, ent, lc->nmods * sizeof(ent[0]));
}

static int pvh_start_info(struct loader_ctx *lc, const gpa_t *mod_gpas, gpa_t *si_gpa)
{
	struct hvm_start_info si;
	gpa_t cmd = 0;
	int ret;

	memset(&si, 0, sizeof(si));
	si.magic = XEN_HVM_START_MAGIC_VALUE;
	si.version = 1;
	ret = loader_boot_alloc(lc, sizeof(si), 8, si_gpa);
	if (!ret)
		ret = pvh_memmap(lc, &si);
	if (!ret)
		ret = pvh_modlist(lc, mod_gpas, &si);
	if (!ret)
		ret = loader_boot_string(lc, lc->cmdline, &cmd);
	if (ret)
		return ret;
	si.cmdline_paddr = cmd;
	si.rsdp_paddr = lc->mem->rsdp;
	return loader_write(lc, *si_gpa, &si, sizeof(si));
}

int loader_pvh(struct loader_ctx *lc)
{
	gpa_t mod_gpas[LOADER_MAX_MODULES];
	struct loader_elf ef;
	gpa_t si_gpa;
	u32 entry = 0;
	int ret;

	ret = loader_elf_open(lc, &ef);
	if (!ret)
		ret = loader_elf_check(lc, &ef);
	if (!ret)
		ret = pvh_entry(lc, &ef, &entry);
	if (!ret)
		ret = loader_place_modules(lc, mod_gpas);
	if (ret)
		return ret;
	/* Everything is checked; from here on only a failing write() can stop us. */
	ret = loader_elf_load(lc, &ef);
	if (!ret)
		ret = loader_write_modules(lc, mod_gpas);
	if (!ret)
		ret = pvh_start_info(lc, mod_gpas, &si_gpa);
	if (ret)
		return ret;
	lc->res->entry = entry;
	lc->res->eax = 0;
	lc->res->ebx = (u32)si_gpa;
	return 0;
}
