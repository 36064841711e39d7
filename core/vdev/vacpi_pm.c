// SPDX-License-Identifier: MIT
/* Virtual ACPI PM1a event/control, PM timer and GPE0 registers; SCI = OR of enabled status. */
#include <hv/vacpi_pm.h>
#include <hv/string.h>

#define NS_PER_S 1000000000ULL
#define TMR_MSB	 31

static u64 timer_ticks(u64 ns)
{
	return ns / NS_PER_S * VACPI_PM_TMR_HZ + ns % NS_PER_S * VACPI_PM_TMR_HZ / NS_PER_S;
}

static u64 ticks_ns(u64 t)
{
	return t / VACPI_PM_TMR_HZ * NS_PER_S +
	       (t % VACPI_PM_TMR_HZ * NS_PER_S + VACPI_PM_TMR_HZ - 1) / VACPI_PM_TMR_HZ;
}

u32 vacpi_pm_timer(u64 now_ns)
{
	return (u32)timer_ticks(now_ns);
}

static void update_sci(struct vacpi_pm *pm)
{
	bool level = pm->pm1_sts & pm->pm1_en & VACPI_PM1_EN_MASK;

	for (unsigned i = 0; i < ARRAY_SIZE(pm->gpe_sts); i++)
		level |= (pm->gpe_sts[i] & pm->gpe_en[i]) != 0;
	if (level == pm->sci)
		return;
	pm->sci = level;
	pm->set_irq(pm->ctx, VACPI_SCI_IRQ, level);
}

/* TMR_STS is set each time bit 31 of the timer changes (ACPI 6.5, 4.8.3.3 "Power Management Timer"). */
static void catch_up(struct vacpi_pm *pm, u64 now_ns)
{
	if (now_ns <= pm->seen_ns)
		return;
	if (timer_ticks(now_ns) >> TMR_MSB != timer_ticks(pm->seen_ns) >> TMR_MSB)
		pm->pm1_sts |= VACPI_PM1_TMR;
	pm->seen_ns = now_ns;
}

void vacpi_pm_update(struct vacpi_pm *pm, u64 now_ns)
{
	catch_up(pm, now_ns);
	update_sci(pm);
}

u64 vacpi_pm_next_event_ns(const struct vacpi_pm *pm, u64 now_ns)
{
	u64 next;

	if (!(pm->pm1_en & VACPI_PM1_TMR) || (pm->pm1_sts & VACPI_PM1_TMR))
		return VACPI_NO_EVENT;
	next = (timer_ticks(pm->seen_ns) >> TMR_MSB) + 1;
	return ticks_ns(next << TMR_MSB);
}

void vacpi_pm_init(struct vacpi_pm *pm, u16 base, vacpi_pm_irq_fn set_irq, void *ctx)
{
	memset(pm, 0, sizeof(*pm));
	pm->base = base;
	pm->set_irq = set_irq;
	pm->ctx = ctx;
}

static int block_off(const struct vacpi_pm *pm, u16 port)
{
	unsigned off = (u16)(port - pm->base);

	if (off < VACPI_PM1A_CNT_OFF + VACPI_PM1A_CNT_LEN)
		return (int)off;
	if (off >= VACPI_PM_TMR_OFF && off < VACPI_PM_TMR_OFF + VACPI_PM_TMR_LEN)
		return (int)off;
	if (off >= VACPI_GPE0_OFF && off < VACPI_GPE0_OFF + VACPI_GPE0_LEN)
		return (int)off;
	return -1;
}

bool vacpi_pm_claims(const struct vacpi_pm *pm, u16 port)
{
	return block_off(pm, port) >= 0;
}

static u8 byte_of(u32 v, unsigned i)
{
	return (u8)(v >> (8 * i));
}

