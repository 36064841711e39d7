// SPDX-License-Identifier: MIT
/* Unit tests for a VM's ACPI tables: checksums, spec offsets, AML, parsed back with arch/x86/acpi.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <hv/acpi.h>
#include <hv/acpi_aml.h>
#include <hv/acpi_build.h>
#include <hv/vplat.h>
#include <hv/errno.h>
#include <hv/printk.h>

#include "utest.h"

extern char utest_log[16384];
extern size_t utest_log_len;

#define BIOS_BASE 0xe0000
#define BIOS_SIZE 0x20000
#define PM_BASE	  0x600

static struct acpi_build_cfg cfg_default(u32 possible, u32 present)
{
	return (struct acpi_build_cfg){
		.base = BIOS_BASE,
		.size_max = BIOS_SIZE,
		.cpus_possible = possible,
		.cpus_present = present,
		.ioapic_id = possible, /* the first ID after the CPUs, as QEMU does */
		.ioapic_addr = 0xfec00000,
		.ioapic_gsi_base = 0,
		.lapic_addr = 0xfee00000,
		.pci_mem_base = 0xc0000000,
		.pci_mem_end = 0xfec00000,
		.pm_base = PM_BASE,
		.sci_irq = 9,
		.s5_slp_typ = 5,
		.cpuhp_port = 0xcd8,
		.cpuhp_gpe = 2,
		.oem_id = {'S', 'P', 'R', 'O', 'U', 'T'},
	};
}

/* A built blob in a heap buffer of exactly the bytes used, so ASan catches reads past it. */
struct blob {
	u8 *buf;
	u32 len;
	gpa_t base;
};

static bool blob_build(struct blob *b, const struct acpi_build_cfg *cfg)
{
	u8 *tmp = calloc(1, cfg->size_max);
	u32 used = 0;
	int rc = acpi_build(cfg, tmp, &used);

	CHECK_EQ(rc, 0);
	CHECK(used > 0 && used <= cfg->size_max);
	b->buf = malloc(used);
	memcpy(b->buf, tmp, used);
	b->len = used;
	b->base = cfg->base;
	free(tmp);
	return rc == 0;
}

static const void *blob_map(u64 pa, size_t len, void *ctx)
{
	const struct blob *b = ctx;

	if (pa < b->base || pa - b->base > b->len || len > b->len - (pa - b->base))
		return NULL;
	return b->buf + (pa - b->base);
}

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 rd64(const u8 *p)
{
	return rd32(p) | (u64)rd32(p + 4) << 32;
}

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u8 sum(const u8 *p, size_t len)
{
	u8 s = 0;

	while (len--)
		s = (u8)(s + *p++);
	return s;
}

static const u8 *blob_at(const struct blob *b, u64 pa, size_t len)
{
	const u8 *p = blob_map(pa, len, (void *)b);

	CHECK(p != NULL);
	return p;
}

/* A table the XSDT lists, by signature; NULL if absent. */
static const u8 *blob_table(const struct blob *b, const char *sig)
{
	const u8 *xsdt = blob_at(b, rd64(b->buf + 24), 36);

	for (u32 off = 36; xsdt && off + 8 <= rd32(xsdt + 4); off += 8) {
		const u8 *t = blob_at(b, rd64(xsdt + off), 36);

		if (t && !memcmp(t, sig, 4))
			return t;
	}
	return NULL;
}

static bool table_ok(const struct blob *b, const u8 *t, const char *sig)
{
	u32 len = rd32(t + 4);

	return !memcmp(t, sig, 4) && len >= 36 && blob_at(b, (u64)(t - b->buf) + b->base, len) &&
	       sum(t, len) == 0 && !memcmp(t + 10, "SPROUT", 6);
}

UTEST(acpi_build_checksums)
{
	struct acpi_build_cfg cfg = cfg_default(4, 2);
	const u8 *rsdt, *xsdt, *fadt, *madt, *dsdt, *facs;
	struct blob b;

	if (!blob_build(&b, &cfg))
		return;
	CHECK(!memcmp(b.buf, "RSD PTR ", 8));
	CHECK_EQ(b.buf[15], 2);
	CHECK_EQ(rd32(b.buf + 20), 36);
	CHECK_EQ(sum(b.buf, 20), 0);
	CHECK_EQ(sum(b.buf, 36), 0);
	rsdt = blob_at(&b, rd32(b.buf + 16), 36);
	xsdt = blob_at(&b, rd64(b.buf + 24), 36);
	CHECK(table_ok(&b, rsdt, "RSDT"));
	CHECK(table_ok(&b, xsdt, "XSDT"));
	CHECK_EQ(rd32(rsdt + 4), 36 + 2 * 4);
	CHECK_EQ(rd32(xsdt + 4), 36 + 2 * 8);
	/* Both roots list the same tables, in the same order. */
	CHECK_EQ(rd32(rsdt + 36), rd64(xsdt + 36));
	CHECK_EQ(rd32(rsdt + 40), rd64(xsdt + 44));

	fadt = blob_table(&b, "FACP");
	madt = blob_table(&b, "APIC");
	CHECK(fadt && table_ok(&b, fadt, "FACP"));
	CHECK(madt && table_ok(&b, madt, "APIC"));
	CHECK(blob_table(&b, "HPET") == NULL);
	if (!fadt)
		goto out;
	dsdt = blob_at(&b, rd64(fadt + 140), 36);
	CHECK(dsdt && table_ok(&b, dsdt, "DSDT"));
	facs = blob_at(&b, rd64(fadt + 132), 64);
	CHECK(facs && !memcmp(facs, "FACS", 4));
	CHECK_EQ(rd32(facs + 4), 64);
	CHECK_EQ(facs[32], 2);
	CHECK_EQ(rd64(fadt + 132) % 64, 0);
	CHECK_EQ(rd32(fadt + 36), rd64(fadt + 132));
	CHECK_EQ(rd32(fadt + 40), rd64(fadt + 140));
out:
	free(b.buf);
}

