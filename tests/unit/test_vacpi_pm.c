// SPDX-License-Identifier: MIT
/* Host tests of the virtual ACPI PM blocks: PM timer, W1C status, SCI level, S5 request. */
#include <hv/vacpi_pm.h>

#include "utest.h"

#define S    1000000000ULL
#define BASE 0x600

struct sci {
	unsigned changes, other;
	bool level;
};

static void record_irq(void *ctx, unsigned irq, bool level)
{
	struct sci *l = ctx;

	if (irq != 9) {
		l->other++;
		return;
	}
	l->changes++;
	l->level = level;
}

/* First nanosecond of PM timer clock t, worked out independently of the model. */
static u64 tick_ns(u64 t)
{
	return (t * 1000000000ULL + 3579544) / 3579545;
}

UTEST(vacpi_pm_timer_rate_and_wrap)
{
	struct sci l = {0};
	struct vacpi_pm pm;

	vacpi_pm_init(&pm, BASE, record_irq, &l);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + VACPI_PM_TMR_OFF, 4, 0), 0);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + VACPI_PM_TMR_OFF, 4, S), 3579545);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + VACPI_PM_TMR_OFF, 4, 10 * S), 35795450);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + VACPI_PM_TMR_OFF, 2, S), 3579545 & 0xffff);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + VACPI_PM_TMR_OFF + 2, 1, S), (3579545 >> 16) & 0xff);
	CHECK_EQ(vacpi_pm_timer(tick_ns(1ULL << 32) - 1), 0xffffffffu);
	CHECK_EQ(vacpi_pm_timer(tick_ns(1ULL << 32)), 0);
	CHECK_EQ(vacpi_pm_timer(tick_ns((1ULL << 32) + 5)), 5);
	/* Writes to the timer are ignored. */
	vacpi_pm_io_write(&pm, BASE + VACPI_PM_TMR_OFF, 4, 0, S);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + VACPI_PM_TMR_OFF, 4, S), 3579545);
	CHECK_EQ(l.changes, 0);
}

UTEST(vacpi_pm_tmr_sts_on_bit31_toggle)
{
	struct sci l = {0};
	struct vacpi_pm pm;
	u64 half = tick_ns(1ULL << 31), full = tick_ns(1ULL << 32);

	vacpi_pm_init(&pm, BASE, record_irq, &l);
	CHECK_EQ(vacpi_pm_next_event_ns(&pm, 0), VACPI_NO_EVENT);
	vacpi_pm_io_write(&pm, BASE + 2, 2, VACPI_PM1_TMR, 0);
	CHECK_EQ(vacpi_pm_next_event_ns(&pm, 0), half);
	vacpi_pm_update(&pm, half - 1);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE, 2, half - 1) & VACPI_PM1_TMR, 0);
	CHECK(!l.level);
	vacpi_pm_update(&pm, half);
	CHECK(l.level);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE, 2, half), VACPI_PM1_TMR);
	CHECK_EQ(vacpi_pm_next_event_ns(&pm, half), VACPI_NO_EVENT);
	/* Writing 0 leaves it; writing 1 clears it and drops the SCI. */
	vacpi_pm_io_write(&pm, BASE, 2, 0, half);
	CHECK(l.level);
	vacpi_pm_io_write(&pm, BASE, 2, VACPI_PM1_TMR, half);
	CHECK(!l.level);
	CHECK_EQ(vacpi_pm_next_event_ns(&pm, half), full);
	/* Bit 31 falling at the wrap is a toggle too, even seen late. */
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE, 2, full + 3 * S) & VACPI_PM1_TMR, VACPI_PM1_TMR);
	CHECK(l.level);
	CHECK_EQ(l.changes, 3);
	/* Without TMR_EN the status is set but no SCI. */
	vacpi_pm_io_write(&pm, BASE, 4, VACPI_PM1_TMR, full + 3 * S); /* clears STS and EN */
	CHECK(!l.level);
	vacpi_pm_update(&pm, full + half);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE, 2, full + half), VACPI_PM1_TMR);
	CHECK(!l.level);
}

