// SPDX-License-Identifier: MIT
/* Unit tests for host ACPI parsing: tables captured from QEMU and Bochs, and corruptions of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/printk.h>

#include "utest.h"

extern char utest_log[16384];
extern size_t utest_log_len;

#define DATA_DIR "tests/unit/data/acpi/"

/*
 * Fake physical memory: each captured table is its own heap buffer of
 * exactly the table's size at the address the firmware put it, so ASan
 * reports any read past a table's end.
 */
struct region {
	char name[16]; /* file name without ".bin": "RSDP", "APIC", ... */
	u64 pa;
	size_t len;
	u8 *buf;
};

struct fakemem {
	struct region r[24];
	u32 n;
	u64 deny_pa; /* map() fails for any range that starts here */
	bool deny_all;
	enum log_level saved_threshold;
};

static const void *fake_map(u64 pa, size_t len, void *ctx)
{
	struct fakemem *fm = ctx;

	if (fm->deny_all || (fm->deny_pa && pa == fm->deny_pa))
		return NULL;
	for (u32 i = 0; i < fm->n; i++) {
		struct region *r = &fm->r[i];

		if (pa >= r->pa && pa - r->pa <= r->len && len <= r->len - (pa - r->pa))
			return r->buf + (pa - r->pa);
	}
	return NULL;
}

static struct region *fm_add(struct fakemem *fm, const char *name, u64 pa, size_t len)
{
	struct region *r = &fm->r[fm->n++];

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->pa = pa;
	r->len = len;
	r->buf = calloc(1, len ? len : 1);
	return r;
}

static bool fm_read(struct fakemem *fm, const char *machine, const char *file, u64 pa)
{
	char path[256], name[16];
	struct region *r;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), DATA_DIR "%s/%s", machine, file);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0) {
		printf("    cannot read %s\n", path);
		if (f)
			fclose(f);
		return false;
	}
	rewind(f);
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(file, "."), file);
	r = fm_add(fm, name, pa, (size_t)len);
	if (fread(r->buf, 1, r->len, f) != r->len)
		printf("    short read of %s\n", path);
	fclose(f);
	return true;
}

/* Load tests/unit/data/acpi/<machine>/: each manifest line is "<file> <address>". */
static bool fm_load(struct fakemem *fm, const char *machine)
{
	char path[256], line[256], file[64];
	unsigned long long pa;
	bool ok = true;
	FILE *f;

	memset(fm, 0, sizeof(*fm));
	fm->saved_threshold = log_threshold;
	log_threshold = LOG_ERR; /* the corruption tests warn on purpose */
	utest_log_len = 0;
	utest_log[0] = '\0';
	snprintf(path, sizeof(path), DATA_DIR "%s/manifest", machine);
	f = fopen(path, "r");
	if (!f) {
		printf("    cannot open %s (run from the repository root)\n", path);
		return false;
	}
	while (ok && fgets(line, sizeof(line), f))
		if (line[0] != '#' && sscanf(line, "%63s %llx", file, &pa) == 2)
			ok = fm_read(fm, machine, file, pa);
	fclose(f);
	return ok && fm->n > 0;
}

static void fm_free(struct fakemem *fm)
{
	for (u32 i = 0; i < fm->n; i++)
		free(fm->r[i].buf);
	fm->n = 0;
	log_threshold = fm->saved_threshold;
}

static struct region *fm_find(struct fakemem *fm, const char *name)
{
	for (u32 i = 0; i < fm->n; i++)
		if (!strcmp(fm->r[i].name, name))
			return &fm->r[i];
	printf("    no %s in the captured set\n", name);
	abort();
}

/* Give a region new contents, reallocated to exactly len bytes. */
static void fm_replace(struct region *r, const void *data, size_t len)
{
	free(r->buf);
	r->buf = malloc(len);
	memcpy(r->buf, data, len);
	r->len = len;
}

/* Shrink a region to its first len bytes, so anything read beyond is an ASan error. */
static void fm_truncate(struct region *r, size_t len)
{
	u8 *buf = malloc(len);

	memcpy(buf, r->buf, len);
	free(r->buf);
	r->buf = buf;
	r->len = len;
}

static void checksum_fix(u8 *buf, size_t len, size_t csum_off)
{
	u8 sum = 0;

	buf[csum_off] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + buf[i]);
	buf[csum_off] = (u8)-sum;
}

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

/* Recompute a table's checksum after editing it (the length is taken from its header). */
static void table_fix(struct region *r)
{
	checksum_fix(r->buf, get32(r->buf + 4), 9);
}

/* Recompute both RSDP checksums. */
static void rsdp_fix(struct region *r)
{
	checksum_fix(r->buf, 20, 8);
	if (r->buf[15] >= 2)
		checksum_fix(r->buf, MIN(get32(r->buf + 20), r->len), 32);
}

static u64 rsdp_pa(struct fakemem *fm)
{
	return fm_find(fm, "RSDP")->pa;
}

static int parse(struct fakemem *fm, struct acpi_info *info)
{
	return acpi_parse(rsdp_pa(fm), fake_map, fm, info);
}

static bool log_has(const char *s)
{
	if (strstr(utest_log, s))
		return true;
	printf("    log lacks \"%s\"; log is:\n%s", s, utest_log);
	return false;
}

