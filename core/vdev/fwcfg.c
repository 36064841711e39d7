// SPDX-License-Identifier: MIT
/* QEMU-compatible fw_cfg ports 0x510/0x511: signature, CPU counts and RAM size. */
#include <hv/config.h>
#include <hv/fwcfg.h>

struct fwcfg_items fwcfg_items(const struct vm_config *cfg, u64 ram_size)
{
	/* The parser keeps 1 <= MIN <= MAX; clamp anyway so the two always agree. */
	u32 nb = MAX(cfg->vcpus_min, 1u);
	u32 max = MAX(cfg->vcpus_max, nb);

	return (struct fwcfg_items){
		.ram_size = ram_size,
		.nb_cpus = (u16)MIN(nb, 0xffffu),
		.max_cpus = (u16)MIN(max, 0xffffu),
	};
}

u8 fwcfg_item_byte(const struct fwcfg_items *it, u16 key, u32 off)
{
	u64 val;
	u32 len;

	switch (key) {
	case FW_CFG_SIGNATURE: return off < 4 ? (u8) "QEMU"[off] : 0;
	case FW_CFG_ID: val = 1, len = 4; break; /* traditional interface only, no DMA */
	case FW_CFG_RAM_SIZE: val = it->ram_size, len = 8; break;
	case FW_CFG_NB_CPUS: val = it->nb_cpus, len = 2; break;
	case FW_CFG_MAX_CPUS: val = it->max_cpus, len = 2; break;
	case FW_CFG_FILE_DIR: return 0; /* big-endian count of files: none */
	default: return 0;
	}
	return off < len ? (u8)(val >> (off * 8)) : 0;
}

void fwcfg_io(struct fwcfg *f, const struct fwcfg_items *it, u16 port, u8 size, bool in, u32 *val)
{
	if (port == FWCFG_SELECTOR) {
		if (in) {
			*val = f->selector;
		} else {
			f->selector = (u16)*val;
			f->offset = 0;
		}
		return;
	}
	if (!in)
		return;
	*val = 0;
	for (u8 i = 0; i < size; i++)
		*val |= (u32)fwcfg_item_byte(it, f->selector, f->offset++) << (8 * i);
}
