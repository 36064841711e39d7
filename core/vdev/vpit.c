// SPDX-License-Identifier: MIT
/* Virtual 8254 PIT: counts, OUT levels and IRQ0 edges computed from guest time on demand. */
#include <hv/vpit.h>
#include <hv/string.h>

/*
 * Nothing ticks in the background: every counter value and OUT level is a
 * function of the elapsed PIT clocks since the count was loaded (or the gate
 * triggered it), following the mode descriptions of the Intel 82C54
 * datasheet ("Mode Definitions"). Simplifications:
 *  - a count is loaded at the write rather than at the next clock edge;
 *  - a new count written in modes 2/3 without a control word restarts the
 *    period at once instead of at the end of the current one;
 *  - in modes 1/5 a new count written while counting is used at once.
 */

#define NS_PER_S     1000000000ULL

#define CW_SEL(v)    ((v) >> 6)
#define CW_RW(v)     (((v) >> 4) & 3)
#define CW_MODE(v)   (((v) >> 1) & 7)
#define CW_BCD	     0x01
#define RB_NO_COUNT  0x20
#define RB_NO_STATUS 0x10
#define STATUS_OUT   0x80
#define STATUS_NULL  0x40

static u64 ns_to_ticks(u64 ns)
{
	return ns / NS_PER_S * VPIT_HZ + ns % NS_PER_S * VPIT_HZ / NS_PER_S;
}

/* The first nanosecond at which ns_to_ticks() reaches 'ticks'. */
static u64 ticks_to_ns(u64 ticks)
{
	return ticks / VPIT_HZ * NS_PER_S + (ticks % VPIT_HZ * NS_PER_S + VPIT_HZ - 1) / VPIT_HZ;
}

static u32 bcd_decode(u16 v)
{
	return (u32)((v >> 12) & 0xf) * 1000 + ((v >> 8) & 0xf) * 100 + ((v >> 4) & 0xf) * 10 +
	       (v & 0xf);
}

