// SPDX-License-Identifier: MIT
/* Multiboot2 boot path: turn GRUB's boot information into a struct boot_info. */
#include <arch/console.h>
#include <arch/x86.h>
#include <hv/boot_info.h>
#include <hv/printk.h>
#include <hv/string.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289

/* Tag types (Multiboot2 specification, 3.6). */
enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

struct mb2_tag {
	u32 type;
	u32 size;
};

struct mb2_tag_module {
	struct mb2_tag tag;
	u32 mod_start;
	u32 mod_end;
	char string[];
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	u32 entry_size;
	u32 entry_version;
	u8 entries[];
};

struct mb2_mmap_entry {
	u64 base;
	u64 len;
	u32 type; /* 1 RAM, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad */
	u32 reserved;
};

/* Framebuffer info (3.6.12): the colour fields follow for type 1, direct RGB. */
struct mb2_tag_framebuffer {
	struct mb2_tag tag;
	u64 addr;
	u32 pitch, width, height;
	u8 bpp, type;
	u16 reserved;
	u8 red_pos, red_bits, green_pos, green_bits, blue_pos, blue_bits;
} __packed;

#define MB2_FB_RGB 1

static struct boot_info mb2_boot_info;
extern char ImageBase[], __image_end[];

void mb2_main(u32 magic, u32 mbi);

static u32 mb2_mem_type(u32 t)
{
	switch (t) {
	case 1: return MEM_USABLE;
	case 3: return MEM_ACPI_RECLAIM;
	case 4: return MEM_ACPI_NVS;
	case 5: return MEM_BAD;
	default: return MEM_RESERVED;
	}
}

static void mb2_mmap(struct boot_info *bi, const struct mb2_tag_mmap *t)
{
	if (t->entry_size < sizeof(struct mb2_mmap_entry))
		return;
	for (u32 off = sizeof(*t); off + t->entry_size <= t->tag.size; off += t->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)((const u8 *)t + off);

		if (bi->mmap_count >= BOOT_MMAP_MAX)
			break;
		bi->mmap[bi->mmap_count++] =
			(struct mem_region){e->base, e->len, mb2_mem_type(e->type)};
	}
}

static void mb2_module(struct boot_info *bi, const struct mb2_tag_module *t)
{
	struct boot_module *m;
	const char *name = t->string;

	if (bi->module_count >= BOOT_MODULES_MAX) {
		pr_warn("multiboot2: more than %u modules, ignoring %s\n", BOOT_MODULES_MAX, name);
		return;
	}
	/* The module string may be a path; the config refers to the last component. */
	for (const char *p = t->string; *p; p++)
		if (*p == '/')
			name = p + 1;
	m = &bi->modules[bi->module_count++];
	strlcpy(m->name, name, sizeof(m->name));
	m->base = t->mod_start;
	m->size = t->mod_end - t->mod_start;
	boot_info_reserve(bi, ALIGN_DOWN(t->mod_start, PAGE_SIZE), t->mod_end);
}

static void mb2_framebuffer(struct boot_info *bi, const struct mb2_tag_framebuffer *t)
{
	if (t->tag.size < sizeof(*t) || t->type != MB2_FB_RGB)
		return; /* EGA text or a palette: nothing the console draws on */
	bi->fb = (struct boot_fb){
		.base = t->addr,
		.size = (u64)t->pitch * t->height,
		.width = t->width,
		.height = t->height,
		.pitch = t->pitch,
		.bpp = t->bpp,
		.red_pos = t->red_pos,
		.red_bits = t->red_bits,
		.green_pos = t->green_pos,
		.green_bits = t->green_bits,
		.blue_pos = t->blue_pos,
		.blue_bits = t->blue_bits,
	};
	boot_info_reserve(bi, bi->fb.base, bi->fb.base + bi->fb.size);
}

static void mb2_parse(struct boot_info *bi, u32 mbi)
{
	u32 total = *(const u32 *)(uintptr_t)mbi;

	boot_info_reserve(bi, ALIGN_DOWN(mbi, PAGE_SIZE), (u64)mbi + total);
	for (u32 off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *t = (const void *)(uintptr_t)(mbi + off);

		if (t->type == MB2_TAG_END || t->size < sizeof(*t))
			break;
		switch (t->type) {
		case MB2_TAG_CMDLINE:
			strlcpy(bi->cmdline, (const char *)(t + 1), sizeof(bi->cmdline));
			break;
		case MB2_TAG_MODULE: mb2_module(bi, (const void *)t); break;
		case MB2_TAG_MMAP: mb2_mmap(bi, (const void *)t); break;
		case MB2_TAG_FRAMEBUFFER: mb2_framebuffer(bi, (const void *)t); break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* The tag holds a copy of the RSDP; prefer the ACPI 2.0 one. */
			if (!bi->rsdp || t->type == MB2_TAG_ACPI_NEW)
				bi->rsdp = (u64)(uintptr_t)(t + 1);
			break;
		}
		off += ALIGN_UP(t->size, 8);
	}
}

void mb2_main(u32 magic, u32 mbi)
{
	struct boot_info *bi = &mb2_boot_info;

	console_init();
	if (magic != MB2_BOOTLOADER_MAGIC) {
		pr_err("multiboot2: bad boot loader magic 0x%x; was this loaded by GRUB?\n", magic);
		cpu_halt_forever();
	}
	bi->loader = "multiboot2";
	strlcpy(bi->config_name, "sprout.cfg", sizeof(bi->config_name));
	boot_info_reserve(bi, (u64)(uintptr_t)ImageBase, (u64)(uintptr_t)__image_end);
	bi->image_bytes = (u64)(uintptr_t)__image_end - (u64)(uintptr_t)ImageBase;
	mb2_parse(bi, mbi);
	hv_main(bi);
}