/* Linux (and acpi_find_rsdp_legacy) scan 0xE0000-0xFFFFF at 16-byte steps. */
static const void *bios_map(u64 pa, size_t len, void *ctx)
{
	const u8 *area = ctx;

	if (pa < BIOS_BASE || pa + len > BIOS_BASE + BIOS_SIZE)
		return NULL; /* no BDA: only the BIOS area is scanned */
	return area + (pa - BIOS_BASE);
}

UTEST(acpi_build_rsdp_scan)
{
	struct acpi_build_cfg cfg = cfg_default(2, 2);
	u8 *area = calloc(1, BIOS_SIZE);
	u32 used, found = 0, hits = 0;

	CHECK_EQ(acpi_build(&cfg, area, &used), 0);
	for (u32 off = 0; off + 36 <= BIOS_SIZE; off += 16)
		if (!memcmp(area + off, "RSD PTR ", 8) && sum(area + off, 20) == 0 &&
		    sum(area + off, 36) == 0) {
			found = off;
			hits++;
		}
	CHECK_EQ(hits, 1);
	CHECK_EQ(found, 0);
	CHECK_EQ(acpi_find_rsdp_legacy(bios_map, area), BIOS_BASE);
	free(area);
}

/* acpi_parse() over the blob, quietly; returns its result. */
static int parse_back(struct blob *b, struct acpi_info *info)
{
	enum log_level saved = log_threshold;
	int rc;

	utest_log_len = 0;
	utest_log[0] = '\0';
	log_threshold = LOG_ERR;
	rc = acpi_parse(b->base, blob_map, b, info);
	log_threshold = saved;
	CHECK(strstr(utest_log, "acpi:") == NULL); /* no warning about any table */
	return rc;
}

UTEST(acpi_build_parse_back)
{
	struct acpi_build_cfg cfg = cfg_default(4, 2);
	struct acpi_info *info = calloc(1, sizeof(*info));
	struct blob b;

	if (!blob_build(&b, &cfg))
		return;
	CHECK_EQ(parse_back(&b, info), 0);
	CHECK(!strcmp(info->oem_id, "SPROUT"));
	CHECK_EQ(info->revision, 2);
	CHECK(info->xsdt);
	CHECK_EQ(info->table_count, 2);
	CHECK(!strcmp(info->tables[0], "FACP"));
	CHECK(!strcmp(info->tables[1], "APIC"));
	CHECK_EQ(info->lapic_base, 0xfee00000);
	CHECK(info->pcat_compat);
	CHECK_EQ(info->ioapic_count, 1);
	CHECK_EQ(info->ioapics[0].id, 4);
	CHECK_EQ(info->ioapics[0].base, 0xfec00000);
	CHECK_EQ(info->ioapics[0].gsi_base, 0);
	CHECK_EQ(info->pm1a_cnt, PM_BASE + ACPI_PM1A_CNT_OFF);
	CHECK_EQ(info->pm1b_cnt, 0);
	CHECK(info->s5_valid);
	CHECK_EQ(info->slp_typ_a, 5);
	CHECK_EQ(info->slp_typ_b, 5);
	CHECK(info->reset_valid);
	CHECK_EQ(info->reset_space, ACPI_SPACE_IO);
	CHECK_EQ(info->reset_addr, ACPI_RESET_PORT);
	CHECK_EQ(info->reset_value, ACPI_RESET_VALUE);
	CHECK_EQ(info->smi_cmd, 0);
	free(b.buf);
	free(info);
}

/* A generic address structure: system I/O at port, bit_width bits. */
static void check_gas(const u8 *g, u8 space, u8 bits, u8 access, u64 addr)
{
	CHECK_EQ(g[0], space);
	CHECK_EQ(g[1], bits);
	CHECK_EQ(g[2], 0);
	CHECK_EQ(g[3], access);
	CHECK_EQ(rd64(g + 4), addr);
}

UTEST(acpi_build_fadt_offsets)
{
	struct acpi_build_cfg cfg = cfg_default(1, 1);
	const u8 *f;
	struct blob b;
	u32 flags;

	if (!blob_build(&b, &cfg))
		return;
	f = blob_table(&b, "FACP");
	if (!f)
		goto out;
	/* ACPI 6.5 Table 5.9: a revision 6 FADT is 276 bytes. */
	CHECK_EQ(rd32(f + 4), 276);
	CHECK_EQ(f[8], 6);
	CHECK_EQ(f[131], 3);			/* FADT minor version */
	CHECK_EQ(rd16(f + 46), 9);		/* SCI_INT */
	CHECK_EQ(rd32(f + 48), 0);		/* SMI_CMD: no SMM */
	CHECK_EQ(f[52], 0);			/* ACPI_ENABLE */
	CHECK_EQ(rd32(f + 56), PM_BASE);	/* PM1a_EVT_BLK */
	CHECK_EQ(rd32(f + 60), 0);		/* PM1b_EVT_BLK */
	CHECK_EQ(rd32(f + 64), PM_BASE + 4);	/* PM1a_CNT_BLK */
	CHECK_EQ(rd32(f + 72), 0);		/* PM2_CNT_BLK */
	CHECK_EQ(rd32(f + 76), PM_BASE + 8);	/* PM_TMR_BLK */
	CHECK_EQ(rd32(f + 80), PM_BASE + 0x20); /* GPE0_BLK */
	CHECK_EQ(rd32(f + 84), 0);		/* GPE1_BLK */
	CHECK_EQ(f[88], 4);			/* PM1_EVT_LEN */
	CHECK_EQ(f[89], 2);			/* PM1_CNT_LEN */
	CHECK_EQ(f[90], 0);			/* PM2_CNT_LEN */
	CHECK_EQ(f[91], 4);			/* PM_TMR_LEN */
	CHECK_EQ(f[92], 8);			/* GPE0_BLK_LEN */
	CHECK(rd16(f + 96) > 100);		/* P_LVL2_LAT: no C2 */
	CHECK(rd16(f + 98) > 1000);		/* P_LVL3_LAT: no C3 */
	CHECK_EQ(f[108], 0x32);			/* CENTURY */
	CHECK_EQ(rd16(f + 109), 1);		/* IAPC_BOOT_ARCH: LEGACY_DEVICES, no 8042 */
	flags = rd32(f + 112);
	CHECK_EQ(flags, BIT(0) | BIT(2) | BIT(5) | BIT(8) | BIT(10));
	CHECK(!(flags & BIT(20)));	    /* not HW_REDUCED_ACPI */
	check_gas(f + 116, 1, 8, 1, 0xcf9); /* RESET_REG */
	CHECK_EQ(f[128], 6);		    /* RESET_VALUE */
	CHECK_EQ(rd64(f + 132), rd32(f + 36));
	CHECK_EQ(rd64(f + 140), rd32(f + 40));
	check_gas(f + 148, 1, 32, 2, PM_BASE);	      /* X_PM1a_EVT_BLK */
	check_gas(f + 160, 0, 0, 0, 0);		      /* X_PM1b_EVT_BLK */
	check_gas(f + 172, 1, 16, 2, PM_BASE + 4);    /* X_PM1a_CNT_BLK */
	check_gas(f + 208, 1, 32, 3, PM_BASE + 8);    /* X_PM_TMR_BLK */
	check_gas(f + 220, 1, 64, 1, PM_BASE + 0x20); /* X_GPE0_BLK */
	check_gas(f + 244, 0, 0, 0, 0);		      /* SLEEP_CONTROL_REG */
out:
	free(b.buf);
}

