// SPDX-License-Identifier: MIT
/* Tests of the multiboot v1 loader: header search, a.out kludge, ELF, the info block, errors. */
#include <stdlib.h>
#include <string.h>

#include <public/multiboot.h>

#include <hv/elf.h>
#include <hv/errno.h>

#include "test_loader.h"
#include "utest.h"

#define RAM MiB(32)

static u8 img[0x10000];

#define MBI(f) (LOADER_BOOT_BASE + offsetof(struct multiboot_info, f))

/* An ELF32 multiboot kernel at 1 MiB: text with the header, then data with bss. */
static size_t build_elf32(struct telf *t)
{
	memset(t, 0, sizeof(*t));
	t->is32 = true;
	t->entry = 0x100020;
	t->nsegs = 2;
	t->segs[0] = (struct tseg){.paddr = 0x100000, .filesz = 0x2000, .memsz = 0x2000};
	t->segs[1] = (struct tseg){.paddr = 0x102000, .filesz = 0x800, .memsz = 0x4000};
	t->mb_header = true;
	t->mb_flags = MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO;
	return lt_telf_build(t, img, sizeof(img));
}

static const struct taout aout_default = {
	.load_addr = 0x200000,
	.file_len = 0x2400,
	.bss_len = 0x3000,
	.hdr_off = 0x40,
	.entry_off = 0x100,
	.flags = MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO,
};

static void expect_fail(size_t n, const char *sub)
{
	struct fake_ram r;
	struct loader_result res;
	char err[256];

	lt_ram_init(&r, RAM, true);
	CHECK(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "", NULL, 0, &res, err, sizeof(err)) < 0);
	CHECK(lt_err_is(err, sub));
	if (!lt_err_is(err, sub))
		printf("    got: \"%s\", want \"%s\"\n", err, sub);
	CHECK_EQ(r.nwrites, 0);
}

static void check_info(const struct fake_ram *r, u64 ram, const char *cmd)
{
	struct multiboot_mmap_entry e[4];
	u32 flags = lt_rd32(r, MBI(flags));

	CHECK_EQ(flags, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MODS |
				MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME);
	CHECK_EQ(lt_rd32(r, MBI(mem_lower)), 639);
	CHECK_EQ(lt_rd32(r, MBI(mem_upper)), (ram - MiB(1)) >> 10);
	CHECK_EQ(strcmp(lt_rdstr(r, lt_rd32(r, MBI(cmdline))), cmd), 0);
	CHECK_EQ(strcmp(lt_rdstr(r, lt_rd32(r, MBI(boot_loader_name))), "Sprout"), 0);
	CHECK_EQ(lt_rd32(r, MBI(mmap_length)), 6 * sizeof(e[0])); /* + IOAPIC, LAPIC pages */
	memcpy(e, r->buf + lt_rd32(r, MBI(mmap_addr)), sizeof(e));
	CHECK_EQ(e[0].size, 20);
	CHECK_EQ(e[0].addr, 0);
	CHECK_EQ(e[0].len, 0x9fc00);
	CHECK_EQ(e[0].type, MULTIBOOT_MEMORY_AVAILABLE);
	CHECK_EQ(e[1].type, MULTIBOOT_MEMORY_RESERVED);
	CHECK_EQ(e[2].addr, 0xc0000);
	CHECK_EQ(e[2].type, MULTIBOOT_MEMORY_RESERVED);
	CHECK_EQ(e[3].size, 20);
	CHECK_EQ(e[3].addr, 0x100000);
	CHECK_EQ(e[3].len, ram - 0x100000);
}

UTEST(loader_mb_elf32)
{
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n = build_elf32(&t);

	lt_ram_init(&r, RAM, false);
	CHECK_EQ(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "hello arg=1", NULL, 0, &res, err, 256), 0);
	CHECK_EQ(err[0], 0);
	CHECK_EQ(res.eax, MULTIBOOT_BOOTLOADER_MAGIC);
	CHECK_EQ(res.ebx, LOADER_BOOT_BASE);
	CHECK_EQ(res.entry, 0x100020);
	CHECK_EQ(res.image_lo, 0x100000);
	CHECK_EQ(res.image_hi, 0x106000);
	CHECK(lt_ram_eq(&r, 0x100000, img + t.file_off[0], 0x2000));
	CHECK(lt_ram_eq(&r, 0x102000, img + t.file_off[1], 0x800));
	CHECK(!lt_ram_touched(&r, 0x103000));
	CHECK_EQ(lt_rd32(&r, MBI(mods_count)), 0);
	check_info(&r, RAM, "hello arg=1");
	lt_ram_free(&r);
}

