// SPDX-License-Identifier: MIT
/* Host tests of the virtual PCI configuration mechanism #1: Linux's probes, the host bridge. */
#include <hv/vpci.h>

#include "utest.h"

static void outb(struct vpci *pci, u8 v, u16 port)
{
	vpci_io_write(pci, port, 1, v);
}

static void outw(struct vpci *pci, u16 v, u16 port)
{
	vpci_io_write(pci, port, 2, v);
}

static void outl(struct vpci *pci, u32 v, u16 port)
{
	vpci_io_write(pci, port, 4, v);
}

static u32 inb(struct vpci *pci, u16 port)
{
	return vpci_io_read(pci, port, 1) & 0xff;
}

static u32 inw(struct vpci *pci, u16 port)
{
	return vpci_io_read(pci, port, 2) & 0xffff;
}

static u32 inl(struct vpci *pci, u16 port)
{
	return vpci_io_read(pci, port, 4);
}

/* Linux's PCI_CONF1_ADDRESS() (arch/x86/pci/direct.c), extended register bits included. */
static u32 conf1_address(unsigned bus, unsigned devfn, unsigned reg)
{
	return 0x80000000u | (reg & 0xf00) << 16 | bus << 16 | devfn << 8 | (reg & 0xfc);
}

/* Linux's pci_conf1_read() and pci_conf1_write(). */
static u32 conf1_read(struct vpci *pci, unsigned bus, unsigned devfn, unsigned reg, unsigned len)
{
	outl(pci, conf1_address(bus, devfn, reg), 0xcf8);
	switch (len) {
	case 1: return inb(pci, (u16)(0xcfc + (reg & 3)));
	case 2: return inw(pci, (u16)(0xcfc + (reg & 2)));
	default: return inl(pci, 0xcfc);
	}
}

static void conf1_write(struct vpci *pci, unsigned bus, unsigned devfn, unsigned reg, unsigned len,
			u32 v)
{
	outl(pci, conf1_address(bus, devfn, reg), 0xcf8);
	switch (len) {
	case 1: outb(pci, (u8)v, (u16)(0xcfc + (reg & 3))); break;
	case 2: outw(pci, (u16)v, (u16)(0xcfc + (reg & 2))); break;
	default: outl(pci, v, 0xcfc); break;
	}
}

/* Linux's pci_sanity_check() (as run without DMI): a host bridge or VGA, or an Intel/Compaq ID. */
static bool sanity_check(struct vpci *pci, unsigned *found)
{
	for (unsigned devfn = 0; devfn < 0x100; devfn++) {
		u32 x = conf1_read(pci, 0, devfn, 0x0a, 2); /* PCI_CLASS_DEVICE */

		if (x == 0x0600 || x == 0x0300) {
			*found = devfn;
			return true;
		}
		x = conf1_read(pci, 0, devfn, 0x00, 2);
		if (x == 0x8086 || x == 0x0e11) {
			*found = devfn;
			return true;
		}
	}
	return false;
}

UTEST(vpci_linux_check_type1)
{
	struct vpci pci;
	unsigned found = ~0u;
	u32 tmp;
	bool works = false;

	vpci_init(&pci);
	/* pci_check_type1(), arch/x86/pci/direct.c. */
	outb(&pci, 0x01, 0xcfb);
	tmp = inl(&pci, 0xcf8);
	outl(&pci, 0x80000000, 0xcf8);
	if (inl(&pci, 0xcf8) == 0x80000000 && sanity_check(&pci, &found))
		works = true;
	outl(&pci, tmp, 0xcf8);
	CHECK(works);
	CHECK_EQ(found, 0);
	CHECK_EQ(tmp, 0);
	CHECK_EQ(inl(&pci, 0xcf8), 0);
}

UTEST(vpci_bus0_scan_finds_only_the_host_bridge)
{
	struct vpci pci;

	vpci_init(&pci);
	for (unsigned devfn = 0; devfn < 0x100; devfn++) {
		u32 id = conf1_read(&pci, 0, devfn, 0x00, 4);

		CHECK_EQ(id, devfn ? 0xffffffffu : 0x00081b36u);
	}
	for (unsigned bus = 1; bus < 0x100; bus++)
		CHECK_EQ(conf1_read(&pci, bus, 0, 0x00, 2), 0xffff);
}

