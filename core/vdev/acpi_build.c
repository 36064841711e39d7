// SPDX-License-Identifier: MIT
/* A VM's ACPI tables (RSDP, RSDT, XSDT, FADT, FACS, MADT, DSDT) built into a buffer. */
#include <hv/acpi_aml.h>
#include <hv/acpi.h>
#include <hv/acpi_build.h>
#include <hv/errno.h>
#include <hv/string.h>
#include <hv/vcpuhp.h>

/*
 * Layout of the blob, every address a guest address (cfg->base + offset):
 *
 *   +0     RSDP (36 bytes)
 *   +64    FACS (64 bytes, 64-byte aligned)
 *          DSDT, FADT, MADT, RSDT, XSDT (each 8-byte aligned)
 *
 * Each table is written once a table it points to has its address, so no
 * pointer is patched afterwards; a table's checksum is set when it is done.
 */

#define ACPI_OEM_TABLE_ID "SPROUTVM"
#define ACPI_CREATOR_ID	  "SPRT"
#define ACPI_OEM_REV	  1
#define ACPI_CREATOR_REV  1
#define ACPI_TABLE_ALIGN  8
#define ACPI_FACS_ALIGN	  64

/* Root System Description Pointer (ACPI 6.5, 5.2.5.3), revision 2. */
struct rsdp {
	char signature[8];
	u8 checksum; /* over the first 20 bytes */
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 ext_checksum; /* over all 36 bytes */
	u8 reserved[3];
} __packed;

#define RSDP_V1_LEN   20
#define RSDP_REVISION 2

/* System Description Table header (5.2.6). */
struct sdt_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __packed;

/* Generic Address Structure (5.2.3.2). */
struct gas {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size; /* 1 byte, 2 word, 3 dword, 4 qword */
	u64 address;
} __packed;

#define GAS_SPACE_IO 1

/* FADT (5.2.9), revision 6: all 276 bytes, offsets as in Table 5.9. */
struct fadt {
	struct sdt_header hdr;
	u32 firmware_ctrl; /* 36 */
	u32 dsdt;	   /* 40 */
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int; /* 46 */
	u32 smi_cmd; /* 48 */
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk; /* 56 */
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk; /* 64 */
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk; /* 76 */
	u32 gpe0_blk;	/* 80 */
	u32 gpe1_blk;
	u8 pm1_evt_len; /* 88 */
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat; /* 96 */
	u16 p_lvl3_lat;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;	    /* 108 */
	u16 iapc_boot_arch; /* 109 */
	u8 reserved1;
	u32 flags;	      /* 112 */
	struct gas reset_reg; /* 116 */
	u8 reset_value;	      /* 128 */
	u16 arm_boot_arch;
	u8 minor_revision;
	u64 x_firmware_ctrl;	   /* 132 */
	u64 x_dsdt;		   /* 140 */
	struct gas x_pm1a_evt_blk; /* 148 */
	struct gas x_pm1b_evt_blk;
	struct gas x_pm1a_cnt_blk; /* 172 */
	struct gas x_pm1b_cnt_blk;
	struct gas x_pm2_cnt_blk;
	struct gas x_pm_tmr_blk; /* 208 */
	struct gas x_gpe0_blk;	 /* 220 */
	struct gas x_gpe1_blk;
	struct gas sleep_control_reg;
	struct gas sleep_status_reg;
	u64 hypervisor_vendor_id; /* 268 */
} __packed;

_Static_assert(sizeof(struct rsdp) == 36, "RSDP layout");
_Static_assert(sizeof(struct sdt_header) == 36, "table header layout");
_Static_assert(offsetof(struct fadt, pm_tmr_blk) == 76, "FADT layout");
_Static_assert(offsetof(struct fadt, flags) == 112, "FADT layout");
_Static_assert(offsetof(struct fadt, x_dsdt) == 140, "FADT layout");
_Static_assert(offsetof(struct fadt, x_pm_tmr_blk) == 208, "FADT layout");
_Static_assert(sizeof(struct fadt) == 276, "FADT 6.x length");

/* FADT 6.3: the revision that goes with MADT revision 5 (online capable CPUs). */
#define FADT_REVISION		 6
#define FADT_MINOR_REVISION	 3