UTEST(vacpi_pm_pm1_w1c_and_sci)
{
	struct sci l = {0};
	struct vacpi_pm pm;

	vacpi_pm_init(&pm, BASE, record_irq, &l);
	vacpi_pm_power_button(&pm);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE, 2, 0), VACPI_PM1_PWRBTN);
	CHECK(!l.level);
	vacpi_pm_io_write(&pm, BASE + 2, 2, 0xffff, 0);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + 2, 2, 0), VACPI_PM1_EN_MASK);
	CHECK(l.level);
	vacpi_pm_io_write(&pm, BASE + 3, 1, 0x00, 0); /* PWRBTN_EN off: high byte alone */
	CHECK(!l.level);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + 2, 2, 0), VACPI_PM1_TMR | VACPI_PM1_GBL);
	vacpi_pm_io_write(&pm, BASE + 3, 1, 0x01, 0);
	CHECK(l.level);
	/* W1C: other bits written as 0 stay; the high byte alone clears PWRBTN_STS. */
	pm.pm1_sts |= VACPI_PM1_WAK | VACPI_PM1_RTC;
	vacpi_pm_io_write(&pm, BASE, 2, VACPI_PM1_RTC, 0);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE, 2, 0), VACPI_PM1_WAK | VACPI_PM1_PWRBTN);
	CHECK(l.level);
	vacpi_pm_io_write(&pm, BASE + 1, 1, 0x01, 0);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE, 2, 0), VACPI_PM1_WAK);
	CHECK(!l.level);
	vacpi_pm_io_write(&pm, BASE, 2, 0xffff, 0);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE, 2, 0), 0);
	CHECK_EQ(l.changes, 4);
	CHECK_EQ(l.other, 0);
}

UTEST(vacpi_pm_gpe0_sci)
{
	struct sci l = {0};
	struct vacpi_pm pm;

	vacpi_pm_init(&pm, BASE, record_irq, &l);
	vacpi_pm_raise_gpe(&pm, 3);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + VACPI_GPE0_OFF, 1, 0), 0x08);
	CHECK(!l.level);
	vacpi_pm_io_write(&pm, BASE + VACPI_GPE0_OFF + 4, 1, 0x08, 0);
	CHECK(l.level);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + VACPI_GPE0_OFF + 4, 1, 0), 0x08);
	vacpi_pm_io_write(&pm, BASE + VACPI_GPE0_OFF, 1, 0xf7, 0); /* other bits: no effect */
	CHECK(l.level);
	vacpi_pm_io_write(&pm, BASE + VACPI_GPE0_OFF, 1, 0x08, 0);
	CHECK(!l.level);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + VACPI_GPE0_OFF, 1, 0), 0);
	/* Bit 17 sits in the third status byte; a 32-bit access reaches it. */
	vacpi_pm_raise_gpe(&pm, 17);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + VACPI_GPE0_OFF, 4, 0), 0x00020000);
	vacpi_pm_io_write(&pm, BASE + VACPI_GPE0_OFF + 4, 4, 0x00020000, 0);
	CHECK(l.level);
	/* PM1 and GPE0 are ORed: a second source keeps the line up. */
	vacpi_pm_io_write(&pm, BASE + 2, 2, VACPI_PM1_PWRBTN, 0);
	vacpi_pm_power_button(&pm);
	vacpi_pm_io_write(&pm, BASE + VACPI_GPE0_OFF, 4, 0x00020000, 0);
	CHECK(l.level);
	vacpi_pm_io_write(&pm, BASE, 2, VACPI_PM1_PWRBTN, 0);
	CHECK(!l.level);
	vacpi_pm_raise_gpe(&pm, VACPI_GPE0_BITS); /* out of range: ignored */
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + VACPI_GPE0_OFF, 4, 0), 0);
	CHECK_EQ(l.changes, 4);
}

/*
 * OSPM disables a GPE while its handler runs: whether the guest uses it is
 * what it ever enabled (the CPU hotplug GPE decides how a vCPU is parked).
 */
