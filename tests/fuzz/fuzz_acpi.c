// SPDX-License-Identifier: MIT
/* libFuzzer harness for acpi_parse(): the input is physical memory holding an RSDP and its tables. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/printk.h>

#include "fuzz.h"

/*
 * The input sits at FUZZ_BASE with the RSDP at its first byte; pointers in
 * it are physical addresses (the seeds in corpus/acpi are captured tables
 * packed this way by tools/acpi-extract.py --pack). It lives in the legacy
 * BIOS area so acpi_find_rsdp_legacy() can be run over it too.
 */
#define FUZZ_BASE   0xe0000ULL
#define BIOS_AREA   0x20000ULL
#define SLP_TYP_MAX 7

struct fuzz_mem {
	u8 *buf;
	u64 len;
};

/* Reads past the input's end land outside buf, an exact-size copy: ASan sees them. */
static const void *fuzz_map(u64 pa, size_t len, void *ctx)
{
	const struct fuzz_mem *m = ctx;

	if (pa < FUZZ_BASE || pa - FUZZ_BASE > m->len || len > m->len - (pa - FUZZ_BASE))
		return NULL;
	return m->buf + (pa - FUZZ_BASE);
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static void check_cpus(const struct acpi_info *info)
{
	FUZZ_ASSERT(info->cpu_count <= ACPI_MAX_CPUS);
	for (u32 i = 0; i < info->cpu_count; i++) {
		const struct acpi_cpu *c = &info->cpus[i];

		FUZZ_ASSERT(c->enabled != c->online_capable);
		for (u32 j = 0; j < i; j++)
			FUZZ_ASSERT(info->cpus[j].apic_id != c->apic_id);
	}
}

static void check_info(const struct acpi_info *info, int ret)
{
	FUZZ_ASSERT(ret == 0 || ret == -EINVAL || ret == -ENOENT);
	FUZZ_ASSERT(terminated(info->oem_id, sizeof(info->oem_id)));
	FUZZ_ASSERT(info->table_count <= ACPI_MAX_TABLES);
	for (u32 i = 0; i < info->table_count; i++)
		FUZZ_ASSERT(strlen(info->tables[i]) == 4);
	FUZZ_ASSERT(info->ioapic_count <= ACPI_MAX_IOAPICS);
	check_cpus(info);
	if (info->s5_valid)
		FUZZ_ASSERT(info->pm1a_cnt && info->slp_typ_a <= SLP_TYP_MAX &&
			    info->slp_typ_b <= SLP_TYP_MAX);
	if (info->reset_valid)
		FUZZ_ASSERT(info->reset_addr != 0);
	if (ret == -EINVAL)
		FUZZ_ASSERT(info->cpu_count == 0 && info->table_count == 0);
	if (ret == -ENOENT)
		FUZZ_ASSERT(info->cpu_count == 0 && info->ioapic_count == 0);
}

/* The legacy search over a BIOS area that starts with the input: any hit is a real RSDP. */
static void check_legacy(const uint8_t *data, size_t size)
{
	static u8 area[BIOS_AREA];
	struct fuzz_mem m = {area, BIOS_AREA};
	u64 pa;

	memset(area, 0, sizeof(area));
	memcpy(area, data, size < BIOS_AREA ? size : BIOS_AREA);
	pa = acpi_find_rsdp_legacy(fuzz_map, &m);
	if (!pa)
		return;
	FUZZ_ASSERT(pa >= FUZZ_BASE && pa < FUZZ_BASE + BIOS_AREA && pa % 16 == 0);
	FUZZ_ASSERT(!memcmp(area + (pa - FUZZ_BASE), "RSD PTR ", 8));
}

/* ---- checksum repair, so mutations get past the checksums to the parsers behind ---- */

static u64 get(const struct fuzz_mem *m, u64 off, size_t n)
{
	u64 v = 0;

	if (off <= m->len && n <= m->len - off)
		memcpy(&v, m->buf + off, n);
	return v;
}

static void set_checksum(u8 *p, size_t len, size_t at)
{
	u8 sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	p[at] = (u8)-sum;
}

/* Fix the checksum of the table at pa; returns its offset in the input, or 0. */
static u64 repair_table(struct fuzz_mem *m, u64 pa)
{
	u64 off = pa - FUZZ_BASE, len;

	if (pa <= FUZZ_BASE || off > m->len || m->len - off < 36)
		return 0;
	len = get(m, off + 4, 4);
	if (len < 36 || len > m->len - off)
		return 0;
	set_checksum(m->buf + off, len, 9);
	return off;
}

/* The FADT's DSDT first: the FADT's own checksum does not cover the DSDT's bytes. */
static void repair_fadt(struct fuzz_mem *m, u64 off)
{
	u64 len = get(m, off + 4, 4);

	repair_table(m, get(m, off + 40, 4));
	if (len >= 148)
		repair_table(m, get(m, off + 140, 8));
}

static void repair_root(struct fuzz_mem *m, u64 pa, size_t entry)
{
	u64 off = repair_table(m, pa), len = get(m, off + 4, 4);

	for (u64 e = 36; off && e + entry <= len; e += entry) {
		u64 t = repair_table(m, get(m, off + e, entry));

		if (t && !memcmp(m->buf + t, "FACP", 4))
			repair_fadt(m, t);
	}
}

/* RSDP at offset 0: its first checksum covers 20 bytes, the extended one all of it. */
static void repair(struct fuzz_mem *m)
{
	u64 len = get(m, 20, 4);

	if (m->len < 20)
		return;
	repair_root(m, get(m, 16, 4), 4);
	if (m->buf[15] >= 2 && m->len >= 36)
		repair_root(m, get(m, 24, 8), 8);
	set_checksum(m->buf, 20, 8);
	if (m->buf[15] >= 2 && len >= 36 && len <= m->len)
		set_checksum(m->buf, len, 32);
}

static void run(struct fuzz_mem *m)
{
	static struct acpi_info info, again;
	int ret = acpi_parse(FUZZ_BASE, fuzz_map, m, &info);

	check_info(&info, ret);
	/* No hidden state: the same memory gives the same answer. */
	FUZZ_ASSERT(acpi_parse(FUZZ_BASE, fuzz_map, m, &again) == ret);
	FUZZ_ASSERT(!memcmp(&info, &again, sizeof(info)));
	acpi_print(&info);
}

/* Parse the input as it is, then again with every checksum along the way made right. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 *copy = malloc(size ? size : 1);
	struct fuzz_mem m = {copy, size};

	memcpy(copy, data, size);
	run(&m);
	repair(&m);
	run(&m);
	free(copy);
	check_legacy(data, size);
	return 0;
}