static bool tables_are(const struct acpi_info *info, const char *want)
{
	char got[256] = "";

	for (u32 i = 0; i < info->table_count; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
			 info->tables[i]);
	if (!strcmp(got, want))
		return true;
	printf("    tables \"%s\", want \"%s\"\n", got, want);
	return false;
}

/* ---- the captured machines, as the firmware made them ---- */

UTEST(acpi_q35_ovmf)
{
	struct fakemem fm;
	struct acpi_info info;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(!strcmp(info.oem_id, "BOCHS "));
	CHECK_EQ(info.revision, 2);
	CHECK(info.xsdt);
	CHECK(tables_are(&info, "FACP APIC HPET MCFG WAET"));
	CHECK_EQ(info.lapic_base, 0xfee00000);
	CHECK(info.pcat_compat);
	CHECK_EQ(info.cpu_count, 4); /* -smp 4 */
	for (u32 i = 0; i < 4; i++) {
		CHECK_EQ(info.cpus[i].apic_id, i);
		CHECK_EQ(info.cpus[i].uid, i);
		CHECK(info.cpus[i].enabled && !info.cpus[i].online_capable);
	}
	CHECK_EQ(info.ioapic_count, 1);
	CHECK_EQ(info.ioapics[0].id, 0);
	CHECK_EQ(info.ioapics[0].base, 0xfec00000);
	CHECK_EQ(info.ioapics[0].gsi_base, 0);
	/* ICH9 LPC PM base 0x600; the DSDT says Name (_S5, Package (4) { 0, 0, 0, 0 }). */
	CHECK_EQ(info.pm1a_cnt, 0x604);
	CHECK_EQ(info.pm1b_cnt, 0);
	CHECK(info.s5_valid);
	CHECK_EQ(info.slp_typ_a, 0);
	CHECK_EQ(info.slp_typ_b, 0);
	/* FADT rev 3: RESET_REG is I/O 0xcf9, value 0x0f. */
	CHECK(info.reset_valid);
	CHECK_EQ(info.reset_space, ACPI_SPACE_IO);
	CHECK_EQ(info.reset_addr, 0xcf9);
	CHECK_EQ(info.reset_value, 0x0f);
	CHECK_EQ(info.smi_cmd, 0xb2);
	CHECK_EQ(info.acpi_enable, 0x02);
	CHECK_EQ(info.pm_tmr_port, 0x608); /* 24 bits: QEMU's timer has no TMR_VAL_EXT */
	CHECK(!info.pm_tmr_32);
	CHECK_EQ(utest_log_len, 0); /* nothing to warn about */
	fm_free(&fm);
}

UTEST(acpi_pc_seabios)
{
	struct fakemem fm;
	struct acpi_info info;

	CHECK(fm_load(&fm, "qemu-pc-seabios"));
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(!strcmp(info.oem_id, "BOCHS "));
	CHECK_EQ(info.revision, 0);
	CHECK(!info.xsdt);
	CHECK(tables_are(&info, "FACP APIC HPET WAET"));
	/* -smp 2,maxcpus=4: APIC IDs 2 and 3 are listed but disabled (flags 0). */
	CHECK_EQ(info.cpu_count, 2);
	CHECK_EQ(info.cpus[0].apic_id, 0);
	CHECK_EQ(info.cpus[1].apic_id, 1);
	CHECK(info.cpus[0].enabled && info.cpus[1].enabled);
	CHECK_EQ(info.ioapic_count, 1);
	CHECK_EQ(info.ioapics[0].base, 0xfec00000);
	/* PIIX4 PM base 0x600; _S5_ is { 0, 0, 0, 0 } as on q35. */
	CHECK_EQ(info.pm1a_cnt, 0x604);
	CHECK(info.s5_valid);
	CHECK_EQ(info.slp_typ_a, 0);
	/* A revision 1 FADT (116 bytes) has no RESET_REG. */
	CHECK(!info.reset_valid);
	CHECK_EQ(info.smi_cmd, 0xb2);
	CHECK_EQ(info.acpi_enable, 0xf1);
	CHECK_EQ(info.pm_tmr_port, 0x608);
	CHECK(!info.pm_tmr_32);
	CHECK_EQ(utest_log_len, 0);
	fm_free(&fm);
}

UTEST(acpi_bochs)
{
	struct fakemem fm;
	struct acpi_info info;

	CHECK(fm_load(&fm, "bochs"));
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.revision, 0);
	CHECK(!info.xsdt);
	CHECK(tables_are(&info, "FACP APIC SSDT HPET"));
	CHECK_EQ(info.cpu_count, 2); /* cpu: count=2 */
	CHECK_EQ(info.cpus[0].apic_id, 0);
	CHECK_EQ(info.cpus[1].apic_id, 1);
	/* The Bochs BIOS gives the IO-APIC the ID after the last CPU. */
	CHECK_EQ(info.ioapic_count, 1);
	CHECK_EQ(info.ioapics[0].id, 2);
	CHECK_EQ(info.ioapics[0].base, 0xfec00000);
	CHECK_EQ(info.pm1a_cnt, 0xb004);
	CHECK_EQ(info.pm_tmr_port, 0xb008);
	CHECK(info.s5_valid);
	CHECK_EQ(info.slp_typ_a, 0);
	CHECK(!info.reset_valid);
	CHECK_EQ(info.smi_cmd, 0xb2);
	CHECK_EQ(info.acpi_enable, 0xf1);
	fm_free(&fm);
}

