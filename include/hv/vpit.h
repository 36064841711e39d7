/* SPDX-License-Identifier: MIT */
/* Virtual Intel 8254 PIT (ports 0x40-0x43) and the port 0x61 bits it owns: pure, host-tested. */
#ifndef HV_VPIT_H
#define HV_VPIT_H

#include <hv/types.h>

#define VPIT_HZ	      1193182ULL /* input clock of all three counters */
#define VPIT_PORT_CH0 0x40
#define VPIT_PORT_CH2 0x42
#define VPIT_PORT_CMD 0x43
#define VPIT_PORT_61  0x61
#define VPIT_IRQ      0 /* channel 0 OUT drives ISA IRQ0 */
#define VPIT_NO_EVENT (~0ULL)

/* Port 0x61 ("system control port B") bits. */
#define VPIT_61_GATE2	0x01 /* gate of channel 2 (r/w) */
#define VPIT_61_SPKR	0x02 /* speaker data enable (r/w, stored only) */
#define VPIT_61_RW_MASK 0x0f /* bits 2-3 (parity/IOCHK enables) are stored too */
#define VPIT_61_REFRESH 0x10 /* toggles every 15.085 us (read-only) */
#define VPIT_61_OUT2	0x20 /* channel 2 OUT (read-only) */
#define VPIT_REFRESH_NS 15085ULL

/* Sets an ISA interrupt line to a wire level; an edge is a raise followed by a lower. */
typedef void (*vpit_irq_fn)(void *ctx, unsigned irq, bool level);

/*
 * One counter. Time is kept in whole PIT clocks since the VM started
 * ("ticks"): the count changes at absolute tick boundaries, as on hardware
 * where the 1.19 MHz clock runs whatever the guest programs.
 */
struct vpit_channel {
	u32 reload;    /* initial count: 1..65536 (1..10000 in BCD mode) */
	u64 start;     /* tick at which the elapsed count last started from 'frozen' */
	u64 frozen;    /* ticks counted before 'start' (gate pauses in modes 0 and 4) */
	u64 irq_next;  /* channel 0: tick of the next OUT rising edge, or VPIT_NO_EVENT */
	u16 latch;     /* latched count (already BCD-encoded in BCD mode) */
	u8 latch_left; /* bytes of 'latch' still to read: 0, 1 or 2 */
	u8 status;     /* latched read-back status byte */
	bool status_latched;
	u8 mode; /* 0-5 */
	u8 rw;	 /* access: 1 lobyte, 2 hibyte, 3 lobyte then hibyte */
	bool bcd;
	bool loaded;   /* a count was written since the last control word */
	bool counting; /* counting has started (modes 1 and 5: after a gate trigger) */
	bool gate;
	bool null_count; /* control word written, count not yet loaded */
	bool write_hi;	 /* lo/hi access: the next write is the high byte */
	bool read_hi;	 /* lo/hi access: the next read is the high byte */
	u8 write_lo;	 /* low byte held until the high byte comes */
};

/* True while the last edge of ISA IRQ irq has not yet been taken by the guest. */
typedef bool (*vpit_busy_fn)(void *ctx, unsigned irq);

/* Channel 0 edges due but not yet delivered are kept up to this many. */
#define VPIT_BACKLOG_MAX 250

struct vpit {
	struct vpit_channel ch[3];
	u8 port61; /* VPIT_61_RW_MASK bits as last written */
	vpit_irq_fn set_irq;
	vpit_busy_fn irq_busy; /* NULL: missed periods coalesce into one edge */
	void *ctx;
	u32 backlog;   /* channel 0 edges due, not yet delivered */
	u64 coalesced; /* edges given up because the backlog was full */
};

/* Reset to power-on state: all channels unprogrammed, gates of channels 0 and 1 high. */
void vpit_init(struct vpit *pit, vpit_irq_fn set_irq, void *ctx);

/* Guest IN/OUT on ports 0x40-0x43; other ports read 0xff and ignore writes. */
u8 vpit_io_read(struct vpit *pit, u16 port, u64 now_ns);
void vpit_io_write(struct vpit *pit, u16 port, u8 val, u64 now_ns);

/* Port 0x61: bits 0-3 as written, bit 4 the refresh toggle, bit 5 channel 2 OUT. */
u8 vpit_port61_read(struct vpit *pit, u64 now_ns);
void vpit_port61_write(struct vpit *pit, u8 val, u64 now_ns);

/*
 * Earliest guest time at which vpit_update() has an IRQ0 edge to deliver, or
 * VPIT_NO_EVENT. Never earlier than the edge itself, so calling vpit_update()
 * at the returned time always delivers it.
 */
u64 vpit_next_event_ns(const struct vpit *pit, u64 now_ns);

/*
 * Deliver the channel 0 OUT rising edges due by now_ns as IRQ0 edges.
 *
 * Without irq_busy, periods missed since the last call coalesce into one edge
 * (the guest's tick count then lags, as with a PIC that had IRQ0 pending).
 * With it, every edge due is counted and they go out one at a time, the next
 * once irq_busy() says the guest took the previous one: a guest that counts
 * ticks (Linux's jiffies before its LAPIC timer runs, its check that the timer
 * works through the IOAPIC) sees them all even when it did not run for a while,
 * as KVM's PIT re-injects them. At most VPIT_BACKLOG_MAX are kept.
 */
void vpit_update(struct vpit *pit, u64 now_ns);

/* Re-inject mode: ask busy() before each edge (see vpit_update()). */
void vpit_set_busy_probe(struct vpit *pit, vpit_busy_fn busy);

/* Channel 'ch' OUT level at now_ns (for tests and the port 0x61 bit). */
bool vpit_out(const struct vpit *pit, unsigned ch, u64 now_ns);

#endif
