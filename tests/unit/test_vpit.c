// SPDX-License-Identifier: MIT
/* Host tests of the virtual 8254: counts at exact times, IRQ0 rate, Linux's TSC calibration. */
#include <hv/vpit.h>

#include "utest.h"

struct irqlog {
	unsigned raises, lowers;
	bool level;
	unsigned other; /* calls for a line other than IRQ0 */
};

static void record_irq(void *ctx, unsigned irq, bool level)
{
	struct irqlog *l = ctx;

	if (irq != 0)
		l->other++;
	if (level)
		l->raises++;
	else
		l->lowers++;
	l->level = level;
}

/* The first nanosecond of PIT clock 't', worked out independently of the model. */
static u64 tick_ns(u64 t)
{
	return (t * 1000000000ULL + 1193181) / 1193182;
}

static void program(struct vpit *pit, unsigned ch, u8 cw_mode, u16 count, u64 now)
{
	vpit_io_write(pit, 0x43, (u8)(ch << 6 | 0x30 | cw_mode << 1), now);
	vpit_io_write(pit, (u16)(0x40 + ch), (u8)count, now);
	vpit_io_write(pit, (u16)(0x40 + ch), (u8)(count >> 8), now);
}

static unsigned read16(struct vpit *pit, unsigned ch, u64 now)
{
	unsigned lo = vpit_io_read(pit, (u16)(0x40 + ch), now);

	return lo | (unsigned)vpit_io_read(pit, (u16)(0x40 + ch), now) << 8;
}

/* Drive the model the way the platform will: sleep until the next event, update. */
static void run_until(struct vpit *pit, u64 end)
{
	u64 prev = 0;

	for (;;) {
		u64 next = vpit_next_event_ns(pit, 0);

		if (next > end)
			break;
		vpit_update(pit, next);
		/* The edge must be delivered at the time given, so the next one is later. */
		if (next <= prev) {
			CHECK(next > prev);
			break;
		}
		prev = next;
	}
	vpit_update(pit, end);
}

UTEST(vpit_mode2_irq0_rate)
{
	struct irqlog log = {0};
	struct vpit pit;

	vpit_init(&pit, record_irq, &log);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), VPIT_NO_EVENT);
	program(&pit, 0, 2, 1193, 0);
	/* Edges at clocks 1193 k: 1000 of them fit in the 1193182 clocks of one second. */
	CHECK_EQ(vpit_next_event_ns(&pit, 0), tick_ns(1193));
	vpit_update(&pit, tick_ns(1193) - 1);
	CHECK_EQ(log.raises, 0);
	vpit_update(&pit, tick_ns(1193));
	CHECK_EQ(log.raises, 1);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), tick_ns(2 * 1193));
	run_until(&pit, 1000000000ULL);
	CHECK_EQ(log.raises, 1000);
	CHECK_EQ(log.lowers, 1000);
	CHECK(!log.level);
	CHECK_EQ(log.other, 0);
	/* Ten missed periods are one edge, and the next is back on the grid. */
	vpit_update(&pit, tick_ns(1010 * 1193) + 5);
	CHECK_EQ(log.raises, 1001);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), tick_ns(1011 * 1193));
	/* Reprogramming stops the old period. */
	vpit_io_write(&pit, 0x43, 0x30, tick_ns(1010 * 1193) + 10);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), VPIT_NO_EVENT);
}

/* The guest takes an edge when the test says so: busy while an edge is not yet taken. */
struct guestsim {
	struct irqlog log;
	unsigned taken;
	bool masked; /* no controller passes IRQ0 on */
};

static void sim_irq(void *ctx, unsigned irq, bool level)
{
	record_irq(&((struct guestsim *)ctx)->log, irq, level);
}

static bool sim_busy(void *ctx, unsigned irq)
{
	struct guestsim *g = ctx;

	return !g->masked && g->log.raises > g->taken;
}