#define FADT_WBINVD		 BIT(0)
#define FADT_PROC_C1		 BIT(2)
#define FADT_SLP_BUTTON		 BIT(5) /* no fixed-feature sleep button */
#define FADT_TMR_VAL_EXT	 BIT(8)
#define FADT_RESET_REG_SUP	 BIT(10)

#define FADT_BOOT_LEGACY_DEVICES BIT(0) /* ISA devices (COM1, RTC) the OS can't enumerate */

/* P_LVLx_LAT above these says C2 and C3 are not supported. */
#define FADT_NO_C2 101
#define FADT_NO_C3 1001

/* Firmware ACPI Control Structure (5.2.10): no header, no checksum. */
struct facs {
	char signature[4];
	u32 length;
	u32 hardware_signature;
	u32 firmware_waking_vector;
	u32 global_lock;
	u32 flags;
	u64 x_firmware_waking_vector;
	u8 version;
	u8 reserved0[3];
	u32 ospm_flags;
	u8 reserved1[24];
} __packed;

_Static_assert(sizeof(struct facs) == 64, "FACS layout");

#define FACS_VERSION 2

/* MADT (5.2.12) and the entry types written here. */
struct madt {
	struct sdt_header hdr;
	u32 lapic_address;
	u32 flags;
} __packed;

#define MADT_REVISION	 5 /* ACPI 6.3: Online Capable in the LAPIC flags */
#define MADT_PCAT_COMPAT BIT(0)

enum madt_type {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_ISO = 2,
	MADT_LAPIC_NMI = 4,
};

struct madt_lapic {
	u8 type, length;
	u8 uid;
	u8 apic_id;
	u32 flags;
} __packed;

#define MADT_LAPIC_ENABLED	  BIT(0)
#define MADT_LAPIC_ONLINE_CAPABLE BIT(1)

struct madt_ioapic {
	u8 type, length;
	u8 id;
	u8 reserved;
	u32 address;
	u32 gsi_base;
} __packed;

struct madt_iso {
	u8 type, length;
	u8 bus; /* 0: ISA */
	u8 source;
	u32 gsi;
	u16 flags;
} __packed;

/* MPS INTI flags: polarity in bits 1:0, trigger mode in bits 3:2. */
#define MPS_INTI_CONFORMS   0
#define MPS_INTI_ACTIVE_HI  0x1
#define MPS_INTI_TRIG_LEVEL 0xc

struct madt_lapic_nmi {
	u8 type, length;
	u8 uid; /* 0xff: all processors */
	u16 flags;
	u8 lint;
} __packed;

#define MADT_ALL_CPUS 0xff

/* ---- output buffer ---- */

struct acpi_out {
	u8 *buf;
	u32 size;
	u32 off;
	gpa_t base;
};

static gpa_t out_gpa(const struct acpi_out *o, const void *p)
{
	return o->base + (gpa_t)((const u8 *)p - o->buf);
}

/* Zeroed space for len bytes at a guest address aligned to align; NULL if it does not fit. */
static void *out_alloc(struct acpi_out *o, u32 len, u32 align)
{
	u64 off = ALIGN_UP(o->base + o->off, align) - o->base;
	void *p;

	if (off > o->size || len > o->size - off)
		return NULL;
	/* Zero the alignment gap too: nothing of what buf held may reach the guest. */
	memset(o->buf + o->off, 0, (size_t)(off + len - o->off));
	p = o->buf + off;
	o->off = (u32)(off + len);
	return p;
}

static void sdt_header_init(struct sdt_header *h, const char *sig, u32 len, u8 rev,
			    const struct acpi_build_cfg *cfg)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, cfg->oem_id, sizeof(h->oem_id));
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = ACPI_OEM_REV;
	memcpy(h->creator_id, ACPI_CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = ACPI_CREATOR_REV;
}

/* Set the checksum once the table is complete: all h->length bytes sum to 0. */
static void sdt_finish(struct sdt_header *h)
{
	h->checksum = 0;
	h->checksum = (u8)-acpi_sum(h, h->length);
}

/* ---- DSDT ---- */

