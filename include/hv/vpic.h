/* SPDX-License-Identifier: MIT */
/* A virtual 8259A pair (slave on master IR2) and the PIIX ELCR: pure, the caller owns the state. */
#ifndef HV_VPIC_H
#define HV_VPIC_H

#include <hv/types.h>

#define VPIC_MASTER_CMD	 0x20
#define VPIC_MASTER_DATA 0x21
#define VPIC_SLAVE_CMD	 0xa0
#define VPIC_SLAVE_DATA	 0xa1
#define VPIC_ELCR_MASTER 0x4d0 /* IRQ 0-7 */
#define VPIC_ELCR_SLAVE	 0x4d1 /* IRQ 8-15 */
#define VPIC_IRQS	 16
#define VPIC_CASCADE_IR	 2

/* One 8259A (Intel 8259A datasheet, "Programming the 8259A"). */
struct vpic_chip {
	u8 irr, isr, imr;
	u8 wire;	   /* input levels as last set, for edge detection */
	u8 elcr;	   /* level-triggered inputs (PIIX ELCR) */
	u8 elcr_mask;	   /* ELCR bits that exist */
	u8 base;	   /* ICW2 & 0xf8 */
	u8 lowest;	   /* the IR of lowest priority: 7 until rotated */
	u8 init_step;	   /* 0: ready; 1, 2, 3: ICW2, ICW3, ICW4 expected next */
	bool need_icw4;	   /* ICW1 IC4 */
	bool single;	   /* ICW1 SNGL: no cascade */
	bool auto_eoi;	   /* ICW4 AEOI */
	bool sfnm;	   /* ICW4 special fully nested mode */
	bool rotate_aeoi;  /* OCW2 rotate in auto-EOI mode */
	bool read_isr;	   /* OCW3 RR/RIS: the command port reads ISR, not IRR */
	bool poll;	   /* OCW3 P: the next read is a poll */
	bool special_mask; /* OCW3 SMM */
};

struct vpic {
	struct vpic_chip chip[2]; /* [0] master, [1] slave */
};

/*
 * Reset: IMR 0xff (a real 8259A's IMR is undefined at power-on and firmware
 * masks it; a Sprout guest has no firmware, so the model does), IRR, ISR
 * and ELCR clear, no rotation, vector bases 0x08 and 0x70 (where a PC BIOS
 * puts them), ready for OCWs: a guest that never sends ICW1 sees the pair
 * as firmware leaves it.
 */
void vpic_init(struct vpic *p);

/*
 * Port I/O at the six ports above; other ports read 0xff and ignore writes.
 * ICW1's LTIM (level mode) is ignored as on PC chipsets, where the ELCR
 * decides; ICW4's 8080/8085 mode, buffered mode and M/S bits are ignored
 * (the INTA cycle always returns a vector).
 */
u8 vpic_io_read(struct vpic *p, u16 port);
void vpic_io_write(struct vpic *p, u16 port, u8 val);

/*
 * The wire level of ISA IRQ @irq (0-15; others ignored). An edge-triggered
 * input latches IRR on a rising edge and keeps it until the INTA cycle;
 * a level-triggered one (ELCR) has IRR follow the wire. IRQ 2 is the
 * cascade input and is driven by the slave, not by this call.
 */
void vpic_set_irq(struct vpic *p, unsigned irq, bool level);

/*
 * The master's INT line: an unmasked request of higher priority than any in
 * service is pending. There is no callback: the platform reads this after
 * each vpic_set_irq() or vpic_io_write() that may have changed it.
 */
bool vpic_output(const struct vpic *p);

/*
 * The INTA cycle: the vector of the highest-priority pending request, IRR
 * moved to ISR on the master and (through IR2) the slave, or ISR untouched
 * with auto-EOI. With nothing pending, the spurious vector of IR7 (of the
 * slave when the master's IR2 was acknowledged), as a real 8259A answers.
 */
int vpic_intack(struct vpic *p);

#endif
