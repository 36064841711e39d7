/* SPDX-License-Identifier: MIT */
/* A VM's ACPI tables: RSDP, RSDT, XSDT, FADT, FACS, MADT and a DSDT of AML written byte by byte. */
#ifndef HV_ACPI_BUILD_H
#define HV_ACPI_BUILD_H

#include <hv/types.h>

#define ACPI_BUILD_MAX_CPUS 64

/*
 * The VM's ACPI PM port block, as offsets from acpi_build_cfg.pm_base, and
 * the length of each register block (ACPI 6.5, 4.8.3). The device model
 * behind these ports must read SCI_EN as 1 in PM1a_CNT: there is no SMI_CMD
 * port, so ACPI mode is always on.
 */
#define ACPI_PM1A_EVT_OFF 0x00
#define ACPI_PM1A_EVT_LEN 4 /* PM1 status and enable, 16 bits each */
#define ACPI_PM1A_CNT_OFF 0x04
#define ACPI_PM1A_CNT_LEN 2
#define ACPI_PM_TMR_OFF	  0x08
#define ACPI_PM_TMR_LEN	  4 /* 32-bit timer: FADT TMR_VAL_EXT */
#define ACPI_GPE0_OFF	  0x20
#define ACPI_GPE0_LEN	  8 /* GPE0 status, then GPE0 enable, 4 bytes each */
#define ACPI_PM_BLOCK_LEN 0x28

/* FADT RESET_REG: write 0x06 (full reset, system reset) to the PCI reset control port. */
#define ACPI_RESET_PORT	 0xcf9
#define ACPI_RESET_VALUE 0x06

/*
 * The PCI root bridge \_SB.PCI0: configuration mechanism #1 at these ports,
 * bus 0 only, and the I/O ports it forwards (all but the configuration ports).
 */
#define ACPI_PCI_CONFIG_PORT 0xcf8
#define ACPI_PCI_CONFIG_LEN  8

/* CMOS RTC register holding the century, in the FADT CENTURY field. */
#define ACPI_RTC_CENTURY 0x32

struct acpi_build_cfg {
	gpa_t base;	   /* guest address of the blob; 16-byte aligned, RSDP first */
	u32 size_max;	   /* bytes available at base; base + size_max <= 4 GiB */
	u32 cpus_possible; /* processor entries in the MADT, 1..ACPI_BUILD_MAX_CPUS */
	u32 cpus_present;  /* the first cpus_present are enabled, the rest online capable */
	u32 ioapic_id;	   /* < 256 */
	gpa_t ioapic_addr; /* < 4 GiB */
	u32 ioapic_gsi_base;
	gpa_t lapic_addr; /* 0xfee00000; < 4 GiB */
	/*
	 * PCI0's 32-bit memory window [pci_mem_base, pci_mem_end): page aligned,
	 * below 4 GiB, clear of the IOAPIC and LAPIC pages.
	 */
	gpa_t pci_mem_base;
	gpa_t pci_mem_end;
	u16 pm_base; /* I/O port of the PM block: ACPI_*_OFF above */
	/*
	 * The PM timer the FADT names, if not the block's own (pm_base +
	 * ACPI_PM_TMR_OFF, 32 bits): the host's, passed through; <= 0xfffc.
	 */
	u16 pm_tmr_port;
	bool pm_tmr_24bit;
	u8 sci_irq;    /* ISA IRQ of the SCI, level, active high; < 16, not 0 or 2 */
	u8 s5_slp_typ; /* PM1_CNT.SLP_TYP for S5 (soft off), 0..7 */
	/*
	 * ACPI CPU hotplug (include/hv/vcpuhp.h): the register block's I/O port,
	 * 0 for none, and the GPE0 bit whose _Exx method scans it (< 32).
	 */
	u16 cpuhp_port;
	u8 cpuhp_gpe;
	char oem_id[6]; /* copied as is into the RSDP and every table header */
};

/*
 * Build the tables for cfg into buf, which the guest will see at cfg->base,
 * RSDP at offset 0. Table addresses in the blob are guest addresses. On
 * success set *used to the bytes written (at most cfg->size_max) and return
 * 0; -EINVAL if cfg is out of the ranges above; -ENOSPC if the tables do not
 * fit in size_max. buf may be left partly written on error.
 *
 * @pre buf holds cfg->size_max bytes.
 */
int acpi_build(const struct acpi_build_cfg *cfg, void *buf, u32 *used);

struct aml;
/* The DSDT's CPU hotplug objects (acpi_cpuhp.c): \_SB.PRES and \_SB.CPUS, inside \_SB. */
void acpi_dsdt_cpuhp_sb(struct aml *a, const struct acpi_build_cfg *cfg);
/* Scope (\_GPE) with the _Exx method that scans for CPU events, at the root. */
void acpi_dsdt_cpuhp_gpe(struct aml *a, const struct acpi_build_cfg *cfg);

#endif