UTEST(vpit_reinject_missed_ticks)
{
	struct guestsim g = {0};
	struct vpit pit;
	u64 t;

	vpit_init(&pit, sim_irq, &g);
	vpit_set_busy_probe(&pit, sim_busy);
	program(&pit, 0, 2, 1193, 0);
	/* The guest did not run for 10 periods: all 10 edges are due, one goes out now. */
	t = tick_ns(10 * 1193) + 5;
	vpit_update(&pit, t);
	CHECK_EQ(g.log.raises, 1);
	CHECK_EQ(pit.backlog, 9);
	/* Not taken yet: nothing more, whatever the number of updates. */
	vpit_update(&pit, t + 1);
	vpit_update(&pit, t + 2);
	CHECK_EQ(g.log.raises, 1);
	/* Each edge taken lets the next one out, until the count is made up. */
	for (unsigned i = 0; i < 20; i++) {
		g.taken = g.log.raises;
		vpit_update(&pit, t + 3 + i);
	}
	CHECK_EQ(g.log.raises, 10);
	CHECK_EQ(g.log.lowers, 10);
	CHECK_EQ(pit.backlog, 0);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), tick_ns(11 * 1193));
	/* A long stall keeps at most VPIT_BACKLOG_MAX; the rest is counted as coalesced. */
	g.taken = g.log.raises;
	t = tick_ns((11 + VPIT_BACKLOG_MAX + 100) * 1193) + 5;
	vpit_update(&pit, t);
	CHECK_EQ(g.log.raises, 11);
	CHECK_EQ(pit.backlog, VPIT_BACKLOG_MAX - 1);
	CHECK_EQ(pit.coalesced, 101);
	/* Masked everywhere: nobody takes them, they drain instead of piling up. */
	g.masked = true;
	for (unsigned i = 0; i < VPIT_BACKLOG_MAX; i++)
		vpit_update(&pit, t + 1 + i);
	CHECK_EQ(pit.backlog, 0);
	/* Reprogramming drops what was left of the old period. */
	g.masked = false;
	vpit_update(&pit, t + tick_ns(5 * 1193));
	CHECK(pit.backlog > 0);
	program(&pit, 0, 2, 1193, t + tick_ns(5 * 1193) + 1);
	CHECK_EQ(pit.backlog, 0);
}

UTEST(vpit_mode0_one_edge)
{
	struct irqlog log = {0};
	struct vpit pit;
	u64 t0 = 5000000;

	vpit_init(&pit, record_irq, &log);
	program(&pit, 0, 0, 100, t0);
	u64 base = (t0 * 1193182ULL) / 1000000000ULL;
	CHECK(!vpit_out(&pit, 0, t0));
	CHECK_EQ(vpit_next_event_ns(&pit, 0), tick_ns(base + 100));
	CHECK(!vpit_out(&pit, 0, tick_ns(base + 100) - 1));
	CHECK(vpit_out(&pit, 0, tick_ns(base + 100)));
	run_until(&pit, t0 + 1000000000ULL);
	CHECK_EQ(log.raises, 1);
	CHECK_EQ(log.lowers, 1);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), VPIT_NO_EVENT);
	/* After terminal count the counter wraps on to 0xffff and keeps going. */
	CHECK_EQ(read16(&pit, 0, tick_ns(base + 101)), 0xffff);
}

UTEST(vpit_counts_at_known_times)
{
	struct irqlog log = {0};
	struct vpit pit;

	vpit_init(&pit, record_irq, &log);
	program(&pit, 0, 2, 1000, 0);
	CHECK_EQ(read16(&pit, 0, 0), 1000);
	CHECK_EQ(read16(&pit, 0, tick_ns(250)), 750);
	CHECK_EQ(read16(&pit, 0, tick_ns(251) - 1), 750);
	CHECK_EQ(read16(&pit, 0, tick_ns(999)), 1);
	CHECK_EQ(read16(&pit, 0, tick_ns(1000)), 1000); /* reloaded */
	CHECK_EQ(read16(&pit, 0, tick_ns(2300)), 700);

	/* Counter latch command: the value of the latch time, however late it is read. */
	vpit_io_write(&pit, 0x43, 0x00, tick_ns(3250));
	CHECK_EQ(read16(&pit, 0, tick_ns(3600)), 750);
	CHECK_EQ(read16(&pit, 0, tick_ns(3600)), 400);
	/* A second latch before the first is read is ignored. */
	vpit_io_write(&pit, 0x43, 0x00, tick_ns(4100));
	vpit_io_write(&pit, 0x43, 0x00, tick_ns(4200));
	CHECK_EQ(read16(&pit, 0, tick_ns(4500)), 900);

	/* Read-back of count and status of channel 0: status first. */
	vpit_io_write(&pit, 0x43, 0xc2, tick_ns(5250));
	CHECK_EQ(vpit_io_read(&pit, 0x40, tick_ns(5900)), 0xb4); /* OUT, lo/hi, mode 2, binary */
	CHECK_EQ(read16(&pit, 0, tick_ns(5900)), 750);
	/* Status only, at the clock where mode 2 OUT is low (count 1). */
	vpit_io_write(&pit, 0x43, 0xe2, tick_ns(5999));
	CHECK_EQ(vpit_io_read(&pit, 0x40, tick_ns(6500)), 0x34);
	CHECK_EQ(read16(&pit, 0, tick_ns(6500)), 500);
	/* After a control word: null count until the count is written. */
	vpit_io_write(&pit, 0x43, 0x34, tick_ns(7000));
	vpit_io_write(&pit, 0x43, 0xe2, tick_ns(7000));
	CHECK_EQ(vpit_io_read(&pit, 0x40, tick_ns(7000)), 0xf4);
}