UTEST(vacpi_pm_gpe0_enable_seen)
{
	struct sci l = {0};
	struct vacpi_pm pm;

	vacpi_pm_init(&pm, BASE, record_irq, &l);
	CHECK_EQ(pm.gpe_en_seen[0], 0);
	vacpi_pm_io_write(&pm, BASE + VACPI_GPE0_OFF + 4, 1, 0x04, 0);
	CHECK_EQ(pm.gpe_en[0], 0x04);
	CHECK_EQ(pm.gpe_en_seen[0], 0x04);
	vacpi_pm_io_write(&pm, BASE + VACPI_GPE0_OFF + 4, 1, 0x00, 0); /* disabled while handled */
	CHECK_EQ(pm.gpe_en[0], 0);
	CHECK_EQ(pm.gpe_en_seen[0], 0x04);
	vacpi_pm_io_write(&pm, BASE + VACPI_GPE0_OFF + 4, 4, 0x00010001, 0);
	CHECK_EQ(pm.gpe_en_seen[0], 0x05);
	CHECK_EQ(pm.gpe_en_seen[2], 0x01);
	vacpi_pm_io_write(&pm, BASE + VACPI_GPE0_OFF, 1, 0xff, 0); /* status writes: not enables */
	CHECK_EQ(pm.gpe_en_seen[0], 0x05);
	vacpi_pm_init(&pm, BASE, record_irq, &l); /* a reset forgets */
	CHECK_EQ(pm.gpe_en_seen[0], 0);
	CHECK_EQ(pm.gpe_en_seen[2], 0);
}

UTEST(vacpi_pm_cnt_and_s5)
{
	struct sci l = {0};
	struct vacpi_pm pm;
	const u16 cnt = BASE + VACPI_PM1A_CNT_OFF;

	vacpi_pm_init(&pm, BASE, record_irq, &l);
	CHECK_EQ(vacpi_pm_io_read(&pm, cnt, 2, 0), VACPI_CNT_SCI_EN);
	CHECK_EQ(vacpi_pm_io_write(&pm, cnt, 2, VACPI_SLP_TYP_S5 << 10, 0), VACPI_PM_NONE);
	CHECK_EQ(vacpi_pm_io_read(&pm, cnt, 2, 0), VACPI_SLP_TYP_S5 << 10 | VACPI_CNT_SCI_EN);
	CHECK_EQ(vacpi_pm_io_write(&pm, cnt, 2, 1 << 10 | VACPI_CNT_SLP_EN, 0), VACPI_PM_NONE);
	CHECK_EQ(vacpi_pm_io_read(&pm, cnt, 2, 0), 1 << 10 | VACPI_CNT_SCI_EN); /* SLP_EN reads 0 */
	CHECK_EQ(vacpi_pm_io_write(&pm, cnt, 2, VACPI_SLP_TYP_S5 << 10 | VACPI_CNT_SLP_EN, 0),
		 VACPI_PM_POWEROFF);
	/* The high byte alone carries SLP_TYP and SLP_EN, as a byte-wide OUT may. */
	CHECK_EQ(vacpi_pm_io_write(&pm, cnt + 1, 1, (VACPI_SLP_TYP_S5 << 2) | 0x20, 0),
		 VACPI_PM_POWEROFF);
	CHECK_EQ(vacpi_pm_io_write(&pm, cnt + 1, 1, 0x20, 0), VACPI_PM_NONE);
}

UTEST(vacpi_pm_port_claims)
{
	struct sci l = {0};
	struct vacpi_pm pm;

	vacpi_pm_init(&pm, BASE, record_irq, &l);
	CHECK(vacpi_pm_claims(&pm, BASE));
	CHECK(vacpi_pm_claims(&pm, BASE + 5));
	CHECK(!vacpi_pm_claims(&pm, BASE + 6));
	CHECK(vacpi_pm_claims(&pm, BASE + 0x0b));
	CHECK(!vacpi_pm_claims(&pm, BASE + 0x0c));
	CHECK(vacpi_pm_claims(&pm, BASE + 0x27));
	CHECK(!vacpi_pm_claims(&pm, BASE + 0x28));
	CHECK(!vacpi_pm_claims(&pm, BASE - 1));
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + 6, 2, 0), 0xffff);
	CHECK_EQ(vacpi_pm_io_read(&pm, BASE + 4, 4, 0), 0xffff0001);
}
