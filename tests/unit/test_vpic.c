// SPDX-License-Identifier: MIT
/* Host tests of the virtual 8259A pair: Linux-style init, cascade, priority, EOIs, poll, ELCR. */
#include <hv/vpic.h>

#include "utest.h"

#define M_CMD	      VPIC_MASTER_CMD
#define M_DATA	      VPIC_MASTER_DATA
#define S_CMD	      VPIC_SLAVE_CMD
#define S_DATA	      VPIC_SLAVE_DATA

#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b
#define OCW3_POLL     0x0c
#define OCW2_EOI      0x20
#define OCW2_SEOI     0x60

/* What Linux's init_8259A() sends, with the vector bases 0x20 and 0x28. */
static void linux_icws(struct vpic *p, u8 icw4)
{
	vpic_io_write(p, M_DATA, 0xff);
	vpic_io_write(p, S_DATA, 0xff);
	vpic_io_write(p, M_CMD, 0x11);
	vpic_io_write(p, M_DATA, 0x20);
	vpic_io_write(p, M_DATA, 0x04);
	vpic_io_write(p, M_DATA, icw4);
	vpic_io_write(p, S_CMD, 0x11);
	vpic_io_write(p, S_DATA, 0x28);
	vpic_io_write(p, S_DATA, 0x02);
	vpic_io_write(p, S_DATA, icw4);
}

static void linux_init(struct vpic *p, u8 icw4)
{
	vpic_init(p);
	linux_icws(p, icw4);
}

static u8 read_reg(struct vpic *p, u16 cmd, u8 ocw3)
{
	vpic_io_write(p, cmd, ocw3);
	return vpic_io_read(p, cmd);
}

/* An edge: the line goes high and back low. */
static void pulse(struct vpic *p, unsigned irq)
{
	vpic_set_irq(p, irq, true);
	vpic_set_irq(p, irq, false);
}

UTEST(vpic_reset_state)
{
	struct vpic p;

	vpic_init(&p);
	CHECK_EQ(vpic_io_read(&p, M_DATA), 0xff);
	CHECK_EQ(vpic_io_read(&p, S_DATA), 0xff);
	CHECK_EQ(vpic_io_read(&p, VPIC_ELCR_MASTER), 0);
	CHECK_EQ(vpic_io_read(&p, VPIC_ELCR_SLAVE), 0);
	CHECK_EQ(vpic_io_read(&p, 0x22), 0xff);
	CHECK_EQ(vpic_io_read(&p, 0x4d2), 0xff);
	pulse(&p, 0);
	pulse(&p, 12);
	CHECK(!vpic_output(&p));
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_IRR), 0x01); /* the masked slave raises no INT */
	CHECK_EQ(read_reg(&p, S_CMD, OCW3_READ_IRR), 0x10);
	CHECK_EQ(vpic_intack(&p), 0x0f); /* masked: spurious IR7 at the BIOS base 0x08 */
	vpic_io_write(&p, M_DATA, 0xfe);
	CHECK(vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x08);
}

UTEST(vpic_linux_init_and_cascade)
{
	struct vpic p;

	linux_init(&p, 0x01);
	/* ICW1 clears IMR. */
	CHECK_EQ(vpic_io_read(&p, M_DATA), 0);
	CHECK_EQ(vpic_io_read(&p, S_DATA), 0);
	CHECK(!vpic_output(&p));
	vpic_set_irq(&p, 0, true);
	CHECK(vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x20);
	CHECK(!vpic_output(&p));
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x01);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_IRR), 0x00);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x00);
	vpic_set_irq(&p, 0, false);

	vpic_set_irq(&p, 8, true);
	CHECK(vpic_output(&p));
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_IRR), 0x04);
	CHECK_EQ(read_reg(&p, S_CMD, OCW3_READ_IRR), 0x01);
	CHECK_EQ(vpic_intack(&p), 0x28);
	CHECK(!vpic_output(&p));
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x04);
	CHECK_EQ(read_reg(&p, S_CMD, OCW3_READ_ISR), 0x01);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_IRR), 0x00);
	vpic_io_write(&p, S_CMD, OCW2_EOI);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x00);
	CHECK_EQ(read_reg(&p, S_CMD, OCW3_READ_ISR), 0x00);

	/* Two slave requests: the second comes through once the first is ended. */
	pulse(&p, 14);
	pulse(&p, 9);
	CHECK_EQ(vpic_intack(&p), 0x29);
	CHECK(!vpic_output(&p));
	vpic_io_write(&p, S_CMD, OCW2_EOI);
	CHECK(!vpic_output(&p)); /* master IR2 still in service */
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	CHECK(vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x2e);
}