UTEST(acpi_print_lines)
{
	struct fakemem fm;
	struct acpi_info info;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	CHECK_EQ(parse(&fm, &info), 0);
	acpi_print(&info);
	CHECK(log_has("acpi: RSDP rev 2 OEM BOCHS  via XSDT, tables: FACP APIC HPET MCFG WAET\n"));
	CHECK(log_has("cpu: 4 CPUs, APIC IDs: 0 1 2 3\n"));
	CHECK(log_has("ioapic: id 0 at 0xfec00000 gsi 0\n"));
	CHECK(log_has("acpi: power-off via PM1a 0x604 SLP_TYP 0\n"));
	CHECK(log_has("acpi: reset via I/O 0xcf9 value 0xf\n"));

	utest_log_len = 0;
	info.s5_valid = false;
	info.cpus[2].enabled = false;
	info.cpus[2].online_capable = true;
	acpi_print(&info);
	CHECK(log_has("acpi: no S5 power-off information\n"));
	CHECK(log_has("cpu: 3 CPUs, APIC IDs: 0 1 3\n"));
	CHECK(log_has("cpu: 1 more online-capable, APIC IDs: 2\n"));

	utest_log_len = 0;
	memset(&info, 0, sizeof(info));
	acpi_print(&info);
	CHECK(log_has("acpi: no RSDP\n"));
	fm_free(&fm);
}

/* ---- RSDP and root tables ---- */

UTEST(acpi_bad_rsdp)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *r;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	r = fm_find(&fm, "RSDP");
	r->buf[8] ^= 1; /* first checksum */
	CHECK_EQ(parse(&fm, &info), -EINVAL);
	rsdp_fix(r);
	r->buf[32] ^= 1; /* extended checksum only */
	CHECK_EQ(parse(&fm, &info), -EINVAL);
	rsdp_fix(r);
	r->buf[0] = 'X';
	rsdp_fix(r);
	CHECK_EQ(parse(&fm, &info), -EINVAL);
	r->buf[0] = 'R';
	put32(r->buf + 20, 0x10000); /* length way past the structure */
	rsdp_fix(r);
	CHECK_EQ(parse(&fm, &info), -EINVAL);
	put32(r->buf + 20, 20); /* too short to hold the XSDT address it claims */
	rsdp_fix(r);
	CHECK_EQ(parse(&fm, &info), -EINVAL);
	CHECK_EQ(acpi_parse(0, fake_map, &fm, &info), -EINVAL);
	CHECK(log_has("acpi: no valid RSDP at 0x777e014\n"));
	/* A revision 2 RSDP of which only the first 20 bytes can be mapped. */
	put32(r->buf + 20, 36);
	rsdp_fix(r);
	CHECK_EQ(parse(&fm, &info), 0);
	fm_truncate(r, 20);
	CHECK_EQ(parse(&fm, &info), -EINVAL);
	fm_free(&fm);
}

/* Revision 0 has no XSDT: the RSDT must be used even if bytes 24.. look like one. */
UTEST(acpi_rsdt_only_rev0)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *r;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	r = fm_find(&fm, "RSDP");
	r->buf[15] = 0;
	rsdp_fix(r);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(!info.xsdt);
	CHECK_EQ(info.revision, 0);
	CHECK(tables_are(&info, "FACP APIC HPET MCFG WAET"));
	CHECK_EQ(info.cpu_count, 4);
	CHECK(info.s5_valid);

	/* Revision 2 with a zero XsdtAddress: the RSDT as well. */
	r->buf[15] = 2;
	put64(r->buf + 24, 0);
	rsdp_fix(r);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(!info.xsdt);
	CHECK_EQ(info.cpu_count, 4);
	fm_free(&fm);
}

UTEST(acpi_bad_xsdt_falls_back)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *r;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	fm_find(&fm, "XSDT")->buf[40] ^= 0x10;
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(!info.xsdt);
	CHECK_EQ(info.cpu_count, 4);
	CHECK(log_has("XSDT at 0x777d0e8: bad checksum, ignored"));

	/* An XsdtAddress that leads to some other table. */
	r = fm_find(&fm, "RSDP");
	put64(r->buf + 24, fm_find(&fm, "RSDT")->pa);
	rsdp_fix(r);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(!info.xsdt);
	CHECK_EQ(info.cpu_count, 4);

	/* Neither root table usable. */
	fm_find(&fm, "RSDT")->buf[0] = 'X';
	CHECK_EQ(parse(&fm, &info), -EINVAL);
	fm_free(&fm);
}

