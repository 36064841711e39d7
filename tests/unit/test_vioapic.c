// SPDX-License-Identifier: MIT
/* Host tests of the virtual I/O APIC: registers, edge and level inputs, polarity, Remote IRR, EOI. */
#include <hv/vioapic.h>

#include "utest.h"

#define MAX_SENT 8

/* What the I/O APIC sent, in order. */
struct sink {
	struct apic_msg m[MAX_SENT];
	unsigned n;
};

static void record(void *ctx, const struct apic_msg *m)
{
	struct sink *s = ctx;

	if (s->n < MAX_SENT)
		s->m[s->n] = *m;
	s->n++;
}

static u32 reg_read(struct vioapic *io, u8 reg)
{
	vioapic_mmio_write(io, VIOAPIC_REGSEL, reg);
	return vioapic_mmio_read(io, VIOAPIC_WIN);
}

static void reg_write(struct vioapic *io, u8 reg, u32 val)
{
	vioapic_mmio_write(io, VIOAPIC_REGSEL, reg);
	vioapic_mmio_write(io, VIOAPIC_WIN, val);
}

static void rte_write(struct vioapic *io, unsigned pin, u64 e)
{
	reg_write(io, (u8)(VIOAPIC_REG_REDIR + 2 * pin + 1), (u32)(e >> 32));
	reg_write(io, (u8)(VIOAPIC_REG_REDIR + 2 * pin), (u32)e);
}

static u64 rte_read(struct vioapic *io, unsigned pin)
{
	return (u64)reg_read(io, (u8)(VIOAPIC_REG_REDIR + 2 * pin + 1)) << 32 |
	       reg_read(io, (u8)(VIOAPIC_REG_REDIR + 2 * pin));
}

#define LEVEL	VIOAPIC_RTE_LEVEL
#define DEST(x) ((u64)(x) << VIOAPIC_RTE_DEST_SHIFT)

UTEST(vioapic_reset_and_id_version)
{
	struct vioapic io;
	struct sink s = {0};

	vioapic_init(&io, 0x12, record, &s); /* only 4 ID bits exist */
	CHECK_EQ(reg_read(&io, VIOAPIC_REG_ID), 0x02000000);
	CHECK_EQ(reg_read(&io, VIOAPIC_REG_VER), 0x00170020);
	CHECK_EQ(reg_read(&io, VIOAPIC_REG_ARB), 0x02000000);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		CHECK_EQ(rte_read(&io, pin), VIOAPIC_RTE_MASKED);
	reg_write(&io, VIOAPIC_REG_ID, 0xffffffff);
	CHECK_EQ(reg_read(&io, VIOAPIC_REG_ID), 0x0f000000);
	reg_write(&io, VIOAPIC_REG_ID, 0x05000000);
	CHECK_EQ(reg_read(&io, VIOAPIC_REG_ID), 0x05000000);
	CHECK_EQ(reg_read(&io, VIOAPIC_REG_ARB), 0x05000000);
	reg_write(&io, VIOAPIC_REG_VER, 0);
	CHECK_EQ(reg_read(&io, VIOAPIC_REG_VER), 0x00170020);
	reg_write(&io, VIOAPIC_REG_ARB, 0x0a000000);
	CHECK_EQ(reg_read(&io, VIOAPIC_REG_ARB), 0x05000000);
	CHECK_EQ(s.n, 0);
}