UTEST(vpic_priority_and_nesting)
{
	struct vpic p;

	linux_init(&p, 0x01);
	pulse(&p, 5);
	pulse(&p, 3);
	pulse(&p, 1);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_IRR), 0x2a);
	CHECK_EQ(vpic_intack(&p), 0x21);
	CHECK(!vpic_output(&p)); /* IR3 and IR5 wait behind IR1 in service */
	pulse(&p, 0);		 /* higher priority nests */
	CHECK(vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x20);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x03);
	vpic_io_write(&p, M_CMD, OCW2_EOI); /* ends IR0, the highest in service */
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x02);
	CHECK(!vpic_output(&p));
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	CHECK(vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x23);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	CHECK_EQ(vpic_intack(&p), 0x25);
	/* The slave's IRQs rank where IR2 does: above IR3, below IR1. */
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	pulse(&p, 3);
	pulse(&p, 15);
	pulse(&p, 1);
	CHECK_EQ(vpic_intack(&p), 0x21);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	CHECK_EQ(vpic_intack(&p), 0x2f);
	vpic_io_write(&p, S_CMD, OCW2_EOI);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	CHECK_EQ(vpic_intack(&p), 0x23);
}

UTEST(vpic_specific_eoi)
{
	struct vpic p;

	linux_init(&p, 0x01);
	pulse(&p, 4);
	CHECK_EQ(vpic_intack(&p), 0x24);
	pulse(&p, 1);
	CHECK_EQ(vpic_intack(&p), 0x21);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x12);
	vpic_io_write(&p, M_CMD, OCW2_SEOI | 4); /* not the highest: only IR4 ends */
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x02);
	vpic_io_write(&p, M_CMD, OCW2_SEOI | 6); /* not in service: no effect */
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x02);
	vpic_io_write(&p, M_CMD, OCW2_SEOI | 1);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x00);
	vpic_io_write(&p, M_CMD, OCW2_EOI); /* nothing in service */
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x00);
}

UTEST(vpic_auto_eoi)
{
	struct vpic p;

	linux_init(&p, 0x03);
	pulse(&p, 1);
	pulse(&p, 6);
	pulse(&p, 10);
	CHECK_EQ(vpic_intack(&p), 0x21);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x00);
	CHECK(vpic_output(&p)); /* no EOI needed */
	CHECK_EQ(vpic_intack(&p), 0x2a);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x00);
	CHECK_EQ(read_reg(&p, S_CMD, OCW3_READ_ISR), 0x00);
	CHECK_EQ(vpic_intack(&p), 0x26);
	CHECK(!vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x27);
	/* A new ICW1 without auto-EOI in ICW4 turns it off. */
	linux_init(&p, 0x01);
	pulse(&p, 1);
	pulse(&p, 6);
	CHECK_EQ(vpic_intack(&p), 0x21);
	CHECK(!vpic_output(&p));
}

UTEST(vpic_read_irr_isr_and_imr)
{
	struct vpic p;

	linux_init(&p, 0x01);
	vpic_io_write(&p, M_DATA, 0x08);
	CHECK_EQ(vpic_io_read(&p, M_DATA), 0x08);
	pulse(&p, 3);
	CHECK(!vpic_output(&p));
	/* IRR shows a masked request; the default after ICW1 is IRR. */
	CHECK_EQ(vpic_io_read(&p, M_CMD), 0x08);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x00);
	CHECK_EQ(vpic_io_read(&p, M_CMD), 0x00); /* the selection sticks */
	vpic_io_write(&p, M_CMD, 0x08);		 /* OCW3 with RR=0 keeps it */
	CHECK_EQ(vpic_io_read(&p, M_CMD), 0x00);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_IRR), 0x08);
	/* Unmasking lets the latched request through. */
	vpic_io_write(&p, M_DATA, 0x00);
	CHECK(vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x23);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x08);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	/* Masking IR2 on the master holds back every slave IRQ. */
	vpic_io_write(&p, M_DATA, 0x04);
	pulse(&p, 12);
	CHECK(!vpic_output(&p));
	vpic_io_write(&p, S_DATA, 0x10);
	vpic_io_write(&p, M_DATA, 0x00);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_IRR), 0x04); /* latched before the slave mask */
	CHECK(vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x2f);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	vpic_io_write(&p, S_DATA, 0x00);
	CHECK(vpic_output(&p)); /* IRQ 12 is still in the slave's IRR */
	CHECK_EQ(vpic_intack(&p), 0x2c);
}

