// SPDX-License-Identifier: MIT
/* Host tests of the virtual RTC: calendar, register formats, UIP, IRQ8 sources, SET, CMOS sizes. */
#include <hv/vrtc.h>

#include "utest.h"

#define S 1000000000ULL

struct irq8 {
	unsigned raises, lowers;
	bool level;
};

static void record_irq(void *ctx, unsigned irq, bool level)
{
	struct irq8 *l = ctx;

	if (irq != 8)
		return;
	l->raises += level;
	l->lowers += !level;
	l->level = level;
}

static u8 rd(struct vrtc *rtc, u8 reg, u64 now)
{
	vrtc_io_write(rtc, 0x70, reg, now);
	return vrtc_io_read(rtc, 0x71, now);
}

static void wr(struct vrtc *rtc, u8 reg, u8 val, u64 now)
{
	vrtc_io_write(rtc, 0x70, reg, now);
	vrtc_io_write(rtc, 0x71, val, now);
}

UTEST(vrtc_calendar_table)
{
	static const struct {
		s64 year;
		u8 mon, mday, wday;
		s64 days;
	} t[] = {
		{1970, 1, 1, 5, 0},	 {1969, 12, 31, 4, -1},	  {2000, 2, 29, 3, 11016},
		{2000, 3, 1, 4, 11017},	 {2100, 2, 28, 1, 47540}, {2100, 3, 1, 2, 47541},
		{2024, 2, 29, 5, 19782}, {1900, 3, 1, 5, -25508},
	};
	struct vrtc_tm tm;

	for (unsigned i = 0; i < ARRAY_SIZE(t); i++) {
		CHECK_EQ(vrtc_days_from_civil(t[i].year, t[i].mon, t[i].mday), t[i].days);
		vrtc_civil_from_days(t[i].days, &tm);
		CHECK_EQ(tm.year, t[i].year);
		CHECK_EQ(tm.mon, t[i].mon);
		CHECK_EQ(tm.mday, t[i].mday);
		CHECK_EQ(tm.wday, t[i].wday);
	}
	vrtc_tm_from_secs(0x7fffffff, &tm); /* 2038-01-19 03:14:07 */
	CHECK_EQ(tm.year, 2038);
	CHECK_EQ(tm.mon, 1);
	CHECK_EQ(tm.mday, 19);
	CHECK_EQ(tm.hour * 10000 + tm.min * 100 + tm.sec, 31407);
	CHECK_EQ(vrtc_secs_from_tm(&tm), 0x7fffffff);
}