UTEST(vioapic_regsel_and_offsets)
{
	struct vioapic io;

	vioapic_init(&io, 0, NULL, NULL);
	vioapic_mmio_write(&io, VIOAPIC_REGSEL, 0x13);
	CHECK_EQ(vioapic_mmio_read(&io, VIOAPIC_REGSEL), 0x13);
	vioapic_mmio_write(&io, VIOAPIC_REGSEL, 0x1ff); /* IOREGSEL is 8 bits */
	CHECK_EQ(vioapic_mmio_read(&io, VIOAPIC_REGSEL), 0xff);
	/* Past the last entry (0x3f) and in the hole 0x03-0x0f: reads 0, writes go nowhere. */
	CHECK_EQ(reg_read(&io, 0x40), 0);
	CHECK_EQ(reg_read(&io, 0x03), 0);
	reg_write(&io, 0x40, 0x1234);
	reg_write(&io, 0x0f, 0x1234);
	CHECK_EQ(reg_read(&io, 0x40), 0);
	CHECK_EQ(reg_read(&io, 0x0f), 0);
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		CHECK_EQ(rte_read(&io, pin), VIOAPIC_RTE_MASKED);
	CHECK_EQ(reg_read(&io, VIOAPIC_REG_ID), 0);
	/* The last entry's high dword is 0x3f. */
	reg_write(&io, 0x3f, 0xab000000);
	CHECK_EQ(rte_read(&io, 23), DEST(0xab) | VIOAPIC_RTE_MASKED);
	/* Other offsets in the page read 0 and ignore writes. */
	vioapic_mmio_write(&io, VIOAPIC_REGSEL, 0x01);
	CHECK_EQ(vioapic_mmio_read(&io, 0x04), 0);
	CHECK_EQ(vioapic_mmio_read(&io, 0x20), 0);
	vioapic_mmio_write(&io, 0x20, 0x55);
	CHECK_EQ(vioapic_mmio_read(&io, VIOAPIC_REGSEL), 0x01);
}

UTEST(vioapic_rte_read_only_bits)
{
	struct vioapic io;

	vioapic_init(&io, 0, NULL, NULL);
	/* Delivery status, Remote IRR and reserved bits do not take a write. */
	rte_write(&io, 3, ~0ULL);
	CHECK_EQ(rte_read(&io, 3), 0xff0000000001afffULL);
	rte_write(&io, 3, VIOAPIC_RTE_DELIVS | VIOAPIC_RTE_REMOTE_IRR | LEVEL | 0x31);
	CHECK_EQ(rte_read(&io, 3), LEVEL | 0x31);
	/* The two halves are written independently. */
	reg_write(&io, VIOAPIC_REG_REDIR + 2 * 3 + 1, 0x07000000);
	CHECK_EQ(rte_read(&io, 3), DEST(7) | LEVEL | 0x31);
	reg_write(&io, VIOAPIC_REG_REDIR + 2 * 3, 0x10000 | 0x40);
	CHECK_EQ(rte_read(&io, 3), DEST(7) | VIOAPIC_RTE_MASKED | 0x40);
}

UTEST(vioapic_message_fields)
{
	struct vioapic io;
	struct sink s = {0};

	vioapic_init(&io, 0, record, &s);
	rte_write(&io, 9, DEST(0x0c) | VIOAPIC_RTE_LOGICAL | (u64)APIC_DM_LOWEST << 8 | 0x49);
	vioapic_set_irq(&io, 9, true);
	CHECK_EQ(s.n, 1);
	CHECK_EQ(s.m[0].dest, 0x0c);
	CHECK_EQ(s.m[0].vector, 0x49);
	CHECK_EQ(s.m[0].mode, APIC_DM_LOWEST);
	CHECK_EQ(s.m[0].shorthand, APIC_SH_NONE);
	CHECK(s.m[0].logical);
	CHECK(!s.m[0].level);
	CHECK(!s.m[0].x2apic);
	rte_write(&io, 10, DEST(3) | LEVEL | (u64)APIC_DM_FIXED << 8 | 0x5a);
	vioapic_set_irq(&io, 10, true);
	CHECK_EQ(s.n, 2);
	CHECK_EQ(s.m[1].dest, 3);
	CHECK_EQ(s.m[1].vector, 0x5a);
	CHECK_EQ(s.m[1].mode, APIC_DM_FIXED);
	CHECK(!s.m[1].logical);
	CHECK(s.m[1].level);
	CHECK(s.m[1].assert);
}

UTEST(vioapic_edge_rising_only)
{
	struct vioapic io;
	struct sink s = {0};

	vioapic_init(&io, 0, record, &s);
	rte_write(&io, 4, 0x30);
	vioapic_set_irq(&io, 4, false);
	CHECK_EQ(s.n, 0);
	vioapic_set_irq(&io, 4, true);
	CHECK_EQ(s.n, 1);
	vioapic_set_irq(&io, 4, true); /* held high: no new edge */
	CHECK_EQ(s.n, 1);
	vioapic_set_irq(&io, 4, false);
	CHECK_EQ(s.n, 1);
	vioapic_set_irq(&io, 4, true);
	CHECK_EQ(s.n, 2);
	CHECK_EQ(s.m[1].vector, 0x30);
	/* Edge entries never set Remote IRR, and EOI does not resend them. */
	CHECK_EQ(rte_read(&io, 4) & VIOAPIC_RTE_REMOTE_IRR, 0);
	vioapic_eoi(&io, 0x30);
	CHECK_EQ(s.n, 2);
	/* Pins past 23 are ignored. */
	vioapic_set_irq(&io, VIOAPIC_PINS, true);
	vioapic_set_irq(&io, 1000, true);
	CHECK_EQ(s.n, 2);
}