UTEST(vpic_poll)
{
	struct vpic p;

	linux_init(&p, 0x01);
	vpic_io_write(&p, M_CMD, OCW3_POLL);
	CHECK_EQ(vpic_io_read(&p, M_CMD), 0x00);
	pulse(&p, 5);
	vpic_io_write(&p, M_CMD, OCW3_POLL);
	CHECK_EQ(vpic_io_read(&p, M_DATA), 0x85); /* a poll reads on either port */
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x20);
	CHECK_EQ(vpic_io_read(&p, M_DATA), 0x00); /* one read only: IMR again */
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	pulse(&p, 11);
	vpic_io_write(&p, M_CMD, OCW3_POLL);
	CHECK_EQ(vpic_io_read(&p, M_CMD), 0x82);
	vpic_io_write(&p, S_CMD, OCW3_POLL);
	CHECK_EQ(vpic_io_read(&p, S_CMD), 0x83);
	CHECK_EQ(read_reg(&p, S_CMD, OCW3_READ_ISR), 0x08);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x04);
}

UTEST(vpic_spurious)
{
	struct vpic p;

	linux_init(&p, 0x01);
	CHECK_EQ(vpic_intack(&p), 0x27);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x00); /* IR7 not put in service */
	/* A slave request masked after it reached the master: spurious IRQ 15. */
	pulse(&p, 9);
	vpic_io_write(&p, S_DATA, 0x02);
	CHECK(vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x2f);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x04);
	CHECK_EQ(read_reg(&p, S_CMD, OCW3_READ_ISR), 0x00);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	/* A level request that goes away before INTA, as on real hardware. */
	vpic_io_write(&p, VPIC_ELCR_MASTER, 0x20);
	vpic_set_irq(&p, 5, true);
	CHECK(vpic_output(&p));
	vpic_set_irq(&p, 5, false);
	CHECK(!vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x27);
}

UTEST(vpic_elcr_level)
{
	struct vpic p;

	linux_init(&p, 0x01);
	vpic_io_write(&p, VPIC_ELCR_MASTER, 0xff);
	vpic_io_write(&p, VPIC_ELCR_SLAVE, 0xff);
	CHECK_EQ(vpic_io_read(&p, VPIC_ELCR_MASTER), 0xf8); /* IRQ 0, 1, 2 always edge */
	CHECK_EQ(vpic_io_read(&p, VPIC_ELCR_SLAVE), 0xde);  /* IRQ 8 and 13 always edge */
	vpic_io_write(&p, VPIC_ELCR_MASTER, 0x00);
	vpic_io_write(&p, VPIC_ELCR_SLAVE, 0x0c); /* IRQ 10, 11 */
	CHECK_EQ(vpic_io_read(&p, VPIC_ELCR_MASTER), 0x00);
	CHECK_EQ(vpic_io_read(&p, VPIC_ELCR_SLAVE), 0x0c);
	vpic_set_irq(&p, 10, true);
	CHECK_EQ(vpic_intack(&p), 0x2a);
	vpic_io_write(&p, S_CMD, OCW2_EOI);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	/* Still asserted after the EOIs: again. */
	CHECK(vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x2a);
	vpic_set_irq(&p, 10, false);
	CHECK_EQ(read_reg(&p, S_CMD, OCW3_READ_IRR), 0x00);
	vpic_io_write(&p, S_CMD, OCW2_EOI);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	CHECK(!vpic_output(&p));
	/* The same wire held high on an edge input fires once only. */
	vpic_set_irq(&p, 12, true);
	CHECK_EQ(vpic_intack(&p), 0x2c);
	vpic_io_write(&p, S_CMD, OCW2_EOI);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	CHECK(!vpic_output(&p));
	/* An input switched to level takes the wire's level at once. */
	vpic_set_irq(&p, 7, true);
	CHECK_EQ(vpic_intack(&p), 0x27);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x80); /* a real IR7, not spurious */
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	CHECK(!vpic_output(&p));
	vpic_io_write(&p, VPIC_ELCR_MASTER, 0x80);
	CHECK(vpic_output(&p));
}

UTEST(vpic_edge_and_icw1_edge_sense)
{
	struct vpic p;

	linux_init(&p, 0x01);
	vpic_set_irq(&p, 4, true);
	CHECK_EQ(vpic_intack(&p), 0x24);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	vpic_set_irq(&p, 4, true);
	CHECK(!vpic_output(&p));
	/* ICW1 resets edge sense: a pending edge request is dropped, IMR cleared. */
	vpic_io_write(&p, M_DATA, 0x80);
	pulse(&p, 6);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_IRR), 0x40);
	linux_icws(&p, 0x01);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_IRR), 0x00);
	CHECK_EQ(vpic_io_read(&p, M_DATA), 0x00);
	CHECK(!vpic_output(&p));
	/* IRQ 4 is still high: it needs to go low and high again. */
	vpic_set_irq(&p, 4, true);
	CHECK(!vpic_output(&p));
	vpic_set_irq(&p, 4, false);
	vpic_set_irq(&p, 4, true);
	CHECK_EQ(vpic_intack(&p), 0x24);
	/* IRQ 2 is the cascade; IRQ 16 and up do not exist. */
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	vpic_set_irq(&p, 2, true);
	vpic_set_irq(&p, 16, true);
	CHECK(!vpic_output(&p));
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_IRR), 0x00);
}

