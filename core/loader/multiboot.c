// SPDX-License-Identifier: MIT
/* Multiboot v1: find the OS image header, load by a.out kludge or ELF, build the multiboot info. */
#include <public/multiboot.h>

#include <hv/elf.h>
#include <hv/errno.h>
#include <hv/loader.h>
#include <hv/string.h>

/*
 * Boot area as multiboot uses it:
 *
 *   0x6000  struct multiboot_info           always here
 *           multiboot_mmap_entry[n]         the guest E820, 24 bytes each
 *           multiboot_mod_list[nmods]       only with modules
 *           kernel command line, "Sprout"   NUL terminated
 *           module strings                  NUL terminated, "" when none given
 */

/* Requirement flags we honour: modules are always page aligned, memory info always given. */
#define MB_KNOWN_REQUIRED (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_VIDEO_MODE)

/* Where the kernel goes: one range for a.out kludge; the ELF file otherwise. */
struct mb_image {
	bool elf;
	struct loader_elf ef;
	u64 file_off; /* a.out: bytes [file_off, file_off + load_size) go to load_addr */
	u64 load_size;
	u64 load_addr;
	u64 mem_size; /* load_size plus bss */
	u32 entry;
};

static int mb_find_header(struct loader_ctx *lc, struct multiboot_header *hdr, u64 *hoff)
{
	u64 limit = MIN((u64)lc->size, MULTIBOOT_SEARCH);
	bool bad_sum = false;
	u32 w[3];

	for (u64 off = 0; off + MULTIBOOT_HEADER_MIN <= limit; off += MULTIBOOT_HEADER_ALIGN) {
		memcpy(w, lc->image + off, sizeof(w));
		if (w[0] != MULTIBOOT_HEADER_MAGIC)
			continue;
		if ((u32)(w[0] + w[1] + w[2])) {
			bad_sum = true;
			continue;
		}
		memset(hdr, 0, sizeof(*hdr));
		memcpy(hdr, lc->image + off, MIN(sizeof(*hdr), lc->size - off));
		*hoff = off;
		return 0;
	}
	if (bad_sum)
		return loader_error(lc, -ENOEXEC, "multiboot header checksum bad");
	return loader_error(lc, -ENOEXEC, "no multiboot header in the first %u bytes",
			    MULTIBOOT_SEARCH);
}

/* Where the a.out kludge fields put the file, checked against the file size. */
static int mb_aout_extent(struct loader_ctx *lc, const struct multiboot_header *h, u64 hoff,
			  struct mb_image *img)
{
	u64 back;

	if (h->header_addr < h->load_addr)
		return loader_error(lc, -ENOEXEC,
				    "multiboot header_addr 0x%x is below load_addr 0x%x",
				    h->header_addr, h->load_addr);
	back = (u64)h->header_addr - h->load_addr;
	if (back > hoff)
		return loader_error(
			lc, -ENOEXEC,
			"multiboot load_addr 0x%x would start 0x%llx bytes before the file",
			h->load_addr, back - hoff);
	img->file_off = hoff - back;
	img->load_addr = h->load_addr;
	img->load_size = lc->size - img->file_off;
	if (h->load_end_addr) {
		if (h->load_end_addr < h->load_addr)
			return loader_error(lc, -ENOEXEC,
					    "multiboot load_end_addr 0x%x is below load_addr 0x%x",
					    h->load_end_addr, h->load_addr);
		if ((u64)h->load_end_addr - h->load_addr > img->load_size)
			return loader_error(
				lc, -ENOEXEC,
				"multiboot load_end_addr 0x%x lies beyond the end of the file",
				h->load_end_addr);
		img->load_size = (u64)h->load_end_addr - h->load_addr;
	}
	return 0;
}

static int mb_check_aout(struct loader_ctx *lc, const struct multiboot_header *h, u64 hoff,
			 struct mb_image *img)
{
	int ret;