UTEST(vioapic_masked_edge_lost)
{
	struct vioapic io;
	struct sink s = {0};

	vioapic_init(&io, 0, record, &s);
	rte_write(&io, 1, VIOAPIC_RTE_MASKED | 0x31);
	vioapic_set_irq(&io, 1, true);
	CHECK_EQ(s.n, 0);
	rte_write(&io, 1, 0x31); /* unmask while the line is still high */
	CHECK_EQ(s.n, 0);
	vioapic_set_irq(&io, 1, false);
	vioapic_set_irq(&io, 1, true);
	CHECK_EQ(s.n, 1);
}

UTEST(vioapic_level_remote_irr_eoi)
{
	struct vioapic io;
	struct sink s = {0};

	vioapic_init(&io, 0, record, &s);
	rte_write(&io, 11, LEVEL | 0x61);
	vioapic_set_irq(&io, 11, true);
	CHECK_EQ(s.n, 1);
	CHECK(rte_read(&io, 11) & VIOAPIC_RTE_REMOTE_IRR);
	/* Still asserted, still awaiting EOI: nothing more. */
	vioapic_set_irq(&io, 11, true);
	vioapic_set_irq(&io, 11, false);
	vioapic_set_irq(&io, 11, true);
	CHECK_EQ(s.n, 1);
	/* EOI with the line still high: sent again, Remote IRR set again. */
	vioapic_eoi(&io, 0x61);
	CHECK_EQ(s.n, 2);
	CHECK(rte_read(&io, 11) & VIOAPIC_RTE_REMOTE_IRR);
	/* Line dropped, then EOI: Remote IRR clear, nothing sent. */
	vioapic_set_irq(&io, 11, false);
	vioapic_eoi(&io, 0x61);
	CHECK_EQ(s.n, 2);
	CHECK_EQ(rte_read(&io, 11) & VIOAPIC_RTE_REMOTE_IRR, 0);
	vioapic_set_irq(&io, 11, true);
	CHECK_EQ(s.n, 3);
	/* The EOI register does the same as the broadcast. */
	vioapic_mmio_write(&io, VIOAPIC_EOIR, 0x61);
	CHECK_EQ(s.n, 4);
	vioapic_set_irq(&io, 11, false);
	vioapic_mmio_write(&io, VIOAPIC_EOIR, 0x61);
	CHECK_EQ(rte_read(&io, 11) & VIOAPIC_RTE_REMOTE_IRR, 0);
	CHECK_EQ(s.n, 4);
}

UTEST(vioapic_eoi_matches_vector)
{
	struct vioapic io;
	struct sink s = {0};

	vioapic_init(&io, 0, record, &s);
	rte_write(&io, 16, LEVEL | 0x70);
	rte_write(&io, 17, LEVEL | 0x71);
	rte_write(&io, 18, LEVEL | 0x70); /* shared vector */
	vioapic_set_irq(&io, 16, true);
	vioapic_set_irq(&io, 17, true);
	vioapic_set_irq(&io, 18, true);
	CHECK_EQ(s.n, 3);
	vioapic_set_irq(&io, 16, false);
	vioapic_set_irq(&io, 17, false);
	vioapic_eoi(&io, 0x72);
	CHECK(rte_read(&io, 16) & VIOAPIC_RTE_REMOTE_IRR);
	CHECK(rte_read(&io, 17) & VIOAPIC_RTE_REMOTE_IRR);
	CHECK(rte_read(&io, 18) & VIOAPIC_RTE_REMOTE_IRR);
	CHECK_EQ(s.n, 3);
	vioapic_eoi(&io, 0x70);
	CHECK_EQ(rte_read(&io, 16) & VIOAPIC_RTE_REMOTE_IRR, 0);
	CHECK(rte_read(&io, 17) & VIOAPIC_RTE_REMOTE_IRR);
	/* Pin 18 is still high: resent with its vector. */
	CHECK(rte_read(&io, 18) & VIOAPIC_RTE_REMOTE_IRR);
	CHECK_EQ(s.n, 4);
	CHECK_EQ(s.m[3].vector, 0x70);
	vioapic_eoi(&io, 0x71);
	CHECK_EQ(rte_read(&io, 17) & VIOAPIC_RTE_REMOTE_IRR, 0);
	CHECK_EQ(s.n, 4);
}