/* A fixed ISA device of the VM: one I/O range and one IRQ. */
struct isa_dev {
	char name[5];
	char hid[8];
	u32 uid;
	const char *ddn; /* _DDN, the DOS device name, if it has one */
	u16 port;
	u8 port_len;
	u8 irq;
};

/* What Linux looks for: 8250 serial (PNP0501) and the CMOS RTC (PNP0B00). */
static const struct isa_dev isa_devs[] = {
	{"COM1", "PNP0501", 1, "COM1", 0x3f8, 8, 4},
	{"RTC_", "PNP0B00", 0, NULL, 0x70, 2, 8},
};

#define ACPI_STA_PRESENT 0x0f /* present, enabled, shown in UI, functioning */

static void dsdt_isa_dev(struct aml *a, const struct isa_dev *d)
{
	u32 dev = aml_device(a, d->name);
	struct aml_res crs = {.len = 0};
	u32 sta;

	aml_name_eisaid(a, "_HID", d->hid);
	aml_name_int(a, "_UID", d->uid);
	if (d->ddn)
		aml_name_string(a, "_DDN", d->ddn);
	sta = aml_method(a, "_STA", 0);
	aml_return_int(a, ACPI_STA_PRESENT);
	aml_close(a, sta);
	aml_res_io(&crs, d->port, d->port_len);
	aml_res_irq(&crs, d->irq);
	aml_name_res(a, "_CRS", &crs);
	aml_close(a, dev);
}

/*
 * The PCI root bridge, as QEMU's i440fx describes it: bus 0, the
 * configuration ports as a consumed IO range, every other port forwarded
 * (0-0xcf7, 0xd00-0xffff) and one 32-bit memory window. No _ADR beside the
 * _HID (QEMU has both): ACPI 6.5, 6.1 says a device should not have both,
 * and iasl warns. The ISA devices stay in \_SB: there is no ISA bridge
 * function on bus 0 to put them under.
 */
static void dsdt_pci0(struct aml *a, const struct acpi_build_cfg *cfg)
{
	u32 dev = aml_device(a, "PCI0");
	struct aml_res crs = {.len = 0};
	const u16 cfg_end = ACPI_PCI_CONFIG_PORT + ACPI_PCI_CONFIG_LEN;

	aml_name_eisaid(a, "_HID", "PNP0A03");
	aml_name_int(a, "_UID", 0);
	aml_name_int(a, "_BBN", 0);
	aml_res_word_bus(&crs, 0, 0);
	aml_res_io(&crs, ACPI_PCI_CONFIG_PORT, ACPI_PCI_CONFIG_LEN);
	aml_res_word_io(&crs, 0, ACPI_PCI_CONFIG_PORT - 1);
	aml_res_word_io(&crs, cfg_end, 0xffff); /* 0xd00-0xffff */
	aml_res_dword_mem(&crs, (u32)cfg->pci_mem_base, (u32)(cfg->pci_mem_end - 1));
	aml_name_res(a, "_CRS", &crs);
	aml_close(a, dev);
}

/* Name (\_S5_, Package (4) {typ, typ, 0, 0}): SLP_TYPa and SLP_TYPb for soft off. */
static void dsdt_s5(struct aml *a, u8 slp_typ)
{
	u32 pkg;

	aml_byte(a, AML_NAME_OP);
	aml_name(a, "\\_S5_");
	aml_byte(a, AML_PACKAGE_OP);
	pkg = aml_open(a);
	aml_byte(a, 4); /* NumElements */
	aml_int(a, slp_typ);
	aml_int(a, slp_typ);
	aml_int(a, 0);
	aml_int(a, 0);
	aml_close(a, pkg);
}

static void dsdt_body(struct aml *a, const struct acpi_build_cfg *cfg)
{
	u32 sb;

	dsdt_s5(a, cfg->s5_slp_typ);
	sb = aml_scope(a, "\\_SB_");
	dsdt_pci0(a, cfg);
	for (u32 i = 0; i < ARRAY_SIZE(isa_devs); i++)
		dsdt_isa_dev(a, &isa_devs[i]);
	if (cfg->cpuhp_port)
		acpi_dsdt_cpuhp_sb(a, cfg);
	aml_close(a, sb);
	if (cfg->cpuhp_port)
		acpi_dsdt_cpuhp_gpe(a, cfg);
}

