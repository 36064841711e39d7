// SPDX-License-Identifier: MIT
/* Host ACPI tables: find the RSDP, walk RSDT/XSDT, read the MADT, FADT and DSDT \_S5_. */
#include <hv/acpi.h>
#include <hv/errno.h>
#include <hv/printk.h>
#include <hv/string.h>

/* No real table comes near this; it bounds what a corrupt length can make us read. */
#define ACPI_TABLE_MAX MiB(1)
#define ACPI_RSDP_MAX  KiB(4)

/* Where every x86 CPU has its local APIC after reset, for when there is no MADT. */
#define LAPIC_DEFAULT_BASE 0xfee00000

/*
 * Root System Description Pointer (ACPI 6.5, 5.2.5.3). Revision 0 ends after
 * rsdt_address and has only the first checksum, over 20 bytes.
 *
 *   0        8    9       15  16        20      24            32    33
 *   +--------+----+-------+---+---------+-------+-------------+-----+-----+
 *   |RSD PTR |csum|OEM ID |rev|RSDT addr|length |XSDT address |xcsum|rsvd |
 *   +--------+----+-------+---+---------+-------+-------------+-----+-----+
 */
struct acpi_rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 ext_checksum;
	u8 reserved[3];
} __packed;

#define ACPI_RSDP_V1_LEN 20

/* Header shared by every table but the FACS (5.2.6). */
struct acpi_header {
	char signature[4];
	u32 length; /* of the whole table, header included */
	u8 revision;
	u8 checksum; /* all bytes of the table sum to 0 */
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

/*
 * MADT (5.2.12): the header, then variable-length entries, each starting
 * with type and length bytes.
 *
 *   36         40     44
 *   +----------+------+------+----+------------+------+----+----
 *   |LAPIC addr|flags |type  |len | ...        |type  |len | ...
 *   +----------+------+------+----+------------+------+----+----
 */
struct acpi_madt {
	struct acpi_header hdr;
	u32 lapic_address;
	u32 flags;
} __packed;

#define MADT_PCAT_COMPAT BIT(0)

enum madt_type {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_LAPIC_OVERRIDE = 5,
	MADT_X2APIC = 9,
};

/* Local APIC flags (types 0 and 9). */
#define MADT_LAPIC_ENABLED	  BIT(0)
#define MADT_LAPIC_ONLINE_CAPABLE BIT(1) /* defined from MADT revision 5 (ACPI 6.3) */
#define MADT_REV_ONLINE_CAPABLE	  5

struct madt_entry {
	u8 type;
	u8 length;
} __packed;

struct madt_lapic {
	struct madt_entry e;
	u8 uid;
	u8 apic_id;
	u32 flags;
} __packed;

struct madt_ioapic {
	struct madt_entry e;
	u8 id;
	u8 reserved;
	u32 address;
	u32 gsi_base;
} __packed;

struct madt_lapic_override {
	struct madt_entry e;
	u16 reserved;
	u64 address;
} __packed;

struct madt_x2apic {
	struct madt_entry e;
	u16 reserved;
	u32 apic_id;
	u32 flags;
	u32 uid;
} __packed;

/* Generic Address Structure (5.2.3.2). */
struct acpi_gas {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __packed;

/*
 * FADT (5.2.9), up to the fields used here. Revision 1 tables end at flags
 * (116 bytes); later fields count only if the table is long enough.
 */
struct acpi_fadt {
	struct acpi_header hdr;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd; /* 48 */
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk;
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk; /* 64 */
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk;
	u32 gpe1_blk;
	u8 pm1_evt_len;
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat;
	u16 p_lvl3_lat;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags; /* 112 */
	struct acpi_gas reset_reg;
	u8 reset_value; /* 128 */
	u16 arm_boot_arch;
	u8 minor_revision;
	u64 x_firmware_ctrl;
	u64 x_dsdt; /* 140 */
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk; /* 172 */
	struct acpi_gas x_pm1b_cnt_blk;
} __packed;

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP layout");
_Static_assert(sizeof(struct acpi_header) == 36, "table header layout");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_cnt_blk) == 172, "FADT layout");

#define FADT_TMR_VAL_EXT   BIT(8)
#define FADT_RESET_REG_SUP BIT(10)