	if (lc->size - hoff < MULTIBOOT_HEADER_AOUT)
		return loader_error(lc, -ENOEXEC, "multiboot header at 0x%llx is truncated", hoff);
	ret = mb_aout_extent(lc, h, hoff, img);
	if (ret)
		return ret;
	img->mem_size = img->load_size;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < h->load_addr ||
		    (u64)h->bss_end_addr - h->load_addr < img->load_size)
			return loader_error(
				lc, -ENOEXEC,
				"multiboot bss_end_addr 0x%x is below the end of the loaded data",
				h->bss_end_addr);
		img->mem_size = (u64)h->bss_end_addr - h->load_addr;
	}
	ret = loader_check_range(lc, "multiboot image", img->load_addr, img->mem_size);
	if (ret)
		return ret;
	if (h->entry_addr < img->load_addr || h->entry_addr - img->load_addr >= img->mem_size)
		return loader_error(
			lc, -ENOEXEC,
			"multiboot entry_addr 0x%x is not inside the image 0x%llx-0x%llx",
			h->entry_addr, img->load_addr, img->load_addr + img->mem_size);
	img->entry = h->entry_addr;
	lc->res->image_lo = img->load_addr;
	lc->res->image_hi = img->load_addr + img->mem_size;
	return 0;
}

/*
 * e_entry is translated through the segment whose p_vaddr range holds it,
 * as GRUB 2 does, so higher-half kernels linked with AT() work; failing
 * that it must be a physical address inside a segment.
 */
static int mb_check_elf(struct loader_ctx *lc, struct mb_image *img)
{
	u64 entry;
	int ret;

	if (lc->size < SELFMAG || memcmp(lc->image, ELFMAG, SELFMAG))
		return loader_error(
			lc, -ENOEXEC,
			"multiboot kernel is not ELF and has no a.out kludge (header flag 16)");
	img->elf = true;
	ret = loader_elf_open(lc, &img->ef);
	if (!ret)
		ret = loader_elf_check(lc, &img->ef);
	if (ret)
		return ret;
	if (!loader_elf_vaddr_to_paddr(lc, &img->ef, img->ef.entry, &entry)) {
		entry = img->ef.entry;
		if (!loader_elf_paddr_loaded(lc, &img->ef, entry))
			return loader_error(
				lc, -ENOEXEC,
				"multiboot ELF entry 0x%llx is not inside a loaded segment",
				img->ef.entry);
	}
	/* Inside a segment, and loader_elf_check() keeps segments below 4 GiB. */
	img->entry = (u32)entry;
	return 0;
}

static int mb_check(struct loader_ctx *lc, struct mb_image *img)
{
	struct multiboot_header hdr = {0};
	u64 hoff = 0;
	u32 unknown;
	int ret;

	ret = mb_find_header(lc, &hdr, &hoff);
	if (ret)
		return ret;
	unknown = hdr.flags & MULTIBOOT_REQUIRED & ~MB_KNOWN_REQUIRED;
	if (unknown)
		return loader_error(lc, -ENOEXEC,
				    "multiboot header requires unsupported features (flags 0x%x)",
				    unknown);
	/* The kludge wins over ELF when both are present, as the spec says. */
	if (hdr.flags & MULTIBOOT_AOUT_KLUDGE)
		return mb_check_aout(lc, &hdr, hoff, img);
	return mb_check_elf(lc, img);
}

static int mb_mmap(struct loader_ctx *lc, struct multiboot_info *mbi)
{
	struct guest_e820 map[LOADER_E820_MAX];
	struct multiboot_mmap_entry ent[LOADER_E820_MAX];
	u32 n = loader_guest_e820(lc->mem->ram_size, map, LOADER_E820_MAX);
	gpa_t gpa;
	int ret;

	for (u32 i = 0; i < n; i++) {
		ent[i].size = sizeof(ent[i]) - sizeof(ent[i].size);
		ent[i].addr = map[i].addr;
		ent[i].len = map[i].size;
		ent[i].type = map[i].type;
	}
	ret = loader_boot_put(lc, ent, n * sizeof(ent[0]), 8, &gpa);
	if (ret)
		return ret;
	mbi->mmap_addr = (u32)gpa;
	mbi->mmap_length = n * sizeof(ent[0]);
	return 0;
}