static struct sdt_header *build_dsdt(struct acpi_out *o, const struct acpi_build_cfg *cfg)
{
	struct sdt_header *h = out_alloc(o, sizeof(*h), ACPI_TABLE_ALIGN);
	struct aml a;

	if (!h)
		return NULL;
	a = (struct aml){.p = o->buf + o->off, .cap = o->size - o->off};
	dsdt_body(&a, cfg);
	if (a.full)
		return NULL;
	o->off += a.len;
	/* Revision 2: integers are 64 bits. */
	sdt_header_init(h, "DSDT", (u32)sizeof(*h) + a.len, 2, cfg);
	sdt_finish(h);
	return h;
}

/* ---- FADT, FACS ---- */

static struct gas gas_io(u16 port, u8 len, u8 access_size)
{
	return (struct gas){.space_id = GAS_SPACE_IO,
			    .bit_width = (u8)(len * 8),
			    .access_size = access_size,
			    .address = port};
}

static struct facs *build_facs(struct acpi_out *o)
{
	struct facs *f = out_alloc(o, sizeof(*f), ACPI_FACS_ALIGN);

	if (!f)
		return NULL;
	memcpy(f->signature, "FACS", 4);
	f->length = sizeof(*f);
	f->version = FACS_VERSION;
	return f;
}

static void fadt_pm_blocks(struct fadt *f, const struct acpi_build_cfg *cfg)
{
	u16 pm = cfg->pm_base;

	f->pm1a_evt_blk = pm + ACPI_PM1A_EVT_OFF;
	f->pm1a_cnt_blk = pm + ACPI_PM1A_CNT_OFF;
	f->pm_tmr_blk = cfg->pm_tmr_port ? cfg->pm_tmr_port : pm + ACPI_PM_TMR_OFF;
	f->gpe0_blk = pm + ACPI_GPE0_OFF;
	f->pm1_evt_len = ACPI_PM1A_EVT_LEN;
	f->pm1_cnt_len = ACPI_PM1A_CNT_LEN;
	f->pm_tmr_len = ACPI_PM_TMR_LEN;
	f->gpe0_blk_len = ACPI_GPE0_LEN;
	/* Access sizes: PM1 registers are 16 bits, the timer 32, GPE bytes 8. */
	f->x_pm1a_evt_blk = gas_io((u16)f->pm1a_evt_blk, ACPI_PM1A_EVT_LEN, 2);
	f->x_pm1a_cnt_blk = gas_io((u16)f->pm1a_cnt_blk, ACPI_PM1A_CNT_LEN, 2);
	f->x_pm_tmr_blk = gas_io((u16)f->pm_tmr_blk, ACPI_PM_TMR_LEN, 3);
	f->x_gpe0_blk = gas_io((u16)f->gpe0_blk, ACPI_GPE0_LEN, 1);
}

static struct fadt *build_fadt(struct acpi_out *o, const struct acpi_build_cfg *cfg, gpa_t facs,
			       gpa_t dsdt)
{
	struct fadt *f = out_alloc(o, sizeof(*f), ACPI_TABLE_ALIGN);

	if (!f)
		return NULL;
	sdt_header_init(&f->hdr, "FACP", sizeof(*f), FADT_REVISION, cfg);
	f->minor_revision = FADT_MINOR_REVISION;
	f->firmware_ctrl = (u32)facs;
	f->x_firmware_ctrl = facs;
	f->dsdt = (u32)dsdt;
	f->x_dsdt = dsdt;
	f->sci_int = cfg->sci_irq;
	/* SMI_CMD 0: no SMM, the hardware is in ACPI mode from reset. */
	f->smi_cmd = 0;
	fadt_pm_blocks(f, cfg);
	f->p_lvl2_lat = FADT_NO_C2;
	f->p_lvl3_lat = FADT_NO_C3;
	f->century = ACPI_RTC_CENTURY;
	/* ISA devices (COM1, RTC) yes; no 8042 keyboard controller, so bit 1 stays clear. */
	f->iapc_boot_arch = FADT_BOOT_LEGACY_DEVICES;
	f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_RESET_REG_SUP |
		   (cfg->pm_tmr_port && cfg->pm_tmr_24bit ? 0 : FADT_TMR_VAL_EXT);
	f->reset_reg = gas_io(ACPI_RESET_PORT, 1, 1);
	f->reset_value = ACPI_RESET_VALUE;
	sdt_finish(&f->hdr);
	return f;
}

