// SPDX-License-Identifier: MIT
/* A virtual 8259A pair: ICW/OCW programming, priorities, cascade, INTA cycle and the ELCR. */
#include <hv/vpic.h>

#define ICW1	     0x10 /* command port, bit 4 */
#define ICW1_IC4     0x01
#define ICW1_SNGL    0x02
#define ICW4_AEOI    0x02
#define ICW4_SFNM    0x10
#define OCW3	     0x08 /* command port, bits 4:3 = 01 */
#define OCW3_RIS     0x01
#define OCW3_RR	     0x02
#define OCW3_POLL    0x04
#define OCW3_SMM     0x20
#define OCW3_ESMM    0x40
#define POLL_PENDING 0x80
#define NO_IRQ	     8

/* PIIX4 datasheet, ELCR1/ELCR2: IRQ 0, 1, 2, 8 and 13 are always edge. */
#define ELCR_MASK_MASTER 0xf8
#define ELCR_MASK_SLAVE	 0xde

/* OCW2 R/SL/EOI commands (bits 7:5). */
enum ocw2_cmd {
	OCW2_ROTATE_AEOI_CLEAR = 0,
	OCW2_EOI = 1,
	OCW2_SPECIFIC_EOI = 3,
	OCW2_ROTATE_AEOI_SET = 4,
	OCW2_ROTATE_EOI = 5,
	OCW2_SET_PRIORITY = 6,
	OCW2_ROTATE_SPECIFIC_EOI = 7,
};

static void chip_reset(struct vpic_chip *c, u8 base, u8 elcr_mask)
{
	*c = (struct vpic_chip){.imr = 0xff, .base = base, .lowest = 7, .elcr_mask = elcr_mask};
}

void vpic_init(struct vpic *p)
{
	chip_reset(&p->chip[0], 0x08, ELCR_MASK_MASTER);
	chip_reset(&p->chip[1], 0x70, ELCR_MASK_SLAVE);
}

/* Priority rank 0 (highest) .. 7 of the highest set bit of @mask; NO_IRQ if none. */
static unsigned priority(const struct vpic_chip *c, u8 mask)
{
	for (unsigned rank = 0; rank < 8; rank++)
		if (mask & (1u << ((c->lowest + 1 + rank) & 7)))
			return rank;
	return NO_IRQ;
}

static unsigned rank_irq(const struct vpic_chip *c, unsigned rank)
{
	return (c->lowest + 1 + rank) & 7;
}

/*
 * The IR this chip would raise INT for, or -1: an unmasked request of
 * higher priority than everything in service. Special mask mode lets
 * masked in-service levels not block; special fully nested mode lets the
 * master take a further request from the slave while IR2 is in service.
 */
static int chip_pending(const struct vpic_chip *c, bool master)
{
	unsigned req = priority(c, c->irr & ~c->imr);
	u8 busy = c->isr;

	if (req == NO_IRQ)
		return -1;
	if (c->special_mask)
		busy &= ~c->imr;
	if (master && c->sfnm)
		busy &= (u8) ~(1u << VPIC_CASCADE_IR);
	return req < priority(c, busy) ? (int)rank_irq(c, req) : -1;
}

static void chip_input(struct vpic_chip *c, unsigned ir, bool level)
{
	u8 bit = (u8)(1u << ir);

	if (c->elcr & bit) {
		c->irr = level ? c->irr | bit : c->irr & (u8)~bit;
	} else if (level && !(c->wire & bit)) {
		c->irr |= bit;
	}
	c->wire = level ? c->wire | bit : c->wire & (u8)~bit;
}

/* The slave's INT drives the master's IR2. */
static void cascade(struct vpic *p)
{
	if (!p->chip[0].single)
		chip_input(&p->chip[0], VPIC_CASCADE_IR, chip_pending(&p->chip[1], false) >= 0);
}

void vpic_set_irq(struct vpic *p, unsigned irq, bool level)
{
	if (irq >= VPIC_IRQS || irq == VPIC_CASCADE_IR)
		return;
	chip_input(&p->chip[irq / 8], irq % 8, level);
	cascade(p);
}

bool vpic_output(const struct vpic *p)
{
	return chip_pending(&p->chip[0], true) >= 0;
}

/* Acknowledge @ir: into ISR (or not, with auto-EOI); an edge request is consumed. */
static void chip_ack(struct vpic_chip *c, unsigned ir)
{
	u8 bit = (u8)(1u << ir);

	if (!c->auto_eoi)
		c->isr |= bit;
	else if (c->rotate_aeoi)
		c->lowest = (u8)ir;
	/* A level request stays in IRR while the wire is held (8259A datasheet, "Level Triggered Mode"). */
	if (!(c->elcr & bit))
		c->irr &= (u8)~bit;
}

int vpic_intack(struct vpic *p)
{
	struct vpic_chip *m = &p->chip[0], *s = &p->chip[1];
	int ir = chip_pending(m, true), sir;

	if (ir < 0)
		return m->base | 7;
	chip_ack(m, (unsigned)ir);
	if (ir != VPIC_CASCADE_IR || m->single) {
		cascade(p);
		return m->base | ir;
	}
	sir = chip_pending(s, false);
	if (sir < 0)
		sir = 7; /* the slave's request went away: its spurious IR7 */
	else
		chip_ack(s, (unsigned)sir);
	cascade(p);
	return s->base | sir;
}

