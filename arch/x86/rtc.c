// SPDX-License-Identifier: MIT
/* The host's CMOS clock, read once at boot: the wall time the VMs' RTCs start from. */
#include <arch/time.h>
#include <arch/x86.h>
#include <hv/vrtc.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define REG_A_UIP  0x80
#define REG_B_BIN  0x04
#define REG_B_24H  0x02

static u64 boot_epoch, boot_tsc;

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned from_bcd(u8 v, bool binary)
{
	return binary ? v : (v >> 4) * 10u + (v & 15u);
}

/* One consistent reading: wait out an update in progress, read twice until equal. */
static void cmos_time(u8 t[7])
{
	static const u8 regs[7] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32};
	u8 again[7];

	for (int tries = 0; tries < 10; tries++) {
		for (int i = 0; i < 100000 && (cmos_read(0x0a) & REG_A_UIP); i++)
			__asm__ volatile("pause");
		for (int i = 0; i < 7; i++)
			t[i] = cmos_read(regs[i]);
		for (int i = 0; i < 7; i++)
			again[i] = cmos_read(regs[i]);
		if (!__builtin_memcmp(t, again, 7))
			return;
	}
}

void rtc_read_host_clock(void)
{
	u8 t[7], b = cmos_read(0x0b);
	bool bin = b & REG_B_BIN;
	unsigned hour, century;
	s64 days;

	cmos_time(t);
	hour = from_bcd(t[2] & 0x7f, bin);
	if (!(b & REG_B_24H)) /* 12-hour mode: 12 AM is 0, PM adds 12 */
		hour = hour % 12 + ((t[2] & 0x80) ? 12 : 0);
	century = from_bcd(t[6], bin);
	if (century < 19 || century > 30)
		century = 20; /* no century register: assume this one */
	days = vrtc_days_from_civil(century * 100 + from_bcd(t[5], bin), from_bcd(t[4], bin),
				    from_bcd(t[3], bin));
	boot_tsc = rdtsc();
	boot_epoch = days < 0 ? 0
			      : (u64)days * 86400 + hour * 3600u + from_bcd(t[1], bin) * 60u +
					from_bcd(t[0], bin);
}

u64 rtc_wall_clock(void)
{
	return tsc_khz ? boot_epoch + (rdtsc() - boot_tsc) / (tsc_khz * 1000) : boot_epoch;
}
