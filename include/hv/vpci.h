/* SPDX-License-Identifier: MIT */
/* Virtual PCI configuration mechanism #1 (ports 0xcf8-0xcff) with one host bridge at 00:00.0. */
#ifndef HV_VPCI_H
#define HV_VPCI_H

#include <hv/types.h>

/*
 * CONFIG_ADDRESS (PCI Local Bus 3.0, 3.2.2.3.2 "Software Generation of
 * Configuration Transactions"), latched only by a 32-bit access at 0xcf8:
 *
 *   31      30-28     27-24     23-16  15-11   10-8     7-2       1-0
 *   +------+---------+---------+------+-------+--------+---------+----+
 *   |enable| (rsvd)  | ext reg | bus  |device |function|register |rsvd|
 *   +------+---------+---------+------+-------+--------+---------+----+
 *
 * All 32 bits read back exactly as written (as QEMU's does), so a guest's
 * save/restore of the register is exact. Decoding ignores bits 30:28 and
 * 1:0; bits 27:24 non-zero name a register beyond the first 256 bytes
 * (AMD's extended configuration access), which the bridge does not have.
 * CONFIG_DATA is 0xcfc-0xcff: an access of 1, 2 or 4 bytes at 0xcfc + n
 * reaches register + n.
 */
#define VPCI_PORT_ADDR	 0xcf8
#define VPCI_PORT_DATA	 0xcfc
#define VPCI_PORT_LAST	 0xcff
#define VPCI_ADDR_ENABLE 0x80000000u
#define VPCI_ADDR_EXT(a) (((a) >> 24) & 0xf)
#define VPCI_ADDR_BUS(a) (((a) >> 16) & 0xff)
#define VPCI_ADDR_DEV(a) (((a) >> 11) & 0x1f)
#define VPCI_ADDR_FN(a)	 (((a) >> 8) & 7)
#define VPCI_ADDR_REG(a) ((a)&0xfc)

/*
 * The host bridge at bus 0, device 0, function 0: Red Hat's "QEMU PCIe Host
 * bridge" ID, neutral (Linux has no quirks for it). Class 06/00/00 (host
 * bridge), revision 0, header type 0, single function, no BARs, no
 * capabilities, no interrupt pin, subsystem IDs 0.
 */
#define VPCI_HB_VENDOR 0x1b36
#define VPCI_HB_DEVICE 0x0008
#define VPCI_HB_CLASS  0x060000 /* class, subclass, programming interface */

/*
 * COMMAND: I/O space, memory space, bus master, parity error response and
 * SERR# enable are stored (0 at reset) though nothing depends on them;
 * the other bits read 0. STATUS reads 0 (no capabilities list; none of the
 * errors it reports can happen) and ignores writes.
 */
#define VPCI_CMD_WMASK 0x0147

/* Standard type 0 header offsets used here. */
#define VPCI_CFG_VENDOR	  0x00
#define VPCI_CFG_COMMAND  0x04
#define VPCI_CFG_REVISION 0x08
#define VPCI_CFG_INT_LINE 0x3c /* read/write scratch for software; INTERRUPT_PIN stays 0 */

struct vpci {
	u32 addr;    /* CONFIG_ADDRESS as last written by a 32-bit OUT to 0xcf8 */
	u16 command; /* host bridge COMMAND, bits of VPCI_CMD_WMASK only */
	u8 int_line; /* host bridge INTERRUPT_LINE */
};

/* Reset state: CONFIG_ADDRESS 0 (disabled), the bridge's COMMAND and INTERRUPT_LINE 0. */
void vpci_init(struct vpci *pci);

/* Whether 'port' is one of 0xcf8-0xcff. */
bool vpci_claims(u16 port);

/*
 * Guest IN/OUT of 'size' bytes (1, 2 or 4) at 'port' in 0xcf8-0xcff.
 * 0xcf8-0xcfb: only a 32-bit access at 0xcf8 is CONFIG_ADDRESS; any other
 * (on a PC such byte and word accesses go to other chipset registers, e.g.
 * the reset control register at 0xcf9, which the platform takes before the
 * model sees it) reads all-ones and is ignored.
 * 0xcfc-0xcff: configuration data. With the enable bit clear, or for any
 * function other than 00:00.0 (including extended registers), reads are
 * all-ones and writes are ignored; so is any byte of an access that runs
 * past 0xcff.
 */
u32 vpci_io_read(struct vpci *pci, u16 port, unsigned size);
void vpci_io_write(struct vpci *pci, u16 port, unsigned size, u32 val);

#endif