UTEST(acpi_bad_table_lengths)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *r;

	CHECK(fm_load(&fm, "qemu-pc-seabios"));
	r = fm_find(&fm, "APIC");
	put32(r->buf + 4, 35);
	CHECK_EQ(parse(&fm, &info), -ENOENT);
	CHECK(log_has("APIC at 0x7fe1a70: bad length 35, ignored"));
	put32(r->buf + 4, 0x200000);
	CHECK_EQ(parse(&fm, &info), -ENOENT);
	/* Longer than the memory behind it: the map fails, nothing is read past the end. */
	put32(r->buf + 4, (u32)r->len + 1);
	CHECK_EQ(parse(&fm, &info), -ENOENT);
	CHECK(log_has("cannot map APIC at 0x7fe1a70"));
	/* A valid header, but too short for the MADT's own fields. */
	put32(r->buf + 4, 40);
	table_fix(r);
	CHECK_EQ(parse(&fm, &info), -ENOENT);
	CHECK(log_has("MADT too short (40 bytes), ignored"));
	/* The RSDT itself too short to hold its header. */
	r = fm_find(&fm, "RSDT");
	put32(r->buf + 4, 20);
	CHECK_EQ(parse(&fm, &info), -EINVAL);
	fm_free(&fm);
}

/* RSDT entries that are 0 or point at nothing are skipped, the others still count. */
UTEST(acpi_root_bad_entries)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *r;

	CHECK(fm_load(&fm, "qemu-pc-seabios"));
	r = fm_find(&fm, "RSDT");
	put32(r->buf + 36 + 2 * 4, 0);		/* HPET */
	put32(r->buf + 36 + 3 * 4, 0xdead0000); /* WAET */
	table_fix(r);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(tables_are(&info, "FACP APIC"));
	CHECK_EQ(info.cpu_count, 2);
	CHECK(log_has("cannot map table at 0xdead0000"));
	fm_free(&fm);
}

/* ---- MADT ---- */

UTEST(acpi_madt_bad_checksum)
{
	struct fakemem fm;
	struct acpi_info info;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	fm_find(&fm, "APIC")->buf[50] ^= 0x40;
	CHECK_EQ(parse(&fm, &info), -ENOENT);
	CHECK_EQ(info.cpu_count, 0);
	CHECK(log_has("APIC at 0x7778000: bad checksum, ignored"));
	CHECK(tables_are(&info, "FACP HPET MCFG WAET"));
	/* The FADT is still good for power-off. */
	CHECK(info.s5_valid);
	CHECK_EQ(info.pm1a_cnt, 0x604);
	fm_free(&fm);
}

UTEST(acpi_madt_missing)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *r;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	/* Drop the XSDT's second entry (APIC) by moving the rest down. */
	r = fm_find(&fm, "XSDT");
	CHECK_EQ(get32(r->buf + 36 + 8), fm_find(&fm, "APIC")->pa);
	memmove(r->buf + 44, r->buf + 52, r->len - 52);
	put32(r->buf + 4, (u32)r->len - 8);
	table_fix(r);
	CHECK_EQ(parse(&fm, &info), -ENOENT);
	CHECK(tables_are(&info, "FACP HPET MCFG WAET"));
	CHECK_EQ(info.cpu_count, 0);
	CHECK_EQ(info.lapic_base, 0xfee00000);
	CHECK(info.s5_valid);

	fm.deny_pa = fm_find(&fm, "APIC")->pa;
	fm_find(&fm, "RSDP")->buf[15] = 0;
	rsdp_fix(fm_find(&fm, "RSDP"));
	CHECK_EQ(parse(&fm, &info), -ENOENT); /* listed by the RSDT, but unmappable */
	fm_free(&fm);
}

static size_t madt_entry_off(const struct region *r, u32 n)
{
	size_t off = 44;

	while (n--)
		off += r->buf[off + 1];
	return off;
}

UTEST(acpi_madt_entry_length_zero)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *r;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	r = fm_find(&fm, "APIC");
	r->buf[madt_entry_off(r, 2) + 1] = 0; /* third CPU */
	table_fix(r);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.cpu_count, 2); /* entries before it still count */
	CHECK_EQ(info.ioapic_count, 0);
	CHECK(log_has("MADT entry at +60: bad length 0, rest ignored"));

	r->buf[madt_entry_off(r, 0) + 1] = 1;
	table_fix(r);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.cpu_count, 0);
	fm_free(&fm);
}

UTEST(acpi_madt_entry_past_end)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *r;
	size_t last;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	r = fm_find(&fm, "APIC");
	/* The last entry (LAPIC NMI, 6 bytes) claims 7: one byte past the table. */
	last = madt_entry_off(r, 10);
	CHECK_EQ(last + r->buf[last + 1], r->len);
	r->buf[last + 1]++;
	table_fix(r);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.cpu_count, 4);
	CHECK_EQ(info.ioapic_count, 1);
	CHECK(log_has("bad length 7, rest ignored"));

	/* An IO-APIC entry cut short by the table's end: a lone type byte. */
	put32(r->buf + 4, (u32)(madt_entry_off(r, 4) + 1));
	table_fix(r);
	fm_truncate(r, madt_entry_off(r, 4) + 1);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.cpu_count, 4);
	CHECK_EQ(info.ioapic_count, 0);
	fm_free(&fm);
}

/* A synthetic MADT, built entry by entry, put where the captured one was. */
struct madt_builder {
	u8 b[8192];
	size_t n;
};

static void mb_init(struct madt_builder *mb, struct region *apic, u8 rev)
{
	memcpy(mb->b, apic->buf, 36);
	mb->b[8] = rev;
	put32(mb->b + 36, 0xfee00000);
	put32(mb->b + 40, 1);
	mb->n = 44;
}