/* Every day from 1970 to 2200 against a calendar that counts one day at a time. */
UTEST(vrtc_calendar_walk)
{
	static const u8 mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	s64 y = 1970, days = 0;
	unsigned m = 1, d = 1, bad = 0;
	struct vrtc_tm tm;

	while (y < 2200) {
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		unsigned len = mdays[m - 1] + (m == 2 && leap);

		vrtc_civil_from_days(days, &tm);
		bad += tm.year != y || tm.mon != m || tm.mday != d;
		bad += vrtc_days_from_civil(y, m, d) != days;
		days++;
		if (++d > len) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(days, 84006);
}

UTEST(vrtc_bcd_binary_and_leap_rollover)
{
	struct irq8 l = {0};
	struct vrtc rtc;

	vrtc_init(&rtc, 951868798, record_irq, &l); /* 2000-02-29 23:59:58 */
	CHECK_EQ(rd(&rtc, 0x00, 0), 0x58);
	CHECK_EQ(rd(&rtc, 0x02, 0), 0x59);
	CHECK_EQ(rd(&rtc, 0x04, 0), 0x23);
	CHECK_EQ(rd(&rtc, 0x06, 0), 0x03);
	CHECK_EQ(rd(&rtc, 0x07, 0), 0x29);
	CHECK_EQ(rd(&rtc, 0x08, 0), 0x02);
	CHECK_EQ(rd(&rtc, 0x09, 0), 0x00);
	CHECK_EQ(rd(&rtc, 0x32, 0), 0x20);
	CHECK_EQ(rd(&rtc, 0x00, 2 * S - 1), 0x59);
	CHECK_EQ(rd(&rtc, 0x00, 2 * S), 0x00);
	CHECK_EQ(rd(&rtc, 0x07, 2 * S), 0x01);
	CHECK_EQ(rd(&rtc, 0x08, 2 * S), 0x03);
	CHECK_EQ(rd(&rtc, 0x04, 2 * S), 0x00);
	wr(&rtc, 0x0b, VRTC_B_24H | VRTC_B_DM_BIN, 0);
	CHECK_EQ(rd(&rtc, 0x00, 0), 58);
	CHECK_EQ(rd(&rtc, 0x04, 0), 23);
	CHECK_EQ(rd(&rtc, 0x07, 0), 29);
	CHECK_EQ(rd(&rtc, 0x32, 0), 20);
	CHECK_EQ(rd(&rtc, 0x0d, 0), 0x80);
	/* The midnight update at 2 s matched the all-zero alarm. */
	CHECK_EQ(rd(&rtc, 0x0c, 2 * S), VRTC_C_PF | VRTC_C_AF | VRTC_C_UF);
	wr(&rtc, 0x0c, 0xff, 2 * S);
	wr(&rtc, 0x0d, 0x00, 2 * S);
	CHECK_EQ(rd(&rtc, 0x0c, 2 * S), 0);
	CHECK_EQ(rd(&rtc, 0x0d, 0), 0x80);
	/* The NMI mask bit of the index port is kept apart from the index. */
	vrtc_io_write(&rtc, 0x70, 0x8f, 0);
	CHECK(rtc.nmi_masked);
	CHECK_EQ(rtc.index, 0x0f);
	vrtc_io_write(&rtc, 0x71, 0x5a, 0);
	CHECK_EQ(rd(&rtc, 0x0f, 0), 0x5a);
	CHECK(!rtc.nmi_masked);
}

UTEST(vrtc_12_hour_mode)
{
	struct irq8 l = {0};
	struct vrtc rtc;
	u64 midnight = 946684800; /* 2000-01-01 00:00:00 */

	vrtc_init(&rtc, midnight, record_irq, &l);
	wr(&rtc, 0x0b, 0x00, 0);		       /* 12-hour BCD */
	CHECK_EQ(rd(&rtc, 0x04, 0), 0x12);	       /* 12 AM */
	CHECK_EQ(rd(&rtc, 0x04, 3600 * S), 0x01);      /* 1 AM */
	CHECK_EQ(rd(&rtc, 0x04, 12 * 3600 * S), 0x92); /* 12 PM */
	CHECK_EQ(rd(&rtc, 0x04, 23 * 3600 * S), 0x91); /* 11 PM */
	wr(&rtc, 0x0b, VRTC_B_DM_BIN, 0);
	CHECK_EQ(rd(&rtc, 0x04, 23 * 3600 * S), 0x8b);
	/* Writing 3 PM in 12-hour mode means 15:00. */
	wr(&rtc, 0x04, 0x83, 0);
	wr(&rtc, 0x0b, VRTC_B_24H | VRTC_B_DM_BIN, 0);
	CHECK_EQ(rd(&rtc, 0x04, 0), 15);
}

UTEST(vrtc_uip_window)
{
	struct irq8 l = {0};
	struct vrtc rtc;

	vrtc_init(&rtc, 1000, record_irq, &l);
	CHECK_EQ(rd(&rtc, 0x0a, 0), 0x26);
	CHECK_EQ(rd(&rtc, 0x0a, 5 * S + 999755999), 0x26);
	CHECK_EQ(rd(&rtc, 0x0a, 5 * S + 999756000), 0xa6);
	CHECK_EQ(rd(&rtc, 0x0a, 6 * S - 1), 0xa6);
	CHECK_EQ(rd(&rtc, 0x0a, 6 * S), 0x26);
	wr(&rtc, 0x0b, VRTC_B_SET | VRTC_B_24H, 6 * S);
	CHECK_EQ(rd(&rtc, 0x0a, 6 * S + 999900000), 0x26);
	wr(&rtc, 0x0a, 0xaf, 0);
	CHECK_EQ(rtc.cmos[0x0a], 0x2f);
}

/* Run 'secs' seconds, reading register C on each interrupt as a driver does. */
static unsigned count_irqs(struct vrtc *rtc, struct irq8 *l, u64 from, u64 to)
{
	unsigned n = 0;

	for (;;) {
		u64 next = vrtc_next_event_ns(rtc, from);

		if (next > to)
			break;
		vrtc_update(rtc, next);
		/* Whatever was due at 'next' is accounted for: the next event is later. */
		if (vrtc_next_event_ns(rtc, next) <= next) {
			CHECK(vrtc_next_event_ns(rtc, next) > next);
			break;
		}
		if (l->level) {
			n++;
			CHECK(rd(rtc, 0x0c, next) & VRTC_C_IRQF);
			CHECK(!l->level);
		}
		from = next;
	}
	return n;
}

UTEST(vrtc_periodic_rates)
{
	struct irq8 l = {0};
	struct vrtc rtc;

	vrtc_init(&rtc, 1000, record_irq, &l);
	CHECK_EQ(vrtc_next_event_ns(&rtc, 0), VRTC_NO_EVENT);
	wr(&rtc, 0x0b, VRTC_B_24H | VRTC_B_PIE, 0);
	CHECK_EQ(vrtc_next_event_ns(&rtc, 0), 976563); /* 1/1024 s, rounded up */
	CHECK_EQ(count_irqs(&rtc, &l, 0, S), 1024);
	wr(&rtc, 0x0a, 0x2f, S); /* 2 Hz */
	CHECK_EQ(count_irqs(&rtc, &l, S, 2 * S), 2);
	wr(&rtc, 0x0a, 0x23, 2 * S); /* 8192 Hz */
	CHECK_EQ(count_irqs(&rtc, &l, 2 * S, 3 * S), 8192);
	wr(&rtc, 0x0a, 0x21, 3 * S); /* rate 1 is 256 Hz */
	CHECK_EQ(count_irqs(&rtc, &l, 3 * S, 4 * S), 256);
	wr(&rtc, 0x0a, 0x20, 4 * S); /* rate 0: off */
	CHECK_EQ(count_irqs(&rtc, &l, 4 * S, 5 * S), 0);
	CHECK_EQ(l.raises, l.lowers);

	/* PF is set without PIE; enabling PIE then raises IRQF at once. */
	wr(&rtc, 0x0a, 0x26, 5 * S);
	wr(&rtc, 0x0b, VRTC_B_24H, 5 * S);
	vrtc_update(&rtc, 6 * S);
	CHECK(!l.level);
	wr(&rtc, 0x0b, VRTC_B_24H | VRTC_B_PIE, 6 * S);
	CHECK(l.level);
	CHECK_EQ(rd(&rtc, 0x0c, 6 * S), VRTC_C_IRQF | VRTC_C_PF | VRTC_C_UF);
}

UTEST(vrtc_update_ended_irq_and_reg_c)
{
	struct irq8 l = {0};
	struct vrtc rtc;

	vrtc_init(&rtc, 1000, record_irq, &l);
	wr(&rtc, 0x0b, VRTC_B_24H | VRTC_B_UIE, S / 2);
	CHECK_EQ(vrtc_next_event_ns(&rtc, S / 2), S);
	vrtc_update(&rtc, S - 1);
	CHECK(!l.level);
	vrtc_update(&rtc, S);
	CHECK(l.level);
	CHECK_EQ(l.raises, 1);
	CHECK_EQ(vrtc_next_event_ns(&rtc, S), VRTC_NO_EVENT); /* UF already pending */
	vrtc_update(&rtc, 3 * S);
	CHECK_EQ(l.raises, 1);
	CHECK_EQ(rd(&rtc, 0x0c, 3 * S), VRTC_C_IRQF | VRTC_C_UF | VRTC_C_PF);
	CHECK(!l.level);
	CHECK_EQ(l.lowers, 1);
	CHECK_EQ(rd(&rtc, 0x0c, 3 * S), 0);
	CHECK_EQ(vrtc_next_event_ns(&rtc, 3 * S), 4 * S);
	CHECK_EQ(count_irqs(&rtc, &l, 3 * S, 13 * S), 10);
}

UTEST(vrtc_alarm_with_dont_care)
{
	struct irq8 l = {0};
	struct vrtc rtc;

	vrtc_init(&rtc, 946684800, record_irq, &l); /* 00:00:00 */
	wr(&rtc, 0x01, 0x30, 0);
	wr(&rtc, 0x03, 0xc0, 0);
	wr(&rtc, 0x05, 0xff, 0);
	wr(&rtc, 0x0b, VRTC_B_24H | VRTC_B_AIE, 0);
	CHECK_EQ(vrtc_next_event_ns(&rtc, 0), 30 * S);
	CHECK_EQ(count_irqs(&rtc, &l, 0, 3600 * S), 60);
	/* 01:02:03 exactly, once a day. */
	wr(&rtc, 0x01, 0x03, 3600 * S);
	wr(&rtc, 0x03, 0x02, 3600 * S);
	wr(&rtc, 0x05, 0x01, 3600 * S);
	CHECK_EQ(vrtc_next_event_ns(&rtc, 3600 * S), 3723 * S);
	CHECK_EQ(count_irqs(&rtc, &l, 3600 * S, 2 * 86400 * S), 2);
	/* An alarm no time matches never fires. */
	wr(&rtc, 0x01, 0x61, 0);
	CHECK_EQ(vrtc_next_event_ns(&rtc, 0), VRTC_NO_EVENT);
	/* A late update still sees an alarm second it skipped over. */
	wr(&rtc, 0x01, 0x10, 2 * 86400 * S);
	wr(&rtc, 0x03, 0xc0, 2 * 86400 * S);
	wr(&rtc, 0x05, 0xc0, 2 * 86400 * S);
	rd(&rtc, 0x0c, 2 * 86400 * S);
	vrtc_update(&rtc, (2 * 86400 + 40) * S);
	CHECK(rd(&rtc, 0x0c, (2 * 86400 + 40) * S) & VRTC_C_AF);
}

UTEST(vrtc_set_mode_moves_clock)
{
	struct irq8 l = {0};
	struct vrtc rtc;
	u64 t = 7 * S + 300000000;

	vrtc_init(&rtc, 1769860800, record_irq, &l); /* 2026-01-31 12:00:00 */
	wr(&rtc, 0x0b, VRTC_B_24H | VRTC_B_SET | VRTC_B_UIE, t);
	CHECK_EQ(rd(&rtc, 0x0b, t), VRTC_B_24H | VRTC_B_SET); /* SET clears UIE */
	CHECK(rd(&rtc, 0x0c, t) & VRTC_C_UF);		      /* the updates before SET */
	/* Month first: a transient 2026-02-31 must not move the date. */
	wr(&rtc, 0x08, 0x02, t);
	wr(&rtc, 0x07, 0x15, t);
	wr(&rtc, 0x04, 0x08, t);
	wr(&rtc, 0x02, 0x30, t);
	wr(&rtc, 0x00, 0x00, t);
	CHECK_EQ(rd(&rtc, 0x07, t + 5 * S), 0x15); /* held: no updates while SET */
	CHECK_EQ(rd(&rtc, 0x00, t + 5 * S), 0x00);
	vrtc_update(&rtc, t + 5 * S);
	CHECK_EQ(rtc.reg_c & VRTC_C_UF, 0);
	wr(&rtc, 0x0b, VRTC_B_24H, t + 5 * S);
	CHECK_EQ(vrtc_now_secs(&rtc, t + 5 * S), 1771144200); /* 2026-02-15 08:30:00 */
	CHECK_EQ(vrtc_now_secs(&rtc, t + 65 * S), 1771144260);
	CHECK_EQ(rd(&rtc, 0x02, t + 65 * S), 0x31);
	CHECK_EQ(rd(&rtc, 0x08, t + 65 * S), 0x02);
	/* Without SET a write moves the running clock, and the offset stays. */
	wr(&rtc, 0x09, 0x27, t + 65 * S);
	CHECK_EQ(rd(&rtc, 0x09, t + 3600 * S), 0x27);
	CHECK_EQ(rd(&rtc, 0x07, t + 3600 * S), 0x15);
	CHECK_EQ(rtc.offset_s, 1771144200 + 31536000 - 1769860800 - 12);
}

UTEST(vrtc_memory_size_bytes)
{
	struct irq8 l = {0};
	struct vrtc rtc;
	unsigned sum = 0;

	vrtc_init(&rtc, 0, record_irq, &l);
	vrtc_set_mem(&rtc, GiB(3), GiB(5));
	CHECK_EQ(rd(&rtc, 0x15, 0) | rd(&rtc, 0x16, 0) << 8, 640);
	CHECK_EQ(rd(&rtc, 0x17, 0) | rd(&rtc, 0x18, 0) << 8, 0xffff);
	CHECK_EQ(rd(&rtc, 0x30, 0) | rd(&rtc, 0x31, 0) << 8, 0xffff);
	CHECK_EQ(rd(&rtc, 0x34, 0) | rd(&rtc, 0x35, 0) << 8, 0xbf00);
	CHECK_EQ(rd(&rtc, 0x5b, 0), 0x00);
	CHECK_EQ(rd(&rtc, 0x5c, 0), 0x40);
	CHECK_EQ(rd(&rtc, 0x5d, 0), 0x01);
	vrtc_set_mem(&rtc, MiB(64), 0);
	CHECK_EQ(rd(&rtc, 0x17, 0) | rd(&rtc, 0x18, 0) << 8, 64512);
	CHECK_EQ(rd(&rtc, 0x30, 0) | rd(&rtc, 0x31, 0) << 8, 64512);
	CHECK_EQ(rd(&rtc, 0x34, 0) | rd(&rtc, 0x35, 0) << 8, 768);
	CHECK_EQ(rd(&rtc, 0x5b, 0) | rd(&rtc, 0x5c, 0) | rd(&rtc, 0x5d, 0), 0);
	for (u8 i = 0x10; i <= 0x2d; i++)
		sum += rd(&rtc, i, 0);
	CHECK_EQ(sum, 0x80 + 0x02 + 0x00 + 0xfc);
	CHECK_EQ(rd(&rtc, 0x2e, 0) << 8 | rd(&rtc, 0x2f, 0), sum);
	vrtc_set_mem(&rtc, KiB(640), 0);
	CHECK_EQ(rd(&rtc, 0x17, 0) | rd(&rtc, 0x34, 0), 0);
}
