/* SPDX-License-Identifier: MIT */
/* Host ACPI discovery: CPUs and IO-APICs from the MADT, power-off and reset from the FADT. */
#ifndef HV_ACPI_H
#define HV_ACPI_H

#include <hv/types.h>

#define ACPI_MAX_CPUS	 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_TABLES	 32

/* ACPI Generic Address Structure address spaces (RESET_REG). */
#define ACPI_SPACE_MEM 0
#define ACPI_SPACE_IO  1
#define ACPI_SPACE_PCI 2

struct acpi_cpu {
	u32 apic_id;	     /* xAPIC or x2APIC ID */
	u32 uid;	     /* ACPI processor UID */
	bool enabled;	     /* running now: ours to start */
	bool online_capable; /* absent now, may be hot-added (MADT rev >= 5) */
};

struct acpi_ioapic {
	u32 id;
	u64 base;
	u32 gsi_base;
};

struct acpi_info {
	char oem_id[7]; /* from the RSDP, NUL-terminated */
	u8 revision;	/* of the RSDP: 0 is ACPI 1.0, 2 is ACPI 2.0+ */
	bool xsdt;	/* the XSDT was used, else the RSDT */

	u64 lapic_base;	  /* after any LAPIC address override */
	bool pcat_compat; /* dual 8259 PICs present: mask them */
	u32 cpu_count;	  /* enabled or online-capable CPUs, in MADT order */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	u32 ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];

	/* Power-off: write SLP_TYP << 10 | SLP_EN to PM1a (and PM1b if present). */
	u16 pm1a_cnt; /* I/O ports, 0 if absent */
	u16 pm1b_cnt;
	u8 slp_typ_a; /* from the DSDT's \_S5_ package */
	u8 slp_typ_b;
	bool s5_valid; /* \_S5_ decoded and PM1a known */

	/* Reset: write reset_value to reset_addr in reset_space (ACPI_SPACE_*). */
	u8 reset_space;
	u64 reset_addr;
	u8 reset_value;
	bool reset_valid; /* FADT RESET_REG_SUP set and RESET_REG filled */

	/* The ACPI PM timer: I/O port (0 if absent) and width (FADT TMR_VAL_EXT). */
	u16 pm_tmr_port;
	bool pm_tmr_32;

	/* Write acpi_enable to I/O port smi_cmd if PM1a_CNT.SCI_EN is clear. */
	u32 smi_cmd;
	u8 acpi_enable;

	u32 table_count; /* signatures listed by the root table, for the boot log */
	char tables[ACPI_MAX_TABLES][5];
};

/*
 * Map len bytes of physical memory at pa for reading; NULL if not possible.
 * The mapping must stay valid until acpi_parse() returns. In the hypervisor
 * this is the identity map; unit tests map captured buffers.
 */
typedef const void *(*acpi_map_fn)(u64 pa, size_t len, void *ctx);

/*
 * Fill *out from the tables under the RSDP at rsdp_pa. Every table is checked
 * (length, checksum) and a bad one is skipped with a warning. Returns 0;
 * -EINVAL if the RSDP or the root table is unusable; -ENOENT if there is no
 * valid MADT, in which case *out still holds what the FADT gave and the
 * caller should assume a single CPU.
 */
int acpi_parse(u64 rsdp_pa, acpi_map_fn map, void *ctx, struct acpi_info *out);

/*
 * Legacy BIOS: look for a valid RSDP in the first KiB of the EBDA, then in
 * 0xE0000-0xFFFFF. Returns its physical address, or 0 if there is none.
 */
u64 acpi_find_rsdp_legacy(acpi_map_fn map, void *ctx);

/* Log what acpi_parse() found: root table, CPUs, IO-APICs, power-off method. */
void acpi_print(const struct acpi_info *info);

/* Byte sum of an ACPI table or RSDP: 0 when its checksum is right. */
u8 acpi_sum(const void *p, size_t len);

#endif