static void mb_lapic(struct madt_builder *mb, u8 uid, u8 id, u32 flags)
{
	u8 *e = mb->b + mb->n;

	e[0] = 0;
	e[1] = 8;
	e[2] = uid;
	e[3] = id;
	put32(e + 4, flags);
	mb->n += 8;
}

static void mb_x2apic(struct madt_builder *mb, u32 id, u32 uid, u32 flags)
{
	u8 *e = mb->b + mb->n;

	memset(e, 0, 16);
	e[0] = 9;
	e[1] = 16;
	put32(e + 4, id);
	put32(e + 8, flags);
	put32(e + 12, uid);
	mb->n += 16;
}

static void mb_ioapic(struct madt_builder *mb, u8 id, u32 addr, u32 gsi)
{
	u8 *e = mb->b + mb->n;

	memset(e, 0, 12);
	e[0] = 1;
	e[1] = 12;
	e[2] = id;
	put32(e + 4, addr);
	put32(e + 8, gsi);
	mb->n += 12;
}

static void mb_raw(struct madt_builder *mb, const u8 *bytes, size_t len)
{
	memcpy(mb->b + mb->n, bytes, len);
	mb->n += len;
}

static void mb_install(struct madt_builder *mb, struct region *apic)
{
	put32(mb->b + 4, (u32)mb->n);
	checksum_fix(mb->b, mb->n, 9);
	fm_replace(apic, mb->b, mb->n);
}

UTEST(acpi_madt_x2apic)
{
	static const u8 override[12] = {5, 12, 0, 0, 0x00, 0x00, 0xd0, 0xfe, 0, 0, 0, 0};
	struct madt_builder mb;
	struct fakemem fm;
	struct acpi_info info;
	struct region *apic;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	apic = fm_find(&fm, "APIC");
	mb_init(&mb, apic, 4);
	mb_lapic(&mb, 0, 0, 1);
	mb_lapic(&mb, 1, 0xff, 1);	     /* broadcast ID: not a CPU */
	mb_x2apic(&mb, 0, 0, 1);	     /* same CPU again: not counted twice */
	mb_x2apic(&mb, 0x100, 0x80, 1);	     /* beyond 8-bit IDs */
	mb_x2apic(&mb, 0x12345, 0x81, 1);    /* sparse IDs */
	mb_x2apic(&mb, 0xffffffff, 0x82, 1); /* invalid ID */
	mb_x2apic(&mb, 0x200, 0x83, 0);	     /* disabled */
	mb_raw(&mb, override, sizeof(override));
	mb_install(&mb, apic);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.cpu_count, 3);
	CHECK_EQ(info.cpus[0].apic_id, 0);
	CHECK_EQ(info.cpus[1].apic_id, 0x100);
	CHECK_EQ(info.cpus[1].uid, 0x80);
	CHECK_EQ(info.cpus[2].apic_id, 0x12345);
	CHECK_EQ(info.lapic_base, 0xfed00000);
	acpi_print(&info);
	CHECK(log_has("cpu: 3 CPUs, APIC IDs: 0 256 74565\n"));
	fm_free(&fm);
}

UTEST(acpi_madt_disabled_and_online_capable)
{
	struct madt_builder mb;
	struct fakemem fm;
	struct acpi_info info;
	struct region *apic;

	CHECK(fm_load(&fm, "qemu-pc-seabios"));
	apic = fm_find(&fm, "APIC");
	mb_init(&mb, apic, 5);
	mb_lapic(&mb, 0, 0, 1);
	mb_lapic(&mb, 1, 1, 0); /* disabled, not hot-pluggable: ignored */
	mb_lapic(&mb, 2, 2, 2); /* online capable */
	mb_lapic(&mb, 3, 3, 3); /* both bits: enabled wins */
	mb_x2apic(&mb, 0x300, 4, 2);
	mb_install(&mb, apic);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.cpu_count, 4);
	CHECK(info.cpus[0].enabled && !info.cpus[0].online_capable);
	CHECK_EQ(info.cpus[1].apic_id, 2);
	CHECK(!info.cpus[1].enabled && info.cpus[1].online_capable);
	CHECK(info.cpus[2].enabled && !info.cpus[2].online_capable);
	CHECK_EQ(info.cpus[3].apic_id, 0x300);
	CHECK(info.cpus[3].online_capable);
	acpi_print(&info);
	CHECK(log_has("cpu: 2 CPUs, APIC IDs: 0 3\n"));
	CHECK(log_has("cpu: 2 more online-capable, APIC IDs: 2 768\n"));

	/* Before MADT revision 5 bit 1 was reserved: such CPUs do not count. */
	mb.b[8] = 4;
	mb_install(&mb, apic);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.cpu_count, 2);
	CHECK_EQ(info.cpus[1].apic_id, 3);
	fm_free(&fm);
}

