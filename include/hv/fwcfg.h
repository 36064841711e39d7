/* SPDX-License-Identifier: MIT */
/* QEMU-compatible fw_cfg (legacy I/O ports 0x510/0x511): a VM's items and the port protocol. */
#ifndef HV_FWCFG_H
#define HV_FWCFG_H

#include <hv/types.h>

#define FWCFG_SELECTOR 0x510 /* 16-bit write: select an item, rewind to its first byte */
#define FWCFG_DATA     0x511 /* 8-bit read: the next byte of the selected item */

/* Item keys, as QEMU numbers them (docs/specs/fw_cfg.rst in QEMU). */
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID	 0x01
#define FW_CFG_RAM_SIZE	 0x03
#define FW_CFG_NB_CPUS	 0x05
#define FW_CFG_MAX_CPUS	 0x0f
#define FW_CFG_FILE_DIR	 0x19

struct vm_config;

/* What the items report; fixed for the VM's life. */
struct fwcfg_items {
	u64 ram_size; /* FW_CFG_RAM_SIZE */
	u16 nb_cpus;  /* FW_CFG_NB_CPUS: the CPUs the VM boots with */
	u16 max_cpus; /* FW_CFG_MAX_CPUS: the most it can have, hot-added ones included */
};

/* The selector state of one VM's fw_cfg. */
struct fwcfg {
	u16 selector;
	u32 offset;
};

/*
 * The items of a VM configured as cfg with ram_size bytes of RAM. The CPU
 * counts come from the config (vcpus = MIN..MAX), as QEMU's come from -smp
 * cpus=N,maxcpus=M, never from the vCPUs online now: nb_cpus = MIN,
 * max_cpus = MAX (APIC IDs are 0..MAX-1, so this is also QEMU's APIC ID limit).
 */
struct fwcfg_items fwcfg_items(const struct vm_config *cfg, u64 ram_size);

/* Byte off of item key; reads past an item's end, and of unknown keys, give 0. */
u8 fwcfg_item_byte(const struct fwcfg_items *it, u16 key, u32 off);

/* One guest access of size bytes (1, 2 or 4) to port FWCFG_SELECTOR or FWCFG_DATA. */
void fwcfg_io(struct fwcfg *f, const struct fwcfg_items *it, u16 port, u8 size, bool in, u32 *val);

#endif