/* ---- MADT ---- */

static void *madt_entry(struct acpi_out *o, u8 type, u8 len)
{
	u8 *e = out_alloc(o, len, 1);

	if (e) {
		e[0] = type;
		e[1] = len;
	}
	return e;
}

static bool madt_cpus(struct acpi_out *o, const struct acpi_build_cfg *cfg)
{
	for (u32 i = 0; i < cfg->cpus_possible; i++) {
		struct madt_lapic *l = madt_entry(o, MADT_LAPIC, sizeof(*l));

		if (!l)
			return false;
		l->uid = (u8)i;
		l->apic_id = (u8)i;
		l->flags = i < cfg->cpus_present ? MADT_LAPIC_ENABLED : MADT_LAPIC_ONLINE_CAPABLE;
	}
	return true;
}

static bool madt_iso(struct acpi_out *o, u8 irq, u32 gsi, u16 flags)
{
	struct madt_iso *s = madt_entry(o, MADT_ISO, sizeof(*s));

	if (!s)
		return false;
	s->source = irq;
	s->gsi = gsi;
	s->flags = flags;
	return true;
}

static bool madt_ioapic_nmi(struct acpi_out *o, const struct acpi_build_cfg *cfg)
{
	struct madt_ioapic *io = madt_entry(o, MADT_IOAPIC, sizeof(*io));
	struct madt_lapic_nmi *nmi;

	if (!io)
		return false;
	io->id = (u8)cfg->ioapic_id;
	io->address = (u32)cfg->ioapic_addr;
	io->gsi_base = cfg->ioapic_gsi_base;
	/* The PIT's IRQ0 is on IO-APIC pin 2, as on every PC since the MPS. */
	if (!madt_iso(o, 0, cfg->ioapic_gsi_base + 2, MPS_INTI_CONFORMS) ||
	    !madt_iso(o, cfg->sci_irq, cfg->ioapic_gsi_base + cfg->sci_irq,
		      MPS_INTI_ACTIVE_HI | MPS_INTI_TRIG_LEVEL))
		return false;
	nmi = madt_entry(o, MADT_LAPIC_NMI, sizeof(*nmi));
	if (!nmi)
		return false;
	nmi->uid = MADT_ALL_CPUS;
	nmi->flags = MPS_INTI_CONFORMS;
	nmi->lint = 1;
	return true;
}

static struct madt *build_madt(struct acpi_out *o, const struct acpi_build_cfg *cfg)
{
	struct madt *m = out_alloc(o, sizeof(*m), ACPI_TABLE_ALIGN);

	if (!m || !madt_cpus(o, cfg) || !madt_ioapic_nmi(o, cfg))
		return NULL;
	m->lapic_address = (u32)cfg->lapic_addr;
	m->flags = MADT_PCAT_COMPAT;
	sdt_header_init(&m->hdr, "APIC", (u32)(o->buf + o->off - (u8 *)m), MADT_REVISION, cfg);
	sdt_finish(&m->hdr);
	return m;
}

/* ---- RSDT, XSDT, RSDP ---- */

/* The RSDT (4-byte entries) or XSDT (8-byte entries) listing n tables. */
static struct sdt_header *build_root(struct acpi_out *o, const struct acpi_build_cfg *cfg,
				     const char *sig, u32 entry_size, const gpa_t *tables, u32 n)
{
	u32 len = (u32)sizeof(struct sdt_header) + n * entry_size;
	struct sdt_header *h = out_alloc(o, len, ACPI_TABLE_ALIGN);

	if (!h)
		return NULL;
	sdt_header_init(h, sig, len, 1, cfg);
	/* x86 is little-endian: an RSDT entry is the low half of the address. */
	for (u32 i = 0; i < n; i++)
		memcpy((u8 *)(h + 1) + i * entry_size, &tables[i], entry_size);
	sdt_finish(h);
	return h;
}

