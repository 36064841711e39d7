// SPDX-License-Identifier: MIT
/* Tests of the guest memory map, loader_load() argument checks and ELF validation. */
#include <stdlib.h>
#include <string.h>

#include <hv/elf.h>
#include <hv/errno.h>

#include "test_loader.h"
#include "utest.h"

#define RAM MiB(32)

static u8 img[0x10000];

UTEST(loader_e820_small)
{
	struct guest_e820 m[8];

	CHECK_EQ(loader_guest_e820(RAM, m, 8), 6);
	CHECK_EQ(m[0].addr, 0);
	CHECK_EQ(m[0].size, 0x9fc00);
	CHECK_EQ(m[0].type, 1);
	CHECK_EQ(m[1].addr, 0x9fc00); /* the EBDA */
	CHECK_EQ(m[1].size, 0x400);
	CHECK_EQ(m[1].type, 2);
	CHECK_EQ(m[2].addr, 0xc0000); /* option ROM and BIOS area; the VGA hole is a gap */
	CHECK_EQ(m[2].size, 0x40000);
	CHECK_EQ(m[2].type, 2);
	CHECK_EQ(m[3].addr, 0x100000);
	CHECK_EQ(m[3].size, RAM - 0x100000);
	CHECK_EQ(m[3].type, 1);
}

UTEST(loader_e820_above_4g)
{
	struct guest_e820 m[8];

	CHECK_EQ(loader_guest_e820(GiB(5), m, 8), 7);
	CHECK_EQ(m[3].addr + m[3].size, GiB(3));
	/* The IOAPIC and LAPIC pages are reserved, then the RAM moved above 4 GiB. */
	CHECK_EQ(m[4].addr, 0xfec00000ULL);
	CHECK_EQ(m[4].type, 2);
	CHECK_EQ(m[5].addr, 0xfee00000ULL);
	CHECK_EQ(m[5].type, 2);
	CHECK_EQ(m[6].addr, GiB(4));
	CHECK_EQ(m[6].size, GiB(2));
	CHECK_EQ(m[6].type, 1);
	/* Exactly 3 GiB needs no entry above 4 GiB. */
	CHECK_EQ(loader_guest_e820(GiB(3), m, 8), 6);
	/* A short table gets the first entries only. */
	CHECK_EQ(loader_guest_e820(GiB(5), m, 2), 2);
	CHECK_EQ(m[1].type, 2);
	/* An absurd size gives no map at all rather than a wrapped entry. */
	CHECK_EQ(loader_guest_e820(~0ULL, m, 8), 0);
}

UTEST(loader_gpa_is_ram)
{
	CHECK(loader_gpa_is_ram(RAM, 0, 0xa0000));
	CHECK(!loader_gpa_is_ram(RAM, 0, 0xa0001));
	CHECK(!loader_gpa_is_ram(RAM, 0xa0000, 1));
	CHECK(!loader_gpa_is_ram(RAM, 0xfffff, 1));
	CHECK(loader_gpa_is_ram(RAM, 0x100000, RAM - 0x100000));
	CHECK(!loader_gpa_is_ram(RAM, 0x100000, RAM - 0x100000 + 1));
	CHECK(!loader_gpa_is_ram(RAM, RAM, 1));
	CHECK(!loader_gpa_is_ram(RAM, ~0ULL, 2));
	CHECK(!loader_gpa_is_ram(RAM, 0x100000, ~0ULL));
	CHECK(loader_gpa_is_ram(GiB(5), GiB(4), GiB(2)));
	CHECK(!loader_gpa_is_ram(GiB(5), GiB(4), GiB(2) + 1));
	CHECK(!loader_gpa_is_ram(GiB(5), GiB(3), 1));
	CHECK(!loader_gpa_is_ram(GiB(5), GiB(3) - 1, 2));
}