static int mb_mods(struct loader_ctx *lc, const gpa_t *mod_gpas, struct multiboot_info *mbi)
{
	struct multiboot_mod_list ent[LOADER_MAX_MODULES];
	gpa_t list, str = 0;
	int ret;

	mbi->mods_count = lc->nmods;
	if (!lc->nmods)
		return 0;
	memset(ent, 0, sizeof(ent));
	ret = loader_boot_alloc(lc, lc->nmods * sizeof(ent[0]), 8, &list);
	for (u32 i = 0; i < lc->nmods && !ret; i++) {
		ent[i].mod_start = (u32)mod_gpas[i];
		ent[i].mod_end = (u32)(mod_gpas[i] + lc->mods[i].size);
		ret = loader_boot_string(lc, lc->mods[i].cmdline ? lc->mods[i].cmdline : "", &str);
		ent[i].cmdline = (u32)str;
	}
	if (ret)
		return ret;
	mbi->mods_addr = (u32)list;
	return loader_write(lc, list, ent, lc->nmods * sizeof(ent[0]));
}

static int mb_info(struct loader_ctx *lc, const gpa_t *mod_gpas, gpa_t *info)
{
	struct multiboot_info mbi;
	gpa_t cmd = 0, name = 0;
	int ret;

	memset(&mbi, 0, sizeof(mbi));
	mbi.flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
		    MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME;
	/* Match the memory map: low RAM ends at the EBDA, 0x9fc00 (639 KiB). */
	mbi.mem_lower = (u32)(GUEST_LOW_RAM_END >> 10);
	mbi.mem_upper =
		(u32)((MIN(lc->mem->ram_size, GUEST_HOLE_BASE) - GUEST_HIGH_RAM_BASE) >> 10);
	ret = loader_boot_alloc(lc, sizeof(mbi), 8, info);
	if (!ret)
		ret = mb_mmap(lc, &mbi);
	if (!ret)
		ret = mb_mods(lc, mod_gpas, &mbi);
	if (!ret)
		ret = loader_boot_string(lc, lc->cmdline, &cmd);
	if (!ret)
		ret = loader_boot_string(lc, LOADER_BOOTLOADER_NAME, &name);
	if (ret)
		return ret;
	mbi.cmdline = (u32)cmd;
	mbi.boot_loader_name = (u32)name;
	return loader_write(lc, *info, &mbi, sizeof(mbi));
}

static int mb_load(struct loader_ctx *lc, const struct mb_image *img)
{
	if (img->elf)
		return loader_elf_load(lc, &img->ef);
	return loader_write(lc, img->load_addr, lc->image + img->file_off, img->load_size);
}

int loader_multiboot(struct loader_ctx *lc)
{
	gpa_t mod_gpas[LOADER_MAX_MODULES];
	struct mb_image img;
	gpa_t info;
	int ret;

	memset(&img, 0, sizeof(img));
	ret = mb_check(lc, &img);
	if (!ret)
		ret = loader_place_modules(lc, mod_gpas);
	if (ret)
		return ret;
	/* Everything is checked; from here on only a failing write() can stop us. */
	ret = mb_load(lc, &img);
	if (!ret)
		ret = loader_write_modules(lc, mod_gpas);
	if (!ret)
		ret = mb_info(lc, mod_gpas, &info);
	if (ret)
		return ret;
	lc->res->entry = img.entry;
	lc->res->eax = MULTIBOOT_BOOTLOADER_MAGIC;
	lc->res->ebx = (u32)info;
	return 0;
}
