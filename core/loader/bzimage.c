// SPDX-License-Identifier: MIT
/*
 * Linux bzImage through the x86 boot protocol (Documentation/arch/x86/boot.rst):
 * check the setup header, load the protected-mode kernel, build the zero page
 * with the E820 map, command line and initrd, and enter at the 64-bit entry
 * (load address + 0x200) when the kernel has one, else at the 32-bit one.
 * The real-mode setup code is not run: Sprout is the boot loader that fills
 * in what it would have found.
 */
#include <public/linux_boot.h>

#include <hv/errno.h>
#include <hv/loader.h>
#include <hv/string.h>

/*
 * Boot area as a bzImage uses it:
 *
 *   0x6000  GDT: null, null, __BOOT_CS (0x10), __BOOT_DS (0x18)
 *   0x7000  zero page (struct boot_params), 4 KiB
 *   0x8000  page tables for the 64-bit entry: PML4, PDPT, 4 PDs mapping
 *           the first 4 GiB 1:1 with 2 MiB pages (24 KiB)
 *           kernel command line, NUL terminated
 */

#define BZ_MIN_VERSION 0x020a /* 2.10: pref_address and init_size */
#define BZ_LOW_LOAD    0x100000ULL
#define BZ_IDMAP_PDS   4 /* page directories: 4 x 1 GiB */
#define BZ_IDMAP_PAGES (2 + BZ_IDMAP_PDS)
#define PTE_P	       0x001ULL
#define PTE_RW	       0x002ULL
#define PTE_PS	       0x080ULL

/* What the setup header says, after its checks. */
struct bzimage {
	u16 version;
	u32 hdr_end;  /* the header is [0x1f1, hdr_end) of the image */
	u64 kern_off; /* the protected-mode kernel: [kern_off, size) */
	u64 kern_len;
	u64 load; /* where it goes */
	u64 need; /* bytes from load the kernel needs (init_size) */
	u32 cmdline_max;
	u64 initrd_top; /* the initrd ends at or below this */
	bool entry64;
};

static u16 img16(const struct loader_ctx *lc, u32 off)
{
	u16 v;

	memcpy(&v, lc->image + off, sizeof(v));
	return v;
}

static u32 img32(const struct loader_ctx *lc, u32 off)
{
	u32 v;

	memcpy(&v, lc->image + off, sizeof(v));
	return v;
}

static u64 img64(const struct loader_ctx *lc, u32 off)
{
	u64 v;

	memcpy(&v, lc->image + off, sizeof(v));
	return v;
}

static int check_magic(struct loader_ctx *lc, struct bzimage *bz)
{
	if (lc->size >= 4 && !memcmp(lc->image, "\177ELF", 4))
		return loader_error(lc, -ENOEXEC,
				    "not a bzImage but an ELF file; use kind = pvh for a vmlinux");
	if (lc->size < LB_INIT_SIZE + 4 || img32(lc, LB_HEADER) != LB_HEADER_MAGIC)
		return loader_error(lc, -ENOEXEC,
				    "not a Linux bzImage (no \"HdrS\" setup header at 0x%x)",
				    LB_HEADER);
	if (img16(lc, LB_BOOT_FLAG) != LB_BOOT_FLAG_MAGIC)
		return loader_error(lc, -ENOEXEC, "bzImage boot flag is 0x%x, expected 0x%x",
				    img16(lc, LB_BOOT_FLAG), LB_BOOT_FLAG_MAGIC);
	bz->version = img16(lc, LB_VERSION);
	if (bz->version < BZ_MIN_VERSION)
		return loader_error(
			lc, -ENOEXEC,
			"bzImage boot protocol %u.%02u is too old (2.10 or later, Linux 2.6.31+)",
			bz->version >> 8, bz->version & 0xff);
	if (!(lc->image[LB_LOADFLAGS] & LB_LOADED_HIGH))
		return loader_error(lc, -ENOEXEC,
				    "a zImage (kernel loaded below 1 MiB) is not supported");
	return 0;
}

/* The setup code, the header's extent and the protected-mode kernel behind them. */
static int check_layout(struct loader_ctx *lc, struct bzimage *bz)
{
	u32 sects = lc->image[LB_SETUP_SECTS] ? lc->image[LB_SETUP_SECTS] : 4;

	/* The header ends where the jump at 0x200 lands. */
	bz->hdr_end = LB_HEADER + lc->image[LB_JUMP + 1];
	if (bz->hdr_end < LB_INIT_SIZE + 4)
		return loader_error(lc, -ENOEXEC,
				    "bzImage setup header ends at 0x%x, before its 2.10 fields",
				    bz->hdr_end);
	if (bz->hdr_end > LB_SETUP_HEADER_LIMIT)
		bz->hdr_end = LB_SETUP_HEADER_LIMIT; /* the rest is not header */
	bz->kern_off = (u64)(sects + 1) * 512;
	if (bz->kern_off < bz->hdr_end || bz->kern_off >= lc->size)
		return loader_error(lc, -ENOEXEC,
				    "bzImage has %u setup sectors but is only 0x%llx bytes", sects,
				    (u64)lc->size);
	bz->kern_len = lc->size - bz->kern_off;
	return 0;
}