/* Load img as PVH into fresh RAM; expect failure with sub in the message and no writes. */
static void expect_fail(size_t size, const char *sub)
{
	struct fake_ram r;
	struct loader_result res;
	char err[256];
	int ret;

	lt_ram_init(&r, RAM, false);
	ret = lt_tload(&r, IMAGE_PVH, img, size, "", NULL, 0, &res, err, sizeof(err));
	CHECK(ret < 0);
	CHECK(lt_err_is(err, sub));
	if (!lt_err_is(err, sub))
		printf("    got: \"%s\", want \"%s\"\n", err, sub);
	CHECK_EQ(r.nwrites, 0);
	lt_ram_free(&r);
}

static size_t build_default(struct telf *t)
{
	lt_telf_pvh_default(t);
	return lt_telf_build(t, img, sizeof(img));
}

UTEST(loader_args)
{
	struct fake_ram r;
	struct loader_result res;
	struct loader_module m = {NULL, 10, NULL};
	char err[256], *big;
	struct telf t;
	size_t n = build_default(&t);

	lt_ram_init(&r, MiB(1), true);
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "", NULL, 0, &res, err, sizeof(err)), -ENOMEM);
	CHECK(lt_err_is(err, "memory too small"));
	r.mem.ram_size = MiB(2) - 1;
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "", NULL, 0, &res, err, sizeof(err)), -ENOMEM);
	r.mem.ram_size = RAM;
	CHECK(lt_tload(&r, IMAGE_PVH, img, 0, "", NULL, 0, &res, err, sizeof(err)) < 0);
	CHECK(lt_err_is(err, "image is empty"));
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "", &m, LOADER_MAX_MODULES + 1, &res, err,
			  sizeof(err)),
		 -E2BIG);
	CHECK(lt_err_is(err, "too many modules"));
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "", &m, 1, &res, err, sizeof(err)), -EINVAL);
	CHECK(lt_err_is(err, "module 0 has no data"));
	big = malloc(LOADER_CMDLINE_MAX + 1);
	memset(big, 'a', LOADER_CMDLINE_MAX);
	big[LOADER_CMDLINE_MAX] = 0;
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, big, NULL, 0, &res, err, sizeof(err)), -E2BIG);
	CHECK(lt_err_is(err, "command line too long"));
	free(big);
	CHECK_EQ(loader_load(IMAGE_PVH, img, n, "", NULL, 0, NULL, &res, err, sizeof(err)),
		 -EINVAL);
	/* No error buffer at all is allowed. */
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, 3, "", NULL, 0, &res, NULL, 0), -ENOEXEC);
	CHECK_EQ(r.nwrites, 0);
}

UTEST(loader_unknown_kind)
{
	struct fake_ram r;
	struct loader_result res;
	char err[256];

	lt_ram_init(&r, RAM, true);
	CHECK_EQ(lt_tload(&r, (enum image_kind)7, img, 4096, "", NULL, 0, &res, err, sizeof(err)),
		 -EINVAL);
	CHECK(lt_err_is(err, "unknown image kind 7"));
}

UTEST(loader_error_truncated_to_buffer)
{
	struct fake_ram r;
	struct loader_result res;
	char err[8];

	memset(img, 0, 64);
	lt_ram_init(&r, RAM, true);
	CHECK(lt_tload(&r, IMAGE_PVH, img, 64, "", NULL, 0, &res, err, sizeof(err)) < 0);
	CHECK_EQ(strcmp(err, "not an "), 0);
}

UTEST(loader_elf_not_elf)
{
	memset(img, 0, sizeof(img));
	expect_fail(64, "not an ELF file");
	expect_fail(3, "not an ELF file");
	memcpy(img + 0x202, "HdrS", 4);
	expect_fail(0x1000, "looks like a Linux bzImage");
}

UTEST(loader_elf_bad_ident)
{
	struct telf t;
	size_t n = build_default(&t);

	img[EI_CLASS] = 3;
	expect_fail(n, "unknown ELF class 3");
	build_default(&t);
	img[EI_DATA] = 2;
	expect_fail(n, "not little-endian");
	build_default(&t);
	img[EI_VERSION] = 0;
	expect_fail(n, "ELF version 0");
}

