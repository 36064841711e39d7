/* SPDX-License-Identifier: MIT */
/* QEMU fw_cfg reads over the legacy I/O interface: select a key, then read bytes. */
#include "fw_cfg.h"
#include "guest.h"
#include "x86.h"

#define FW_CFG_PORT_SEL	 0x510
#define FW_CFG_PORT_DATA 0x511

void fw_cfg_read(u16 key, void *buf, size_t len)
{
	u8 *p = buf;

	outw(key, FW_CFG_PORT_SEL);
	for (size_t i = 0; i < len; i++)
		p[i] = inb(FW_CFG_PORT_DATA);
}

/* Items are little-endian, as is the guest, so a byte copy is the conversion. */
u16 fw_cfg_read16(u16 key)
{
	u16 v;

	fw_cfg_read(key, &v, sizeof(v));
	return v;
}

u32 fw_cfg_read32(u16 key)
{
	u32 v;

	fw_cfg_read(key, &v, sizeof(v));
	return v;
}

u64 fw_cfg_read64(u16 key)
{
	u64 v;

	fw_cfg_read(key, &v, sizeof(v));
	return v;
}

bool fw_cfg_present(void)
{
	char sig[4];

	fw_cfg_read(FW_CFG_SIGNATURE, sig, sizeof(sig));
	return !memcmp(sig, "QEMU", sizeof(sig));
}