static int check_placement(struct loader_ctx *lc, struct bzimage *bz)
{
	u32 align = img32(lc, LB_KERNEL_ALIGNMENT);
	u64 pref = img64(lc, LB_PREF_ADDRESS);
	u32 init_size = img32(lc, LB_INIT_SIZE);
	u32 rd_max = img32(lc, LB_INITRD_ADDR_MAX);
	int ret;

	if (lc->image[LB_RELOCATABLE]) {
		if (!align || (align & (align - 1)))
			return loader_error(lc, -ENOEXEC,
					    "bzImage kernel_alignment 0x%x is not a power of two",
					    align);
		/* pref_address is only a wish: keep it aligned and at or above 1 MiB. */
		bz->load = ALIGN_UP(MAX(MIN(pref, GUEST_HOLE_BASE), BZ_LOW_LOAD), (u64)align);
	} else {
		bz->load = BZ_LOW_LOAD; /* it moves itself to where it was linked */
	}
	bz->need = MAX((u64)init_size, bz->kern_len);
	ret = loader_check_range(lc, "bzImage kernel (init_size)", bz->load, bz->need);
	if (ret)
		return ret;
	bz->cmdline_max = img32(lc, LB_CMDLINE_SIZE);
	bz->initrd_top = (u64)(rd_max ? rd_max : 0x37ffffff) + 1;
	bz->entry64 = bz->version >= 0x020c && (img16(lc, LB_XLOADFLAGS) & LB_XLF_KERNEL_64);
	if (bz->entry64 && bz->kern_len <= LB_ENTRY64_OFFSET)
		return loader_error(
			lc, -ENOEXEC,
			"bzImage kernel is 0x%llx bytes, too short for its 64-bit entry",
			bz->kern_len);
	lc->res->image_lo = bz->load;
	lc->res->image_hi = bz->load + bz->need;
	return 0;
}

static int check_args(struct loader_ctx *lc, const struct bzimage *bz)
{
	size_t len = strlen(lc->cmdline);

	if (len > bz->cmdline_max)
		return loader_error(lc, -E2BIG,
				    "command line is %llu bytes; this kernel takes at most %u",
				    (u64)len, bz->cmdline_max);
	if (lc->nmods > 1)
		return loader_error(lc, -EINVAL, "a bzImage takes one initrd, not %u modules",
				    lc->nmods);
	return 0;
}

/* GDT entries 2 and 3: flat code (64-bit or 32-bit) and data, accessed bits set. */
static int write_gdt(struct loader_ctx *lc, bool entry64, gpa_t *gpa)
{
	const u64 gdt[4] = {0, 0, entry64 ? 0x00af9b000000ffffULL : 0x00cf9b000000ffffULL,
			    0x00cf93000000ffffULL};

	return loader_boot_put(lc, gdt, sizeof(gdt), 16, gpa);
}

/* PML4 -> PDPT -> 4 PDs of 2 MiB pages: the first 4 GiB, identity mapped. */
static int write_idmap(struct loader_ctx *lc, gpa_t *root)
{
	static u64 pt[512];
	gpa_t base;
	int ret;

	ret = loader_boot_alloc(lc, BZ_IDMAP_PAGES * PAGE_SIZE, PAGE_SIZE, &base);
	if (ret)
		return ret;
	memset(pt, 0, sizeof(pt));
	pt[0] = (base + PAGE_SIZE) | PTE_P | PTE_RW;
	ret = loader_write(lc, base, pt, sizeof(pt));
	for (u32 i = 0; i < BZ_IDMAP_PDS && !ret; i++)
		pt[i] = (base + (2 + i) * PAGE_SIZE) | PTE_P | PTE_RW;
	if (!ret)
		ret = loader_write(lc, base + PAGE_SIZE, pt, sizeof(pt));
	for (u32 i = 0; i < BZ_IDMAP_PDS && !ret; i++) {
		for (u32 j = 0; j < 512; j++)
			pt[j] = ((u64)i << 30 | (u64)j << 21) | PTE_P | PTE_RW | PTE_PS;
		ret = loader_write(lc, base + (2 + i) * PAGE_SIZE, pt, sizeof(pt));
	}
	*root = base;
	return ret;
}

static void put16(u8 *zp, u32 off, u16 v)
{
	memcpy(zp + off, &v, sizeof(v));
}