UTEST(vioapic_polarity)
{
	struct vioapic io;
	struct sink s = {0};

	vioapic_init(&io, 0, record, &s);
	/* Active-low edge: the falling wire is the rising input. */
	rte_write(&io, 5, VIOAPIC_RTE_ACTIVE_LOW | 0x35);
	vioapic_set_irq(&io, 5, true);
	CHECK_EQ(s.n, 0);
	vioapic_set_irq(&io, 5, false);
	CHECK_EQ(s.n, 1);
	vioapic_set_irq(&io, 5, false);
	CHECK_EQ(s.n, 1);
	/* Active-low level (PCI INTx): asserted while the wire is low. */
	rte_write(&io, 20, VIOAPIC_RTE_ACTIVE_LOW | LEVEL | VIOAPIC_RTE_MASKED | 0x80);
	vioapic_set_irq(&io, 20, true); /* idle high */
	rte_write(&io, 20, VIOAPIC_RTE_ACTIVE_LOW | LEVEL | 0x80);
	CHECK_EQ(s.n, 1);
	vioapic_set_irq(&io, 20, false);
	CHECK_EQ(s.n, 2);
	CHECK_EQ(s.m[1].vector, 0x80);
	vioapic_set_irq(&io, 20, true);
	vioapic_eoi(&io, 0x80);
	CHECK_EQ(s.n, 2);
}

UTEST(vioapic_unmask_asserted_level)
{
	struct vioapic io;
	struct sink s = {0};

	vioapic_init(&io, 0, record, &s);
	/* A wire may be asserted before the entry is written at all (masked at reset). */
	vioapic_set_irq(&io, 12, true);
	CHECK_EQ(s.n, 0);
	rte_write(&io, 12, LEVEL | VIOAPIC_RTE_MASKED | 0x44);
	CHECK_EQ(s.n, 0);
	rte_write(&io, 12, LEVEL | 0x44);
	CHECK_EQ(s.n, 1);
	CHECK_EQ(s.m[0].vector, 0x44);
	/* Masking does not clear Remote IRR; the EOI then finds the entry masked. */
	rte_write(&io, 12, LEVEL | VIOAPIC_RTE_MASKED | 0x44);
	CHECK(rte_read(&io, 12) & VIOAPIC_RTE_REMOTE_IRR);
	vioapic_eoi(&io, 0x44);
	CHECK_EQ(s.n, 1);
	rte_write(&io, 12, LEVEL | 0x44);
	CHECK_EQ(s.n, 2);
	/* A line that dropped while masked is not sent on unmask. */
	rte_write(&io, 12, LEVEL | VIOAPIC_RTE_MASKED | 0x44);
	vioapic_eoi(&io, 0x44);
	vioapic_set_irq(&io, 12, false);
	rte_write(&io, 12, LEVEL | 0x44);
	CHECK_EQ(s.n, 2);
}

UTEST(vioapic_edge_switch_clears_remote_irr)
{
	struct vioapic io;
	struct sink s = {0};

	vioapic_init(&io, 0, record, &s);
	rte_write(&io, 7, LEVEL | 0x37);
	vioapic_set_irq(&io, 7, true);
	CHECK(rte_read(&io, 7) & VIOAPIC_RTE_REMOTE_IRR);
	/* A version 0x11 guest's way of ending a level interrupt without the EOI register. */
	rte_write(&io, 7, VIOAPIC_RTE_MASKED | 0x37);
	CHECK_EQ(rte_read(&io, 7) & VIOAPIC_RTE_REMOTE_IRR, 0);
	vioapic_set_irq(&io, 7, false);
	rte_write(&io, 7, LEVEL | 0x37);
	CHECK_EQ(s.n, 1);
	vioapic_set_irq(&io, 7, true);
	CHECK_EQ(s.n, 2);
}