/* The host's 24-bit PM timer named instead of the block's own: TMR_VAL_EXT clear. */
UTEST(acpi_build_fadt_host_pm_timer)
{
	struct acpi_build_cfg cfg = cfg_default(1, 1);
	const u8 *f;
	struct blob b;

	cfg.pm_tmr_port = 0xb008;
	cfg.pm_tmr_24bit = true;
	if (!blob_build(&b, &cfg))
		return;
	f = blob_table(&b, "FACP");
	if (!f)
		goto out;
	CHECK_EQ(rd32(f + 76), 0xb008);	      /* PM_TMR_BLK */
	CHECK_EQ(f[91], 4);		      /* PM_TMR_LEN */
	CHECK(!(rd32(f + 112) & BIT(8)));     /* 24 bits: no TMR_VAL_EXT */
	check_gas(f + 208, 1, 32, 3, 0xb008); /* X_PM_TMR_BLK */
	CHECK_EQ(rd32(f + 64), PM_BASE + 4);  /* PM1a_CNT_BLK: still the VM's */
	cfg.pm_tmr_24bit = false;
	free(b.buf);
	if (!blob_build(&b, &cfg))
		return;
	f = blob_table(&b, "FACP");
	if (f)
		CHECK(rd32(f + 112) & BIT(8)); /* a 32-bit host timer keeps TMR_VAL_EXT */
out:
	free(b.buf);
}

/* MADT entries other than processors, as the hypervisor's parser skips them. */
struct madt_rest {
	u32 iso_count;
	u8 iso_src[4];
	u32 iso_gsi[4];
	u16 iso_flags[4];
	u32 nmi_count;
	u8 nmi_uid, nmi_lint;
	u16 nmi_flags;
	u32 lapic_count;
	u32 unknown;
};

static void madt_walk(const u8 *madt, struct madt_rest *r)
{
	u32 len = rd32(madt + 4);

	memset(r, 0, sizeof(*r));
	for (u32 off = 44; off + 2 <= len && madt[off + 1] >= 2; off += madt[off + 1]) {
		const u8 *e = madt + off;

		CHECK(off + e[1] <= len);
		if (e[0] == 0 && e[1] == 8) {
			r->lapic_count++;
		} else if (e[0] == 2 && e[1] == 10 && r->iso_count < 4) {
			r->iso_src[r->iso_count] = e[3];
			r->iso_gsi[r->iso_count] = rd32(e + 4);
			r->iso_flags[r->iso_count++] = rd16(e + 8);
		} else if (e[0] == 4 && e[1] == 6) {
			r->nmi_count++;
			r->nmi_uid = e[2];
			r->nmi_flags = rd16(e + 3);
			r->nmi_lint = e[5];
		} else if (e[0] != 1) {
			r->unknown++;
		}
	}
}

static void check_madt(u32 possible, u32 present)
{
	struct acpi_build_cfg cfg = cfg_default(possible, present);
	struct acpi_info *info = calloc(1, sizeof(*info));
	struct madt_rest r;
	const u8 *madt;
	struct blob b;

	if (!blob_build(&b, &cfg))
		return;
	CHECK_EQ(parse_back(&b, info), 0);
	CHECK_EQ(info->cpu_count, possible);
	for (u32 i = 0; i < info->cpu_count; i++) {
		CHECK_EQ(info->cpus[i].apic_id, i);
		CHECK_EQ(info->cpus[i].uid, i);
		CHECK_EQ(info->cpus[i].enabled, i < present);
		CHECK_EQ(info->cpus[i].online_capable, i >= present);
	}
	madt = blob_table(&b, "APIC");
	if (madt) {
		CHECK_EQ(madt[8], 5); /* revision: Online Capable is defined */
		CHECK_EQ(rd32(madt + 36), 0xfee00000);
		CHECK_EQ(rd32(madt + 40), 1); /* PCAT_COMPAT */
		madt_walk(madt, &r);
		CHECK_EQ(r.lapic_count, possible);
		CHECK_EQ(r.unknown, 0);
		CHECK_EQ(r.iso_count, 2);
		CHECK_EQ(r.iso_src[0], 0);
		CHECK_EQ(r.iso_gsi[0], 2);
		CHECK_EQ(r.iso_flags[0], 0);
		CHECK_EQ(r.iso_src[1], 9);
		CHECK_EQ(r.iso_gsi[1], 9);
		CHECK_EQ(r.iso_flags[1], 0xd); /* level, active high */
		CHECK_EQ(r.nmi_count, 1);
		CHECK_EQ(r.nmi_uid, 0xff);
		CHECK_EQ(r.nmi_flags, 0);
		CHECK_EQ(r.nmi_lint, 1);
		/* Flags of processor entries: exactly one of Enabled and Online Capable. */
		for (u32 i = 0; i < possible; i++)
			CHECK_EQ(rd32(madt + 44 + 8 * i + 4), i < present ? 1 : 2);
	}
	free(b.buf);
	free(info);
}