static void icw1(struct vpic_chip *c, u8 val)
{
	/*
	 * 8259A datasheet, "Initialization Command Words": the edge sense
	 * circuit is reset (an asserted input must go low and high again),
	 * IMR is cleared, IR7 gets the lowest priority, special mask mode is
	 * cleared, status read is set to IRR, and without IC4 every ICW4
	 * function is zero. Nothing is left in service either.
	 */
	c->irr &= c->elcr;
	c->isr = 0;
	c->imr = 0;
	c->lowest = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->auto_eoi = false;
	c->sfnm = false;
	c->rotate_aeoi = false;
	c->need_icw4 = val & ICW1_IC4;
	c->single = val & ICW1_SNGL;
	c->init_step = 1;
}

static void ocw2(struct vpic_chip *c, u8 val)
{
	unsigned ir = val & 7, rank;

	switch ((enum ocw2_cmd)(val >> 5)) {
	case OCW2_ROTATE_AEOI_CLEAR: c->rotate_aeoi = false; break;
	case OCW2_ROTATE_AEOI_SET: c->rotate_aeoi = true; break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		rank = priority(c, c->isr);
		if (rank == NO_IRQ)
			break;
		ir = rank_irq(c, rank);
		c->isr &= (u8) ~(1u << ir);
		if (val >> 5 == OCW2_ROTATE_EOI)
			c->lowest = (u8)ir;
		break;
	case OCW2_SPECIFIC_EOI: c->isr &= (u8) ~(1u << ir); break;
	case OCW2_ROTATE_SPECIFIC_EOI:
		c->isr &= (u8) ~(1u << ir);
		c->lowest = (u8)ir;
		break;
	case OCW2_SET_PRIORITY: c->lowest = (u8)ir; break;
	default: break; /* 2: no operation */
	}
}

static void command_write(struct vpic_chip *c, u8 val)
{
	if (val & ICW1) {
		icw1(c, val);
	} else if (val & OCW3) {
		if (val & OCW3_POLL)
			c->poll = true;
		if (val & OCW3_RR)
			c->read_isr = val & OCW3_RIS;
		if (val & OCW3_ESMM)
			c->special_mask = val & OCW3_SMM;
	} else {
		ocw2(c, val);
	}
}

static void data_write(struct vpic_chip *c, u8 val)
{
	switch (c->init_step) {
	case 0: c->imr = val; break;
	case 1:
		c->base = val & 0xf8;
		c->init_step = c->single ? (c->need_icw4 ? 3 : 0) : 2;
		break;
	case 2: c->init_step = c->need_icw4 ? 3 : 0; break; /* ICW3: the wiring is fixed */
	default:
		c->auto_eoi = val & ICW4_AEOI;
		c->sfnm = val & ICW4_SFNM;
		c->init_step = 0;
		break;
	}
}

/* A poll (OCW3 P) is an INTA of this chip alone: 0x80 | IR, or 0 with nothing pending. */
static u8 poll_read(struct vpic *p, unsigned chip)
{
	struct vpic_chip *c = &p->chip[chip];
	int ir = chip_pending(c, chip == 0);

	c->poll = false;
	if (ir < 0)
		return 0;
	chip_ack(c, (unsigned)ir);
	cascade(p);
	return (u8)(POLL_PENDING | ir);
}

u8 vpic_io_read(struct vpic *p, u16 port)
{
	struct vpic_chip *c;

	switch (port) {
	case VPIC_ELCR_MASTER: return p->chip[0].elcr;
	case VPIC_ELCR_SLAVE: return p->chip[1].elcr;
	case VPIC_MASTER_CMD:
	case VPIC_MASTER_DATA:
	case VPIC_SLAVE_CMD:
	case VPIC_SLAVE_DATA: break;
	default: return 0xff;
	}
	c = &p->chip[port >= VPIC_SLAVE_CMD];
	if (c->poll)
		return poll_read(p, port >= VPIC_SLAVE_CMD);
	if (port & 1)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

void vpic_io_write(struct vpic *p, u16 port, u8 val)
{
	struct vpic_chip *c;

	switch (port) {
	case VPIC_ELCR_MASTER:
	case VPIC_ELCR_SLAVE:
		c = &p->chip[port & 1];
		c->elcr = val & c->elcr_mask;
		c->irr = (c->irr & ~c->elcr) | (c->wire & c->elcr);
		cascade(p);
		return;
	case VPIC_MASTER_CMD:
	case VPIC_MASTER_DATA:
	case VPIC_SLAVE_CMD:
	case VPIC_SLAVE_DATA: break;
	default: return;
	}
	c = &p->chip[port >= VPIC_SLAVE_CMD];
	if (port & 1)
		data_write(c, val);
	else
		command_write(c, val);
	cascade(p);
}
