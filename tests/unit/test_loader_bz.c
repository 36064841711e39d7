// SPDX-License-Identifier: MIT
/*
 * Tests of the bzImage loader: synthetic images for each rule of the boot
 * protocol, and the distribution's own kernel (/boot/vmlinuz-*, from
 * linux-image-amd64; LINUX_BZIMAGE names another).
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <public/linux_boot.h>

#include <hv/errno.h>

#include "test_loader.h"
#include "utest.h"

#define SETUP_SECTS 7
#define KERN_OFF    ((SETUP_SECTS + 1) * 512)
#define KERN_LEN    0x3000
#define INIT_SIZE   0x80000

static u8 img[KERN_OFF + KERN_LEN];

static void put16(u8 *p, u32 off, u16 v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void put32(u8 *p, u32 off, u32 v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void put64(u8 *p, u32 off, u64 v)
{
	memcpy(p + off, &v, sizeof(v));
}

static u16 get16(const u8 *p, u32 off)
{
	u16 v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* A relocatable 64-bit bzImage, protocol 2.15, that wants to sit at 2 MiB. */
static void build(void)
{
	memset(img, 0, sizeof(img));
	img[LB_SETUP_SECTS] = SETUP_SECTS;
	put16(img, LB_BOOT_FLAG, LB_BOOT_FLAG_MAGIC);
	img[LB_JUMP] = 0xeb;
	img[LB_JUMP + 1] = 0x6a; /* header ends at 0x26c */
	put32(img, LB_HEADER, LB_HEADER_MAGIC);
	put16(img, LB_VERSION, 0x020f);
	img[LB_LOADFLAGS] = LB_LOADED_HIGH | LB_CAN_USE_HEAP;
	put32(img, LB_CODE32_START, 0x100000);
	put32(img, LB_INITRD_ADDR_MAX, 0x7fffffff);
	put32(img, LB_KERNEL_ALIGNMENT, 0x200000);
	img[LB_RELOCATABLE] = 1;
	put16(img, LB_XLOADFLAGS, LB_XLF_KERNEL_64 | LB_XLF_CAN_BE_LOADED_ABOVE_4G);
	put32(img, LB_CMDLINE_SIZE, 0x7ff);
	put64(img, LB_PREF_ADDRESS, 0x200000);
	put32(img, LB_INIT_SIZE, INIT_SIZE);
	/* Bytes past the header's end are setup code: they must not reach the zero page. */
	memset(img + 0x26c, 0xcc, KERN_OFF - 0x26c);
	for (u32 i = 0; i < KERN_LEN; i++)
		img[KERN_OFF + i] = (u8)(i * 7 + 1);
}

static int load(struct fake_ram *r, size_t n, const char *cmd, const struct loader_module *mods,
		u32 nmods, struct loader_result *res, char *err)
{
	return lt_tload(r, IMAGE_BZIMAGE, img, n, cmd, mods, nmods, res, err, 256);
}

static u64 rd64(const struct fake_ram *r, u64 gpa)
{
	return lt_rd64(r, gpa);
}