UTEST(acpi_madt_too_many)
{
	struct madt_builder mb;
	struct fakemem fm;
	struct acpi_info info;
	struct region *apic;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	apic = fm_find(&fm, "APIC");
	mb_init(&mb, apic, 5);
	for (u32 i = 0; i < 100; i++)
		mb_x2apic(&mb, i * 2, i, 1);
	for (u8 i = 0; i < 10; i++)
		mb_ioapic(&mb, i, 0xfec00000 + i * 0x1000u, i * 24u);
	mb_install(&mb, apic);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.cpu_count, ACPI_MAX_CPUS);
	CHECK_EQ(info.cpus[63].apic_id, 126);
	CHECK(log_has("acpi: 36 more CPUs than the 64 supported, ignored"));
	CHECK_EQ(info.ioapic_count, ACPI_MAX_IOAPICS);
	CHECK_EQ(info.ioapics[7].base, 0xfec07000);
	CHECK_EQ(info.ioapics[7].gsi_base, 168);
	CHECK(log_has("more than 8 IO-APICs, ignoring id 8"));
	acpi_print(&info);
	CHECK(log_has("cpu: 64 CPUs, APIC IDs: 0 2 4 "));
	CHECK(log_has(" 124 126\n"));
	fm_free(&fm);
}

/* Unknown types are skipped by their length; known ones that are too short are ignored. */
UTEST(acpi_madt_unknown_and_short)
{
	static const u8 unknown[] = {0x7f, 5, 1, 2, 3};
	static const u8 short_x2apic[] = {9, 8, 0, 0, 7, 0, 0, 0};
	static const u8 short_ioapic[] = {1, 4, 9, 0};
	struct madt_builder mb;
	struct fakemem fm;
	struct acpi_info info;
	struct region *apic;

	CHECK(fm_load(&fm, "bochs"));
	apic = fm_find(&fm, "APIC");
	mb_init(&mb, apic, 1);
	mb_raw(&mb, unknown, sizeof(unknown));
	mb_raw(&mb, short_x2apic, sizeof(short_x2apic));
	mb_lapic(&mb, 0, 5, 1);
	mb_raw(&mb, short_ioapic, sizeof(short_ioapic));
	mb_install(&mb, apic);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.cpu_count, 1);
	CHECK_EQ(info.cpus[0].apic_id, 5);
	CHECK_EQ(info.ioapic_count, 0);
	CHECK(log_has("MADT entry type 9 at +49 too short, ignored"));
	CHECK(log_has("MADT entry type 1 at +65 too short, ignored"));

	/* A MADT that is only a header: valid, with no CPUs. */
	mb_init(&mb, apic, 1);
	mb_install(&mb, apic);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.cpu_count, 0);
	CHECK(info.pcat_compat);
	fm_free(&fm);
}

/* ---- FADT and \_S5_ ---- */

/* Replace the DSDT's AML body, keeping its header. */
static void dsdt_set(struct fakemem *fm, const u8 *aml, size_t len)
{
	struct region *r = fm_find(fm, "DSDT");
	u8 buf[512];

	memcpy(buf, r->buf, 36);
	memcpy(buf + 36, aml, len);
	put32(buf + 4, (u32)(36 + len));
	checksum_fix(buf, 36 + len, 9);
	fm_replace(r, buf, 36 + len);
}

/* Parse with this AML as the DSDT body; true if \_S5_ was found and gave a, b. */
static bool s5_is(struct fakemem *fm, const u8 *aml, size_t len, u8 a, u8 b)
{
	struct acpi_info info;

	dsdt_set(fm, aml, len);
	if (parse(fm, &info) != 0 || !info.s5_valid)
		return false;
	if (info.slp_typ_a == a && info.slp_typ_b == b)
		return true;
	printf("    SLP_TYP %u %u, want %u %u\n", info.slp_typ_a, info.slp_typ_b, a, b);
	return false;
}

#define S5_IS(fm, aml, a, b) s5_is(fm, aml, sizeof(aml), a, b)

/* Parse with this AML as the DSDT body; true if any \_S5_ was accepted. */
static bool s5_found(struct fakemem *fm, const u8 *aml, size_t len)
{
	struct acpi_info info;

	dsdt_set(fm, aml, len);
	return parse(fm, &info) != 0 || info.s5_valid;
}

#define S5_FOUND(fm, aml) s5_found(fm, aml, sizeof(aml))