static u8 read_byte(const struct vacpi_pm *pm, int off, u64 now_ns)
{
	const unsigned gpe_half = VACPI_GPE0_LEN / 2;

	switch (off) {
	case 0:
	case 1: return byte_of(pm->pm1_sts, (unsigned)off);
	case 2:
	case 3: return byte_of(pm->pm1_en, (unsigned)off - 2);
	case 4:
	case 5: return byte_of(pm->pm1_cnt | VACPI_CNT_SCI_EN, (unsigned)off - 4);
	default: break;
	}
	if (off >= VACPI_PM_TMR_OFF && off < VACPI_PM_TMR_OFF + VACPI_PM_TMR_LEN)
		return byte_of(vacpi_pm_timer(now_ns), (unsigned)(off - VACPI_PM_TMR_OFF));
	if (off >= VACPI_GPE0_OFF && off < VACPI_GPE0_OFF + (int)gpe_half)
		return pm->gpe_sts[off - VACPI_GPE0_OFF];
	if (off >= VACPI_GPE0_OFF + (int)gpe_half && off < VACPI_GPE0_OFF + VACPI_GPE0_LEN)
		return pm->gpe_en[off - VACPI_GPE0_OFF - (int)gpe_half];
	return 0xff;
}

u32 vacpi_pm_io_read(struct vacpi_pm *pm, u16 port, unsigned size, u64 now_ns)
{
	u32 v = 0;

	vacpi_pm_update(pm, now_ns);
	for (unsigned i = 0; i < size && i < 4; i++)
		v |= (u32)read_byte(pm, block_off(pm, (u16)(port + i)), now_ns) << (8 * i);
	return v;
}

/* Status bits are write-1-to-clear; SLP_EN is write-only and acts when written. */
static enum vacpi_pm_action write_byte(struct vacpi_pm *pm, int off, u8 v)
{
	const unsigned gpe_half = VACPI_GPE0_LEN / 2;
	unsigned sh = (unsigned)(off & 1) * 8;
	u16 mask = (u16)(0xff << sh), wide = (u16)(v << sh);

	switch (off) {
	case 0:
	case 1: pm->pm1_sts &= (u16) ~(wide & VACPI_PM1_STS_MASK); return VACPI_PM_NONE;
	case 2:
	case 3:
		pm->pm1_en = (u16)((pm->pm1_en & ~mask) | (wide & VACPI_PM1_EN_MASK));
		return VACPI_PM_NONE;
	case 4:
	case 5:
		pm->pm1_cnt = (u16)((pm->pm1_cnt & ~mask) | (wide & ~VACPI_CNT_SLP_EN));
		if ((wide & VACPI_CNT_SLP_EN) && VACPI_CNT_SLP_TYP(pm->pm1_cnt) == VACPI_SLP_TYP_S5)
			return VACPI_PM_POWEROFF;
		return VACPI_PM_NONE;
	default: break;
	}
	if (off >= VACPI_GPE0_OFF && off < VACPI_GPE0_OFF + (int)gpe_half) {
		pm->gpe_sts[off - VACPI_GPE0_OFF] &= (u8)~v;
	} else if (off >= VACPI_GPE0_OFF + (int)gpe_half && off < VACPI_GPE0_OFF + VACPI_GPE0_LEN) {
		pm->gpe_en[off - VACPI_GPE0_OFF - (int)gpe_half] = v;
		pm->gpe_en_seen[off - VACPI_GPE0_OFF - (int)gpe_half] |= v;
	}
	return VACPI_PM_NONE;
}

enum vacpi_pm_action vacpi_pm_io_write(struct vacpi_pm *pm, u16 port, unsigned size, u32 val,
				       u64 now_ns)
{
	enum vacpi_pm_action act = VACPI_PM_NONE;

	catch_up(pm, now_ns);
	for (unsigned i = 0; i < size && i < 4; i++) {
		int off = block_off(pm, (u16)(port + i));

		if (off >= 0 && write_byte(pm, off, byte_of(val, i)) == VACPI_PM_POWEROFF)
			act = VACPI_PM_POWEROFF;
	}
	update_sci(pm);
	return act;
}

void vacpi_pm_raise_gpe(struct vacpi_pm *pm, unsigned bit)
{
	if (bit >= VACPI_GPE0_BITS)
		return;
	pm->gpe_sts[bit / 8] |= (u8)(1u << (bit % 8));
	update_sci(pm);
}

void vacpi_pm_power_button(struct vacpi_pm *pm)
{
	pm->pm1_sts |= VACPI_PM1_PWRBTN;
	update_sci(pm);
}
