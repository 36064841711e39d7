// SPDX-License-Identifier: MIT
/* Tests of the PVH loader: segments, entry note, hvm_start_info, memory map, modules, errors. */
#include <stdlib.h>
#include <string.h>

#include <public/pvh.h>

#include <hv/elf.h>
#include <hv/errno.h>

#include "test_loader.h"
#include "utest.h"

#define RAM MiB(32)

static u8 img[0x10000];

/* Offsets of hvm_start_info fields, to read them out of guest RAM. */
#define SI(f) (LOADER_BOOT_BASE + offsetof(struct hvm_start_info, f))

static int load(struct fake_ram *r, size_t n, const char *cmd, const struct loader_module *mods,
		u32 nmods, struct loader_result *res, char *err)
{
	return lt_tload(r, IMAGE_PVH, img, n, cmd, mods, nmods, res, err, 256);
}

UTEST(loader_pvh_elf64)
{
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n;

	lt_telf_pvh_default(&t);
	n = lt_telf_build(&t, img, sizeof(img));
	lt_ram_init(&r, RAM, false);
	CHECK_EQ(load(&r, n, "console=ttyS0 quiet", NULL, 0, &res, err), 0);
	CHECK_EQ(err[0], 0);
	CHECK_EQ(r.bad_writes, 0);
	CHECK_EQ(res.entry, 0x100040);
	CHECK_EQ(res.eax, 0);
	CHECK_EQ(res.ebx, LOADER_BOOT_BASE);
	CHECK_EQ(res.image_lo, 0x100000);
	CHECK_EQ(res.image_hi, 0x116234);
	CHECK(res.boot_data_bytes >= sizeof(struct hvm_start_info) + 3 * 24 + 20);
	CHECK(res.boot_data_bytes < 0x200);
	CHECK(lt_ram_eq(&r, 0x100000, img + t.file_off[0], 0x3000));
	CHECK(lt_ram_eq(&r, 0x110000, img + t.file_off[1], 0x1234));
	/* bss is not written: its own pages stay uncommitted, and zero. */
	CHECK(lt_ram_touched(&r, 0x111000));
	CHECK(!lt_ram_touched(&r, 0x112000));
	CHECK(!lt_ram_touched(&r, 0x115000));
	CHECK_EQ(r.buf[0x111234], 0);
	CHECK_EQ(lt_rd32(&r, SI(magic)), XEN_HVM_START_MAGIC_VALUE);
	CHECK_EQ(lt_rd32(&r, SI(version)), 1);
	CHECK_EQ(lt_rd32(&r, SI(flags)), 0);
	CHECK_EQ(lt_rd32(&r, SI(nr_modules)), 0);
	CHECK_EQ(lt_rd64(&r, SI(modlist_paddr)), 0);
	CHECK_EQ(lt_rd64(&r, SI(rsdp_paddr)), 0);
	CHECK_EQ(lt_rd32(&r, SI(reserved)), 0);
	CHECK_EQ(strcmp(lt_rdstr(&r, lt_rd64(&r, SI(cmdline_paddr))), "console=ttyS0 quiet"), 0);
	lt_ram_free(&r);
}