UTEST(vpic_rotation)
{
	struct vpic p;

	linux_init(&p, 0x01);
	pulse(&p, 0);
	CHECK_EQ(vpic_intack(&p), 0x20);
	vpic_io_write(&p, M_CMD, 0xa0); /* rotate on non-specific EOI: IR0 becomes lowest */
	pulse(&p, 0);
	pulse(&p, 6);
	CHECK_EQ(vpic_intack(&p), 0x26);
	vpic_io_write(&p, M_CMD, 0xe6); /* rotate on specific EOI of IR6: IR7, IR0 .. IR6 */
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_ISR), 0x00);
	pulse(&p, 5);
	CHECK_EQ(vpic_intack(&p), 0x20);
	pulse(&p, 7);
	CHECK_EQ(vpic_intack(&p), 0x27); /* IR7 now outranks IR0 in service */
	vpic_io_write(&p, M_CMD, OCW2_SEOI | 7);
	vpic_io_write(&p, M_CMD, OCW2_SEOI | 0);
	CHECK_EQ(vpic_intack(&p), 0x25);
	vpic_io_write(&p, M_CMD, OCW2_EOI);
	vpic_io_write(&p, M_CMD, 0xc2); /* set priority: IR2 lowest, IR3 highest */
	pulse(&p, 1);
	pulse(&p, 3);
	CHECK_EQ(vpic_intack(&p), 0x23);
	/* Rotate in auto-EOI mode: each acknowledged IR becomes the lowest. */
	linux_init(&p, 0x03);
	vpic_io_write(&p, M_CMD, 0x80);
	pulse(&p, 1);
	pulse(&p, 3);
	CHECK_EQ(vpic_intack(&p), 0x21);
	pulse(&p, 1);
	CHECK_EQ(vpic_intack(&p), 0x23);
	CHECK_EQ(vpic_intack(&p), 0x21);
}

UTEST(vpic_special_mask_mode)
{
	struct vpic p;

	linux_init(&p, 0x01);
	pulse(&p, 1);
	CHECK_EQ(vpic_intack(&p), 0x21);
	pulse(&p, 5);
	CHECK(!vpic_output(&p));
	vpic_io_write(&p, M_DATA, 0x02);
	CHECK(!vpic_output(&p));	/* masking alone does not lift the in-service block */
	vpic_io_write(&p, M_CMD, 0x68); /* set special mask mode */
	CHECK(vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x25);
	vpic_io_write(&p, M_CMD, 0x48); /* reset special mask mode */
	pulse(&p, 6);
	CHECK(!vpic_output(&p));
}

UTEST(vpic_special_fully_nested)
{
	struct vpic p;

	linux_init(&p, 0x11);
	pulse(&p, 12);
	CHECK_EQ(vpic_intack(&p), 0x2c);
	pulse(&p, 9); /* higher than IRQ 12 on the slave, while IR2 is in service */
	CHECK(vpic_output(&p));
	CHECK_EQ(vpic_intack(&p), 0x29);
	linux_init(&p, 0x01);
	pulse(&p, 12);
	CHECK_EQ(vpic_intack(&p), 0x2c);
	pulse(&p, 9);
	CHECK(!vpic_output(&p));
}

UTEST(vpic_icw2_low_bits_and_single)
{
	struct vpic p;

	vpic_init(&p);
	vpic_io_write(&p, S_CMD, 0x11);
	vpic_io_write(&p, S_DATA, 0x7f); /* T7-T3 only */
	vpic_io_write(&p, S_DATA, 0x02);
	vpic_io_write(&p, S_DATA, 0x01);
	vpic_io_write(&p, M_DATA, 0xfb);
	pulse(&p, 9);
	CHECK_EQ(vpic_intack(&p), 0x79);
	/* A single master (ICW1 SNGL) takes no ICW3 and has no slave on IR2. */
	vpic_io_write(&p, M_CMD, 0x13);
	vpic_io_write(&p, M_DATA, 0x40);
	vpic_io_write(&p, M_DATA, 0x01); /* ICW4, not ICW3 */
	vpic_io_write(&p, M_DATA, 0xfe); /* OCW1 */
	CHECK_EQ(vpic_io_read(&p, M_DATA), 0xfe);
	pulse(&p, 11);
	CHECK_EQ(read_reg(&p, M_CMD, OCW3_READ_IRR), 0x00);
	vpic_io_write(&p, M_DATA, 0xfa);
	CHECK(!vpic_output(&p));
}