UTEST(loader_bz_entry64)
{
	static const u8 rd[5000] = {9, 8, 7};
	struct loader_module mod = {rd, sizeof(rd), "initrd"};
	struct guest_e820 map[LOADER_E820_MAX];
	struct loader_result res;
	struct fake_ram r;
	char err[256];
	u32 n, zp;

	build();
	lt_ram_init(&r, MiB(32), false);
	r.mem.rsdp = 0xe0000;
	CHECK_EQ(load(&r, sizeof(img), "console=ttyS0", &mod, 1, &res, err), 0);
	CHECK_EQ(err[0], 0);
	CHECK_EQ(r.bad_writes, 0);
	CHECK(res.long_mode);
	CHECK_EQ(res.entry, 0x200200);
	CHECK_EQ(res.image_lo, 0x200000);
	CHECK_EQ(res.image_hi, 0x200000 + INIT_SIZE);
	CHECK_EQ(res.cs, LB_BOOT_CS);
	CHECK_EQ(res.ds, LB_BOOT_DS);
	CHECK_EQ(res.eax, 0);
	CHECK_EQ(res.ebx, 0);
	CHECK(lt_ram_eq(&r, 0x200000, img + KERN_OFF, KERN_LEN));
	/* GDT: 64-bit code at 0x10, flat data at 0x18. */
	CHECK_EQ(res.gdt_limit, 31);
	CHECK_EQ(rd64(&r, res.gdt_base + 0x10), 0x00af9b000000ffffULL);
	CHECK_EQ(rd64(&r, res.gdt_base + 0x18), 0x00cf93000000ffffULL);
	/* Identity map of 4 GiB: PML4 -> PDPT -> PDs of 2 MiB pages. */
	CHECK(res.cr3 >= LOADER_BOOT_BASE && res.cr3 < LOADER_BOOT_END && !(res.cr3 & 0xfff));
	CHECK_EQ(rd64(&r, res.cr3), (res.cr3 + 0x1000) | 3);
	CHECK_EQ(rd64(&r, res.cr3 + 8), 0);
	for (u32 i = 0; i < 4; i++)
		CHECK_EQ(rd64(&r, res.cr3 + 0x1000 + 8 * i), (res.cr3 + 0x2000 + 0x1000 * i) | 3);
	CHECK_EQ(rd64(&r, res.cr3 + 0x2000 + 8), 0x200000 | 0x83);
	CHECK_EQ(rd64(&r, res.cr3 + 0x5000 + 8 * 511), 0xffe00000 | 0x83);
	/* The zero page: the header copied, the rest filled in. */
	zp = res.esi;
	CHECK(zp >= LOADER_BOOT_BASE && zp < LOADER_BOOT_END && !(zp & 0xfff));
	CHECK(lt_ram_eq(&r, zp + LB_SETUP_HEADER, img + LB_SETUP_HEADER,
			LB_TYPE_OF_LOADER - 0x1f1));
	CHECK_EQ(lt_rd32(&r, zp + LB_HEADER), LB_HEADER_MAGIC);
	CHECK_EQ(r.buf[zp + LB_TYPE_OF_LOADER], 0xff);
	CHECK_EQ(r.buf[zp + LB_LOADFLAGS], LB_LOADED_HIGH);
	CHECK_EQ(r.buf[zp + 0x26c], 0); /* setup code is not header */
	CHECK_EQ(lt_rd32(&r, zp + LB_CODE32_START), 0x200000);
	CHECK_EQ(strcmp(lt_rdstr(&r, lt_rd32(&r, zp + LB_CMD_LINE_PTR)), "console=ttyS0"), 0);
	CHECK_EQ(lt_rd32(&r, zp + LB_RAMDISK_SIZE), sizeof(rd));
	CHECK_EQ(lt_rd32(&r, zp + LB_RAMDISK_IMAGE), MiB(32) - 0x2000);
	CHECK(lt_ram_eq(&r, MiB(32) - 0x2000, rd, sizeof(rd)));
	CHECK_EQ(rd64(&r, zp + LB_ACPI_RSDP_ADDR), 0xe0000);
	n = loader_guest_e820(MiB(32), map, LOADER_E820_MAX);
	CHECK(n >= 3);
	CHECK_EQ(r.buf[zp + LB_E820_ENTRIES], n);
	for (u32 i = 0; i < n; i++) {
		u64 e = zp + LB_E820_TABLE + i * LB_E820_ENTRY_SIZE;

		CHECK_EQ(rd64(&r, e), map[i].addr);
		CHECK_EQ(rd64(&r, e + 8), map[i].size);
		CHECK_EQ(lt_rd32(&r, e + 16), map[i].type);
	}
	/* Nothing below the kernel but the boot area. */
	CHECK(!lt_ram_touched(&r, 0x100000));
	CHECK(!lt_ram_touched(&r, 0x1ff000));
	lt_ram_free(&r);
}

UTEST(loader_bz_entry32)
{
	struct loader_result res;
	struct fake_ram r;
	char err[256];

	build();
	put16(img, LB_XLOADFLAGS, 0);
	lt_ram_init(&r, MiB(16), false);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), 0);
	CHECK(!res.long_mode);
	CHECK_EQ(res.entry, 0x200000);
	CHECK_EQ(res.cr3, 0);
	CHECK_EQ(rd64(&r, res.gdt_base + 0x10), 0x00cf9b000000ffffULL);
	CHECK_EQ(lt_rd32(&r, res.esi + LB_RAMDISK_IMAGE), 0);
	CHECK_EQ(lt_rd32(&r, res.esi + LB_RAMDISK_SIZE), 0);
	CHECK_EQ(strcmp(lt_rdstr(&r, lt_rd32(&r, res.esi + LB_CMD_LINE_PTR)), ""), 0);
	/* Protocol 2.11 has no xloadflags: 32-bit entry whatever the field holds. */
	build();
	put16(img, LB_VERSION, 0x020b);
	lt_ram_free(&r);
	lt_ram_init(&r, MiB(16), false);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), 0);
	CHECK(!res.long_mode);
	lt_ram_free(&r);
}