/* Does a FADT of length len contain this field? */
#define FADT_HAS(len, field) \
	(offsetof(struct acpi_fadt, field) + sizeof(((struct acpi_fadt *)0)->field) <= (len))

/* AML opcodes that can appear in a simple \_S5_ package (ACPI 6.5, 20.2). */
#define AML_ZERO_OP	0x00
#define AML_ONE_OP	0x01
#define AML_NAME_OP	0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_PACKAGE_OP	0x12
#define AML_ROOT_CHAR	'\\'

#define SLP_TYP_MAX	7 /* SLP_TYP is a 3-bit field of PM1_CNT */

/* State of one acpi_parse() call. */
struct acpi_walk {
	acpi_map_fn map;
	void *ctx;
	struct acpi_info *info;
	bool have_madt;
	bool have_fadt;
	u32 cpus_dropped;
};

u8 acpi_sum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + b[i]);
	return sum;
}

static bool acpi_checksum_ok(const void *p, size_t len)
{
	return acpi_sum(p, len) == 0;
}

/* Copy a fixed-width name, making it printable so it can go into log lines. */
static void acpi_copy_name(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = src[i];

		/* Some firmware pads names with NULs instead of spaces. */
		dst[i] = c == '\0' ? ' ' : (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	dst[n] = '\0';
}

static const void *acpi_map(const struct acpi_walk *w, u64 pa, size_t len)
{
	if (pa == 0 || pa + len < pa)
		return NULL;
	return w->map(pa, len, w->ctx);
}

/* Map and fully check the RSDP at pa; NULL if it is not a valid one. */
static const struct acpi_rsdp *acpi_rsdp_get(const struct acpi_walk *w, u64 pa)
{
	const struct acpi_rsdp *r = acpi_map(w, pa, ACPI_RSDP_V1_LEN);
	u32 len;

	if (!r || memcmp(r->signature, "RSD PTR ", 8) != 0 ||
	    !acpi_checksum_ok(r, ACPI_RSDP_V1_LEN))
		return NULL;
	if (r->revision < 2)
		return r;
	r = acpi_map(w, pa, sizeof(*r));
	if (!r)
		return NULL;
	len = r->length;
	if (len < sizeof(*r) || len > ACPI_RSDP_MAX)
		return NULL;
	r = acpi_map(w, pa, len);
	if (!r || !acpi_checksum_ok(r, len))
		return NULL;
	return r;
}

/*
 * Map the table at pa and check its header and checksum. A table that fails
 * is not trusted at all: say why and return NULL.
 */
static const struct acpi_header *acpi_table_get(const struct acpi_walk *w, u64 pa)
{
	const struct acpi_header *h = acpi_map(w, pa, sizeof(*h));
	char sig[5];
	u32 len;

	if (!h) {
		pr_warn("acpi: cannot map table at 0x%llx\n", (unsigned long long)pa);
		return NULL;
	}
	acpi_copy_name(sig, h->signature, 4);
	len = h->length;
	if (len < sizeof(*h) || len > ACPI_TABLE_MAX) {
		pr_warn("acpi: %s at 0x%llx: bad length %u, ignored\n", sig, (unsigned long long)pa,
			len);
		return NULL;
	}
	h = acpi_map(w, pa, len);
	if (!h) {
		pr_warn("acpi: cannot map %s at 0x%llx\n", sig, (unsigned long long)pa);
		return NULL;
	}
	if (!acpi_checksum_ok(h, len)) {
		pr_warn("acpi: %s at 0x%llx: bad checksum, ignored\n", sig, (unsigned long long)pa);
		return NULL;
	}
	return h;
}

static bool acpi_is(const struct acpi_header *h, const char *sig)
{
	return memcmp(h->signature, sig, 4) == 0;
}

/* ---- MADT ---- */

static bool madt_apic_id_seen(const struct acpi_info *info, u32 apic_id)
{
	for (u32 i = 0; i < info->cpu_count; i++)
		if (info->cpus[i].apic_id == apic_id)
			return true;
	return false;
}

/* Record a local APIC or x2APIC entry if the CPU is there or can be hot-added. */
static void madt_add_cpu(struct acpi_walk *w, u8 madt_rev, u32 apic_id, u32 uid, u32 flags)
{
	struct acpi_info *info = w->info;
	bool enabled = flags & MADT_LAPIC_ENABLED;
	bool online = madt_rev >= MADT_REV_ONLINE_CAPABLE && (flags & MADT_LAPIC_ONLINE_CAPABLE);
	struct acpi_cpu *cpu;

	if (!enabled && !online)
		return;
	/* Firmware may list a CPU both as LAPIC and x2APIC; the first wins. */
	if (madt_apic_id_seen(info, apic_id))
		return;
	if (info->cpu_count == ACPI_MAX_CPUS) {
		w->cpus_dropped++;
		return;
	}
	cpu = &info->cpus[info->cpu_count++];
	cpu->apic_id = apic_id;
	cpu->uid = uid;
	cpu->enabled = enabled;
	cpu->online_capable = !enabled;
}

static void madt_add_ioapic(struct acpi_walk *w, const struct madt_ioapic *e)
{
	struct acpi_info *info = w->info;
	struct acpi_ioapic *io;

	if (info->ioapic_count == ACPI_MAX_IOAPICS) {
		pr_warn("acpi: more than %d IO-APICs, ignoring id %u\n", ACPI_MAX_IOAPICS, e->id);
		return;
	}
	io = &info->ioapics[info->ioapic_count++];
	io->id = e->id;
	io->base = e->address;
	io->gsi_base = e->gsi_base;
}

/* Minimum length of the entry types we read; 0 for the ones we skip. */
static size_t madt_entry_min(u8 type)
{
	switch (type) {
	case MADT_LAPIC: return sizeof(struct madt_lapic);
	case MADT_IOAPIC: return sizeof(struct madt_ioapic);
	case MADT_LAPIC_OVERRIDE: return sizeof(struct madt_lapic_override);
	case MADT_X2APIC: return sizeof(struct madt_x2apic);
	default: return 0;
	}
}

static void madt_entry(struct acpi_walk *w, u8 madt_rev, const struct madt_entry *e)
{
	const struct madt_lapic *la = (const void *)e;
	const struct madt_x2apic *x2 = (const void *)e;

	switch (e->type) {
	case MADT_LAPIC:
		/* 0xff is the broadcast ID: not a CPU. */
		if (la->apic_id != 0xff)
			madt_add_cpu(w, madt_rev, la->apic_id, la->uid, la->flags);
		break;
	case MADT_X2APIC:
		if (x2->apic_id != 0xffffffff)
			madt_add_cpu(w, madt_rev, x2->apic_id, x2->uid, x2->flags);
		break;
	case MADT_IOAPIC: madt_add_ioapic(w, (const void *)e); break;
	case MADT_LAPIC_OVERRIDE:
		w->info->lapic_base =
			((const struct madt_lapic_override *)(const void *)e)->address;
		break;
	}
}

static void madt_parse(struct acpi_walk *w, const struct acpi_header *h)
{
	const struct acpi_madt *madt = (const void *)h;
	const u8 *p = (const u8 *)h, *end = p + h->length;
	size_t off = sizeof(*madt);

	if (h->length < sizeof(*madt)) {
		pr_warn("acpi: MADT too short (%u bytes), ignored\n", h->length);
		return;
	}
	w->have_madt = true;
	w->info->lapic_base = madt->lapic_address;
	w->info->pcat_compat = madt->flags & MADT_PCAT_COMPAT;
	while (off + sizeof(struct madt_entry) <= h->length) {
		const struct madt_entry *e = (const void *)(p + off);

		if (e->length < sizeof(*e) || e->length > (size_t)(end - (p + off))) {
			pr_warn("acpi: MADT entry at +%zu: bad length %u, rest ignored\n", off,
				e->length);
			break;
		}
		if (e->length >= madt_entry_min(e->type))
			madt_entry(w, h->revision, e);
		else
			pr_warn("acpi: MADT entry type %u at +%zu too short, ignored\n", e->type,
				off);
		off += e->length;
	}
	if (w->cpus_dropped)
		pr_warn("acpi: %u more CPUs than the %d supported, ignored\n", w->cpus_dropped,
			ACPI_MAX_CPUS);
}

/* ---- DSDT \_S5_ ---- */

/*
 * One package element as a SLP_TYP value: BytePrefix + byte, ZeroOp, OneOp,
 * or (as some firmware writes it) a bare small byte.
 */
static bool aml_slp_typ(const u8 **pp, const u8 *end, u8 *val)
{
	const u8 *p = *pp;

	if (p >= end)
		return false;
	if (*p == AML_BYTE_PREFIX) {
		if (end - p < 2)
			return false;
		p++;
	}
	if (*p > SLP_TYP_MAX)
		return false;
	*val = *p;
	*pp = p + 1;
	return true;
}

/*
 * Decode the package after "_S5_" at p:
 *
 *   12        PkgLength (1-4 bytes)  NumElements  SLP_TYPa  SLP_TYPb ...
 *   PackageOp bits 7:6 of byte 0 = count of extra bytes
 */
static bool aml_s5_package(const u8 *p, const u8 *end, u8 *a, u8 *b)
{
	size_t skip;
	u8 count;

	if (end - p < 2 || *p != AML_PACKAGE_OP)
		return false;
	skip = 2 + (p[1] >> 6); /* PackageOp and PkgLength */
	if (skip >= (size_t)(end - p))
		return false;
	p += skip;
	count = *p++;
	if (count < 1 || !aml_slp_typ(&p, end, a))
		return false;
	*b = 0;
	return count < 2 || aml_slp_typ(&p, end, b);
}

/* Find "Name (_S5_, Package ...)" or "Name (\_S5_, ...)" in the DSDT's AML. */
static void dsdt_find_s5(struct acpi_info *info, const struct acpi_header *dsdt)
{
	const u8 *aml = (const u8 *)dsdt + sizeof(*dsdt);
	const u8 *end = (const u8 *)dsdt + dsdt->length;

	for (const u8 *p = aml; end - p >= 5; p++) {
		bool named;

		if (memcmp(p, "_S5_", 4) != 0)
			continue;
		named = (p - aml >= 1 && p[-1] == AML_NAME_OP) ||
			(p - aml >= 2 && p[-1] == AML_ROOT_CHAR && p[-2] == AML_NAME_OP);
		if (named && aml_s5_package(p + 4, end, &info->slp_typ_a, &info->slp_typ_b)) {
			info->s5_valid = info->pm1a_cnt != 0;
			return;
		}
	}
}

/* ---- FADT ---- */

/* The PM1x control port: the X_ GAS if it is an I/O port, else the 32-bit field. */
static u16 fadt_pm1_port(const struct acpi_gas *x, bool have_x, u32 legacy)
{
	if (have_x && x->space_id == ACPI_SPACE_IO && x->address && x->address <= 0xffff)
		return (u16)x->address;
	return legacy <= 0xffff ? (u16)legacy : 0;
}

static void fadt_reset(struct acpi_info *info, const struct acpi_fadt *f, u32 len)
{
	if (!FADT_HAS(len, reset_value) || !(f->flags & FADT_RESET_REG_SUP))
		return;
	info->reset_space = f->reset_reg.space_id;
	info->reset_addr = f->reset_reg.address;
	info->reset_value = f->reset_value;
	info->reset_valid = info->reset_addr != 0;
}

static void fadt_parse(struct acpi_walk *w, const struct acpi_header *h)
{
	const struct acpi_fadt *f = (const void *)h;
	struct acpi_info *info = w->info;
	const struct acpi_header *dsdt;
	u32 len = h->length;
	u64 dsdt_pa;

	if (!FADT_HAS(len, pm1b_cnt_blk)) {
		pr_warn("acpi: FADT too short (%u bytes), ignored\n", len);
		return;
	}
	w->have_fadt = true;
	info->smi_cmd = f->smi_cmd;
	info->acpi_enable = f->acpi_enable;
	info->pm1a_cnt =
		fadt_pm1_port(&f->x_pm1a_cnt_blk, FADT_HAS(len, x_pm1a_cnt_blk), f->pm1a_cnt_blk);
	info->pm1b_cnt =
		fadt_pm1_port(&f->x_pm1b_cnt_blk, FADT_HAS(len, x_pm1b_cnt_blk), f->pm1b_cnt_blk);
	fadt_reset(info, f, len);
	if (FADT_HAS(len, flags) && f->pm_tmr_len == 4 && f->pm_tmr_blk &&
	    f->pm_tmr_blk <= 0xfffc) {
		info->pm_tmr_port = (u16)f->pm_tmr_blk;
		info->pm_tmr_32 = f->flags & FADT_TMR_VAL_EXT;
	}

	dsdt_pa = FADT_HAS(len, x_dsdt) && f->x_dsdt ? f->x_dsdt : f->dsdt;
	dsdt = dsdt_pa ? acpi_table_get(w, dsdt_pa) : NULL;
	if (dsdt && acpi_is(dsdt, "DSDT"))
		dsdt_find_s5(info, dsdt);
	else if (dsdt)
		pr_warn("acpi: FADT's DSDT pointer leads to another table, ignored\n");
}

/* ---- RSDT / XSDT ---- */

static void acpi_note_table(struct acpi_info *info, const struct acpi_header *h)
{
	if (info->table_count < ACPI_MAX_TABLES)
		acpi_copy_name(info->tables[info->table_count++], h->signature, 4);
}

/* Visit each table the root lists; entries are 4 (RSDT) or 8 (XSDT) bytes. */
static void acpi_walk_root(struct acpi_walk *w, const struct acpi_header *root, size_t entry_size)
{
	const u8 *entries = (const u8 *)root + sizeof(*root);
	size_t n = (root->length - sizeof(*root)) / entry_size;

	for (size_t i = 0; i < n; i++) {
		const struct acpi_header *h;
		u64 pa = 0;

		memcpy(&pa, entries + i * entry_size, entry_size);
		h = pa ? acpi_table_get(w, pa) : NULL;
		if (!h)
			continue;
		acpi_note_table(w->info, h);
		if (acpi_is(h, "APIC") && !w->have_madt)
			madt_parse(w, h);
		else if (acpi_is(h, "FACP") && !w->have_fadt)
			fadt_parse(w, h);
	}
}

/* The XSDT if the RSDP has one that checks out, else the RSDT. */
static const struct acpi_header *acpi_root_get(struct acpi_walk *w, const struct acpi_rsdp *r)
{
	const struct acpi_header *h;

	if (r->revision >= 2 && r->xsdt_address) {
		h = acpi_table_get(w, r->xsdt_address);
		if (h && acpi_is(h, "XSDT")) {
			w->info->xsdt = true;
			return h;
		}
		pr_warn("acpi: XSDT unusable, trying the RSDT\n");
	}
	h = acpi_table_get(w, r->rsdt_address);
	if (h && acpi_is(h, "RSDT"))
		return h;
	return NULL;
}

int acpi_parse(u64 rsdp_pa, acpi_map_fn map, void *ctx, struct acpi_info *out)
{
	struct acpi_walk w = {.map = map, .ctx = ctx, .info = out};
	const struct acpi_header *root;
	const struct acpi_rsdp *r;

	memset(out, 0, sizeof(*out));
	out->lapic_base = LAPIC_DEFAULT_BASE;
	r = acpi_rsdp_get(&w, rsdp_pa);
	if (!r) {
		pr_warn("acpi: no valid RSDP at 0x%llx\n", (unsigned long long)rsdp_pa);
		return -EINVAL;
	}
	acpi_copy_name(out->oem_id, r->oem_id, 6);
	out->revision = r->revision;
	root = acpi_root_get(&w, r);
	if (!root) {
		pr_warn("acpi: no usable RSDT or XSDT\n");
		return -EINVAL;
	}
	acpi_walk_root(&w, root, out->xsdt ? sizeof(u64) : sizeof(u32));
	return w.have_madt ? 0 : -ENOENT;
}

/* ---- legacy RSDP search ---- */

#define BDA_EBDA_SEG 0x40e /* BIOS data area: real-mode segment of the EBDA */
#define EBDA_SCAN    KiB(1)
#define BIOS_ROM_LO  0xe0000
#define BIOS_ROM_HI  0x100000

/* The RSDP sits on a 16-byte boundary; check every candidate fully. */
static u64 acpi_scan_rsdp(const struct acpi_walk *w, u64 base, size_t len)
{
	const u8 *p = acpi_map(w, base, len);

	if (!p)
		return 0;
	for (size_t off = 0; off + ACPI_RSDP_V1_LEN <= len; off += 16)
		if (memcmp(p + off, "RSD PTR ", 8) == 0 && acpi_rsdp_get(w, base + off))
			return base + off;
	return 0;
}

u64 acpi_find_rsdp_legacy(acpi_map_fn map, void *ctx)
{
	struct acpi_walk w = {.map = map, .ctx = ctx};
	const u16 *seg = acpi_map(&w, BDA_EBDA_SEG, sizeof(*seg));
	u64 ebda = seg ? (u64)*seg << 4 : 0;
	u64 pa = 0;

	/* Below 0x400 is the IVT and BDA; from 0xa0000 on, video and ROMs. */
	if (ebda >= 0x400 && ebda + EBDA_SCAN <= 0xa0000)
		pa = acpi_scan_rsdp(&w, ebda, EBDA_SCAN);
	if (!pa)
		pa = acpi_scan_rsdp(&w, BIOS_ROM_LO, BIOS_ROM_HI - BIOS_ROM_LO);
	return pa;
}

/* ---- boot log ---- */

static void acpi_print_tables(const struct acpi_info *info)
{
	char line[64 + ACPI_MAX_TABLES * 5];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line),
			     "acpi: RSDP rev %u OEM %s via %s, tables:", info->revision,
			     info->oem_id, info->xsdt ? "XSDT" : "RSDT");
	for (u32 i = 0; i < info->table_count && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", info->tables[i]);
	pr_info("%s\n", line);
}

