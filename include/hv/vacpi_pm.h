/* SPDX-License-Identifier: MIT */
/* Virtual ACPI fixed hardware: PM1a event/control, PM timer and GPE0 blocks, SCI level. */
#ifndef HV_VACPI_PM_H
#define HV_VACPI_PM_H

#include <hv/types.h>

/*
 * I/O layout from the base given at init (e.g. 0x600); the FADT takes the
 * block addresses and lengths from here (ACPI 6.5, 4.8 "ACPI Hardware
 * Model"). The FADT sets TMR_VAL_EXT (32-bit timer) and SMI_CMD = 0, so the
 * OS finds SCI_EN set and never asks to switch to ACPI mode.
 */
#define VACPI_PM1A_EVT_OFF 0x00 /* PM1_STS at +0, PM1_EN at +2 */
#define VACPI_PM1A_EVT_LEN 4
#define VACPI_PM1A_CNT_OFF 0x04
#define VACPI_PM1A_CNT_LEN 2
#define VACPI_PM_TMR_OFF   0x08
#define VACPI_PM_TMR_LEN   4
#define VACPI_GPE0_OFF	   0x20 /* GPE0_STS bytes, then GPE0_EN bytes */
#define VACPI_GPE0_LEN	   8
#define VACPI_GPE0_BITS	   ((VACPI_GPE0_LEN / 2) * 8)
#define VACPI_IO_LEN	   0x28 /* ports used from the base */

#define VACPI_PM_TMR_HZ	   3579545ULL
#define VACPI_SCI_IRQ	   9
#define VACPI_NO_EVENT	   (~0ULL)

/* PM1_STS; PM1_EN has the enable of each status bit at the same position. */
#define VACPI_PM1_TMR	   BIT(0)
#define VACPI_PM1_BM	   BIT(4) /* status only */
#define VACPI_PM1_GBL	   BIT(5)
#define VACPI_PM1_PWRBTN   BIT(8)
#define VACPI_PM1_SLPBTN   BIT(9)
#define VACPI_PM1_RTC	   BIT(10)
#define VACPI_PM1_WAK	   BIT(15) /* status only */
#define VACPI_PM1_STS_MASK 0x8731
#define VACPI_PM1_EN_MASK  0x0721

/* PM1_CNT. */
#define VACPI_CNT_SCI_EN     BIT(0)
#define VACPI_CNT_SLP_TYP(v) (((v) >> 10) & 7)
#define VACPI_CNT_SLP_EN     BIT(13)
#define VACPI_SLP_TYP_S5     5 /* the DSDT's \_S5 package gives this value */

typedef void (*vacpi_pm_irq_fn)(void *ctx, unsigned irq, bool level);

/* What a write asks of the platform. */
enum vacpi_pm_action {
	VACPI_PM_NONE,
	VACPI_PM_POWEROFF, /* SLP_EN written with SLP_TYP = VACPI_SLP_TYP_S5 */
};

struct vacpi_pm {
	u16 base;
	u16 pm1_sts, pm1_en, pm1_cnt;
	u8 gpe_sts[VACPI_GPE0_LEN / 2];
	u8 gpe_en[VACPI_GPE0_LEN / 2];
	/*
	 * Every GPE the guest has ever enabled since reset. OSPM disables a GPE
	 * while its handler runs (ACPICA does, until the _Exx/_Lxx method has
	 * finished), so gpe_en alone does not say whether the guest uses one.
	 */
	u8 gpe_en_seen[VACPI_GPE0_LEN / 2];
	u64 seen_ns; /* TMR_STS is accounted for up to this time */
	bool sci;    /* SCI line as last set */
	vacpi_pm_irq_fn set_irq;
	void *ctx;
};

/* Reset state: all status and enables clear, SCI low, blocks at 'base'. */
void vacpi_pm_init(struct vacpi_pm *pm, u16 base, vacpi_pm_irq_fn set_irq, void *ctx);

/* Whether 'port' falls in one of the blocks (the gaps between them are not claimed). */
bool vacpi_pm_claims(const struct vacpi_pm *pm, u16 port);

/*
 * Guest IN/OUT of 'size' bytes (1, 2 or 4) at 'port', handled a byte at a
 * time so any width or alignment inside a block works; bytes outside the
 * blocks read 0xff. A write returns what the platform must do next.
 */
u32 vacpi_pm_io_read(struct vacpi_pm *pm, u16 port, unsigned size, u64 now_ns);
enum vacpi_pm_action vacpi_pm_io_write(struct vacpi_pm *pm, u16 port, unsigned size, u32 val,
				       u64 now_ns);

/* The 32-bit PM timer at now_ns: 3.579545 MHz, free-running from guest time 0. */
u32 vacpi_pm_timer(u64 now_ns);

/* Set GPE0 status bit 'bit' (< VACPI_GPE0_BITS) and update the SCI. */
void vacpi_pm_raise_gpe(struct vacpi_pm *pm, unsigned bit);

/* A power button press: set PWRBTN_STS and update the SCI. */
void vacpi_pm_power_button(struct vacpi_pm *pm);

/* When vacpi_pm_update() would set TMR_STS with TMR_EN on, or VACPI_NO_EVENT. */
u64 vacpi_pm_next_event_ns(const struct vacpi_pm *pm, u64 now_ns);

/* Set TMR_STS if timer bit 31 toggled since the last call, and update the SCI. */
void vacpi_pm_update(struct vacpi_pm *pm, u64 now_ns);

#endif