UTEST(acpi_build_madt_1_cpu)
{
	check_madt(1, 1);
}

UTEST(acpi_build_madt_2_cpus_1_present)
{
	check_madt(2, 1);
	check_madt(2, 2);
}

UTEST(acpi_build_madt_64_cpus)
{
	check_madt(64, 3);
	check_madt(64, 64);
}

UTEST(acpi_build_enospc)
{
	struct acpi_build_cfg cfg = cfg_default(64, 8);
	u8 *full = calloc(1, BIOS_SIZE);
	u32 used = 0, n;

	CHECK_EQ(acpi_build(&cfg, full, &used), 0);
	/* Every size short of what is needed fails, writing only inside the buffer. */
	for (u32 size = 0; size < used; size++) {
		u8 *buf = malloc(size ? size : 1);

		cfg.size_max = size;
		n = 0xdead;
		CHECK_EQ(acpi_build(&cfg, buf, &n), -ENOSPC);
		CHECK_EQ(n, 0xdead);
		free(buf);
	}
	cfg.size_max = used;
	{
		u8 *buf = malloc(used);

		memset(buf, 0xa5, used); /* stale bytes must not show through */
		CHECK_EQ(acpi_build(&cfg, buf, &n), 0);
		CHECK_EQ(n, used);
		CHECK(!memcmp(buf, full, used));
		free(buf);
	}
	free(full);
}

UTEST(acpi_build_einval)
{
	struct acpi_build_cfg good = cfg_default(4, 2), cfg;
	u8 *buf = calloc(1, BIOS_SIZE);
	u32 used;

	cfg = good, cfg.cpus_possible = 0;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.cpus_possible = 65;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.cpus_present = 0;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.cpus_present = 5;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.base = BIOS_BASE + 8;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.base = GiB(4) - 0x1000;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.sci_irq = 16;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.sci_irq = 2;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.s5_slp_typ = 8;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.pm_base = 0;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.pm_tmr_port = 0xfffd;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.pm_base = 0xfff0;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.ioapic_addr = GiB(4);
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	/* PCI0's window: page aligned, not empty, below 4 GiB, clear of both APIC pages. */
	cfg = good, cfg.pci_mem_end = 0xfec01000;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.pci_mem_base = 0xfee00000, cfg.pci_mem_end = 0xfee01000;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.pci_mem_base = 0xfee01000, cfg.pci_mem_end = GiB(4) + 0x1000;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.pci_mem_base = 0xc0000800;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.pci_mem_end = cfg.pci_mem_base;
	CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	cfg = good, cfg.pci_mem_base = 0xfee01000, cfg.pci_mem_end = GiB(4);
	CHECK_EQ(acpi_build(&cfg, buf, &used), 0);
	/* A base that is not 64-byte aligned still gets an aligned FACS. */
	cfg = good, cfg.base = BIOS_BASE + 16;
	CHECK_EQ(acpi_build(&cfg, buf, &used), 0);
	CHECK(!memcmp(buf + 48, "FACS", 4));
	free(buf);
}

/* Decode a PkgLength: the value, and the number of bytes it took. */
static u32 pkglen_decode(const u8 *p, u32 *nbytes)
{
	u32 n = (u32)(p[0] >> 6) + 1, v;

	*nbytes = n;
	if (n == 1)
		return p[0] & 0x3f;
	v = p[0] & 0xf;
	for (u32 i = 1; i < n; i++)
		v |= (u32)p[i] << (4 + 8 * (i - 1));
	return v;
}

UTEST(acpi_build_aml_pkglen_boundaries)
{
	u8 e[4];

	/* 63 fits one byte; the next value needs two (and then counts them). */
	CHECK_EQ(aml_pkglen(62, e), 1);
	CHECK_EQ(e[0], 63);
	CHECK_EQ(aml_pkglen(63, e), 2);
	CHECK_EQ(e[0], 0x41); /* 65 = 0x041: one more byte, low nibble 1 */
	CHECK_EQ(e[1], 0x04);
	/* 4095 is the most two bytes hold. */
	CHECK_EQ(aml_pkglen(4093, e), 2);
	CHECK_EQ(e[0], 0x4f);
	CHECK_EQ(e[1], 0xff);
	CHECK_EQ(aml_pkglen(4094, e), 3);
	CHECK_EQ(e[0], 0x81); /* 4097 = 0x1001 */
	CHECK_EQ(e[1], 0x00);
	CHECK_EQ(e[2], 0x01);
	CHECK_EQ(aml_pkglen((1u << 20) - 4, e), 3);
	CHECK_EQ(aml_pkglen((1u << 20) - 3, e), 4);
	CHECK_EQ(e[0], 0xc1);
	CHECK_EQ(aml_pkglen((1u << 28) - 5, e), 4);
	CHECK_EQ(aml_pkglen((1u << 28) - 4, e), 0);
	CHECK_EQ(aml_pkglen(~0u, e), 0);

	/* Every length round-trips, and in as few bytes as it can. */
	for (u32 len = 0; len < (1u << 21); len++) {
		static const u32 limit[3] = {1u << 6, 1u << 12, 1u << 20};
		u32 n = aml_pkglen(len, e), dn;
		u32 v = pkglen_decode(e, &dn);

		if (n != dn || v != len + n || (n > 1 && len + n - 1 < limit[n - 2])) {
			CHECK_EQ(len, ~0u); /* report the first bad length */
			break;
		}
	}
}

UTEST(acpi_build_aml_eisaid)
{
	CHECK_EQ(aml_eisaid("PNP0501"), 0x0105d041);
	CHECK_EQ(aml_eisaid("PNP0B00"), 0x000bd041);
	CHECK_EQ(aml_eisaid("PNP0A03"), 0x030ad041);
}

