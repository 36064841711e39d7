/* SPDX-License-Identifier: MIT */
/* QEMU fw_cfg through I/O ports 0x510/0x511 (Sprout answers the same keys). */
#ifndef GUEST_FW_CFG_H
#define GUEST_FW_CFG_H

#include <hv/types.h>

#define FW_CFG_SIGNATURE 0x0000 /* "QEMU" */
#define FW_CFG_RAM_SIZE	 0x0003 /* u64 LE, bytes */
#define FW_CFG_NB_CPUS	 0x0005 /* u16 LE: CPUs at boot (Sprout: vcpus MIN), not those online now */
#define FW_CFG_MAX_CPUS	 0x000f /* u16 LE: most CPUs possible (Sprout: vcpus MAX) */

/* Select key and read len bytes of its item from the start. */
void fw_cfg_read(u16 key, void *buf, size_t len);
u16 fw_cfg_read16(u16 key);
u32 fw_cfg_read32(u16 key);
u64 fw_cfg_read64(u16 key);

/* True when the signature item reads "QEMU". */
bool fw_cfg_present(void);

#endif