static void build_rsdp(struct rsdp *r, const struct acpi_build_cfg *cfg, gpa_t rsdt, gpa_t xsdt)
{
	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, cfg->oem_id, sizeof(r->oem_id));
	r->revision = RSDP_REVISION;
	r->rsdt_address = (u32)rsdt;
	r->length = sizeof(*r);
	r->xsdt_address = xsdt;
	r->checksum = (u8)-acpi_sum(r, RSDP_V1_LEN);
	r->ext_checksum = (u8)-acpi_sum(r, sizeof(*r));
}

/* [base, end) overlaps the page at addr. */
static bool overlaps_page(gpa_t base, gpa_t end, gpa_t addr)
{
	return base < addr + PAGE_SIZE && addr < end;
}

static bool pci_window_ok(const struct acpi_build_cfg *cfg)
{
	gpa_t base = cfg->pci_mem_base, end = cfg->pci_mem_end;

	if (!IS_ALIGNED(base, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE) || base >= end ||
	    end > GiB(4))
		return false;
	return !overlaps_page(base, end, cfg->ioapic_addr) &&
	       !overlaps_page(base, end, cfg->lapic_addr);
}

static bool acpi_cfg_ok(const struct acpi_build_cfg *cfg)
{
	const u64 below_4g = GiB(4); /* the RSDT and the 32-bit FADT fields hold 32 bits */

	if (!IS_ALIGNED(cfg->base, 16) || cfg->base >= below_4g ||
	    cfg->base + cfg->size_max > below_4g)
		return false;
	if (cfg->cpus_possible < 1 || cfg->cpus_possible > ACPI_BUILD_MAX_CPUS ||
	    cfg->cpus_present < 1 || cfg->cpus_present > cfg->cpus_possible)
		return false;
	if (cfg->ioapic_id > 0xff || cfg->ioapic_addr >= below_4g || cfg->lapic_addr >= below_4g)
		return false;
	if (!pci_window_ok(cfg))
		return false;
	/* IRQ0 is the PIT's (override to GSI 2) and IRQ2 the PIC cascade. */
	if (cfg->sci_irq >= 16 || cfg->sci_irq == 0 || cfg->sci_irq == 2)
		return false;
	if (cfg->cpuhp_port &&
	    (cfg->cpuhp_gpe >= ACPI_GPE0_LEN / 2 * 8 || cfg->cpuhp_port > 0x10000 - VCPUHP_IO_LEN))
		return false;
	return cfg->s5_slp_typ <= 7 && cfg->pm_base != 0 &&
	       cfg->pm_base <= 0x10000 - ACPI_PM_BLOCK_LEN && cfg->pm_tmr_port <= 0xfffc;
}

int acpi_build(const struct acpi_build_cfg *cfg, void *buf, u32 *used)
{
	struct acpi_out o = {.buf = buf, .size = cfg->size_max, .base = cfg->base};
	struct sdt_header *dsdt, *rsdt, *xsdt;
	gpa_t tables[2];
	struct rsdp *rsdp;
	struct facs *facs;
	struct fadt *fadt;
	struct madt *madt;

	if (!acpi_cfg_ok(cfg))
		return -EINVAL;
	rsdp = out_alloc(&o, sizeof(*rsdp), 16);
	facs = rsdp ? build_facs(&o) : NULL;
	dsdt = facs ? build_dsdt(&o, cfg) : NULL;
	fadt = dsdt ? build_fadt(&o, cfg, out_gpa(&o, facs), out_gpa(&o, dsdt)) : NULL;
	madt = fadt ? build_madt(&o, cfg) : NULL;
	if (!madt)
		return -ENOSPC;
	tables[0] = out_gpa(&o, fadt);
	tables[1] = out_gpa(&o, madt);
	rsdt = build_root(&o, cfg, "RSDT", sizeof(u32), tables, ARRAY_SIZE(tables));
	xsdt = rsdt ? build_root(&o, cfg, "XSDT", sizeof(u64), tables, ARRAY_SIZE(tables)) : NULL;
	if (!xsdt)
		return -ENOSPC;
	build_rsdp(rsdp, cfg, out_gpa(&o, rsdt), out_gpa(&o, xsdt));
	*used = o.off;
	return 0;
}