UTEST(vpci_host_bridge_header)
{
	struct vpci pci;

	vpci_init(&pci);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x00, 2), VPCI_HB_VENDOR);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x02, 2), VPCI_HB_DEVICE);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x04, 4), 0);		/* command and status */
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x08, 4), 0x06000000u); /* class, revision 0 */
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x0b, 1), 0x06);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x0a, 1), 0x00);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x09, 1), 0x00);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x0e, 1), 0x00); /* header type 0, one function */
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x34, 1), 0x00); /* no capabilities */
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x3d, 1), 0x00); /* no interrupt pin */
	/* Sizing the BARs finds none. */
	for (unsigned bar = 0x10; bar <= 0x24; bar += 4) {
		conf1_write(&pci, 0, 0, bar, 4, 0xffffffff);
		CHECK_EQ(conf1_read(&pci, 0, 0, bar, 4), 0);
	}
	conf1_write(&pci, 0, 0, 0x30, 4, 0xfffff800); /* expansion ROM */
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x30, 4), 0);
	/* Nothing else of the header is writable. */
	for (unsigned reg = 0; reg < 0x100; reg += 4)
		if (reg != VPCI_CFG_COMMAND && reg != VPCI_CFG_INT_LINE)
			conf1_write(&pci, 0, 0, reg, 4, 0xffffffff);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x00, 4), 0x00081b36u);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x08, 4), 0x06000000u);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x0c, 4), 0);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0xfc, 4), 0);
}

UTEST(vpci_command_status_interrupt_line)
{
	struct vpci pci;

	vpci_init(&pci);
	/* Status is read-only zero: a write-1-to-clear of everything changes nothing. */
	conf1_write(&pci, 0, 0, 0x04, 4, 0xffffffff);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x04, 4), VPCI_CMD_WMASK);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x06, 2), 0);
	conf1_write(&pci, 0, 0, 0x04, 2, 0x0007); /* io, memory, bus master */
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x04, 2), 0x0007);
	conf1_write(&pci, 0, 0, 0x05, 1, 0xff); /* high byte: SERR# only */
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x04, 2), 0x0107);
	conf1_write(&pci, 0, 0, 0x04, 1, 0x40); /* low byte: parity response only */
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x04, 2), 0x0140);
	conf1_write(&pci, 0, 0, 0x06, 2, 0xffff);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x04, 4), 0x0140);
	/* INTERRUPT_LINE is storage for software; INTERRUPT_PIN, MIN_GNT, MAX_LAT stay 0. */
	conf1_write(&pci, 0, 0, 0x3c, 4, 0xffffff0b);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x3c, 4), 0x0b);
	conf1_write(&pci, 0, 0, 0x3c, 1, 0x0a);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x3c, 1), 0x0a);
	vpci_init(&pci);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x04, 4), 0);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x3c, 4), 0);
}

UTEST(vpci_absent_functions_ignore_writes)
{
	struct vpci pci;

	vpci_init(&pci);
	conf1_write(&pci, 0, 0x08, 0x04, 2, 0x0007);  /* 00:01.0 */
	conf1_write(&pci, 0, 0x01, 0x04, 2, 0x0007);  /* 00:00.1 */
	conf1_write(&pci, 1, 0x00, 0x04, 2, 0x0007);  /* 01:00.0 */
	conf1_write(&pci, 0, 0x00, 0x104, 2, 0x0007); /* extended register of 00:00.0 */
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x04, 4), 0);
	CHECK_EQ(conf1_read(&pci, 0, 0x08, 0x04, 4), 0xffffffffu);
	CHECK_EQ(conf1_read(&pci, 0, 0x01, 0x00, 1), 0xff);
	CHECK_EQ(conf1_read(&pci, 1, 0x00, 0x00, 2), 0xffff);
	/* Registers 0x100-0xfff (AMD's extended access, bits 27:24) are not there. */
	CHECK_EQ(conf1_read(&pci, 0, 0, 0x100, 4), 0xffffffffu);
	CHECK_EQ(conf1_read(&pci, 0, 0, 0xf00, 4), 0xffffffffu);
}

UTEST(vpci_enable_bit_clear)
{
	struct vpci pci;

	vpci_init(&pci);
	CHECK_EQ(inl(&pci, 0xcfc), 0xffffffffu); /* CONFIG_ADDRESS 0 at reset */
	outl(&pci, 0x00000004, 0xcf8);		 /* 00:00.0 register 4, not enabled */
	outw(&pci, 0x0007, 0xcfc);
	CHECK_EQ(inl(&pci, 0xcfc), 0xffffffffu);
	CHECK_EQ(inw(&pci, 0xcfe), 0xffff);
	CHECK_EQ(inb(&pci, 0xcff), 0xff);
	outl(&pci, 0x80000004, 0xcf8);
	CHECK_EQ(inl(&pci, 0xcfc), 0);
}