/* A Scope (\\_SB_) whose contents after the PkgLength are body bytes, in a buffer of cap. */
static struct aml scope_of(u8 *buf, u32 cap, u32 body)
{
	struct aml a = {.p = buf, .cap = cap};
	u32 pkg = aml_scope(&a, "\\_SB_");

	for (u32 i = 5; i < body; i++)
		aml_byte(&a, (u8)i);
	aml_close(&a, pkg);
	return a;
}

UTEST(acpi_build_aml_close_moves_contents)
{
	static const u32 bodies[] = {62, 63, 4093, 4094};
	static const u32 sizes[] = {1, 2, 2, 3};

	for (u32 k = 0; k < ARRAY_SIZE(bodies); k++) {
		u32 body = bodies[k], n, cap = 1 + sizes[k] + body;
		u8 *buf = malloc(cap); /* exactly: ASan catches a write past it */
		struct aml a = scope_of(buf, cap, body);

		CHECK(!a.full);
		CHECK_EQ(a.len, cap);
		CHECK_EQ(buf[0], AML_SCOPE_OP);
		CHECK_EQ(pkglen_decode(buf + 1, &n), sizes[k] + body);
		CHECK_EQ(n, sizes[k]);
		CHECK(!memcmp(buf + 1 + n, "\\_SB_", 5));
		CHECK_EQ(buf[cap - 1], (u8)(body - 1));
		free(buf);

		/* One byte short: the longer PkgLength does not fit. */
		buf = malloc(cap - 1);
		a = scope_of(buf, cap - 1, body);
		CHECK(a.full);
		free(buf);
	}
}

UTEST(acpi_build_aml_nested)
{
	u8 buf[256];
	struct aml a = {.p = buf, .cap = sizeof(buf)};
	u32 sb = aml_scope(&a, "\\_SB_"), dev = aml_device(&a, "DEV0"), m, n, v;

	/* Device contents of 70 bytes push the Scope past 63 too. */
	for (u32 i = 0; i < 11; i++)
		aml_name_int(&a, "_UID", 0x100 + i); /* 6 bytes each: NameOp, NameSeg, Word */
	m = aml_method(&a, "_STA", 0);
	aml_return_int(&a, 0x0f);
	aml_close(&a, m);
	aml_close(&a, dev);
	aml_close(&a, sb);
	CHECK(!a.full);
	v = pkglen_decode(buf + 1, &n);
	CHECK_EQ(1 + v, a.len);
	CHECK_EQ(n, 2);
	CHECK(buf[1 + n + 5] == AML_EXT_OP && buf[1 + n + 6] == AML_EXT_DEVICE_OP);
	v = pkglen_decode(buf + 1 + n + 7, &m);
	CHECK_EQ(1 + n + 7 + v, a.len);
	CHECK(!memcmp(buf + a.len - 10, "\x14\x09_STA\x00\xa4\x0a\x0f", 10));
}

/* NameStrings of 1, 2 and 3 segments, with and without the root; bad paths make the AML unusable. */
UTEST(acpi_build_aml_name_paths)
{
	static const struct {
		const char *name;
		u8 len;
		const char *b;
	} t[] = {
		{"COM1", 4, "COM1"},
		{"\\_SB_", 5, "\\_SB_"},
		{"CPUS.CSTA", 9,
		 "\x2e"
		 "CPUSCSTA"},
		{"\\_SB_.PRES.CSEL", 15,
		 "\\\x2f\x03"
		 "_SB_PRESCSEL"},
	};
	static const char *const bad[] = {"", "ABC", "ABCDE", "ABCD.", "ABCD.EFG", "\\"};
	u8 buf[32];
	struct aml a;

	for (u32 i = 0; i < ARRAY_SIZE(t); i++) {
		a = (struct aml){.p = buf, .cap = sizeof(buf)};
		aml_name(&a, t[i].name);
		CHECK(!a.full);
		CHECK_EQ(a.len, t[i].len);
		CHECK(!memcmp(buf, t[i].b, t[i].len));
	}
	for (u32 i = 0; i < ARRAY_SIZE(bad); i++) {
		a = (struct aml){.p = buf, .cap = sizeof(buf)};
		aml_name(&a, bad[i]);
		CHECK(a.full);
	}
}

/* Field widths: one PkgLength-style byte below 64 bits, two up to 4095, none beyond. */
UTEST(acpi_build_aml_field_units)
{
	u8 buf[16];
	struct aml a = {.p = buf, .cap = sizeof(buf)};

	aml_field_unit(&a, "CPEN", 1);
	aml_field_unit(&a, NULL, 64);
	aml_field_unit(&a, NULL, 0xfff);
	CHECK(!a.full);
	CHECK_EQ(a.len, 4 + 1 + 3 + 3);
	CHECK(!memcmp(buf, "CPEN\x01\x00\x40\x04\x00\x4f\xff", 11));
	aml_field_unit(&a, NULL, 0x1000);
	CHECK(a.full);
}

UTEST(acpi_build_aml_integers)
{
	static const struct {
		u64 v;
		u8 len;
		u8 b[9];
	} t[] = {
		{0, 1, {0x00}},
		{1, 1, {0x01}},
		{2, 2, {0x0a, 0x02}},
		{0xff, 2, {0x0a, 0xff}},
		{0x100, 3, {0x0b, 0x00, 0x01}},
		{0xffff, 3, {0x0b, 0xff, 0xff}},
		{0x10000, 5, {0x0c, 0x00, 0x00, 0x01, 0x00}},
		{0xfee00000, 5, {0x0c, 0x00, 0x00, 0xe0, 0xfe}},
		{0x100000000ull, 9, {0x0e, 0, 0, 0, 0, 1, 0, 0, 0}},
	};

	for (u32 i = 0; i < ARRAY_SIZE(t); i++) {
		u8 buf[16];
		struct aml a = {.p = buf, .cap = sizeof(buf)};

		aml_int(&a, t[i].v);
		CHECK_EQ(a.len, t[i].len);
		CHECK(!memcmp(buf, t[i].b, t[i].len));
	}
}