/* "cpu: 2 CPUs, APIC IDs: 0 1" for the enabled CPUs, or the online-capable ones. */
static void acpi_print_cpus(const struct acpi_info *info, bool enabled)
{
	char line[ACPI_MAX_CPUS * 11 + 1] = ""; /* " 4294967295" each */
	u32 count = 0;
	size_t n = 0;

	for (u32 i = 0; i < info->cpu_count; i++) {
		if (info->cpus[i].enabled != enabled)
			continue;
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %u", info->cpus[i].apic_id);
		count++;
	}
	if (enabled)
		pr_info("cpu: %u CPUs, APIC IDs:%s\n", count, line);
	else if (count)
		pr_info("cpu: %u more online-capable, APIC IDs:%s\n", count, line);
}

static void acpi_print_power(const struct acpi_info *info)
{
	static const char *const space[] = {"memory", "I/O", "PCI config"};

	if (info->s5_valid && info->pm1b_cnt)
		pr_info("acpi: power-off via PM1a 0x%x SLP_TYP %u, PM1b 0x%x SLP_TYP %u\n",
			info->pm1a_cnt, info->slp_typ_a, info->pm1b_cnt, info->slp_typ_b);
	else if (info->s5_valid)
		pr_info("acpi: power-off via PM1a 0x%x SLP_TYP %u\n", info->pm1a_cnt,
			info->slp_typ_a);
	else
		pr_info("acpi: no S5 power-off information\n");
	if (info->pm_tmr_port)
		pr_info("acpi: PM timer at port 0x%x, %u bits\n", info->pm_tmr_port,
			info->pm_tmr_32 ? 32 : 24);
	if (info->reset_valid)
		pr_info("acpi: reset via %s 0x%llx value 0x%x\n",
			info->reset_space < ARRAY_SIZE(space) ? space[info->reset_space] : "?",
			(unsigned long long)info->reset_addr, info->reset_value);
}

void acpi_print(const struct acpi_info *info)
{
	if (info->oem_id[0])
		acpi_print_tables(info);
	else
		pr_info("acpi: no RSDP\n");
	pr_info("acpi: local APIC at 0x%llx%s\n", (unsigned long long)info->lapic_base,
		info->pcat_compat ? ", 8259 PICs present" : "");
	acpi_print_cpus(info, true);
	acpi_print_cpus(info, false);
	for (u32 i = 0; i < info->ioapic_count; i++)
		pr_info("ioapic: id %u at 0x%llx gsi %u\n", info->ioapics[i].id,
			(unsigned long long)info->ioapics[i].base, info->ioapics[i].gsi_base);
	acpi_print_power(info);
}