UTEST(loader_mb_elf64_low_and_higher_half)
{
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n;

	/* Our own guests: ELF64 x86-64 linked at 1 MiB with a 32-bit entry. */
	build_elf32(&t);
	t.is32 = false;
	n = lt_telf_build(&t, img, sizeof(img));
	lt_ram_init(&r, RAM, false);
	CHECK_EQ(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "", NULL, 0, &res, err, 256), 0);
	CHECK_EQ(res.entry, 0x100020);
	check_info(&r, RAM, "");
	lt_ram_free(&r);

	/* Higher half, linked with AT(): e_entry is virtual and translated like GRUB 2 does. */
	t.segs[0].vaddr = 0xffffffff80100000ULL;
	t.segs[1].vaddr = 0xffffffff80102000ULL;
	t.entry = 0xffffffff80100020ULL;
	n = lt_telf_build(&t, img, sizeof(img));
	lt_ram_init(&r, RAM, false);
	CHECK_EQ(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "", NULL, 0, &res, err, 256), 0);
	CHECK_EQ(res.entry, 0x100020);
	lt_ram_free(&r);

	/* A physical e_entry in such a kernel is accepted as well. */
	t.entry = 0x102010;
	n = lt_telf_build(&t, img, sizeof(img));
	lt_ram_init(&r, RAM, true);
	CHECK_EQ(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "", NULL, 0, &res, err, 256), 0);
	CHECK_EQ(res.entry, 0x102010);

	t.entry = 0x1ffffffffULL;
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "multiboot ELF entry 0x1ffffffff is not inside a loaded segment");
}

UTEST(loader_mb_aout)
{
	struct fake_ram r;
	struct loader_result res;
	char err[256];
	size_t n = lt_taout_build(&aout_default, img, sizeof(img));

	lt_ram_init(&r, RAM, false);
	CHECK_EQ(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "a.out", NULL, 0, &res, err, 256), 0);
	CHECK_EQ(res.entry, 0x200100);
	CHECK_EQ(res.eax, MULTIBOOT_BOOTLOADER_MAGIC);
	CHECK_EQ(res.image_lo, 0x200000);
	CHECK_EQ(res.image_hi, 0x205400);
	CHECK(lt_ram_eq(&r, 0x200000, img, n));
	CHECK(!lt_ram_touched(&r, 0x203000));
	check_info(&r, RAM, "a.out");
	lt_ram_free(&r);
}

UTEST(loader_mb_aout_header_deeper_in_file)
{
	struct taout a = aout_default;
	struct fake_ram r;
	struct loader_result res;
	char err[256];
	size_t n;

	/* The file starts 0x1000 before load_addr's bytes: skip that prefix. */
	a.hdr_off = 0x1ff0;
	n = lt_taout_build(&a, img, sizeof(img));
	{
		struct multiboot_header h;

		memcpy(&h, img + a.hdr_off, MULTIBOOT_HEADER_AOUT);
		h.header_addr = a.load_addr + 0xff0;
		h.load_end_addr = a.load_addr + (a.file_len - 0x1000);
		h.bss_end_addr = 0;
		memcpy(img + a.hdr_off, &h, MULTIBOOT_HEADER_AOUT);
	}
	lt_ram_init(&r, RAM, false);
	CHECK_EQ(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "", NULL, 0, &res, err, 256), 0);
	CHECK(lt_ram_eq(&r, a.load_addr, img + 0x1000, a.file_len - 0x1000));
	CHECK_EQ(res.image_hi, a.load_addr + a.file_len - 0x1000);
	lt_ram_free(&r);

	/* load_end_addr 0: everything to the end of the file. */
	a = aout_default;
	a.load_end_zero = true;
	n = lt_taout_build(&a, img, sizeof(img));
	lt_ram_init(&r, RAM, false);
	CHECK_EQ(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "", NULL, 0, &res, err, 256), 0);
	CHECK(lt_ram_eq(&r, a.load_addr, img, n));
	CHECK_EQ(res.image_hi, a.load_addr + a.file_len + a.bss_len);
	lt_ram_free(&r);
}

/* Build the default a.out image, set one header word, fix the checksum. */
static size_t aout_with(size_t field, u32 v)
{
	size_t n = lt_taout_build(&aout_default, img, sizeof(img));

	memcpy(img + aout_default.hdr_off + field, &v, 4);
	lt_tmb_fix(img, aout_default.hdr_off);
	return n;
}