UTEST(loader_bz_placement)
{
	static const u8 rd[100] = {1};
	struct loader_module mod = {rd, sizeof(rd), NULL};
	struct loader_result res;
	struct fake_ram r;
	char err[256];

	/* Not relocatable: 1 MiB, whatever pref_address says. */
	build();
	img[LB_RELOCATABLE] = 0;
	lt_ram_init(&r, MiB(8), true);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), 0);
	CHECK_EQ(res.entry, 0x100200);
	/* pref_address rounded up to kernel_alignment. */
	build();
	put64(img, LB_PREF_ADDRESS, 0x280000);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), 0);
	CHECK_EQ(res.image_lo, 0x400000);
	/* No init_size: the kernel's own length. */
	put32(img, LB_INIT_SIZE, 0);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), 0);
	CHECK_EQ(res.image_hi, 0x400000 + KERN_LEN);
	/* setup_sects 0 means 4. */
	build();
	img[LB_SETUP_SECTS] = 0;
	lt_ram_free(&r);
	lt_ram_init(&r, MiB(8), true);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), 0);
	CHECK_EQ(r.last_len[0], sizeof(img) - 5 * 512);
	lt_ram_free(&r);
	/* The initrd stays at or below initrd_addr_max. */
	build();
	put32(img, LB_INITRD_ADDR_MAX, 0x1fffffff);
	lt_ram_init(&r, GiB(1), true);
	CHECK_EQ(load(&r, sizeof(img), NULL, &mod, 1, &res, err), 0);
	CHECK_EQ(r.last_gpa[1], 0x20000000 - 0x1000);
	lt_ram_free(&r);
}

/* Each rule, broken on its own, gives its one-line error and writes nothing. */
UTEST(loader_bz_errors)
{
	static const u8 rd[16];
	struct loader_module mods[2] = {{rd, sizeof(rd), NULL}, {rd, sizeof(rd), NULL}};
	struct loader_result res;
	struct fake_ram r;
	char err[256], longcmd[300];

	lt_ram_init(&r, MiB(8), true);
	build();
	memcpy(img, "\177ELF", 4);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), -ENOEXEC);
	CHECK(lt_err_is(err, "use kind = pvh"));
	build();
	put32(img, LB_HEADER, 0);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), -ENOEXEC);
	CHECK(lt_err_is(err, "not a Linux bzImage"));
	CHECK_EQ(load(&r, 0x263, NULL, NULL, 0, &res, err), -ENOEXEC);
	CHECK(lt_err_is(err, "not a Linux bzImage"));
	build();
	put16(img, LB_BOOT_FLAG, 0);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), -ENOEXEC);
	CHECK(lt_err_is(err, "boot flag"));
	build();
	put16(img, LB_VERSION, 0x0209);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), -ENOEXEC);
	CHECK(lt_err_is(err, "2.09 is too old"));
	build();
	img[LB_LOADFLAGS] = 0;
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), -ENOEXEC);
	CHECK(lt_err_is(err, "zImage"));
	build();
	img[LB_JUMP + 1] = 0x20;
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), -ENOEXEC);
	CHECK(lt_err_is(err, "setup header ends at 0x222"));
	build();
	CHECK_EQ(load(&r, KERN_OFF, NULL, NULL, 0, &res, err), -ENOEXEC);
	CHECK(lt_err_is(err, "7 setup sectors"));
	build();
	img[LB_SETUP_SECTS] = 255;
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), -ENOEXEC);
	build();
	put32(img, LB_KERNEL_ALIGNMENT, 0x300000);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), -ENOEXEC);
	CHECK(lt_err_is(err, "not a power of two"));
	build();
	put32(img, LB_INIT_SIZE, MiB(7));
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), -ERANGE);
	CHECK(lt_err_is(err, "lies outside guest RAM (8 MiB)"));
	build();
	put64(img, LB_PREF_ADDRESS, 0xffffffff00000000ULL);
	CHECK_EQ(load(&r, sizeof(img), NULL, NULL, 0, &res, err), -ERANGE);
	build();
	CHECK_EQ(load(&r, KERN_OFF + 0x200, NULL, NULL, 0, &res, err), -ENOEXEC);
	CHECK(lt_err_is(err, "too short for its 64-bit entry"));
	build();
	put32(img, LB_CMDLINE_SIZE, 255);
	memset(longcmd, 'a', 256);
	longcmd[256] = '\0';
	CHECK_EQ(load(&r, sizeof(img), longcmd, NULL, 0, &res, err), -E2BIG);
	CHECK(lt_err_is(err, "256 bytes; this kernel takes at most 255"));
	longcmd[255] = '\0';
	CHECK_EQ(load(&r, sizeof(img), longcmd, NULL, 0, &res, err), 0);
	build();
	CHECK_EQ(load(&r, sizeof(img), NULL, mods, 2, &res, err), -EINVAL);
	CHECK(lt_err_is(err, "one initrd"));
	/* Failures before the first write leave RAM alone; the one success above wrote. */
	CHECK_EQ(r.bad_writes, 0);
	lt_ram_free(&r);
}

