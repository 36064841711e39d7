// SPDX-License-Identifier: MIT
/* ACPI S5 power-off (with the isa-debug-exit port for test runs). */
#include <arch/power.h>
#include <arch/smp.h>
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/printk.h>

#define DEBUG_EXIT_PORT 0xf4
#define PM1_SLP_EN	BIT(13)
#define PM1_SCI_EN	BIT(0)

static struct {
	u16 pm1a_cnt, pm1b_cnt;
	u8 slp_typ_a, slp_typ_b;
	bool s5_valid;
	u32 smi_cmd;
	u8 acpi_enable;
} pm;

void power_init(const struct acpi_info *acpi)
{
	pm.pm1a_cnt = acpi->pm1a_cnt;
	pm.pm1b_cnt = acpi->pm1b_cnt;
	pm.slp_typ_a = acpi->slp_typ_a;
	pm.slp_typ_b = acpi->slp_typ_b;
	pm.s5_valid = acpi->s5_valid;
	pm.smi_cmd = acpi->smi_cmd;
	pm.acpi_enable = acpi->acpi_enable;
}

static void acpi_s5(void)
{
	if (!pm.pm1a_cnt || !pm.s5_valid)
		return;
	/* Firmware may leave the machine in legacy mode: ask it to enable ACPI first. */
	if (!(inw(pm.pm1a_cnt) & PM1_SCI_EN) && pm.smi_cmd && pm.acpi_enable) {
		outb((u16)pm.smi_cmd, pm.acpi_enable);
		for (int i = 0; i < 1000000 && !(inw(pm.pm1a_cnt) & PM1_SCI_EN); i++)
			;
	}
	outw(pm.pm1a_cnt, (u16)((pm.slp_typ_a << 10) | PM1_SLP_EN));
	if (pm.pm1b_cnt)
		outw(pm.pm1b_cnt, (u16)((pm.slp_typ_b << 10) | PM1_SLP_EN));
}

/* PCI configuration read through the legacy 0xcf8/0xcfc mechanism. */
static u32 pci_read32(u32 bus, u32 dev, u32 fn, u32 reg)
{
	outl(0xcf8, BIT(31) | (bus << 16) | (dev << 11) | (fn << 8) | (reg & 0xfc));
	return inl(0xcfc);
}

/*
 * Without ACPI tables (Bochs with OVMF has none), fall back to the PIIX4
 * power-management function at 00:01.3: its PMBA register gives the PM I/O
 * block, and writing SLP_EN with sleep type 0 to PM1 control powers off.
 */
static void piix4_s5(void)
{
	u32 id = pci_read32(0, 1, 3, 0x00);
	u16 pmba;

	if (id != 0x71138086) /* Intel 82371AB PIIX4 ACPI */
		return;
	pmba = (u16)(pci_read32(0, 1, 3, 0x40) & 0xffc0);
	if (pmba)
		outw(pmba + 4, PM1_SLP_EN);
}

void power_off(int status, bool report_status)
{
	cli();
	smp_stop_others();
	pr_info("sprout: shutdown (status %d)\n", status);
	printk_flush();
	if (report_status)
		outl(DEBUG_EXIT_PORT, (u32)status);
	acpi_s5();
	/* The chipset takes a moment to act on SLP_EN; only then call it a failure. */
	udelay(200000);
	piix4_s5();
	udelay(200000);
	/* Still here: no ACPI S5 or it did not take. Nothing else to do but stop. */
	pr_err("sprout: power-off failed; halting\n");
	cpu_halt_forever();
}