UTEST(acpi_s5_encodings)
{
	/* Name (\_S5_, Package (4) { 5, 5, 0, 0 }) with BytePrefix constants. */
	static const u8 root_bytes[] = {0x08, '\\', '_',  'S',	'5',  '_',  0x12, 0x0a,
					0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
	/* Name (_S5_, Package (2) { One, Zero }) inside a scope, after other AML. */
	static const u8 in_scope[] = {0x10, 0x10, '\\', '_',  'S',  'B',  '_',	0x08, '_',
				      'S',  '5',  '_',	0x12, 0x04, 0x02, 0x01, 0x00};
	/* Bare small bytes, as some firmware writes them; a 2-byte PkgLength. */
	static const u8 bare[] = {0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x00, 0x02, 0x07, 0x06};
	/* A reference to _S5_ in a method body first, then the real definition. */
	static const u8 ref_first[] = {0x14, 0x08, 'T',	 'E',  'S',  'T',  0x00, 0xa4,
				       '_',  'S',  '5',	 '_',  0x08, '_',  'S',	 '5',
				       '_',  0x12, 0x06, 0x04, 0x0a, 0x03, 0x0a, 0x04};
	/* One element: SLP_TYPb defaults to 0. */
	static const u8 one[] = {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x0a, 0x05};
	struct fakemem fm;

	CHECK(fm_load(&fm, "qemu-pc-seabios"));
	CHECK(S5_IS(&fm, root_bytes, 5, 5));
	CHECK(S5_IS(&fm, in_scope, 1, 0));
	CHECK(S5_IS(&fm, bare, 7, 6));
	CHECK(S5_IS(&fm, ref_first, 3, 4));
	CHECK(S5_IS(&fm, one, 5, 0));
	fm_free(&fm);
}

UTEST(acpi_s5_invalid)
{
	/* OnesOp and a value too wide for the 3-bit SLP_TYP. */
	static const u8 ones[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00};
	static const u8 wide[] = {0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x08, 0x00};
	/* Not a package, not a Name, no elements. */
	static const u8 not_pkg[] = {0x08, '_', 'S', '5', '_', 0x0a, 0x05};
	static const u8 unnamed[] = {0x70, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00};
	static const u8 empty[] = {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x00, 0x0a, 0x05};
	/* Cut off by the end of the table at each point. */
	static const u8 cut1[] = {0x08, '_', 'S', '5', '_', 0x12};
	static const u8 cut2[] = {0x08, '_', 'S', '5', '_', 0x12, 0xc0};
	static const u8 cut2b[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04};
	static const u8 cut3[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02};
	static const u8 cut4[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0a};
	static const u8 cut5[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0a, 0x05, 0x0a};
	static const u8 tail[] = {0x08, '_', 'S', '5'};
	struct fakemem fm;

	CHECK(fm_load(&fm, "qemu-pc-seabios"));
	CHECK(!S5_FOUND(&fm, ones));
	CHECK(!S5_FOUND(&fm, wide));
	CHECK(!S5_FOUND(&fm, not_pkg));
	CHECK(!S5_FOUND(&fm, unnamed));
	CHECK(!S5_FOUND(&fm, empty));
	CHECK(!S5_FOUND(&fm, cut1));
	CHECK(!S5_FOUND(&fm, cut2));
	CHECK(!S5_FOUND(&fm, cut2b));
	CHECK(!S5_FOUND(&fm, cut3));
	CHECK(!S5_FOUND(&fm, cut4));
	CHECK(!S5_FOUND(&fm, cut5));
	CHECK(!S5_FOUND(&fm, tail));
	fm_free(&fm);
}

UTEST(acpi_dsdt_unusable)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *dsdt;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	dsdt = fm_find(&fm, "DSDT");
	dsdt->buf[100] ^= 1;
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(!info.s5_valid);
	CHECK_EQ(info.pm1a_cnt, 0x604); /* the FADT itself was fine */
	CHECK(log_has("DSDT at 0x777a000: bad checksum, ignored"));
	acpi_print(&info);
	CHECK(log_has("acpi: no S5 power-off information\n"));

	dsdt->buf[100] ^= 1;
	fm.deny_pa = dsdt->pa;
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(!info.s5_valid);

	/* The FADT pointing at another table instead. */
	fm.deny_pa = 0;
	memcpy(dsdt->buf, "SSDT", 4);
	table_fix(dsdt);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(!info.s5_valid);
	fm_free(&fm);
}

/* Fields of the q35 FADT (revision 3, 244 bytes), by offset. */
#define FADT_DSDT	40
#define FADT_PM1A_CNT	64
#define FADT_FLAGS	112
#define FADT_RESET_REG	116
#define FADT_X_DSDT	140
#define FADT_X_PM1A_CNT 172
#define FADT_X_PM1B_CNT 184

UTEST(acpi_fadt_fields)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *f;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	f = fm_find(&fm, "FACP");
	/* X_PM1a_CNT_BLK wins over the 32-bit field when it is an I/O port. */
	put64(f->buf + FADT_X_PM1A_CNT + 4, 0x1004);
	f->buf[FADT_X_PM1B_CNT] = ACPI_SPACE_IO;
	put64(f->buf + FADT_X_PM1B_CNT + 4, 0x2004);
	table_fix(f);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.pm1a_cnt, 0x1004);
	CHECK_EQ(info.pm1b_cnt, 0x2004);
	acpi_print(&info);
	CHECK(log_has("acpi: power-off via PM1a 0x1004 SLP_TYP 0, PM1b 0x2004 SLP_TYP 0\n"));

	/* In memory space it cannot be an I/O port: back to PM1a_CNT_BLK. */
	f->buf[FADT_X_PM1A_CNT] = ACPI_SPACE_MEM;
	table_fix(f);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.pm1a_cnt, 0x604);

	/* No PM1a at all: no power-off, even with \_S5_ in the DSDT. */
	put32(f->buf + FADT_PM1A_CNT, 0);
	table_fix(f);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.pm1a_cnt, 0);
	CHECK(!info.s5_valid);

	/* RESET_REG counts only with RESET_REG_SUP (flags bit 10). */
	put32(f->buf + FADT_FLAGS, get32(f->buf + FADT_FLAGS) & ~(1u << 10));
	table_fix(f);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(!info.reset_valid);
	fm_free(&fm);
}