static void put32(u8 *zp, u32 off, u32 v)
{
	memcpy(zp + off, &v, sizeof(v));
}

static void put64(u8 *zp, u32 off, u64 v)
{
	memcpy(zp + off, &v, sizeof(v));
}

static void zero_page_e820(struct loader_ctx *lc, u8 *zp)
{
	struct guest_e820 map[LOADER_E820_MAX];
	u32 n = loader_guest_e820(lc->mem->ram_size, map, LOADER_E820_MAX);

	for (u32 i = 0; i < n; i++) {
		u8 *e = zp + LB_E820_TABLE + i * LB_E820_ENTRY_SIZE;

		put64(e, 0, map[i].addr);
		put64(e, 8, map[i].size);
		put32(e, 16, map[i].type);
	}
	zp[LB_E820_ENTRIES] = (u8)n;
}

/* The zero page: the image's setup header, then what a boot loader fills in. */
static int write_zero_page(struct loader_ctx *lc, const struct bzimage *bz, gpa_t zp_gpa, gpa_t cmd,
			   gpa_t rd)
{
	static u8 zp[LB_ZERO_PAGE_SIZE];
	u64 rd_size = lc->nmods ? lc->mods[0].size : 0;
	u8 flags;

	memset(zp, 0, sizeof(zp));
	memcpy(zp + LB_SETUP_HEADER, lc->image + LB_SETUP_HEADER, bz->hdr_end - LB_SETUP_HEADER);
	zp[LB_TYPE_OF_LOADER] = LB_TYPE_OF_LOADER_UNDEFINED;
	/* No real-mode setup runs, so it has no heap; the kernel's own flags stay. */
	flags = zp[LB_LOADFLAGS] & (u8) ~(LB_CAN_USE_HEAP | LB_KEEP_SEGMENTS);
	zp[LB_LOADFLAGS] = flags;
	put16(zp, LB_HEAP_END_PTR, 0);
	put32(zp, LB_CODE32_START, (u32)bz->load);
	put32(zp, LB_CMD_LINE_PTR, (u32)cmd);
	put32(zp, LB_EXT_CMD_LINE_PTR, 0);
	put32(zp, LB_RAMDISK_IMAGE, rd_size ? (u32)rd : 0);
	put32(zp, LB_RAMDISK_SIZE, (u32)rd_size);
	put32(zp, LB_EXT_RAMDISK_IMAGE, 0);
	put32(zp, LB_EXT_RAMDISK_SIZE, (u32)(rd_size >> 32));
	put32(zp, LB_HARDWARE_SUBARCH, 0); /* a PC */
	put64(zp, LB_SETUP_DATA, 0);
	put64(zp, LB_ACPI_RSDP_ADDR, lc->mem->rsdp);
	zero_page_e820(lc, zp);
	return loader_write(lc, zp_gpa, zp, sizeof(zp));
}

int loader_bzimage(struct loader_ctx *lc)
{
	struct bzimage bz;
	gpa_t gdt, zp, root = 0, cmd, rd = 0;
	int ret;

	memset(&bz, 0, sizeof(bz));
	ret = check_magic(lc, &bz);
	if (!ret)
		ret = check_layout(lc, &bz);
	if (!ret)
		ret = check_placement(lc, &bz);
	if (!ret)
		ret = check_args(lc, &bz);
	if (ret)
		return ret;
	lc->mod_limit = bz.initrd_top;
	ret = loader_place_modules(lc, &rd);
	if (ret)
		return ret;
	/* Everything is checked; from here on only a failing write() can stop us. */
	ret = loader_write(lc, bz.load, lc->image + bz.kern_off, bz.kern_len);
	if (!ret)
		ret = loader_write_modules(lc, &rd);
	if (!ret)
		ret = write_gdt(lc, bz.entry64, &gdt);
	if (!ret)
		ret = loader_boot_alloc(lc, LB_ZERO_PAGE_SIZE, PAGE_SIZE, &zp);
	if (!ret && bz.entry64)
		ret = write_idmap(lc, &root);
	if (!ret)
		ret = loader_boot_string(lc, lc->cmdline, &cmd);
	if (!ret)
		ret = write_zero_page(lc, &bz, zp, cmd, rd);
	if (ret)
		return ret;
	*lc->res = (struct loader_result){
		.entry = (u32)bz.load + (bz.entry64 ? LB_ENTRY64_OFFSET : 0),
		.esi = (u32)zp,
		.long_mode = bz.entry64,
		.cr3 = (u32)root,
		.gdt_base = (u32)gdt,
		.gdt_limit = 4 * 8 - 1,
		.cs = LB_BOOT_CS,
		.ds = LB_BOOT_DS,
		.image_lo = bz.load,
		.image_hi = bz.load + bz.need,
	};
	return 0;
}