UTEST(vpci_config_address_only_32bit)
{
	struct vpci pci;

	vpci_init(&pci);
	outl(&pci, 0x80000008, 0xcf8);
	/* Byte and word accesses to 0xcf8-0xcfb are not CONFIG_ADDRESS. */
	CHECK_EQ(vpci_io_read(&pci, 0xcf8, 1), 0xffffffffu);
	CHECK_EQ(vpci_io_read(&pci, 0xcf8, 2), 0xffffffffu);
	CHECK_EQ(vpci_io_read(&pci, 0xcfa, 2), 0xffffffffu);
	CHECK_EQ(vpci_io_read(&pci, 0xcfb, 1), 0xffffffffu);
	CHECK_EQ(vpci_io_read(&pci, 0xcf9, 4), 0xffffffffu);
	outb(&pci, 0x00, 0xcf8);
	outw(&pci, 0x0000, 0xcf8);
	outw(&pci, 0x0000, 0xcfa);
	outb(&pci, 0x01, 0xcfb);
	outb(&pci, 0x06, 0xcf9);
	outl(&pci, 0, 0xcf9);
	CHECK_EQ(inl(&pci, 0xcf8), 0x80000008u);
	CHECK_EQ(inl(&pci, 0xcfc), 0x06000000u);
}

UTEST(vpci_config_address_reserved_bits)
{
	struct vpci pci;

	vpci_init(&pci);
	/* All bits read back as written. */
	outl(&pci, 0xffffffff, 0xcf8);
	CHECK_EQ(inl(&pci, 0xcf8), 0xffffffffu);
	outl(&pci, 0x7f000003, 0xcf8);
	CHECK_EQ(inl(&pci, 0xcf8), 0x7f000003u);
	/* Bits 30:28 and 1:0 are ignored in decoding; 27:24 select an extended register. */
	outl(&pci, 0xf0000003, 0xcf8);
	CHECK_EQ(inl(&pci, 0xcfc), 0x00081b36u);
	outl(&pci, 0x8100000b, 0xcf8);
	CHECK_EQ(inl(&pci, 0xcfc), 0xffffffffu);
}

UTEST(vpci_data_port_byte_offsets)
{
	struct vpci pci;

	vpci_init(&pci);
	outl(&pci, 0x80000000, 0xcf8);
	CHECK_EQ(inb(&pci, 0xcfc), 0x36);
	CHECK_EQ(inb(&pci, 0xcfd), 0x1b);
	CHECK_EQ(inb(&pci, 0xcfe), 0x08);
	CHECK_EQ(inb(&pci, 0xcff), 0x00);
	CHECK_EQ(inw(&pci, 0xcfc), 0x1b36);
	CHECK_EQ(inw(&pci, 0xcfe), 0x0008);
	/* Unaligned: the bytes past 0xcff are not CONFIG_DATA. */
	CHECK_EQ(inw(&pci, 0xcfd), 0x081b);
	CHECK_EQ(inl(&pci, 0xcfd), 0xff00081bu);
	CHECK_EQ(vpci_io_read(&pci, 0xcff, 4), 0xffffff00u);
	/* Writes take the same offsets: bytes of COMMAND through 0xcfc/0xcfd of register 4. */
	outl(&pci, 0x80000004, 0xcf8);
	outb(&pci, 0x07, 0xcfc);
	outb(&pci, 0x01, 0xcfd);
	CHECK_EQ(inl(&pci, 0xcfc), 0x0107);
	outw(&pci, 0xffff, 0xcfe); /* status */
	CHECK_EQ(inl(&pci, 0xcfc), 0x0107);
	vpci_io_write(&pci, 0xcff, 4, 0xffffffff); /* status high byte, then nothing */
	CHECK_EQ(inl(&pci, 0xcfc), 0x0107);
}

UTEST(vpci_claims_ports)
{
	CHECK(!vpci_claims(0xcf7));
	for (u16 port = 0xcf8; port <= 0xcff; port++)
		CHECK(vpci_claims(port));
	CHECK(!vpci_claims(0xd00));
}
