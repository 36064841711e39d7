// SPDX-License-Identifier: MIT
/* Virtual MC146818 RTC/CMOS: the clock is epoch + offset + guest time, flags computed lazily. */
#include <hv/vrtc.h>
#include <hv/string.h>

/*
 * Only the registers that change by themselves are computed; the rest of
 * the 128 bytes are plain storage. Flags are brought up to date ("caught
 * up") before every access and in vrtc_update(), over the interval since
 * the last catch-up, so a late call still sets each flag that was due.
 * The divider bits of register A are stored but do not stop the clock;
 * SQWE and DSE are stored and have no effect.
 */

#define NS_PER_S 1000000000ULL
#define SECS_DAY 86400
#define RTC_HZ	 32768ULL
#define NO_MATCH (-1)

/* ---- calendar ---- */

static s64 floor_div(s64 a, s64 b)
{
	return a / b - (a % b < 0);
}

/*
 * Count in 400-year eras starting 0000-03-01 so that the leap day is the
 * last day of each counted year; 719468 days separate that origin from 1970.
 */
s64 vrtc_days_from_civil(s64 year, unsigned mon, unsigned mday)
{
	s64 y, era, yoe, doy;

	if (mon < 1)
		mon = 1;
	if (mon > 12)
		mon = 12;
	y = year - (mon <= 2);
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (mon > 2 ? mon - 3 : mon + 9) + 2) / 5 + (s64)mday - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

void vrtc_civil_from_days(s64 days, struct vrtc_tm *tm)
{
	s64 z = days + 719468, era = floor_div(z, 146097), doe = z - era * 146097;
	s64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	s64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	tm->mday = (u8)(doy - (153 * mp + 2) / 5 + 1);
	tm->mon = (u8)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = era * 400 + yoe + (tm->mon <= 2);
	/* 1970-01-01 was a Thursday: day 5 counting Sunday as 1. */
	tm->wday = (u8)((days % 7 + 11) % 7 + 1);
}

void vrtc_tm_from_secs(s64 secs, struct vrtc_tm *tm)
{
	s64 days = floor_div(secs, SECS_DAY), sod = secs - days * SECS_DAY;

	vrtc_civil_from_days(days, tm);
	tm->hour = (u8)(sod / 3600);
	tm->min = (u8)(sod / 60 % 60);
	tm->sec = (u8)(sod % 60);
}

s64 vrtc_secs_from_tm(const struct vrtc_tm *tm)
{
	return vrtc_days_from_civil(tm->year, tm->mon, tm->mday) * SECS_DAY + tm->hour * 3600 +
	       tm->min * 60 + tm->sec;
}

/* ---- register formats (register B: DM and 24/12) ---- */

static bool binary(const struct vrtc *rtc)
{
	return rtc->cmos[VRTC_REG_B] & VRTC_B_DM_BIN;
}

static u8 to_reg(const struct vrtc *rtc, unsigned v)
{
	return (u8)(binary(rtc) ? v : (v / 10 % 10) << 4 | v % 10);
}

static u8 from_reg(const struct vrtc *rtc, u8 v)
{
	return binary(rtc) ? v : (u8)((v >> 4) * 10 + (v & 0xf));
}

