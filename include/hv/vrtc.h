/* SPDX-License-Identifier: MIT */
/* Virtual MC146818 RTC and CMOS (ports 0x70/0x71) driven by guest time: pure, host-tested. */
#ifndef HV_VRTC_H
#define HV_VRTC_H

#include <hv/types.h>

#define VRTC_PORT_INDEX 0x70
#define VRTC_PORT_DATA	0x71
#define VRTC_IRQ	8
#define VRTC_NO_EVENT	(~0ULL)

/* Register numbers (MC146818A datasheet, "Address Map"). */
#define VRTC_SEC	0x00
#define VRTC_SEC_ALARM	0x01
#define VRTC_MIN	0x02
#define VRTC_MIN_ALARM	0x03
#define VRTC_HOUR	0x04
#define VRTC_HOUR_ALARM 0x05
#define VRTC_WDAY	0x06
#define VRTC_MDAY	0x07
#define VRTC_MONTH	0x08
#define VRTC_YEAR	0x09
#define VRTC_REG_A	0x0a
#define VRTC_REG_B	0x0b
#define VRTC_REG_C	0x0c
#define VRTC_REG_D	0x0d
#define VRTC_CENTURY	0x32

#define VRTC_A_UIP	0x80
#define VRTC_A_RATE	0x0f
#define VRTC_B_SET	0x80
#define VRTC_B_PIE	0x40
#define VRTC_B_AIE	0x20
#define VRTC_B_UIE	0x10
#define VRTC_B_SQWE	0x08
#define VRTC_B_DM_BIN	0x04
#define VRTC_B_24H	0x02
#define VRTC_B_DSE	0x01
#define VRTC_C_IRQF	0x80
#define VRTC_C_PF	0x40
#define VRTC_C_AF	0x20
#define VRTC_C_UF	0x10
#define VRTC_D_VRT	0x80
#define VRTC_ALARM_ANY	0xc0	  /* alarm byte >= 0xc0: don't care */
#define VRTC_UIP_NS	244000ULL /* UIP is set this long before each second ends */

typedef void (*vrtc_irq_fn)(void *ctx, unsigned irq, bool level);

/* A broken-down date and time (proleptic Gregorian, UTC-like, no time zone). */
struct vrtc_tm {
	s64 year;
	u8 mon;	 /* 1-12 */
	u8 mday; /* 1-31 */
	u8 hour, min, sec;
	u8 wday; /* 1 = Sunday ... 7 = Saturday, as the RTC counts */
};

struct vrtc {
	u8 cmos[128];	     /* everything but time, C and D is stored here */
	u8 index;	     /* last index written to port 0x70, bits 6:0 */
	bool nmi_masked;     /* bit 7 of the last index write (stored for the platform) */
	u8 reg_c;	     /* IRQF PF AF UF */
	bool irq_level;	     /* IRQ8 line as last set */
	u64 epoch_s;	     /* seconds since 1970 at now_ns = 0 */
	s64 offset_s;	     /* guest's clock minus epoch clock, from guest writes */
	u64 seen_ns;	     /* flags are accounted for up to this time */
	struct vrtc_tm held; /* the clock while SET is on: updates stop, writes go here */
	vrtc_irq_fn set_irq;
	void *ctx;
};

/* Days since 1970-01-01 of a civil date, and back (any year, negative days before 1970). */
s64 vrtc_days_from_civil(s64 year, unsigned mon, unsigned mday);
void vrtc_civil_from_days(s64 days, struct vrtc_tm *tm);
/* Seconds since 1970 to a broken-down time, and back (mday or mon out of range carry over). */
void vrtc_tm_from_secs(s64 secs, struct vrtc_tm *tm);
s64 vrtc_secs_from_tm(const struct vrtc_tm *tm);

/*
 * Power-on state: 24-hour BCD, rate 6 (1024 Hz) selected but PIE off, clock at
 * epoch_s when now_ns is 0, CMOS bytes zero.
 */
void vrtc_init(struct vrtc *rtc, u64 epoch_s, vrtc_irq_fn set_irq, void *ctx);

/* Guest IN/OUT on ports 0x70/0x71. */
u8 vrtc_io_read(struct vrtc *rtc, u16 port, u64 now_ns);
void vrtc_io_write(struct vrtc *rtc, u16 port, u8 val, u64 now_ns);

/* Register access without the index port (also what the port path uses). */
u8 vrtc_reg_read(struct vrtc *rtc, u8 reg, u64 now_ns);
void vrtc_reg_write(struct vrtc *rtc, u8 reg, u8 val, u64 now_ns);

/* The guest's wall clock at now_ns, in seconds since 1970. */
s64 vrtc_now_secs(const struct vrtc *rtc, u64 now_ns);

/*
 * Fill the firmware memory-size bytes as QEMU and SeaBIOS do: 0x15/0x16 base
 * KiB (640), 0x17/0x18 and 0x30/0x31 KiB above 1 MiB (at most 0xffff),
 * 0x34/0x35 64 KiB units above 16 MiB, 0x5b-0x5d 64 KiB units above 4 GiB;
 * then the checksum of 0x10-0x2d into 0x2e (high) / 0x2f (low).
 */
void vrtc_set_mem(struct vrtc *rtc, u64 ram_below_4g, u64 ram_above_4g);

/*
 * Earliest time at which vrtc_update() would set an enabled flag that is not
 * already set (periodic, update-ended, alarm), or VRTC_NO_EVENT; at or before
 * now_ns when one is due already. Changes after any guest access, so ask
 * again after each.
 */
u64 vrtc_next_event_ns(const struct vrtc *rtc, u64 now_ns);

/* Set the flags due by now_ns and raise IRQ8 when IRQF becomes set. */
void vrtc_update(struct vrtc *rtc, u64 now_ns);

#endif