/* The distribution's kernel: the newest /boot/vmlinuz-*, or LINUX_BZIMAGE. */
static u8 *read_kernel(size_t *len, char *path, size_t pathlen)
{
	const char *env = getenv("LINUX_BZIMAGE");
	glob_t g;
	FILE *f;
	u8 *buf = NULL;
	long n;

	if (env && *env) {
		snprintf(path, pathlen, "%s", env);
	} else {
		if (glob("/boot/vmlinuz-*", 0, NULL, &g) || !g.gl_pathc) {
			printf("    no /boot/vmlinuz-*: install linux-image-amd64 "
			       "(tools/install-deps.sh)\n");
			return NULL;
		}
		snprintf(path, pathlen, "%s", g.gl_pathv[g.gl_pathc - 1]);
		globfree(&g);
	}
	f = fopen(path, "rb");
	if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0) {
		rewind(f);
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
			*len = (size_t)n;
		else {
			free(buf);
			buf = NULL;
		}
	}
	if (f)
		fclose(f);
	if (!buf)
		printf("    cannot read %s\n", path);
	return buf;
}

UTEST(loader_bz_distribution_kernel)
{
	static const u8 rd[0x1234] = {0x30, 0x37};
	struct loader_module mod = {rd, sizeof(rd), NULL};
	struct loader_result res;
	struct fake_ram r;
	char err[256], path[256];
	size_t len = 0;
	u8 *k = read_kernel(&len, path, sizeof(path));
	u32 zp, kern_off;

	CHECK(k != NULL);
	if (!k)
		return;
	kern_off = ((k[LB_SETUP_SECTS] ? k[LB_SETUP_SECTS] : 4) + 1) * 512;
	lt_ram_init(&r, MiB(128), false);
	CHECK_EQ(lt_tload(&r, IMAGE_BZIMAGE, k, len, "console=ttyS0", &mod, 1, &res, err, 256), 0);
	if (err[0])
		printf("    %s: %s\n", path, err);
	CHECK_EQ(r.bad_writes, 0);
	/* x86-64 Debian kernels: relocatable, 64-bit entry, 16 MiB preferred. */
	CHECK(res.long_mode);
	CHECK_EQ(res.image_lo, 0x1000000);
	CHECK_EQ(res.entry, 0x1000200);
	CHECK(res.image_hi > res.image_lo + len);
	CHECK(lt_ram_eq(&r, res.image_lo, k + kern_off, len - kern_off));
	zp = res.esi;
	CHECK_EQ(lt_rd32(&r, zp + LB_HEADER), LB_HEADER_MAGIC);
	CHECK_EQ(get16(r.buf, zp + LB_VERSION), get16(k, LB_VERSION));
	CHECK_EQ(lt_rd32(&r, zp + LB_RAMDISK_SIZE), sizeof(rd));
	CHECK(lt_ram_eq(&r, lt_rd32(&r, zp + LB_RAMDISK_IMAGE), rd, sizeof(rd)));
	CHECK(lt_rd32(&r, zp + LB_RAMDISK_IMAGE) >= res.image_hi);
	CHECK_EQ(strcmp(lt_rdstr(&r, lt_rd32(&r, zp + LB_CMD_LINE_PTR)), "console=ttyS0"), 0);
	CHECK(r.buf[zp + LB_E820_ENTRIES] >= 3);
	/* Too little RAM for its init_size: refused with the figures. */
	lt_ram_free(&r);
	lt_ram_init(&r, MiB(64), true);
	CHECK_EQ(lt_tload(&r, IMAGE_BZIMAGE, k, len, NULL, NULL, 0, &res, err, 256), -ERANGE);
	CHECK(lt_err_is(err, "bzImage kernel (init_size) at 0x1000000"));
	CHECK_EQ(r.nwrites, 0);
	lt_ram_free(&r);
	free(k);
}
