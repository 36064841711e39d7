/* SPDX-License-Identifier: MIT */
/* A virtual 82093AA-style I/O APIC with 24 pins: pure state machine, the caller owns the state. */
#ifndef HV_VIOAPIC_H
#define HV_VIOAPIC_H

#include <hv/types.h>
#include <hv/irqmsg.h>

#define VIOAPIC_BASE 0xfec00000ULL /* where PCs put the first I/O APIC */
#define VIOAPIC_SIZE 0x1000ULL
#define VIOAPIC_PINS 24

/* MMIO offsets from the base (82093AA datasheet, 3.0 "Register Description"). */
#define VIOAPIC_REGSEL 0x00
#define VIOAPIC_WIN    0x10
#define VIOAPIC_EOIR   0x40 /* version 0x20 and later */

/* Indirect registers selected by IOREGSEL. */
#define VIOAPIC_REG_ID	  0x00
#define VIOAPIC_REG_VER	  0x01
#define VIOAPIC_REG_ARB	  0x02
#define VIOAPIC_REG_REDIR 0x10 /* pin n: low dword 0x10 + 2n, high dword 0x11 + 2n */

/*
 * Version 0x20, as the I/O APICs of ICH and later chipsets report (and
 * QEMU's model): it has the EOI register at 0x40, which Linux uses to clear
 * Remote IRR of a level-triggered entry. With 0x11 (the 82093AA itself)
 * Linux instead flips the entry to edge and back, which this model also
 * honours (an edge entry has Remote IRR clear), so either path works.
 */
#define VIOAPIC_VERSION 0x20

/* Redirection entry bits (datasheet 3.2.4, "IOREDTBL"). */
#define VIOAPIC_RTE_VECTOR     0xffULL
#define VIOAPIC_RTE_MODE_SHIFT 8 /* enum apic_delivery, 3 bits */
#define VIOAPIC_RTE_LOGICAL    BIT(11)
#define VIOAPIC_RTE_DELIVS     BIT(12) /* read-only */
#define VIOAPIC_RTE_ACTIVE_LOW BIT(13)
#define VIOAPIC_RTE_REMOTE_IRR BIT(14) /* read-only */
#define VIOAPIC_RTE_LEVEL      BIT(15)
#define VIOAPIC_RTE_MASKED     BIT(16)
#define VIOAPIC_RTE_DEST_SHIFT 56

/*
 * Called for every interrupt message the I/O APIC sends, synchronously from
 * vioapic_set_irq(), vioapic_mmio_write() or vioapic_eoi(). It must not call
 * back into the same vioapic: queue the message (in the LAPIC) and return.
 */
typedef void (*vioapic_deliver_fn)(void *ctx, const struct apic_msg *m);

struct vioapic {
	u64 redir[VIOAPIC_PINS]; /* redirection table */
	u32 wire;		 /* wire level of each pin as last set, before polarity */
	u8 id;			 /* 4-bit I/O APIC ID */
	u8 regsel;		 /* IOREGSEL */
	vioapic_deliver_fn deliver;
	void *ctx;
};

/*
 * Reset state: every entry masked (and otherwise zero), all wires low,
 * IOREGSEL 0, the ID as given (bits 3:0 kept).
 */
void vioapic_init(struct vioapic *io, u8 id, vioapic_deliver_fn deliver, void *ctx);

/*
 * A 32-bit access at @offset from the base. Offsets other than IOREGSEL,
 * IOWIN and the EOI register read 0 and ignore writes, as do indirect
 * registers that do not exist. The platform handles only aligned dword
 * accesses here (the datasheet requires them).
 */
u32 vioapic_mmio_read(struct vioapic *io, u32 offset);
void vioapic_mmio_write(struct vioapic *io, u32 offset, u32 val);

/* The wire level of input @pin (a GSI below VIOAPIC_PINS); other pins are ignored. */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level);

/*
 * The EOI a LAPIC broadcasts for a level-triggered @vector (or a write of
 * @vector to the EOI register): clear Remote IRR of every level entry with
 * that vector and send again those whose line is still asserted.
 */
void vioapic_eoi(struct vioapic *io, u8 vector);

#endif