UTEST(loader_elf_bad_header_fields)
{
	struct telf t;
	size_t n = build_default(&t);
	u16 v = ET_DYN;

	memcpy(img + 16, &v, 2);
	expect_fail(n, "is not an executable");
	build_default(&t);
	v = 40; /* EM_ARM */
	memcpy(img + 18, &v, 2);
	expect_fail(n, "ELF machine 40 is not x86");
	build_default(&t);
	v = 32;
	memcpy(img + offsetof(struct elf64_hdr, e_phentsize), &v, 2);
	expect_fail(n, "ELF program header size 32, expected 56");
	build_default(&t);
	v = 0;
	memcpy(img + offsetof(struct elf64_hdr, e_phnum), &v, 2);
	expect_fail(n, "no program headers");
	build_default(&t);
	v = 0xffff;
	memcpy(img + offsetof(struct elf64_hdr, e_phnum), &v, 2);
	expect_fail(n, "65535 program headers");
}

UTEST(loader_elf_phdr_table_outside_file)
{
	struct telf t;
	size_t n = build_default(&t);
	u64 off = n - 10;

	memcpy(img + offsetof(struct elf64_hdr, e_phoff), &off, 8);
	expect_fail(n, "program header table");
	off = ~0ULL - 8; /* phoff + table size wraps */
	memcpy(img + offsetof(struct elf64_hdr, e_phoff), &off, 8);
	expect_fail(n, "lies outside the file");
}

/* Edit field of ELF64 program header i in img. */
static void set_ph(const struct telf *t, u32 i, size_t field, u64 v)
{
	memcpy(img + t->phoff + i * sizeof(struct elf64_phdr) + field, &v, 8);
}

UTEST(loader_elf_segment_outside_file)
{
	struct telf t;
	size_t n = build_default(&t);

	set_ph(&t, 1, offsetof(struct elf64_phdr, p_offset), ~0ULL - 0x10);
	expect_fail(n,
		    "ELF segment 1 (offset 0xffffffffffffffef size 0x1234) lies outside the file");
	build_default(&t);
	set_ph(&t, 1, offsetof(struct elf64_phdr, p_filesz), n);
	set_ph(&t, 1, offsetof(struct elf64_phdr, p_memsz), n);
	expect_fail(n, "ELF segment 1");
	build_default(&t);
	set_ph(&t, 0, offsetof(struct elf64_phdr, p_filesz), 0x3001);
	expect_fail(n, "ELF segment 0 file size 0x3001 exceeds its memory size 0x3000");
}

UTEST(loader_elf_segment_outside_ram)
{
	struct telf t;
	size_t n;

	lt_telf_pvh_default(&t);
	t.segs[1].paddr = RAM - 0x1000;
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "ELF segment 1 at 0x1fff000 size 0x6234 lies outside guest RAM (32 MiB)");
	t.segs[1].paddr = 0x9e000; /* runs into the legacy hole */
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "lies outside guest RAM");
	t.segs[1].paddr = ~0ULL - 0x1000; /* paddr + memsz wraps */
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "lies outside guest RAM");
	t.segs[1].paddr = 0x8000;
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(
		n,
		"ELF segment 1 at 0x8000 size 0x6234 overlaps the boot data area 0x6000-0x9efff");
	t.segs[1].paddr = 0x1000; /* ends inside the boot area */
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "overlaps the boot data area");
}

