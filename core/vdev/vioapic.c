// SPDX-License-Identifier: MIT
/* A virtual I/O APIC: redirection table, edge and level inputs, Remote IRR and EOI. */
#include <hv/vioapic.h>

/*
 * The redirection entry (82093AA datasheet, 3.2.4), as a 64-bit value:
 *
 *  63      56 55        17 16  15  14  13  12  11  10  8 7      0
 * +----------+------------+---+---+---+---+---+---+-----+--------+
 * |   dest   |  reserved  | M |TM |RIR|POL|DS |DM | DLM | vector |
 * +----------+------------+---+---+---+---+---+---+-----+--------+
 *
 * Delivery status (DS) reads 0: the message goes to the LAPICs before the
 * write or input change that caused it returns, so it is never pending.
 */
#define RTE_WRITABLE                                                                   \
	(VIOAPIC_RTE_VECTOR | (7ULL << VIOAPIC_RTE_MODE_SHIFT) | VIOAPIC_RTE_LOGICAL | \
	 VIOAPIC_RTE_ACTIVE_LOW | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED |             \
	 (0xffULL << VIOAPIC_RTE_DEST_SHIFT))
#define ID_SHIFT      24
#define ID_MASK	      0xfu
#define REDIR_LAST    (VIOAPIC_REG_REDIR + 2 * VIOAPIC_PINS - 1)
#define MAX_RTE_SHIFT 16

void vioapic_init(struct vioapic *io, u8 id, vioapic_deliver_fn deliver, void *ctx)
{
	for (unsigned i = 0; i < VIOAPIC_PINS; i++)
		io->redir[i] = VIOAPIC_RTE_MASKED;
	io->wire = 0;
	io->id = id & ID_MASK;
	io->regsel = 0;
	io->deliver = deliver;
	io->ctx = ctx;
}

/* The input as the entry sees it: an active-low pin is asserted when its wire is low. */
static bool pin_asserted(const struct vioapic *io, unsigned pin)
{
	bool wire = io->wire & (1u << pin);

	return (io->redir[pin] & VIOAPIC_RTE_ACTIVE_LOW) ? !wire : wire;
}

static void send(struct vioapic *io, unsigned pin)
{
	u64 e = io->redir[pin];
	struct apic_msg m = {
		.dest = (u32)(e >> VIOAPIC_RTE_DEST_SHIFT),
		.vector = (u8)(e & VIOAPIC_RTE_VECTOR),
		.mode = (u8)((e >> VIOAPIC_RTE_MODE_SHIFT) & 7),
		.shorthand = APIC_SH_NONE,
		.logical = e & VIOAPIC_RTE_LOGICAL,
		.level = e & VIOAPIC_RTE_LEVEL,
		.assert = true,
	};

	/* The LAPICs accept it at once, so Remote IRR is set as it goes out. */
	if (e & VIOAPIC_RTE_LEVEL)
		io->redir[pin] |= VIOAPIC_RTE_REMOTE_IRR;
	if (io->deliver)
		io->deliver(io->ctx, &m);
}

/* A level entry sends while its line is asserted, unmasked and not awaiting an EOI. */
static void level_check(struct vioapic *io, unsigned pin)
{
	u64 e = io->redir[pin];

	if ((e & VIOAPIC_RTE_LEVEL) && !(e & (VIOAPIC_RTE_MASKED | VIOAPIC_RTE_REMOTE_IRR)) &&
	    pin_asserted(io, pin))
		send(io, pin);
}

void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level)
{
	bool was;

	if (pin >= VIOAPIC_PINS)
		return;
	was = pin_asserted(io, pin);
	if (level)
		io->wire |= 1u << pin;
	else
		io->wire &= ~(1u << pin);
	if (io->redir[pin] & VIOAPIC_RTE_LEVEL) {
		level_check(io, pin);
		return;
	}
	/* Edge: a rising edge while masked is lost (datasheet 3.2.4, bit 16). */
	if (!was && pin_asserted(io, pin) && !(io->redir[pin] & VIOAPIC_RTE_MASKED))
		send(io, pin);
}

void vioapic_eoi(struct vioapic *io, u8 vector)
{
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		u64 e = io->redir[pin];

		if ((e & VIOAPIC_RTE_VECTOR) != vector || !(e & VIOAPIC_RTE_REMOTE_IRR))
			continue;
		io->redir[pin] &= ~VIOAPIC_RTE_REMOTE_IRR;
		level_check(io, pin);
	}
}

static u32 reg_read(const struct vioapic *io, u8 reg)
{
	switch (reg) {
	case VIOAPIC_REG_ID: return (u32)io->id << ID_SHIFT;
	case VIOAPIC_REG_VER: return (u32)(VIOAPIC_PINS - 1) << MAX_RTE_SHIFT | VIOAPIC_VERSION;
	/* The arbitration ID is loaded from the APIC ID (datasheet 3.2.3). */
	case VIOAPIC_REG_ARB: return (u32)io->id << ID_SHIFT;
	}
	if (reg < VIOAPIC_REG_REDIR || reg > REDIR_LAST)
		return 0;
	if (reg & 1)
		return (u32)(io->redir[(reg - VIOAPIC_REG_REDIR) / 2] >> 32);
	return (u32)io->redir[(reg - VIOAPIC_REG_REDIR) / 2];
}

static void redir_write(struct vioapic *io, unsigned pin, bool high, u32 val)
{
	u64 e = io->redir[pin];

	if (high)
		e = (e & 0xffffffffULL) | (u64)val << 32;
	else
		e = (e & ~0xffffffffULL) | val;
	e = (e & RTE_WRITABLE) | (io->redir[pin] & VIOAPIC_RTE_REMOTE_IRR);
	/*
	 * Remote IRR means nothing for an edge entry; clearing it there is
	 * what lets a guest without the EOI register (version 0x11) end a
	 * stuck level interrupt by switching the entry to edge and back.
	 */
	if (!(e & VIOAPIC_RTE_LEVEL))
		e &= ~VIOAPIC_RTE_REMOTE_IRR;
	io->redir[pin] = e;
	/* An unmask (or a switch to level) of a line held asserted sends it now. */
	level_check(io, pin);
}

static void reg_write(struct vioapic *io, u8 reg, u32 val)
{
	if (reg == VIOAPIC_REG_ID) {
		io->id = (u8)((val >> ID_SHIFT) & ID_MASK);
		return;
	}
	if (reg < VIOAPIC_REG_REDIR || reg > REDIR_LAST)
		return; /* version, arbitration and holes are read-only */
	redir_write(io, (reg - VIOAPIC_REG_REDIR) / 2, reg & 1, val);
}

u32 vioapic_mmio_read(struct vioapic *io, u32 offset)
{
	switch (offset) {
	case VIOAPIC_REGSEL: return io->regsel;
	case VIOAPIC_WIN: return reg_read(io, io->regsel);
	default: return 0;
	}
}

void vioapic_mmio_write(struct vioapic *io, u32 offset, u32 val)
{
	switch (offset) {
	case VIOAPIC_REGSEL: io->regsel = (u8)val; break;
	case VIOAPIC_WIN: reg_write(io, io->regsel, val); break;
	case VIOAPIC_EOIR: vioapic_eoi(io, (u8)val); break;
	default: break;
	}
}