UTEST(loader_mb_aout_errors)
{
	size_t n;

	n = aout_with(offsetof(struct multiboot_header, load_addr), 0x200100);
	expect_fail(n, "multiboot header_addr 0x200040 is below load_addr 0x200100");
	n = aout_with(offsetof(struct multiboot_header, load_addr), 0x1f0000);
	expect_fail(n, "multiboot load_addr 0x1f0000 would start 0x10000 bytes before the file");
	n = aout_with(offsetof(struct multiboot_header, load_end_addr), 0x100000);
	expect_fail(n, "multiboot load_end_addr 0x100000 is below load_addr 0x200000");
	n = aout_with(offsetof(struct multiboot_header, load_end_addr), 0x202401);
	expect_fail(n, "multiboot load_end_addr 0x202401 lies beyond the end of the file");
	n = aout_with(offsetof(struct multiboot_header, bss_end_addr), 0x2023ff);
	expect_fail(n, "multiboot bss_end_addr 0x2023ff is below the end of the loaded data");
	n = aout_with(offsetof(struct multiboot_header, bss_end_addr), 0x1000);
	expect_fail(n, "bss_end_addr");
	n = aout_with(offsetof(struct multiboot_header, entry_addr), 0x205400);
	expect_fail(n, "multiboot entry_addr 0x205400 is not inside the image 0x200000-0x205400");
	n = aout_with(offsetof(struct multiboot_header, entry_addr), 0x1000);
	expect_fail(n, "multiboot entry_addr 0x1000");
	n = aout_with(offsetof(struct multiboot_header, bss_end_addr), 0x2000001);
	expect_fail(n,
		    "multiboot image at 0x200000 size 0x1e00001 lies outside guest RAM (32 MiB)");
	n = aout_with(offsetof(struct multiboot_header, bss_end_addr), 0xffffffff);
	expect_fail(n, "lies outside guest RAM");
}

UTEST(loader_mb_aout_in_boot_area_or_hole)
{
	struct taout a = aout_default;
	size_t n;

	a.load_addr = 0x9000;
	n = lt_taout_build(&a, img, sizeof(img));
	expect_fail(n, "multiboot image at 0x9000 size 0x5400 overlaps the boot data area");
	a.load_addr = 0x9d000;
	n = lt_taout_build(&a, img, sizeof(img));
	expect_fail(n, "lies outside guest RAM");
}

UTEST(loader_mb_aout_truncated_header)
{
	struct taout a = aout_default;
	size_t n;

	/* Magic, flags and checksum fit, the address fields do not. */
	a.file_len = 0x1000;
	a.hdr_off = 0xff0;
	n = lt_taout_build(&a, img, sizeof(img));
	memset(img + 0xff0, 0, 0x10);
	{
		u32 h[3] = {MULTIBOOT_HEADER_MAGIC, MULTIBOOT_AOUT_KLUDGE, 0};

		h[2] = -(h[0] + h[1]);
		memcpy(img + 0xff0, h, sizeof(h));
	}
	expect_fail(n, "multiboot header at 0xff0 is truncated");
}

UTEST(loader_mb_header_search)
{
	struct telf t;
	size_t n = build_elf32(&t);
	u64 hoff = t.file_off[0];

	img[hoff + 8] ^= 1;
	expect_fail(n, "multiboot header checksum bad");
	memset(img + hoff, 0, 12);
	expect_fail(n, "no multiboot header in the first 8192 bytes");

	/* A bad header first and a good one later: the good one wins. */
	n = build_elf32(&t);
	memcpy(img + hoff + 0x40, img + hoff, 12);
	img[hoff + 8] ^= 1;
	{
		struct fake_ram r;
		struct loader_result res;
		char err[256];

		lt_ram_init(&r, RAM, true);
		CHECK_EQ(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "", NULL, 0, &res, err, 256), 0);
	}

	/* The header must end within the first 8192 bytes and be 4-byte aligned. */
	n = build_elf32(&t);
	memmove(img + 8192 - 8, img + hoff, 12);
	memset(img + hoff, 0, 12);
	expect_fail(n, "no multiboot header");
	n = build_elf32(&t);
	memmove(img + hoff + 2, img + hoff, 12);
	memset(img + hoff, 0, 2);
	expect_fail(n, "no multiboot header");
}