static u16 bcd_encode(u32 v)
{
	return (u16)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

static bool gate_triggered(const struct vpit_channel *c)
{
	return c->mode == 1 || c->mode == 5;
}

static bool running(const struct vpit_channel *c)
{
	return c->counting && (c->gate || gate_triggered(c));
}

static u64 elapsed(const struct vpit_channel *c, u64 tick)
{
	return c->frozen + (running(c) ? tick - c->start : 0);
}

/* The counting element at 'e' clocks after the load, as a binary value (65536 reads 0). */
static u32 count_at(const struct vpit_channel *c, u64 e)
{
	u32 n = c->reload, mod = c->bcd ? 10000 : 65536;

	if (!c->counting)
		return n % mod;
	switch (c->mode) {
	case 2: return (u32)(n - e % n) % mod;
	case 3: {
		/* Counts down by two through each half; the high half is the longer one. */
		u64 p = e % n, high = (n + 1) / 2;
		u64 q = p < high ? p : p - high;
		u64 even = n & ~1u;

		return (u32)(even > 2 * q ? even - 2 * q : 0) % mod;
	}
	default: return (u32)((n + mod - e % mod) % mod);
	}
}

static bool out_at(const struct vpit_channel *c, u64 e)
{
	u32 n = c->reload;

	switch (c->mode) {
	case 0: return c->counting && e >= n;
	case 1: return !c->counting || e >= n;
	case 2: return !c->counting || !c->gate || e % n != n - 1;
	case 3: return !c->counting || !c->gate || e % n < (n + 1) / 2;
	default: return !c->counting || e != n;
	}
}

/* Elapsed count of the first OUT rising edge after 'e', or VPIT_NO_EVENT. */
static u64 next_rise(const struct vpit_channel *c, u64 e)
{
	u32 n = c->reload;

	if (!running(c))
		return VPIT_NO_EVENT;
	switch (c->mode) {
	case 2:
	case 3: return (e / n + 1) * n;
	case 0:
	case 1: return e < n ? n : VPIT_NO_EVENT;
	default: return e < n + 1 ? n + 1 : VPIT_NO_EVENT;
	}
}

static void rearm_irq(struct vpit_channel *c, u64 tick)
{
	u64 e = elapsed(c, tick), rise = next_rise(c, e);

	c->irq_next = rise == VPIT_NO_EVENT ? VPIT_NO_EVENT : tick + (rise - e);
}

static u16 visible_count(const struct vpit_channel *c, u64 tick)
{
	u32 v = count_at(c, elapsed(c, tick));

	return c->bcd ? bcd_encode(v) : (u16)v;
}

static u8 status_byte(const struct vpit_channel *c, u64 tick)
{
	return (u8)((out_at(c, elapsed(c, tick)) ? STATUS_OUT : 0) |
		    (c->null_count ? STATUS_NULL : 0) | c->rw << 4 | c->mode << 1 | c->bcd);
}

static void latch_count(struct vpit_channel *c, u64 tick)
{
	if (c->latch_left)
		return;
	c->latch = visible_count(c, tick);
	c->latch_left = c->rw == 3 ? 2 : 1;
	c->read_hi = c->rw == 2;
}

static void control_word(struct vpit *pit, u8 v, u64 tick)
{
	struct vpit_channel *c = &pit->ch[CW_SEL(v)];
	u8 mode = CW_MODE(v);

	if (CW_RW(v) == 0) {
		latch_count(c, tick);
		return;
	}
	c->rw = CW_RW(v);
	c->mode = mode > 5 ? mode - 4 : mode;
	c->bcd = v & CW_BCD;
	c->loaded = c->counting = false;
	c->null_count = true;
	c->write_hi = c->read_hi = c->rw == 2;
	c->latch_left = 0;
	c->status_latched = false;
	c->frozen = 0;
	c->irq_next = VPIT_NO_EVENT;
	if (c == &pit->ch[0])
		pit->backlog = 0; /* reprogrammed: the old period's ticks are moot */
}

static void read_back(struct vpit *pit, u8 v, u64 tick)
{
	for (unsigned i = 0; i < 3; i++) {
		struct vpit_channel *c = &pit->ch[i];

		if (!(v & (2u << i)))
			continue;
		if (!(v & RB_NO_COUNT))
			latch_count(c, tick);
		if (!(v & RB_NO_STATUS) && !c->status_latched) {
			c->status = status_byte(c, tick);
			c->status_latched = true;
		}
	}
}

static void load_count(struct vpit_channel *c, u16 v, u64 tick)
{
	u32 n = c->bcd ? bcd_decode(v) : v;

	c->reload = n ? n : (c->bcd ? 10000 : 65536);
	c->loaded = true;
	c->null_count = false;
	if (gate_triggered(c) && !c->counting)
		return;
	c->counting = true;
	c->frozen = 0;
	c->start = tick;
}

static void write_count(struct vpit_channel *c, u8 v, u64 tick)
{
	switch (c->rw) {
	case 1: load_count(c, v, tick); break;
	case 2: load_count(c, (u16)(v << 8), tick); break;
	default:
		if (!c->write_hi) {
			c->write_lo = v;
			c->write_hi = true;
			/* Mode 0: the first byte stops the count and drops OUT. */
			if (c->mode == 0)
				c->counting = false;
			return;
		}
		c->write_hi = false;
		load_count(c, (u16)(c->write_lo | v << 8), tick);
	}
}

static u8 read_count(struct vpit_channel *c, u64 tick)
{
	u16 v;
	bool hi;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_left) {
		hi = c->read_hi;
		v = c->latch;
		c->latch_left--;
	} else {
		hi = c->read_hi;
		v = visible_count(c, tick);
	}
	if (c->rw == 3)
		c->read_hi = !c->read_hi;
	return (u8)(hi ? v >> 8 : v);
}

static void set_gate(struct vpit_channel *c, bool gate, u64 tick)
{
	if (c->gate == gate)
		return;
	if (!gate) {
		if (running(c) && !gate_triggered(c)) {
			c->frozen = elapsed(c, tick);
			c->start = tick;
		}
		c->gate = false;
		return;
	}
	c->gate = true;
	c->start = tick;
	if (c->mode == 2 || c->mode == 3)
		c->frozen = 0;
	if (gate_triggered(c) && c->loaded) {
		c->counting = true;
		c->frozen = 0;
	}
}