UTEST(acpi_build_aml_res_full)
{
	struct aml_res r = {.len = 0};
	u8 buf[256];
	struct aml a = {.p = buf, .cap = sizeof(buf)};

	for (u32 i = 0; i < AML_RES_MAX / 8 + 1; i++)
		aml_res_io(&r, (u16)(0x100 + i), 1);
	CHECK(r.full);
	CHECK_EQ(r.len, AML_RES_MAX);
	aml_name_res(&a, "_CRS", &r);
	CHECK(a.full);
	/* A large descriptor that does not fit is dropped whole. */
	r = (struct aml_res){.len = AML_RES_MAX - 25};
	aml_res_dword_mem(&r, 0, 0xfff);
	CHECK(r.full);
	CHECK_EQ(r.len, AML_RES_MAX - 25);
}

/* The address space descriptors, byte for byte as iasl compiles their ASL. */
UTEST(acpi_build_aml_res_addr)
{
	/* WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 0, 0xff, 0, 0x100) */
	static const u8 bus[] = {0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00,
				 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x01};
	/* WordIO (..., EntireRange, 0, 0xd00, 0xffff, 0, 0xf300) */
	static const u8 io[] = {0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00,
				0x00, 0x0d, 0xff, 0xff, 0x00, 0x00, 0x00, 0xf3};
	/* DWordMemory (..., NonCacheable, ReadWrite, 0, 0xc0000000, 0xfebfffff, 0, 0x3ec00000) */
	static const u8 mem[] = {0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x00,
				 0x00, 0x00, 0x00, 0x00, 0xc0, 0xff, 0xff, 0xbf, 0xfe,
				 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x3e};
	struct aml_res r = {.len = 0};

	aml_res_word_bus(&r, 0, 0xff);
	aml_res_word_io(&r, 0xd00, 0xffff);
	aml_res_dword_mem(&r, 0xc0000000, 0xfebfffff);
	CHECK(!r.full);
	CHECK_EQ(r.len, sizeof(bus) + sizeof(io) + sizeof(mem));
	CHECK(!memcmp(r.b, bus, sizeof(bus)));
	CHECK(!memcmp(r.b + sizeof(bus), io, sizeof(io)));
	CHECK(!memcmp(r.b + sizeof(bus) + sizeof(io), mem, sizeof(mem)));
}

static const u8 *memfind(const u8 *hay, size_t n, const void *needle, size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (!memcmp(hay + i, needle, m))
			return hay + i;
	return NULL;
}

