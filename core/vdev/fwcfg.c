// SPDX-License-Identifier: MIT
/* QEMU-compatible fw_cfg ports 0x510/0x511: signature, CPU count and RAM size. */
#include <hv/vdev.h>
#include <hv/vm.h>

#include "vdev_internal.h"

/* Item keys, as QEMU numbers them (docs/specs/fw_cfg in QEMU). */
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID	 0x01
#define FW_CFG_RAM_SIZE	 0x03
#define FW_CFG_NB_CPUS	 0x05
#define FW_CFG_MAX_CPUS	 0x0f
#define FW_CFG_FILE_DIR	 0x19

/* Byte at offset off of the selected item; reads past an item's end give 0. */
static u8 fwcfg_byte(struct vm *vm, u16 key, u32 off)
{
	u64 val;
	u32 len;

	switch (key) {
	case FW_CFG_SIGNATURE: return off < 4 ? (u8) "QEMU"[off] : 0;
	case FW_CFG_ID: val = 1, len = 4; break; /* traditional interface only, no DMA */
	case FW_CFG_RAM_SIZE: val = vm->mem.ram_size, len = 8; break;
	case FW_CFG_NB_CPUS: val = vm->nr_vcpus, len = 2; break;
	case FW_CFG_MAX_CPUS: val = vm->cfg.vcpus_max, len = 2; break;
	case FW_CFG_FILE_DIR: return 0; /* big-endian count of files: none */
	default: return 0;
	}
	return off < len ? (u8)(val >> (off * 8)) : 0;
}

void fwcfg_io(struct vm *vm, u16 port, u8 size, bool in, u32 *val)
{
	struct vdev_state *d = &vm->dev;

	if (port == FWCFG_SELECTOR) {
		if (in) {
			*val = d->fwcfg.selector;
		} else {
			d->fwcfg.selector = (u16)*val;
			d->fwcfg.offset = 0;
		}
		return;
	}
	if (!in)
		return;
	*val = 0;
	for (u8 i = 0; i < size; i++)
		*val |= (u32)fwcfg_byte(vm, d->fwcfg.selector, d->fwcfg.offset++) << (8 * i);
}