void vpit_init(struct vpit *pit, vpit_irq_fn set_irq, void *ctx)
{
	memset(pit, 0, sizeof(*pit));
	pit->set_irq = set_irq;
	pit->ctx = ctx;
	for (unsigned i = 0; i < 3; i++) {
		pit->ch[i].reload = 65536;
		pit->ch[i].rw = 3;
		pit->ch[i].gate = i != 2;
		pit->ch[i].irq_next = VPIT_NO_EVENT;
	}
}

u8 vpit_io_read(struct vpit *pit, u16 port, u64 now_ns)
{
	if (port < VPIT_PORT_CH0 || port >= VPIT_PORT_CMD)
		return 0xff;
	return read_count(&pit->ch[port - VPIT_PORT_CH0], ns_to_ticks(now_ns));
}

void vpit_io_write(struct vpit *pit, u16 port, u8 val, u64 now_ns)
{
	u64 tick = ns_to_ticks(now_ns);

	/* Deliver what was due under the old programming before changing it. */
	vpit_update(pit, now_ns);
	if (port == VPIT_PORT_CMD) {
		if (CW_SEL(val) == 3)
			read_back(pit, val, tick);
		else
			control_word(pit, val, tick);
		return;
	}
	if (port < VPIT_PORT_CH0 || port > VPIT_PORT_CH2)
		return;
	write_count(&pit->ch[port - VPIT_PORT_CH0], val, tick);
	if (port == VPIT_PORT_CH0)
		rearm_irq(&pit->ch[0], tick);
}

bool vpit_out(const struct vpit *pit, unsigned ch, u64 now_ns)
{
	const struct vpit_channel *c = &pit->ch[ch % 3];

	return out_at(c, elapsed(c, ns_to_ticks(now_ns)));
}

u8 vpit_port61_read(struct vpit *pit, u64 now_ns)
{
	u8 v = pit->port61 & VPIT_61_RW_MASK;

	if (now_ns / VPIT_REFRESH_NS & 1)
		v |= VPIT_61_REFRESH;
	if (vpit_out(pit, 2, now_ns))
		v |= VPIT_61_OUT2;
	return v;
}

void vpit_port61_write(struct vpit *pit, u8 val, u64 now_ns)
{
	pit->port61 = val & VPIT_61_RW_MASK;
	set_gate(&pit->ch[2], val & VPIT_61_GATE2, ns_to_ticks(now_ns));
}

u64 vpit_next_event_ns(const struct vpit *pit, u64 now_ns)
{
	u64 next = pit->ch[0].irq_next;

	return next == VPIT_NO_EVENT ? VPIT_NO_EVENT : ticks_to_ns(next);
}

void vpit_set_busy_probe(struct vpit *pit, vpit_busy_fn busy)
{
	pit->irq_busy = busy;
}

/* Rising edges of channel 0 from irq_next up to tick (irq_next <= tick). */
static u64 edges_due(const struct vpit_channel *c, u64 tick)
{
	if (c->mode == 2 || c->mode == 3)
		return (tick - c->irq_next) / c->reload + 1;
	return 1;
}

void vpit_update(struct vpit *pit, u64 now_ns)
{
	struct vpit_channel *c = &pit->ch[0];
	u64 tick = ns_to_ticks(now_ns);

	if (c->irq_next != VPIT_NO_EVENT && tick >= c->irq_next) {
		u64 due = pit->irq_busy ? edges_due(c, tick) : 1;
		u64 room = (pit->irq_busy ? VPIT_BACKLOG_MAX : 1) - pit->backlog;

		pit->coalesced += due > room ? due - room : 0;
		pit->backlog += (u32)MIN(due, room);
		rearm_irq(c, tick);
	}
	if (!pit->backlog || (pit->irq_busy && pit->irq_busy(pit->ctx, VPIT_IRQ)))
		return;
	pit->backlog--;
	pit->set_irq(pit->ctx, VPIT_IRQ, true);
	pit->set_irq(pit->ctx, VPIT_IRQ, false);
}