UTEST(acpi_build_dsdt_aml)
{
	static const u8 s5[] = {0x08, '\\', '_',  'S',	'5',  '_',  0x12, 0x08,
				0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
	/* Name (_CRS, Buffer (13) {IO (Decode16, 0x3f8, 0x3f8, 1, 8), IRQNoFlags () {4}, End}) */
	static const u8 com1_crs[] = {0x08, '_',  'C',	'R',  'S',  0x11, 0x10, 0x0a,
				      0x0d, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01,
				      0x08, 0x22, 0x10, 0x00, 0x79, 0x00};
	static const u8 com1_hid[] = {0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01};
	static const u8 rtc_irq[] = {0x22, 0x00, 0x01, 0x79, 0x00};
	static const u8 pci_hid[] = {0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03};
	/* WordBusNumber 0-0, then IO (Decode16, 0xcf8, 0xcf8, 1, 8) */
	static const u8 pci_bus_cfg[] = {0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00,
					 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
					 0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08};
	/* WordIO 0-0xcf7, length 0xcf8 */
	static const u8 pci_io_low[] = {0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00,
					0x00, 0x00, 0xf7, 0x0c, 0x00, 0x00, 0xf8, 0x0c};
	/* DWordMemory 0xc0000000-0xfebfffff, then the end tag */
	static const u8 pci_mem[] = {0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x00, 0x00,
				     0x00, 0x00, 0x00, 0xc0, 0xff, 0xff, 0xbf, 0xfe, 0x00, 0x00,
				     0x00, 0x00, 0x00, 0x00, 0xc0, 0x3e, 0x79, 0x00};
	static const u8 adr[] = {0x08, '_', 'A', 'D', 'R'};
	struct acpi_build_cfg cfg = cfg_default(2, 1);
	const u8 *f, *dsdt, *sb, *p;
	u32 len, n, v;
	struct blob b;

	/* The layout without CPU hotplug; acpi_build_dsdt_cpuhp checks what it adds. */
	cfg.cpuhp_port = 0;

	if (!blob_build(&b, &cfg))
		return;
	f = blob_table(&b, "FACP");
	dsdt = f ? blob_at(&b, rd64(f + 140), 36) : NULL;
	if (!dsdt)
		goto out;
	len = rd32(dsdt + 4);
	CHECK_EQ(dsdt[8], 2); /* 64-bit integers */
	CHECK(!memcmp(dsdt + 36, s5, sizeof(s5)));
	/* Scope (\_SB) spans the rest of the table. */
	sb = dsdt + 36 + sizeof(s5);
	CHECK_EQ(sb[0], 0x10);
	v = pkglen_decode(sb + 1, &n);
	CHECK_EQ(sb + 1 + v, dsdt + len);
	CHECK(!memcmp(sb + 1 + n, "\\_SB_", 5));
	/* Device (PCI0) opens the scope: _HID, no _ADR, the _CRS windows. */
	p = sb + 1 + n + 5;
	CHECK(p[0] == 0x5b && p[1] == 0x82);
	v = pkglen_decode(p + 2, &n);
	CHECK(!memcmp(p + 2 + n, "PCI0", 4));
	CHECK(memfind(p, v + 2, pci_hid, sizeof(pci_hid)) != NULL);
	CHECK(memfind(p, v + 2, adr, sizeof(adr)) == NULL);
	CHECK(memfind(p, v + 2, pci_bus_cfg, sizeof(pci_bus_cfg)) != NULL);
	CHECK(memfind(p, v + 2, pci_io_low, sizeof(pci_io_low)) != NULL);
	CHECK(memfind(p, v + 2, pci_mem, sizeof(pci_mem)) != NULL);
	/* Then Device (COM1). */
	p += 2 + v;
	CHECK(p[0] == 0x5b && p[1] == 0x82);
	v = pkglen_decode(p + 2, &n);
	CHECK(!memcmp(p + 2 + n, "COM1", 4));
	CHECK(memfind(p, v + 2, com1_hid, sizeof(com1_hid)) != NULL);
	CHECK(memfind(p, v + 2, com1_crs, sizeof(com1_crs)) != NULL);
	/* Then Device (RTC), ending where the scope ends. */
	p += 2 + v;
	CHECK(p[0] == 0x5b && p[1] == 0x82);
	v = pkglen_decode(p + 2, &n);
	CHECK(!memcmp(p + 2 + n, "RTC_", 4));
	CHECK_EQ(p + 2 + v, dsdt + len);
	CHECK(memfind(p, v + 2, rtc_irq, sizeof(rtc_irq)) != NULL);
out:
	free(b.buf);
}

/* CPU hotplug: the register fields, one Device per possible CPU, the GPE method at the root. */
UTEST(acpi_build_dsdt_cpuhp)
{
	/* OperationRegion (PRST, SystemIO, 0x0cd8, 0x0c) */
	static const u8 region[] = {0x5b, 0x80, 'P',  'R',  'S',  'T',
				    0x01, 0x0b, 0xd8, 0x0c, 0x0a, 0x0c};
	/* Name (_MAT, Buffer (8) {0, 8, 2, 2, 1, 0, 0, 0}): CPU 2, enabled */
	static const u8 mat2[] = {0x08, '_',  'M',  'A',  'T',	0x11, 0x0b, 0x0a, 0x08,
				  0x00, 0x08, 0x02, 0x02, 0x01, 0x00, 0x00, 0x00};
	/* Method (_E02, 0) { \_SB.CPUS.CSCN () } */
	static const u8 e02[] = {0x14, 0x15, '_', 'E', '0', '2', 0x00, '\\', 0x2f, 0x03, '_',
				 'S',  'B',  '_', 'C', 'P', 'U', 'S',  'C',  'S',  'C',	 'N'};
	struct acpi_build_cfg cfg = cfg_default(3, 1);
	const u8 *f, *dsdt;
	struct blob b;
	u32 len;

	if (!blob_build(&b, &cfg))
		return;
	f = blob_table(&b, "FACP");
	dsdt = f ? blob_at(&b, rd64(f + 140), 36) : NULL;
	if (dsdt) {
		len = rd32(dsdt + 4);
		CHECK(memfind(dsdt, len, region, sizeof(region)) != NULL);
		CHECK(memfind(dsdt, len, mat2, sizeof(mat2)) != NULL);
		CHECK(memfind(dsdt, len, "C002", 4) != NULL);
		CHECK(memfind(dsdt, len, "C003", 4) == NULL);
		CHECK(memfind(dsdt, len, e02, sizeof(e02)) != NULL);
	}
	free(b.buf);
	/* Without a port, no hotplug objects; a GPE past GPE0's 32 bits is refused. */
	cfg.cpuhp_port = 0;
	if (blob_build(&b, &cfg)) {
		f = blob_table(&b, "FACP");
		dsdt = f ? blob_at(&b, rd64(f + 140), 36) : NULL;
		CHECK(dsdt && memfind(dsdt, rd32(dsdt + 4), "CPUS", 4) == NULL);
		free(b.buf);
	}
	cfg.cpuhp_port = 0xcd8;
	cfg.cpuhp_gpe = 32;
	{
		u8 buf[BIOS_SIZE];
		u32 used;

		CHECK_EQ(acpi_build(&cfg, buf, &used), -EINVAL);
	}
}

/* The largest VM's tables (64 CPUs, hotplug objects for each) fit the ROM pages a VM gets. */
UTEST(acpi_build_64_cpus_fit_the_rom)
{
	struct acpi_build_cfg cfg = cfg_default(64, 1);
	static u8 buf[VPLAT_ACPI_PAGES * 4096];
	u32 used = 0;

	cfg.size_max = sizeof(buf);
	CHECK_EQ(acpi_build(&cfg, buf, &used), 0);
	printf("    64 CPUs: %u bytes of %zu\n", used, sizeof(buf));
}

/* Write one table to dir/<name>.dat, as iasl -d wants it. */
static void dump_table(const char *dir, const char *name, const u8 *t, u32 len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(fwrite(t, 1, len, f), len);
		fclose(f);
	}
}

/* Every table of b to dir/<SIG>.dat (the FADT as FACP.dat, the MADT as APIC.dat). */
static void dump_tables(const char *dir, const struct blob *b)
{
	static const char *const sigs[] = {"FACP", "APIC"};
	const u8 *t;

	dump_table(dir, "RSDP", b->buf, 36);
	dump_table(dir, "RSDT", b->buf + (rd32(b->buf + 16) - b->base), 44);
	dump_table(dir, "XSDT", b->buf + (rd64(b->buf + 24) - b->base), 52);
	for (u32 i = 0; i < 2; i++) {
		t = blob_table(b, sigs[i]);
		if (t)
			dump_table(dir, sigs[i], t, rd32(t + 4));
	}
	t = blob_table(b, "FACP");
	if (t) {
		const u8 *dsdt = blob_at(b, rd64(t + 140), 36);

		dump_table(dir, "DSDT", dsdt, rd32(dsdt + 4));
		dump_table(dir, "FACS", blob_at(b, rd64(t + 132), 64), 64);
	}
}

/*
 * Not a check: with ACPI_BUILD_DUMP=dir, write each table to dir/<SIG>.dat
 * to look at with iasl -d by hand.
 */
