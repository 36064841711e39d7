// SPDX-License-Identifier: MIT
/* Virtual PCI configuration mechanism #1: CONFIG_ADDRESS/CONFIG_DATA, one host bridge at 00:00.0. */
#include <hv/vpci.h>
#include <hv/string.h>

void vpci_init(struct vpci *pci)
{
	memset(pci, 0, sizeof(*pci));
}

bool vpci_claims(u16 port)
{
	return port >= VPCI_PORT_ADDR && port <= VPCI_PORT_LAST;
}

/* Whether CONFIG_ADDRESS selects a register of the host bridge (the only function present). */
static bool bridge_selected(u32 addr)
{
	return (addr & VPCI_ADDR_ENABLE) && !VPCI_ADDR_EXT(addr) && !VPCI_ADDR_BUS(addr) &&
	       !VPCI_ADDR_DEV(addr) && !VPCI_ADDR_FN(addr);
}

/* One byte of the host bridge's 256-byte configuration space. */
static u8 bridge_byte(const struct vpci *pci, unsigned off)
{
	u32 dw;

	switch (off & ~3u) {
	case VPCI_CFG_VENDOR: dw = (u32)VPCI_HB_DEVICE << 16 | VPCI_HB_VENDOR; break;
	case VPCI_CFG_COMMAND:
		dw = pci->command; /* STATUS (upper half) reads 0 */
		break;
	case VPCI_CFG_REVISION:
		dw = (u32)VPCI_HB_CLASS << 8; /* revision 0 */
		break;
	case VPCI_CFG_INT_LINE:
		dw = pci->int_line; /* INTERRUPT_PIN 0, MIN_GNT 0, MAX_LAT 0 */
		break;
	default:
		dw = 0; /* header type 0 single-function, BARs, capabilities: all 0 */
		break;
	}
	return (u8)(dw >> (off & 3) * 8);
}

static void bridge_write_byte(struct vpci *pci, unsigned off, u8 b)
{
	if (off == VPCI_CFG_COMMAND)
		pci->command = (u16)((pci->command & 0xff00) | (b & VPCI_CMD_WMASK));
	else if (off == VPCI_CFG_COMMAND + 1)
		pci->command = (u16)((pci->command & 0x00ff) | (b << 8 & VPCI_CMD_WMASK));
	else if (off == VPCI_CFG_INT_LINE)
		pci->int_line = b;
}

/* CONFIG_DATA bytes: data port byte i of the access is register byte (port - 0xcfc) + i. */
static u32 data_read(const struct vpci *pci, u16 port, unsigned size)
{
	u32 val = 0xffffffff;

	if (!bridge_selected(pci->addr))
		return val;
	for (unsigned i = 0; i < size && port + i <= VPCI_PORT_LAST; i++) {
		unsigned off = VPCI_ADDR_REG(pci->addr) + (port - VPCI_PORT_DATA) + i;

		val &= ~(0xffu << i * 8);
		val |= (u32)bridge_byte(pci, off) << i * 8;
	}
	return val;
}

static void data_write(struct vpci *pci, u16 port, unsigned size, u32 val)
{
	if (!bridge_selected(pci->addr))
		return;
	for (unsigned i = 0; i < size && port + i <= VPCI_PORT_LAST; i++)
		bridge_write_byte(pci, VPCI_ADDR_REG(pci->addr) + (port - VPCI_PORT_DATA) + i,
				  (u8)(val >> i * 8));
}

u32 vpci_io_read(struct vpci *pci, u16 port, unsigned size)
{
	if (port >= VPCI_PORT_DATA)
		return data_read(pci, port, size);
	if (port == VPCI_PORT_ADDR && size == 4)
		return pci->addr;
	return 0xffffffff;
}

void vpci_io_write(struct vpci *pci, u16 port, unsigned size, u32 val)
{
	if (port >= VPCI_PORT_DATA)
		data_write(pci, port, size, val);
	else if (port == VPCI_PORT_ADDR && size == 4)
		pci->addr = val;
}