UTEST(vpit_lohi_toggle_and_byte_modes)
{
	struct irqlog log = {0};
	struct vpit pit;

	vpit_init(&pit, record_irq, &log);
	program(&pit, 1, 2, 0x1234, 0);
	CHECK_EQ(vpit_io_read(&pit, 0x41, 0), 0x34);
	CHECK_EQ(vpit_io_read(&pit, 0x41, 0), 0x12);
	CHECK_EQ(vpit_io_read(&pit, 0x41, 0), 0x34);
	CHECK_EQ(vpit_io_read(&pit, 0x41, tick_ns(0x34)), 0x12); /* high byte of 0x1200 */
	CHECK_EQ(vpit_io_read(&pit, 0x41, tick_ns(0x34)), 0x00);
	/* Lobyte only: the high byte is 0; hibyte only: the low byte is 0. */
	vpit_io_write(&pit, 0x43, 0x54, 0); /* ch1, lobyte, mode 2 */
	vpit_io_write(&pit, 0x41, 200, 0);
	CHECK_EQ(vpit_io_read(&pit, 0x41, tick_ns(50)), 150);
	CHECK_EQ(vpit_io_read(&pit, 0x41, tick_ns(50)), 150);
	vpit_io_write(&pit, 0x43, 0x64, 0); /* ch1, hibyte, mode 2 */
	vpit_io_write(&pit, 0x41, 0x02, 0);
	CHECK_EQ(vpit_io_read(&pit, 0x41, tick_ns(0x100)), 0x01);
	/* Reload 0 is 65536. */
	program(&pit, 1, 0, 0, 0);
	CHECK_EQ(read16(&pit, 1, 0), 0);
	CHECK_EQ(read16(&pit, 1, tick_ns(1)), 0xffff);
	CHECK(!vpit_out(&pit, 1, tick_ns(65535)));
	CHECK(vpit_out(&pit, 1, tick_ns(65536)));
}

UTEST(vpit_bcd_count)
{
	struct irqlog log = {0};
	struct vpit pit;

	vpit_init(&pit, record_irq, &log);
	vpit_io_write(&pit, 0x43, 0x35, 0); /* ch0, lo/hi, mode 2, BCD */
	vpit_io_write(&pit, 0x40, 0x00, 0);
	vpit_io_write(&pit, 0x40, 0x10, 0); /* 1000 decimal */
	CHECK_EQ(read16(&pit, 0, tick_ns(1)), 0x0999);
	CHECK_EQ(read16(&pit, 0, tick_ns(750)), 0x0250);
	CHECK_EQ(vpit_next_event_ns(&pit, 0), tick_ns(1000));
}

UTEST(vpit_mode3_and_mode4)
{
	struct irqlog log = {0};
	struct vpit pit;

	vpit_init(&pit, record_irq, &log);
	program(&pit, 0, 3, 100, 0);
	CHECK(vpit_out(&pit, 0, tick_ns(49)));
	CHECK(!vpit_out(&pit, 0, tick_ns(50)));
	CHECK(!vpit_out(&pit, 0, tick_ns(99)));
	CHECK(vpit_out(&pit, 0, tick_ns(100)));
	CHECK_EQ(read16(&pit, 0, tick_ns(10)), 80); /* counts by two */
	run_until(&pit, tick_ns(1000));
	CHECK_EQ(log.raises, 10);
	/* Mode 4: OUT low for the one clock at count 0, the edge when it goes high. */
	program(&pit, 0, 4, 100, tick_ns(2000));
	CHECK_EQ(log.raises, 11); /* the edges due before the control word, coalesced */
	CHECK(vpit_out(&pit, 0, tick_ns(2099)));
	CHECK(!vpit_out(&pit, 0, tick_ns(2100)));
	CHECK(vpit_out(&pit, 0, tick_ns(2101)));
	CHECK_EQ(vpit_next_event_ns(&pit, 0), tick_ns(2101));
	run_until(&pit, tick_ns(100000));
	CHECK_EQ(log.raises, 12);
}

/*
 * Linux pit_calibrate_tsc(): gate of channel 2 up and speaker off through
 * port 0x61, channel 2 in mode 0 binary lo/hi with the count for 10 ms, then
 * poll port 0x61 bit 5 until OUT goes high.
 */