UTEST(loader_pvh_memmap)
{
	struct hvm_memmap_table_entry e[4];
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n;
	u64 mm;

	lt_telf_pvh_default(&t);
	n = lt_telf_build(&t, img, sizeof(img));
	lt_ram_init(&r, RAM, false);
	CHECK_EQ(load(&r, n, NULL, NULL, 0, &res, err), 0);
	CHECK_EQ(lt_rd32(&r, SI(memmap_entries)), 6); /* low, EBDA, ROM, high, IOAPIC, LAPIC */
	mm = lt_rd64(&r, SI(memmap_paddr));
	CHECK(mm >= LOADER_BOOT_BASE + sizeof(struct hvm_start_info));
	CHECK_EQ(mm % 8, 0);
	memcpy(e, r.buf + mm, sizeof(e));
	CHECK_EQ(e[0].addr, 0);
	CHECK_EQ(e[0].size, 0x9fc00);
	CHECK_EQ(e[0].type, XEN_HVM_MEMMAP_TYPE_RAM);
	CHECK_EQ(e[1].addr, 0x9fc00);
	CHECK_EQ(e[1].size, 0x400);
	CHECK_EQ(e[1].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
	CHECK_EQ(e[2].addr, 0xc0000);
	CHECK_EQ(e[2].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
	CHECK_EQ(e[3].addr, 0x100000);
	CHECK_EQ(e[3].size, RAM - 0x100000);
	CHECK_EQ(e[3].reserved, 0);
	/* A NULL command line is passed as an empty string. */
	CHECK_EQ(strcmp(lt_rdstr(&r, lt_rd64(&r, SI(cmdline_paddr))), ""), 0);
	lt_ram_free(&r);
}

UTEST(loader_pvh_elf32_and_note_sizes)
{
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n;

	lt_telf_pvh_default(&t);
	t.is32 = true;
	t.note_descsz = 4;
	t.entry = 0x100000;
	t.segs[0].vaddr = t.segs[1].vaddr = 0;
	n = lt_telf_build(&t, img, sizeof(img));
	lt_ram_init(&r, RAM, false);
	CHECK_EQ(load(&r, n, "", NULL, 0, &res, err), 0);
	CHECK_EQ(res.entry, 0x100040);
	CHECK(lt_ram_eq(&r, 0x110000, img + t.file_off[1], 0x1234));
	lt_ram_free(&r);

	/* An 8-byte note is read for its low 32 bits. */
	lt_telf_pvh_default(&t);
	t.pvh_entry = 0xabcd00000110010ULL;
	n = lt_telf_build(&t, img, sizeof(img));
	lt_ram_init(&r, RAM, false);
	CHECK_EQ(load(&r, n, "", NULL, 0, &res, err), 0);
	CHECK_EQ(res.entry, 0x110010);
	lt_ram_free(&r);
}

UTEST(loader_pvh_note_in_section)
{
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n;

	for (int is32 = 0; is32 < 2; is32++) {
		lt_telf_pvh_default(&t);
		t.is32 = is32;
		t.note_as_section = true;
		if (is32)
			t.segs[0].vaddr = t.segs[1].vaddr = 0;
		n = lt_telf_build(&t, img, sizeof(img));
		lt_ram_init(&r, RAM, false);
		CHECK_EQ(load(&r, n, "", NULL, 0, &res, err), 0);
		CHECK_EQ(res.entry, 0x100040);
		lt_ram_free(&r);
	}
}

static void expect_fail(size_t n, const char *sub)
{
	struct fake_ram r;
	struct loader_result res;
	char err[256];

	lt_ram_init(&r, RAM, true);
	CHECK(lt_tload(&r, IMAGE_PVH, img, n, "", NULL, 0, &res, err, sizeof(err)) < 0);
	CHECK(lt_err_is(err, sub));
	if (!lt_err_is(err, sub))
		printf("    got: \"%s\", want \"%s\"\n", err, sub);
	CHECK_EQ(r.nwrites, 0);
}

UTEST(loader_pvh_note_errors)
{
	struct telf t;
	struct elf_note note;
	size_t n;

	lt_telf_pvh_default(&t);
	t.note_descsz = 0;
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY); is this a PVH kernel?");

	t.note_descsz = 6;
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "PVH entry note has 6 bytes, expected 4 or 8");

	t.note_descsz = 0x1000; /* larger than the note segment */
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "is truncated");

	t.note_descsz = 8;
	n = lt_telf_build(&t, img, sizeof(img));
	memcpy(&note, img + t.note_off, sizeof(note));
	note.n_namesz = 0xfffffffe; /* name padding would wrap a 32-bit sum */
	memcpy(img + t.note_off, &note, sizeof(note));
	expect_fail(n, "is truncated");

	/* The same note under another name or type is not the PVH note. */
	n = lt_telf_build(&t, img, sizeof(img));
	memcpy(img + t.note_off + 12, "Xan", 4);
	expect_fail(n, "no PVH entry note");
	n = lt_telf_build(&t, img, sizeof(img));
	memcpy(&note, img + t.note_off, sizeof(note));
	note.n_type = 17;
	memcpy(img + t.note_off, &note, sizeof(note));
	expect_fail(n, "no PVH entry note");
}

UTEST(loader_pvh_note_segment_and_sections_bounds)
{
	struct telf t;
	size_t n;
	u64 v;

	lt_telf_pvh_default(&t);
	n = lt_telf_build(&t, img, sizeof(img));
	v = n; /* the PT_NOTE (index 2) starts at the end of the file */
	memcpy(img + t.phoff + 2 * sizeof(struct elf64_phdr) + 8, &v, 8);
	expect_fail(n, "ELF note segment 2 lies outside the file");

	t.note_as_section = true;
	n = lt_telf_build(&t, img, sizeof(img));
	v = n - 8;
	memcpy(img + offsetof(struct elf64_hdr, e_shoff), &v, 8);
	expect_fail(n, "ELF section header table");
	n = lt_telf_build(&t, img, sizeof(img));
	img[offsetof(struct elf64_hdr, e_shentsize)] = 40;
	expect_fail(n, "ELF section header size 40, expected 64");
}

UTEST(loader_pvh_entry_outside_segments)
{
	struct telf t;
	size_t n;

	lt_telf_pvh_default(&t);
	t.pvh_entry = 0x103000; /* just past segment 0 */
	n = lt_telf_build(&t, img, sizeof(img));
	expect_fail(n, "PVH entry 0x103000 is not inside a loaded segment");
	t.pvh_entry = 0x116233; /* last byte of segment 1's bss: allowed */
	n = lt_telf_build(&t, img, sizeof(img));
	{
		struct fake_ram r;
		struct loader_result res;
		char err[256];

		lt_ram_init(&r, RAM, true);
		CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "", NULL, 0, &res, err, sizeof(err)), 0);
	}
}