UTEST(loader_elf_segment_above_4g)
{
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n;

	/* RAM there, but a 32-bit entry with paging off cannot reach it. */
	lt_telf_pvh_default(&t);
	t.segs[1].paddr = GiB(4);
	n = lt_telf_build(&t, img, sizeof(img));
	lt_ram_init(&r, GiB(6), true);
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "", NULL, 0, &res, err, sizeof(err)), -ERANGE);
	CHECK(lt_err_is(err, "ELF segment 1 at 0x100000000 size 0x6234 lies above 4 GiB"));
	CHECK_EQ(r.nwrites, 0);
	/* The device hole below 4 GiB is not RAM, whatever the VM size. */
	t.segs[1].paddr = GiB(3);
	n = lt_telf_build(&t, img, sizeof(img));
	CHECK(lt_tload(&r, IMAGE_PVH, img, n, "", NULL, 0, &res, err, sizeof(err)) < 0);
	CHECK(lt_err_is(err, "lies outside guest RAM (6144 MiB)"));
	/* Odd sizes are given in KiB. */
	r.mem.ram_size = MiB(2) + KiB(4);
	CHECK(lt_tload(&r, IMAGE_PVH, img, n, "", NULL, 0, &res, err, sizeof(err)) < 0);
	CHECK(lt_err_is(err, "(2052 KiB)"));
}

UTEST(loader_elf_low_segment_ok)
{
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n;

	lt_telf_pvh_default(&t);
	t.segs[1] = (struct tseg){.paddr = 0x1000, .filesz = 0x100, .memsz = 0x5000};
	n = lt_telf_build(&t, img, sizeof(img));
	lt_ram_init(&r, RAM, false);
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "", NULL, 0, &res, err, sizeof(err)), 0);
	CHECK_EQ(res.image_lo, 0x1000);
	CHECK_EQ(res.image_hi, 0x103000);
	CHECK(lt_ram_eq(&r, 0x1000, img + t.file_off[1], 0x100));
	lt_ram_free(&r);
}

UTEST(loader_elf_overlapping_segments)
{
	struct telf t;
	size_t n;

	lt_telf_pvh_default(&t);
	t.segs[1].paddr = 0x102000;
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "ELF segments 0 and 1 overlap at 0x102000");
}

UTEST(loader_elf_no_load_segment)
{
	struct telf t;
	size_t n;

	lt_telf_pvh_default(&t);
	t.segs[0].type = 0x6474e551; /* PT_GNU_STACK */
	t.segs[1].type = 0x6474e551;
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "no loadable segment");
	/* Empty PT_LOADs count as none. */
	lt_telf_pvh_default(&t);
	t.nsegs = 1;
	t.segs[0].filesz = t.segs[0].memsz = 0;
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "no loadable segment");
}

/* Every proper prefix of a valid image must fail cleanly and write nothing. */
static void check_prefixes(enum image_kind kind, size_t n)
{
	struct fake_ram r;
	struct loader_result res;
	char err[256];
	u32 bad = 0;
	u8 *copy;

	lt_ram_init(&r, RAM, true);
	for (size_t len = 0; len < n; len++) {
		/* A heap copy of exactly len bytes lets ASan catch any over-read. */
		copy = malloc(len ? len : 1);
		memcpy(copy, img, len);
		if (lt_tload(&r, kind, copy, len, "x", NULL, 0, &res, err, sizeof(err)) >= 0 ||
		    !err[0] || strchr(err, '\n'))
			bad++;
		free(copy);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(r.nwrites, 0);
	copy = malloc(n);
	memcpy(copy, img, n);
	CHECK_EQ(lt_tload(&r, kind, copy, n, "x", NULL, 0, &res, err, sizeof(err)), 0);
	free(copy);
}

UTEST(loader_elf_every_prefix_fails)
{
	struct telf t;
	size_t n;

	n = build_default(&t);
	check_prefixes(IMAGE_PVH, n);
	lt_telf_pvh_default(&t);
	t.is32 = true;
	t.note_descsz = 4;
	t.entry = t.pvh_entry;
	for (u32 i = 0; i < t.nsegs; i++)
		t.segs[i].vaddr = 0;
	n = lt_telf_build(&t, img, sizeof(img));
	check_prefixes(IMAGE_PVH, n);
}
