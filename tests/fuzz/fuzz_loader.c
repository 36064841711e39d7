// SPDX-License-Identifier: MIT
/* libFuzzer harness for loader_load(): no crash or over-read, writes only to RAM, sane results. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/errno.h>
#include <hv/loader.h>

#include "fuzz.h"

#define MAX_WRITES 512

/*
 * Sparse guest RAM: nothing is stored. Each write is checked against the RAM
 * model, hashed (so every source byte is read under ASan) and logged so that
 * overlapping writes, which would break the "bss is never written" rule, are
 * caught.
 */
struct sparse_ram {
	struct loader_mem mem;
	u64 hash;
	u32 n;
	u64 gpa[MAX_WRITES];
	u64 len[MAX_WRITES];
	bool module[MAX_WRITES]; /* the write copies the module */
};

static const u8 initrd[4096 + 17] = {1, 2, 3};

/* The guest RAM model, written independently of loader_gpa_is_ram(). */
static bool model_is_ram(u64 ram, u64 gpa, u64 len)
{
	u64 hi = ram < GUEST_HOLE_BASE ? ram : GUEST_HOLE_BASE;

	if (gpa < GUEST_LOW_RAM_END && len <= GUEST_LOW_RAM_END - gpa)
		return true;
	return gpa >= GUEST_HIGH_RAM_BASE && gpa < hi && len <= hi - gpa;
}

static int sparse_write(void *ctx, gpa_t gpa, const void *src, size_t len)
{
	struct sparse_ram *r = ctx;
	const u8 *p = src;

	FUZZ_ASSERT(len > 0);
	FUZZ_ASSERT(model_is_ram(r->mem.ram_size, gpa, len));
	FUZZ_ASSERT(r->n < MAX_WRITES);
	r->gpa[r->n] = gpa;
	r->len[r->n] = len;
	r->module[r->n++] = p >= initrd && p < initrd + sizeof(initrd);
	for (size_t i = 0; i < len; i++)
		r->hash = (r->hash ^ p[i]) * 0x100000001b3ULL;
	return 0;
}

static void check_disjoint(const struct sparse_ram *r)
{
	for (u32 i = 0; i < r->n; i++) {
		for (u32 j = 0; j < i; j++)
			FUZZ_ASSERT(r->gpa[i] >= r->gpa[j] + r->len[j] ||
				    r->gpa[j] >= r->gpa[i] + r->len[i]);
	}
}

static void check_error(const char *err, size_t errlen)
{
	FUZZ_ASSERT(memchr(err, '\0', errlen) && err[0]);
	for (const char *s = err; *s; s++)
		FUZZ_ASSERT((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f);
}

static void check_result(enum image_kind kind, const struct sparse_ram *r,
			 const struct loader_result *res)
{
	u64 ram = r->mem.ram_size;

	FUZZ_ASSERT(res->image_lo < res->image_hi);
	FUZZ_ASSERT(res->image_hi <= ram && res->image_hi <= GUEST_HOLE_BASE);
	FUZZ_ASSERT(res->entry >= res->image_lo && res->entry < res->image_hi);
	if (kind == IMAGE_BZIMAGE) {
		/* The zero page in the boot area; the GDT and page tables too. */
		FUZZ_ASSERT(res->esi >= LOADER_BOOT_BASE && res->esi < LOADER_BOOT_END);
		FUZZ_ASSERT(res->gdt_base >= LOADER_BOOT_BASE && res->gdt_base < LOADER_BOOT_END);
		FUZZ_ASSERT(!res->long_mode ||
			    (res->cr3 >= LOADER_BOOT_BASE && res->cr3 < LOADER_BOOT_END));
		FUZZ_ASSERT(res->eax == 0 && res->ebx == 0);
	} else {
		FUZZ_ASSERT(res->ebx == LOADER_BOOT_BASE);
		FUZZ_ASSERT(res->eax == (kind == IMAGE_PVH ? 0 : 0x2badb002u));
	}
	FUZZ_ASSERT(res->boot_data_bytes > 0 &&
		    res->boot_data_bytes <= LOADER_BOOT_END - LOADER_BOOT_BASE);
	for (u32 i = 0; i < r->n; i++) {
		u64 lo = r->gpa[i], hi = r->gpa[i] + r->len[i];

		/* Boot data only in the part of the boot area that was reported. */
		FUZZ_ASSERT(
			hi <= LOADER_BOOT_BASE || lo >= LOADER_BOOT_END ||
			(lo >= LOADER_BOOT_BASE && hi <= LOADER_BOOT_BASE + res->boot_data_bytes));
		/* Modules page aligned, above the image and 1 MiB. */
		if (r->module[i])
			FUZZ_ASSERT(IS_ALIGNED(lo, PAGE_SIZE) && lo >= res->image_hi &&
				    lo >= GUEST_HIGH_RAM_BASE);
	}
	check_disjoint(r);
}

/* One load; returns its code and leaves the write hash in *hash. */
static int run(enum image_kind kind, const uint8_t *data, size_t size, u64 ram, u64 *hash)
{
	static struct sparse_ram r;
	struct loader_module mods[2] = {
		{initrd, sizeof(initrd), "initrd arg"},
		{initrd, 1, NULL},
	};
	struct loader_result res;
	char err[160];
	int ret;

	memset(&r, 0, sizeof(r));
	r.mem = (struct loader_mem){
		.ram_size = ram, .rsdp = 0xe0000, .write = sparse_write, .ctx = &r};
	memset(err, 'x', sizeof(err));
	ret = loader_load(kind, data, size, "console=ttyS0", mods, kind == IMAGE_BZIMAGE ? 1 : 2,
			  &r.mem, &res, err, sizeof(err));
	if (ret == 0)
		check_result(kind, &r, &res);
	else
		check_error(err, sizeof(err));
	FUZZ_ASSERT(ret <= 0);
	*hash = r.hash ^ (u64)ret;
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Sparse, so a VM with RAM above 4 GiB costs nothing. */
	static const u64 rams[] = {MiB(64), LOADER_MIN_RAM, GiB(5)};
	u64 h1, h2;

	for (u32 i = 0; i < ARRAY_SIZE(rams); i++) {
		/* No hidden state: a second load of the same input does the same. */
		run(IMAGE_PVH, data, size, rams[i], &h1);
		run(IMAGE_PVH, data, size, rams[i], &h2);
		FUZZ_ASSERT(h1 == h2);
		run(IMAGE_MULTIBOOT, data, size, rams[i], &h1);
		run(IMAGE_BZIMAGE, data, size, rams[i], &h1);
		run(IMAGE_BZIMAGE, data, size, rams[i], &h2);
		FUZZ_ASSERT(h1 == h2);
	}
	return 0;
}