UTEST(acpi_fadt_dsdt_pointers)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *f;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	f = fm_find(&fm, "FACP");
	/* X_DSDT is preferred; a zero one falls back to the 32-bit DSDT. */
	put32(f->buf + FADT_DSDT, 0xbad000);
	table_fix(f);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(info.s5_valid);
	put32(f->buf + FADT_DSDT, (u32)fm_find(&fm, "DSDT")->pa);
	put64(f->buf + FADT_X_DSDT, 0);
	table_fix(f);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(info.s5_valid);

	/* A FADT too short to hold PM1b_CNT_BLK is not used. */
	put32(f->buf + 4, 70);
	table_fix(f);
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK_EQ(info.pm1a_cnt, 0);
	CHECK(!info.s5_valid);
	CHECK(log_has("FADT too short (70 bytes), ignored"));
	fm_free(&fm);
}

/* ---- mapping failures ---- */

UTEST(acpi_map_fails)
{
	struct fakemem fm;
	struct acpi_info info;

	CHECK(fm_load(&fm, "qemu-q35-ovmf"));
	fm.deny_all = true;
	CHECK_EQ(parse(&fm, &info), -EINVAL);
	fm.deny_all = false;
	fm.deny_pa = fm_find(&fm, "XSDT")->pa;
	CHECK_EQ(parse(&fm, &info), 0); /* via the RSDT */
	CHECK(!info.xsdt);
	fm.deny_pa = fm_find(&fm, "FACP")->pa;
	CHECK_EQ(parse(&fm, &info), 0);
	CHECK(!info.s5_valid);
	CHECK_EQ(info.cpu_count, 4);
	CHECK(tables_are(&info, "APIC HPET MCFG WAET"));
	/* An address range that wraps around. */
	CHECK_EQ(acpi_parse(~0ull - 4, fake_map, &fm, &info), -EINVAL);
	fm_free(&fm);
}

/* ---- legacy RSDP search ---- */

#define LOW_MEM MiB(1)

/* The first MiB, with the RSDP of a captured machine copied to pa. */
static struct region *low_mem(struct fakemem *fm, const char *machine, u64 pa)
{
	struct region *rsdp, *low;

	CHECK(fm_load(fm, machine));
	rsdp = fm_find(fm, "RSDP");
	low = fm_add(fm, "LOW", 0, LOW_MEM);
	if (pa)
		memcpy(low->buf + pa, rsdp->buf, rsdp->len);
	return low;
}

UTEST(acpi_legacy_bios_area)
{
	struct fakemem fm;
	struct acpi_info info;
	struct region *low;
	u64 pa;

	low = low_mem(&fm, "qemu-pc-seabios", 0xf59d0);
	/* A decoy with a bad checksum and an unaligned copy come first. */
	memcpy(low->buf + 0xe0000, low->buf + 0xf59d0, 20);
	low->buf[0xe0000 + 8] ^= 1;
	memcpy(low->buf + 0xe1008, low->buf + 0xf59d0, 20);
	pa = acpi_find_rsdp_legacy(fake_map, &fm);
	CHECK_EQ(pa, 0xf59d0);
	/* The RSDP found in low memory leads to the same tables. */
	CHECK_EQ(acpi_parse(pa, fake_map, &fm, &info), 0);
	CHECK_EQ(info.cpu_count, 2);

	/* At the very end of the area. */
	memset(low->buf + 0xf59d0, 0, 20);
	memcpy(low->buf + 0xfffe0, fm_find(&fm, "RSDP")->buf, 20);
	CHECK_EQ(acpi_find_rsdp_legacy(fake_map, &fm), 0xfffe0);
	fm_free(&fm);
}

UTEST(acpi_legacy_ebda)
{
	struct fakemem fm;
	struct region *low;

	/* EBDA at segment 0x9fc0; its RSDP is found before the one in the BIOS area. */
	low = low_mem(&fm, "qemu-q35-ovmf", 0x9fc00 + 0x30);
	memcpy(low->buf + 0xf0000, low->buf + 0x9fc30, 36);
	low->buf[0x40e] = 0xc0;
	low->buf[0x40f] = 0x9f;
	CHECK_EQ(acpi_find_rsdp_legacy(fake_map, &fm), 0x9fc30);

	/* A revision 2 RSDP with a bad extended checksum is no RSDP. */
	low->buf[0x9fc30 + 32] ^= 1;
	CHECK_EQ(acpi_find_rsdp_legacy(fake_map, &fm), 0xf0000);

	/* An EBDA that would run into the video area is not searched. */
	low->buf[0x40e] = 0xf0;
	memcpy(low->buf + 0xa0000, low->buf + 0xf0000, 36);
	CHECK_EQ(acpi_find_rsdp_legacy(fake_map, &fm), 0xf0000);
	memset(low->buf + 0xa0000, 0, 36);

	/* An EBDA pointer into the ROM area is not followed. */
	low->buf[0x40f] = 0xf0;
	low->buf[0x40e] = 0x00;
	memset(low->buf + 0xf0000, 0, 36);
	CHECK_EQ(acpi_find_rsdp_legacy(fake_map, &fm), 0);
	fm_free(&fm);
}

UTEST(acpi_legacy_none)
{
	struct fakemem fm;

	low_mem(&fm, "bochs", 0);
	CHECK_EQ(acpi_find_rsdp_legacy(fake_map, &fm), 0);
	fm.deny_all = true;
	CHECK_EQ(acpi_find_rsdp_legacy(fake_map, &fm), 0);
	fm_free(&fm);
}
