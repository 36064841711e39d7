/* SPDX-License-Identifier: MIT */
/* Virtual 16550A UART (registers, RX FIFO, interrupt line): pure, host-tested. */
#ifndef HV_VUART_H
#define HV_VUART_H

#include <hv/types.h>

#define VUART_COM1_BASE 0x3f8
#define VUART_COM1_IRQ	4
#define VUART_FIFO	16

/* Register offsets from the base port (DLAB = LCR bit 7 turns 0 and 1 into DLL, DLM). */
#define VUART_RBR	   0 /* read: receiver buffer; write: THR; DLAB: DLL */
#define VUART_IER	   1 /* DLAB: DLM */
#define VUART_IIR	   2 /* read: interrupt identification; write: FCR */
#define VUART_LCR	   3
#define VUART_MCR	   4
#define VUART_LSR	   5
#define VUART_MSR	   6
#define VUART_SCR	   7

#define VUART_IER_ERBFI	   0x01 /* received data available */
#define VUART_IER_ETBEI	   0x02 /* transmitter holding register empty */
#define VUART_IER_ELSI	   0x04 /* receiver line status */
#define VUART_IER_EDSSI	   0x08 /* modem status */

#define VUART_IIR_NONE	   0x01 /* no interrupt pending */
#define VUART_IIR_MSR	   0x00
#define VUART_IIR_THRE	   0x02
#define VUART_IIR_RDA	   0x04
#define VUART_IIR_RLS	   0x06
#define VUART_IIR_TIMEOUT  0x0c /* FIFO mode: data below the trigger level */
#define VUART_IIR_FIFO_ON  0xc0

#define VUART_FCR_ENABLE   0x01
#define VUART_FCR_CLEAR_RX 0x02
#define VUART_FCR_CLEAR_TX 0x04

#define VUART_LCR_DLAB	   0x80

#define VUART_MCR_DTR	   0x01
#define VUART_MCR_RTS	   0x02
#define VUART_MCR_OUT1	   0x04
#define VUART_MCR_OUT2	   0x08 /* on a PC: connects the interrupt output to the IRQ line */
#define VUART_MCR_LOOP	   0x10

#define VUART_LSR_DR	   0x01
#define VUART_LSR_OE	   0x02
#define VUART_LSR_THRE	   0x20
#define VUART_LSR_TEMT	   0x40

#define VUART_MSR_DCTS	   0x01
#define VUART_MSR_DDSR	   0x02
#define VUART_MSR_TERI	   0x04
#define VUART_MSR_DDCD	   0x08
#define VUART_MSR_CTS	   0x10
#define VUART_MSR_DSR	   0x20
#define VUART_MSR_RI	   0x40
#define VUART_MSR_DCD	   0x80

/* Sets an ISA interrupt line to a wire level. */
typedef void (*vuart_irq_fn)(void *ctx, unsigned irq, bool level);
/* Takes one transmitted byte (the other end of the serial line). */
typedef void (*vuart_tx_fn)(void *ctx, u8 byte);

/*
 * One 16550A. Transmission is instantaneous: a THR write hands the byte to
 * tx() at once, so THRE and TEMT are always set. Receive goes through a
 * 16-byte FIFO (one byte when FIFOs are off) that vuart_rx() fills.
 */
struct vuart {
	u8 rx[VUART_FIFO];
	u8 rx_head;  /* index of the oldest byte */
	u8 rx_count; /* bytes in rx[] */
	u8 ier, lcr, mcr, scr, dll, dlm;
	u8 fcr;		   /* enable and trigger bits as last written */
	u8 lsr_errors;	   /* OE: sticky until LSR is read */
	u8 msr;		   /* line bits 7:4 and delta bits 3:0 */
	bool thre_pending; /* THRE interrupt not yet acknowledged by an IIR read */
	bool irq_level;	   /* level last driven on the wire */
	unsigned irq;
	vuart_irq_fn set_irq;
	vuart_tx_fn tx;
	void *ctx;
};

/* Reset (MCR 0: line low; CTS, DSR, DCD asserted); wire irq through set_irq, output to tx. */
void vuart_init(struct vuart *u, unsigned irq, vuart_irq_fn set_irq, vuart_tx_fn tx, void *ctx);

/* Guest IN/OUT on register reg (0-7); both recompute the interrupt line. */
u8 vuart_read(struct vuart *u, u16 reg);
void vuart_write(struct vuart *u, u16 reg, u8 val);

/*
 * A byte arriving on the serial line. False when it was lost: in loopback mode
 * (the input is disconnected) or on overrun (OE set; a full FIFO keeps its
 * bytes, the single holding register of FIFO-less mode keeps the new one).
 */
bool vuart_rx(struct vuart *u, u8 byte);

/* Bytes vuart_rx() can take without overrun (0 in loopback mode). */
unsigned vuart_rx_room(const struct vuart *u);

/* Whether the interrupt line is asserted (an enabled interrupt pending and MCR.OUT2 set). */
bool vuart_irq(const struct vuart *u);

#endif