UTEST(acpi_build_dump)
{
	const char *dir = getenv("ACPI_BUILD_DUMP");
	struct acpi_build_cfg cfg = cfg_default(4, 2);
	struct blob b;

	if (!dir || !blob_build(&b, &cfg))
		return;
	dump_tables(dir, &b);
	free(b.buf);
}

/* Run cmd in dir with its output in dir/log; the exit status, -1 if it did not run. */
static int run_in(const char *dir, const char *cmd, const char *log)
{
	char line[1024];
	int st;

	snprintf(line, sizeof(line), "cd '%s' && %s >'%s' 2>&1", dir, cmd, log);
	st = system(line);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* dir/name read whole, lower-cased if lower, NUL-terminated; NULL if unreadable. */
static char *slurp(const char *dir, const char *name, bool lower, size_t *len)
{
	char path[512];
	char *s = NULL;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)n + 1)) != NULL) {
		*len = fread(s, 1, (size_t)n, f);
		s[*len] = 0;
		for (size_t i = 0; lower && i < *len; i++)
			s[i] = (char)tolower((unsigned char)s[i]);
	}
	fclose(f);
	return s;
}

/* iasl exits 0 on a bad checksum or an odd object, so its words are checked too. */
static bool iasl_quiet(const char *dir, const char *name)
{
	static const char *const bad[] = {"warning", "error",	"incorrect",
					  "invalid", "unknown", "mismatch"};
	size_t len;
	char *s = slurp(dir, name, true, &len);
	bool ok = s != NULL;

	for (u32 i = 0; ok && i < ARRAY_SIZE(bad); i++)
		if (strstr(s, bad[i])) {
			printf("    %s: iasl says \"%s\"\n", name, bad[i]);
			ok = false;
		}
	free(s);
	return ok;
}

static void iasl_disassemble(const char *dir)
{
	/* The RSDP is left out: iasl 2020xx does not disassemble it from a file. */
	static const char *const tables[] = {"DSDT", "FACP", "APIC", "FACS", "RSDT", "XSDT"};
	char cmd[64], log[16], dsl[16];

	for (u32 i = 0; i < ARRAY_SIZE(tables); i++) {
		snprintf(cmd, sizeof(cmd), "iasl -d %s.dat", tables[i]);
		snprintf(log, sizeof(log), "%s.log", tables[i]);
		snprintf(dsl, sizeof(dsl), "%s.dsl", tables[i]);
		CHECK_EQ(run_in(dir, cmd, log), 0);
		CHECK(iasl_quiet(dir, log));
		CHECK(iasl_quiet(dir, dsl));
	}
}

/* The DSDT's disassembly names what the guest must find, and compiles back to our AML. */
static void iasl_check_dsdt(const char *dir)
{
	static const char *const want[] = {"Name (\\_S5, Package (0x04)",
					   "Device (PCI0)",
					   "EisaId (\"PNP0A03\")",
					   "Name (_BBN, Zero)",
					   "WordBusNumber (ResourceProducer",
					   "0x0CF8,",
					   "0x0CF7,",
					   "0x0D00,",
					   "DWordMemory (ResourceProducer",
					   "0xC0000000,",
					   "0xFEBFFFFF,",
					   "Device (COM1)",
					   "EisaId (\"PNP0501\")",
					   "Device (RTC)",
					   "EisaId (\"PNP0B00\")",
					   "Device (PRES)",
					   "OperationRegion (PRST, SystemIO, 0x0CD8, 0x0C)",
					   "Device (CPUS)",
					   "\"ACPI0010\"",
					   "Device (C003)",
					   "\"ACPI0007\"",
					   "Return (\\_SB.CPUS.CSTA (0x03))",
					   "Method (_EJ0, 1, NotSerialized)",
					   "Notify (\\_SB.CPUS.C001, One)",
					   "Notify (\\_SB.CPUS.C003, 0x03)",
					   "Method (_E02, 0, NotSerialized)",
					   "\\_SB.CPUS.COST (0x02, Arg0, Arg1, Arg2)"};
	size_t len, ours_len = 0, back_len = 0;
	char *dsl = slurp(dir, "DSDT.dsl", false, &len), *log, *ours, *back;

	CHECK(dsl != NULL);
	for (u32 i = 0; dsl && i < ARRAY_SIZE(want); i++)
		if (!strstr(dsl, want[i])) {
			printf("    DSDT.dsl lacks \"%s\"\n", want[i]);
			CHECK(!"DSDT.dsl names everything");
		}
	free(dsl);
	/* Compiled without optimizations, the disassembly is byte for byte our AML. */
	CHECK_EQ(run_in(dir, "mkdir rt && (cd rt && iasl -oa -p DSDT ../DSDT.dsl)", "rt.log"), 0);
	log = slurp(dir, "rt.log", false, &len);
	CHECK(log && strstr(log, " 0 Errors, 0 Warnings"));
	free(log);
	ours = slurp(dir, "DSDT.dat", false, &ours_len);
	back = slurp(dir, "rt/DSDT.aml", false, &back_len);
	CHECK(ours && back && ours_len == back_len && ours_len > 36);
	/* After the header, whose creator and checksum are iasl's. */
	if (ours && back && ours_len == back_len && ours_len > 36)
		CHECK(!memcmp(ours + 36, back + 36, ours_len - 36));
	free(ours);
	free(back);
}

/* Every table through ACPICA's disassembler (package acpica-tools); fails without it. */
UTEST(acpi_build_iasl)
{
	char dir[] = "/tmp/sprout-iasl-XXXXXX", rm[64];
	struct acpi_build_cfg cfg = cfg_default(4, 2);
	struct blob b;

	if (system("command -v iasl >/dev/null 2>&1") != 0) {
		printf("    iasl not found: install acpica-tools (tools/install-deps.sh)\n");
		CHECK(!"iasl is installed");
		return;
	}
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	if (blob_build(&b, &cfg)) {
		dump_tables(dir, &b);
		free(b.buf);
		iasl_disassemble(dir);
		iasl_check_dsdt(dir);
	}
	snprintf(rm, sizeof(rm), "rm -rf '%s'", dir);
	CHECK_EQ(system(rm), 0);
}