UTEST(loader_mb_flags)
{
	struct fake_ram r;
	struct loader_result res;
	char err[256];
	size_t n;

	n = aout_with(offsetof(struct multiboot_header, flags), MULTIBOOT_AOUT_KLUDGE | BIT(3));
	expect_fail(n, "multiboot header requires unsupported features (flags 0x8)");
	n = aout_with(offsetof(struct multiboot_header, flags),
		      MULTIBOOT_AOUT_KLUDGE | BIT(15) | 3);
	expect_fail(n, "(flags 0x8000)");
	/* Video mode is a request we may ignore; unknown optional bits too. */
	n = aout_with(offsetof(struct multiboot_header, flags),
		      MULTIBOOT_AOUT_KLUDGE | MULTIBOOT_VIDEO_MODE | BIT(20) | 3);
	lt_ram_init(&r, RAM, true);
	CHECK_EQ(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "", NULL, 0, &res, err, 256), 0);
}

UTEST(loader_mb_not_elf_without_kludge)
{
	size_t n = aout_with(offsetof(struct multiboot_header, flags), MULTIBOOT_PAGE_ALIGN);

	expect_fail(n, "multiboot kernel is not ELF and has no a.out kludge (header flag 16)");
}

UTEST(loader_mb_elf_errors)
{
	struct telf t;
	size_t n;

	build_elf32(&t);
	t.segs[1].paddr = 0x3000000;
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "ELF segment 1 at 0x3000000 size 0x4000 lies outside guest RAM (32 MiB)");
	build_elf32(&t);
	t.entry = 0x106000;
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "multiboot ELF entry 0x106000 is not inside a loaded segment");
	build_elf32(&t);
	t.machine = EM_X86_64 + 1;
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "ELF machine 63");
}

UTEST(loader_mb_modules)
{
	struct multiboot_mod_list e[2];
	struct loader_module mods[2];
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n = build_elf32(&t);
	u8 *d0 = malloc(0x1801), *d1 = malloc(10);

	memset(d0, 0xa5, 0x1801);
	memset(d1, 0x5a, 10);
	mods[0] = (struct loader_module){d0, 0x1801, "mod0 arg"};
	mods[1] = (struct loader_module){d1, 10, NULL};
	lt_ram_init(&r, RAM, false);
	CHECK_EQ(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "k", mods, 2, &res, err, 256), 0);
	CHECK_EQ(lt_rd32(&r, MBI(mods_count)), 2);
	memcpy(e, r.buf + lt_rd32(&r, MBI(mods_addr)), sizeof(e));
	CHECK_EQ(e[0].mod_start, RAM - 0x2000);
	CHECK_EQ(e[0].mod_end, RAM - 0x2000 + 0x1801);
	CHECK_EQ(e[1].mod_start, RAM - 0x3000);
	CHECK_EQ(e[1].mod_end, RAM - 0x3000 + 10);
	CHECK(lt_ram_eq(&r, e[0].mod_start, d0, 0x1801));
	CHECK(lt_ram_eq(&r, e[1].mod_start, d1, 10));
	CHECK_EQ(strcmp(lt_rdstr(&r, e[0].cmdline), "mod0 arg"), 0);
	CHECK_EQ(strcmp(lt_rdstr(&r, e[1].cmdline), ""), 0);
	CHECK_EQ(e[0].pad, 0);
	check_info(&r, RAM, "k");
	lt_ram_free(&r);

	/* Too big for the room above the image. */
	mods[1].size = RAM - 0x107000;
	lt_ram_init(&r, RAM, true);
	CHECK_EQ(lt_tload(&r, IMAGE_MULTIBOOT, img, n, "k", mods, 2, &res, err, 256), -ENOMEM);
	CHECK(lt_err_is(err, "module 1"));
	CHECK(lt_err_is(err, "does not fit in guest RAM"));
	CHECK_EQ(r.nwrites, 0);
	free(d0);
	free(d1);
}

/* Every proper prefix of a valid image fails cleanly and writes nothing. */
static void check_prefixes(size_t n)
{
	struct fake_ram r;
	struct loader_result res;
	char err[256];
	u32 bad = 0;
	u8 *copy;

	lt_ram_init(&r, RAM, true);
	for (size_t len = 0; len < n; len++) {
		copy = malloc(len ? len : 1);
		memcpy(copy, img, len);
		if (lt_tload(&r, IMAGE_MULTIBOOT, copy, len, "", NULL, 0, &res, err, 256) >= 0 ||
		    !err[0] || strchr(err, '\n'))
			bad++;
		free(copy);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(r.nwrites, 0);
}

UTEST(loader_mb_every_prefix_fails)
{
	struct telf t;

	check_prefixes(build_elf32(&t));
	check_prefixes(lt_taout_build(&aout_default, img, sizeof(img)));
}