UTEST(vpit_linux_calibration_sequence)
{
	struct irqlog log = {0};
	struct vpit pit;
	const unsigned latch = 1193182 / (1000 / 10);
	u64 t = 123456, t0, seen = 0;
	u8 v;

	vpit_init(&pit, record_irq, &log);
	vpit_port61_write(&pit, 0x02, t);
	v = vpit_port61_read(&pit, t);
	CHECK_EQ(v & 0x03, 0x02);
	vpit_port61_write(&pit, (u8)((v & ~0x02) | 0x01), t);
	vpit_io_write(&pit, 0x43, 0xb0, t);
	vpit_io_write(&pit, 0x42, latch & 0xff, t);
	vpit_io_write(&pit, 0x42, (u8)(latch >> 8), t);
	t0 = t;
	CHECK_EQ(vpit_port61_read(&pit, t) & 0x23, 0x01);
	for (; t < t0 + 20000000; t += 100) {
		if (vpit_port61_read(&pit, t) & 0x20) {
			seen = t;
			break;
		}
	}
	/* 11931 clocks are 9.9993 ms: OUT rises within one clock of that. */
	CHECK(seen != 0);
	CHECK(seen - t0 >= (latch - 1) * 1000000000ULL / 1193182);
	CHECK(seen - t0 <= (latch + 1) * 1000000000ULL / 1193182);
	CHECK_EQ(log.raises + log.lowers, 0); /* channel 2 has no interrupt */

	/* Gate low holds the count and OUT; gate high again resumes (mode 0). */
	program(&pit, 2, 0, 1000, 0);
	vpit_port61_write(&pit, 0x01, 0);
	vpit_port61_write(&pit, 0x00, tick_ns(400));
	CHECK_EQ(read16(&pit, 2, tick_ns(900)), 600);
	CHECK_EQ(vpit_port61_read(&pit, tick_ns(5000)) & 0x20, 0);
	vpit_port61_write(&pit, 0x01, tick_ns(5000));
	CHECK_EQ(read16(&pit, 2, tick_ns(5100)), 500);
	CHECK_EQ(vpit_port61_read(&pit, tick_ns(5599)) & 0x20, 0);
	CHECK_EQ(vpit_port61_read(&pit, tick_ns(5600)) & 0x20, 0x20);
}

/* Linux quick_pit_calibrate(): count 0xffff, read lo then hi, watch the MSB step down. */
UTEST(vpit_linux_quick_calibration_msb)
{
	struct irqlog log = {0};
	struct vpit pit;

	vpit_init(&pit, record_irq, &log);
	vpit_port61_write(&pit, 0x01, 0);
	program(&pit, 2, 0, 0xffff, 0);
	for (unsigned k = 0; k < 200; k++) {
		u64 lo_t = tick_ns(256 * k), hi_t = tick_ns(256 * k + 255);

		vpit_io_read(&pit, 0x42, lo_t);
		CHECK_EQ(vpit_io_read(&pit, 0x42, lo_t), 0xff - k);
		vpit_io_read(&pit, 0x42, hi_t);
		CHECK_EQ(vpit_io_read(&pit, 0x42, hi_t), 0xff - k);
	}
}

UTEST(vpit_mode1_gate_trigger)
{
	struct irqlog log = {0};
	struct vpit pit;

	vpit_init(&pit, record_irq, &log);
	program(&pit, 2, 1, 100, 0);
	CHECK(vpit_out(&pit, 2, tick_ns(500))); /* waits for a trigger */
	vpit_port61_write(&pit, 0x01, tick_ns(1000));
	CHECK(!vpit_out(&pit, 2, tick_ns(1050)));
	CHECK_EQ(read16(&pit, 2, tick_ns(1050)), 50);
	CHECK(vpit_out(&pit, 2, tick_ns(1100)));
	/* Retrigger: gate low then high restarts the one-shot. */
	vpit_port61_write(&pit, 0x00, tick_ns(1200));
	vpit_port61_write(&pit, 0x01, tick_ns(1300));
	CHECK(!vpit_out(&pit, 2, tick_ns(1399)));
	CHECK(vpit_out(&pit, 2, tick_ns(1400)));
}

UTEST(vpit_port61_bits)
{
	struct irqlog log = {0};
	struct vpit pit;
	unsigned toggles = 0;
	u8 prev;

	vpit_init(&pit, record_irq, &log);
	vpit_port61_write(&pit, 0xff, 0);
	CHECK_EQ(vpit_port61_read(&pit, 0) & 0xcf, 0x0f); /* bits 6, 7 read 0 */
	CHECK_EQ(vpit_port61_read(&pit, 0) & 0x10, 0);
	CHECK_EQ(vpit_port61_read(&pit, 15084) & 0x10, 0);
	CHECK_EQ(vpit_port61_read(&pit, 15085) & 0x10, 0x10);
	CHECK_EQ(vpit_port61_read(&pit, 30170) & 0x10, 0);
	prev = vpit_port61_read(&pit, 0);
	for (u64 t = 0; t <= 1000000; t += 1000) {
		u8 v = vpit_port61_read(&pit, t);

		toggles += ((v ^ prev) & 0x10) != 0;
		prev = v;
	}
	CHECK_EQ(toggles, 1000000 / 15085);
	CHECK_EQ(vpit_io_read(&pit, 0x43, 0), 0xff);
}