static u8 *mod_data(size_t size, u8 seed)
{
	u8 *p = malloc(size);

	for (size_t i = 0; i < size; i++)
		p[i] = (u8)(seed + i * 13);
	return p;
}

UTEST(loader_pvh_modules)
{
	struct hvm_modlist_entry e[2];
	struct loader_module mods[2];
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n;
	u64 list;

	mods[0] = (struct loader_module){mod_data(0x12345, 1), 0x12345, "initrd root=/dev/ram0"};
	mods[1] = (struct loader_module){mod_data(0x1000, 2), 0x1000, NULL};
	lt_telf_pvh_default(&t);
	n = lt_telf_build(&t, img, sizeof(img));
	lt_ram_init(&r, RAM, false);
	CHECK_EQ(load(&r, n, "rdinit=/init", mods, 2, &res, err), 0);
	CHECK_EQ(r.bad_writes, 0);
	CHECK_EQ(lt_rd32(&r, SI(nr_modules)), 2);
	list = lt_rd64(&r, SI(modlist_paddr));
	CHECK_EQ(list % 8, 0);
	memcpy(e, r.buf + list, sizeof(e));
	/* The first module ends at the top of RAM, page aligned; the next sits below it. */
	CHECK_EQ(e[0].paddr, RAM - 0x13000);
	CHECK_EQ(e[0].size, 0x12345);
	CHECK_EQ(e[1].paddr, RAM - 0x14000);
	CHECK_EQ(e[1].size, 0x1000);
	CHECK(lt_ram_eq(&r, e[0].paddr, mods[0].data, mods[0].size));
	CHECK(lt_ram_eq(&r, e[1].paddr, mods[1].data, mods[1].size));
	CHECK_EQ(strcmp(lt_rdstr(&r, e[0].cmdline_paddr), "initrd root=/dev/ram0"), 0);
	CHECK_EQ(e[1].cmdline_paddr, 0);
	CHECK_EQ(e[0].reserved, 0);
	CHECK_EQ(strcmp(lt_rdstr(&r, lt_rd64(&r, SI(cmdline_paddr))), "rdinit=/init"), 0);
	lt_ram_free(&r);
	free((void *)mods[0].data);
	free((void *)mods[1].data);
}

UTEST(loader_pvh_module_placement_limits)
{
	struct loader_module m = {NULL, 0, NULL};
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n;
	u8 *big;

	lt_telf_pvh_default(&t);
	n = lt_telf_build(&t, img, sizeof(img));
	/* Exactly the room between the image end (page aligned) and the top of RAM. */
	m.size = RAM - 0x117000;
	big = calloc(1, m.size + 1);
	m.data = big;
	lt_ram_init(&r, RAM, true);
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "", &m, 1, &res, err, sizeof(err)), 0);
	CHECK_EQ(r.last_gpa[2], 0x117000);
	lt_ram_free(&r);
	m.size++;
	lt_ram_init(&r, RAM, true);
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "", &m, 1, &res, err, sizeof(err)), -ENOMEM);
	CHECK(lt_err_is(err, "module 0 (31653 KiB) does not fit in guest RAM"));
	CHECK_EQ(r.nwrites, 0);
	/* Absurd sizes must not wrap the arithmetic. */
	m.size = ~(size_t)0;
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "", &m, 1, &res, err, sizeof(err)), -ENOMEM);
	CHECK_EQ(r.nwrites, 0);
	free(big);
}

UTEST(loader_pvh_big_vm_modules_below_hole)
{
	struct loader_module m = {NULL, 0x3000, NULL};
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n;

	m.data = calloc(1, m.size);
	lt_telf_pvh_default(&t);
	n = lt_telf_build(&t, img, sizeof(img));
	lt_ram_init(&r, GiB(6), true);
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "", &m, 1, &res, err, sizeof(err)), 0);
	CHECK_EQ(r.bad_writes, 0);
	/* Writes: two segments, then the module just below the 3 GiB hole. */
	CHECK_EQ(r.last_gpa[2], GiB(3) - 0x3000);
	free((void *)m.data);
}

UTEST(loader_pvh_write_failure)
{
	struct fake_ram r;
	struct loader_result res;
	struct telf t;
	char err[256];
	size_t n;

	lt_telf_pvh_default(&t);
	n = lt_telf_build(&t, img, sizeof(img));
	/* Segments, start_info block, memmap, cmdline: fail each write in turn. */
	for (u32 at = 1; at <= 5; at++) {
		lt_ram_init(&r, RAM, true);
		r.fail_at = at;
		CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "x", NULL, 0, &res, err, sizeof(err)),
			 -EFAULT);
		CHECK(lt_err_is(err, "cannot write"));
		CHECK_EQ(r.nwrites, at);
	}
	lt_ram_init(&r, RAM, true);
	r.fail_at = 6;
	CHECK_EQ(lt_tload(&r, IMAGE_PVH, img, n, "x", NULL, 0, &res, err, sizeof(err)), 0);
	CHECK_EQ(r.nwrites, 5);
}