static u8 hour_to_reg(const struct vrtc *rtc, unsigned h)
{
	if (rtc->cmos[VRTC_REG_B] & VRTC_B_24H)
		return to_reg(rtc, h);
	return (u8)(to_reg(rtc, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

static u8 hour_from_reg(const struct vrtc *rtc, u8 v)
{
	if (rtc->cmos[VRTC_REG_B] & VRTC_B_24H)
		return from_reg(rtc, v);
	return (u8)(from_reg(rtc, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0));
}

/* ---- time base ---- */

static bool set_mode(const struct vrtc *rtc)
{
	return rtc->cmos[VRTC_REG_B] & VRTC_B_SET;
}

/* The guest clock at the start of guest-time second 0. */
static s64 clock_base(const struct vrtc *rtc)
{
	return (s64)rtc->epoch_s + rtc->offset_s;
}

s64 vrtc_now_secs(const struct vrtc *rtc, u64 now_ns)
{
	return clock_base(rtc) + (s64)(now_ns / NS_PER_S);
}

static void current_tm(const struct vrtc *rtc, u64 now_ns, struct vrtc_tm *tm)
{
	if (set_mode(rtc))
		*tm = rtc->held;
	else
		vrtc_tm_from_secs(vrtc_now_secs(rtc, now_ns), tm);
}

static u64 ns_to_32k(u64 ns)
{
	return ns / NS_PER_S * RTC_HZ + ns % NS_PER_S * RTC_HZ / NS_PER_S;
}

static u64 ns_of_32k(u64 t)
{
	return t / RTC_HZ * NS_PER_S + (t % RTC_HZ * NS_PER_S + RTC_HZ - 1) / RTC_HZ;
}

/* Periodic interrupt period in 32.768 kHz clocks for rate select bits, 0 when off. */
static u64 periodic_ticks(const struct vrtc *rtc)
{
	unsigned rate = rtc->cmos[VRTC_REG_A] & VRTC_A_RATE;

	if (rate == 0)
		return 0;
	if (rate <= 2)
		return 64ULL << rate; /* 256 Hz and 128 Hz, as rates 8 and 9 */
	return 1ULL << (rate - 1);
}

/* ---- alarm ---- */

/* Alarm field: the one value it wants (0xff: any), decoded from the current format. */
static void alarm_want(const struct vrtc *rtc, u8 want[3])
{
	u8 h = rtc->cmos[VRTC_HOUR_ALARM], m = rtc->cmos[VRTC_MIN_ALARM];
	u8 s = rtc->cmos[VRTC_SEC_ALARM];

	want[0] = h >= VRTC_ALARM_ANY ? 0xff : hour_from_reg(rtc, h);
	want[1] = m >= VRTC_ALARM_ANY ? 0xff : from_reg(rtc, m);
	want[2] = s >= VRTC_ALARM_ANY ? 0xff : from_reg(rtc, s);
}

static int next_match(u8 want, int from, int range)
{
	if (want == 0xff)
		return from < range ? from : NO_MATCH;
	return want >= from && want < range ? want : NO_MATCH;
}

/* First second of the day at or after 'from' that the alarm matches, or NO_MATCH. */
static s64 alarm_sod(const u8 want[3], s64 from)
{
	int fh = (int)(from / 3600), fm = (int)(from / 60 % 60), fs = (int)(from % 60);

	for (int h = next_match(want[0], fh, 24); h >= 0; h = next_match(want[0], h + 1, 24)) {
		int m0 = h == fh ? fm : 0;

		for (int m = next_match(want[1], m0, 60); m >= 0;
		     m = next_match(want[1], m + 1, 60)) {
			int s = next_match(want[2], h == fh && m == fm ? fs : 0, 60);

			if (s >= 0)
				return h * 3600 + m * 60 + s;
		}
	}
	return NO_MATCH;
}

/* Guest-time second (k: the clock reads base + k from k * 1 s) of the first alarm at or after k. */
static u64 alarm_second(const struct vrtc *rtc, u64 k)
{
	u8 want[3];
	s64 clock = clock_base(rtc) + (s64)k;
	s64 sod = clock - floor_div(clock, SECS_DAY) * SECS_DAY, t;

	alarm_want(rtc, want);
	t = alarm_sod(want, sod);
	if (t == NO_MATCH) {
		t = alarm_sod(want, 0);
		if (t == NO_MATCH)
			return VRTC_NO_EVENT;
		t += SECS_DAY;
	}
	return k + (u64)(t - sod);
}

/* ---- flags and IRQ8 ---- */

static void update_irq(struct vrtc *rtc)
{
	/* PF, AF and UF are the same bits in register C as PIE, AIE and UIE in B. */
	u8 en = rtc->cmos[VRTC_REG_B] & (VRTC_B_PIE | VRTC_B_AIE | VRTC_B_UIE);

	if ((rtc->reg_c & VRTC_C_IRQF) || !(rtc->reg_c & en))
		return;
	rtc->reg_c |= VRTC_C_IRQF;
	if (!rtc->irq_level) {
		rtc->irq_level = true;
		rtc->set_irq(rtc->ctx, VRTC_IRQ, true);
	}
}

static void catch_up(struct vrtc *rtc, u64 now_ns)
{
	u64 last = rtc->seen_ns, p = periodic_ticks(rtc);
	u64 k0 = last / NS_PER_S + 1, k1 = now_ns / NS_PER_S;

	if (now_ns <= last)
		return;
	if (p && ns_to_32k(now_ns) / p > ns_to_32k(last) / p)
		rtc->reg_c |= VRTC_C_PF;
	if (!set_mode(rtc) && k1 >= k0) {
		rtc->reg_c |= VRTC_C_UF;
		if (alarm_second(rtc, k0) <= k1)
			rtc->reg_c |= VRTC_C_AF;
	}
	rtc->seen_ns = now_ns;
}

void vrtc_update(struct vrtc *rtc, u64 now_ns)
{
	catch_up(rtc, now_ns);
	update_irq(rtc);
}

u64 vrtc_next_event_ns(const struct vrtc *rtc, u64 now_ns)
{
	u8 b = rtc->cmos[VRTC_REG_B], c = rtc->reg_c;
	u64 next = VRTC_NO_EVENT, p = periodic_ticks(rtc), from = rtc->seen_ns;

	if ((b & VRTC_B_PIE) && !(c & VRTC_C_PF) && p)
		next = ns_of_32k((ns_to_32k(from) / p + 1) * p);
	if (set_mode(rtc))
		return next;
	if ((b & VRTC_B_UIE) && !(c & VRTC_C_UF))
		next = MIN(next, (from / NS_PER_S + 1) * NS_PER_S);
	if ((b & VRTC_B_AIE) && !(c & VRTC_C_AF)) {
		u64 k = alarm_second(rtc, from / NS_PER_S + 1);

		if (k != VRTC_NO_EVENT)
			next = MIN(next, k * NS_PER_S);
	}
	return next;
}

/* ---- registers ---- */

static u8 time_reg(const struct vrtc *rtc, u8 reg, u64 now_ns)
{
	struct vrtc_tm tm;

	current_tm(rtc, now_ns, &tm);
	switch (reg) {
	case VRTC_SEC: return to_reg(rtc, tm.sec);
	case VRTC_MIN: return to_reg(rtc, tm.min);
	case VRTC_HOUR: return hour_to_reg(rtc, tm.hour);
	case VRTC_WDAY: return to_reg(rtc, tm.wday);
	case VRTC_MDAY: return to_reg(rtc, tm.mday);
	case VRTC_MONTH: return to_reg(rtc, tm.mon);
	case VRTC_YEAR: return to_reg(rtc, (unsigned)(tm.year % 100));
	default: return to_reg(rtc, (unsigned)(tm.year / 100 % 100));
	}
}

static bool is_time_reg(u8 reg)
{
	return reg == VRTC_CENTURY || (reg <= VRTC_YEAR && reg != VRTC_SEC_ALARM &&
				       reg != VRTC_MIN_ALARM && reg != VRTC_HOUR_ALARM);
}

static void set_time_field(const struct vrtc *rtc, struct vrtc_tm *tm, u8 reg, u8 val)
{
	u8 v = reg == VRTC_HOUR ? hour_from_reg(rtc, val) : from_reg(rtc, val);

	switch (reg) {
	case VRTC_SEC: tm->sec = v; break;
	case VRTC_MIN: tm->min = v; break;
	case VRTC_HOUR: tm->hour = v; break;
	case VRTC_WDAY: tm->wday = v; break;
	case VRTC_MDAY: tm->mday = v; break;
	case VRTC_MONTH: tm->mon = v; break;
	case VRTC_YEAR: tm->year = floor_div(tm->year, 100) * 100 + v % 100; break;
	default: tm->year = (s64)v * 100 + tm->year % 100; break;
	}
}

/*
 * While SET is on the guest edits a held copy, so a date can be entered a
 * field at a time without a transient invalid day moving the month. Without
 * SET a write moves the running clock at once.
 */
static void write_time(struct vrtc *rtc, u8 reg, u8 val, u64 now_ns)
{
	struct vrtc_tm tm;
	s64 live;

	if (set_mode(rtc)) {
		set_time_field(rtc, &rtc->held, reg, val);
		return;
	}
	live = vrtc_now_secs(rtc, now_ns);
	vrtc_tm_from_secs(live, &tm);
	set_time_field(rtc, &tm, reg, val);
	rtc->offset_s += vrtc_secs_from_tm(&tm) - live;
}

static void write_b(struct vrtc *rtc, u8 val, u64 now_ns)
{
	bool was_set = set_mode(rtc), set = val & VRTC_B_SET;

	if (set && !was_set)
		vrtc_tm_from_secs(vrtc_now_secs(rtc, now_ns), &rtc->held);
	if (!set && was_set)
		rtc->offset_s = vrtc_secs_from_tm(&rtc->held) - (s64)rtc->epoch_s -
				(s64)(now_ns / NS_PER_S);
	/* Setting SET clears UIE (MC146818A, "Register B"). */
	rtc->cmos[VRTC_REG_B] = set ? (u8)(val & ~VRTC_B_UIE) : val;
}

u8 vrtc_reg_read(struct vrtc *rtc, u8 reg, u64 now_ns)
{
	u8 v;

	reg &= 0x7f;
	vrtc_update(rtc, now_ns);
	if (is_time_reg(reg))
		return time_reg(rtc, reg, now_ns);
	switch (reg) {
	case VRTC_REG_A:
		v = rtc->cmos[VRTC_REG_A] & 0x7f;
		if (!set_mode(rtc) && now_ns % NS_PER_S >= NS_PER_S - VRTC_UIP_NS)
			v |= VRTC_A_UIP;
		return v;
	case VRTC_REG_C:
		v = rtc->reg_c;
		rtc->reg_c = 0;
		if (rtc->irq_level) {
			rtc->irq_level = false;
			rtc->set_irq(rtc->ctx, VRTC_IRQ, false);
		}
		return v;
	case VRTC_REG_D: return VRTC_D_VRT;
	default: return rtc->cmos[reg];
	}
}

void vrtc_reg_write(struct vrtc *rtc, u8 reg, u8 val, u64 now_ns)
{
	reg &= 0x7f;
	vrtc_update(rtc, now_ns);
	if (is_time_reg(reg)) {
		write_time(rtc, reg, val, now_ns);
		return;
	}
	switch (reg) {
	case VRTC_REG_A: rtc->cmos[VRTC_REG_A] = val & 0x7f; break;
	case VRTC_REG_B: write_b(rtc, val, now_ns); break;
	case VRTC_REG_C:
	case VRTC_REG_D: return;
	default: rtc->cmos[reg] = val; return;
	}
	/* A newly enabled source whose flag is already set raises IRQF now. */
	update_irq(rtc);
}

u8 vrtc_io_read(struct vrtc *rtc, u16 port, u64 now_ns)
{
	if (port != VRTC_PORT_DATA)
		return 0xff;
	return vrtc_reg_read(rtc, rtc->index, now_ns);
}

void vrtc_io_write(struct vrtc *rtc, u16 port, u8 val, u64 now_ns)
{
	if (port == VRTC_PORT_INDEX) {
		rtc->index = val & 0x7f;
		rtc->nmi_masked = val & 0x80;
	} else if (port == VRTC_PORT_DATA) {
		vrtc_reg_write(rtc, rtc->index, val, now_ns);
	}
}

void vrtc_init(struct vrtc *rtc, u64 epoch_s, vrtc_irq_fn set_irq, void *ctx)
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->epoch_s = epoch_s;
	rtc->set_irq = set_irq;
	rtc->ctx = ctx;
	rtc->cmos[VRTC_REG_A] = 0x26; /* 32.768 kHz divider, 1024 Hz rate */
	rtc->cmos[VRTC_REG_B] = VRTC_B_24H;
}

static void put16(struct vrtc *rtc, u8 reg, u64 v)
{
	rtc->cmos[reg] = (u8)v;
	rtc->cmos[reg + 1] = (u8)(v >> 8);
}

void vrtc_set_mem(struct vrtc *rtc, u64 ram_below_4g, u64 ram_above_4g)
{
	u64 ext = ram_below_4g > MiB(1) ? (ram_below_4g - MiB(1)) / KiB(1) : 0;
	u64 above16 = ram_below_4g > MiB(16) ? (ram_below_4g - MiB(16)) / KiB(64) : 0;
	u64 high = ram_above_4g / KiB(64);
	unsigned sum = 0;

	put16(rtc, 0x15, 640);
	put16(rtc, 0x17, MIN(ext, 0xffff));
	put16(rtc, 0x30, MIN(ext, 0xffff));
	put16(rtc, 0x34, MIN(above16, 0xffff));
	put16(rtc, 0x5b, high);
	rtc->cmos[0x5d] = (u8)(high >> 16);
	for (unsigned i = 0x10; i <= 0x2d; i++)
		sum += rtc->cmos[i];
	rtc->cmos[0x2e] = (u8)(sum >> 8);
	rtc->cmos[0x2f] = (u8)sum;
}
