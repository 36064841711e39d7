// SPDX-License-Identifier: MIT
/* Host tests of the virtual 16550A: Linux 8250 autoconfig and startup, RX/THRE interrupts, OUT2. */
#include <hv/string.h>
#include <hv/vuart.h>

#include "utest.h"

struct uart_env {
	struct vuart u;
	unsigned raises, lowers, other; /* set_irq calls; 'other': for a line other than IRQ 4 */
	bool level;
	u8 out[64];
	unsigned nout;
};

static void env_irq(void *ctx, unsigned irq, bool level)
{
	struct uart_env *e = ctx;

	if (irq != VUART_COM1_IRQ)
		e->other++;
	if (level)
		e->raises++;
	else
		e->lowers++;
	e->level = level;
}

static void env_tx(void *ctx, u8 byte)
{
	struct uart_env *e = ctx;

	if (e->nout < sizeof(e->out))
		e->out[e->nout++] = byte;
}

static void env_init(struct uart_env *e)
{
	*e = (struct uart_env){0};
	vuart_init(&e->u, VUART_COM1_IRQ, env_irq, env_tx, e);
}

static u8 in(struct uart_env *e, u16 reg)
{
	return vuart_read(&e->u, reg);
}

static void out(struct uart_env *e, u16 reg, u8 val)
{
	vuart_write(&e->u, reg, val);
}

/* The wire as the callbacks drove it always matches the model's own view. */
static void check_wire(struct uart_env *e)
{
	CHECK_EQ(e->level, vuart_irq(&e->u));
	CHECK_EQ(e->other, 0);
}

UTEST(vuart_reset_state)
{
	struct uart_env e;

	env_init(&e);
	CHECK_EQ(in(&e, VUART_IIR), 0x01);
	CHECK_EQ(in(&e, VUART_LSR), 0x60);
	CHECK_EQ(in(&e, VUART_MSR), 0xb0); /* CTS, DSR, DCD: a connected line */
	CHECK_EQ(in(&e, VUART_IER), 0);
	CHECK_EQ(in(&e, VUART_MCR), 0);
	CHECK_EQ(e.raises + e.lowers, 0);
}

/* serial8250's autoconfig(): IER probe, scratch, loopback test, FIFO detection. */
UTEST(vuart_linux_autoconfig)
{
	struct uart_env e;
	u8 save_mcr, save_lcr;

	env_init(&e);
	/* IER: bits 3:0 writable, the rest read zero (also the XScale UUE bit 6 test). */
	out(&e, VUART_IER, 0);
	CHECK_EQ(in(&e, VUART_IER) & 0x0f, 0);
	out(&e, VUART_IER, 0x0f);
	CHECK_EQ(in(&e, VUART_IER) & 0x0f, 0x0f);
	out(&e, VUART_IER, 0x40);
	CHECK_EQ(in(&e, VUART_IER), 0);
	out(&e, VUART_IER, 0);
	out(&e, VUART_SCR, 0xa5);
	CHECK_EQ(in(&e, VUART_SCR), 0xa5);
	out(&e, VUART_SCR, 0x5a);
	CHECK_EQ(in(&e, VUART_SCR), 0x5a);

	save_mcr = in(&e, VUART_MCR);
	save_lcr = in(&e, VUART_LCR);
	out(&e, VUART_MCR, VUART_MCR_LOOP | 0x0a);
	CHECK_EQ(in(&e, VUART_MSR) & 0xf0, 0x90);
	out(&e, VUART_MCR, save_mcr);

	/* LCR 0xbf and an "EFR" write land in FCR on a 16550A; LCR 0 again. */
	out(&e, VUART_LCR, 0xbf);
	out(&e, VUART_IIR, 0);
	out(&e, VUART_LCR, 0);
	out(&e, VUART_IIR, VUART_FCR_ENABLE);
	CHECK_EQ(in(&e, VUART_IIR) >> 6, 3); /* 16550A */

	/* autoconfig_16550a: no EFR behind DLAB, no 64-byte FIFO (IIR bit 5). */
	out(&e, VUART_LCR, 0x80);
	CHECK(in(&e, VUART_IIR) != 0);
	out(&e, VUART_LCR, 0xbf);
	CHECK(in(&e, VUART_IIR) != 0);
	out(&e, VUART_LCR, 0);
	out(&e, VUART_IIR, VUART_FCR_ENABLE | 0x20);
	CHECK_EQ(in(&e, VUART_IIR) & 0xe0, 0xc0);
	out(&e, VUART_IIR, VUART_FCR_ENABLE);

	out(&e, VUART_LCR, save_lcr);
	out(&e, VUART_MCR, save_mcr);
	out(&e, VUART_IIR, VUART_FCR_ENABLE);
	out(&e, VUART_IIR, VUART_FCR_ENABLE | VUART_FCR_CLEAR_RX | VUART_FCR_CLEAR_TX);
	out(&e, VUART_IIR, 0);
	(void)in(&e, VUART_RBR);
	out(&e, VUART_IER, 0);
	CHECK_EQ(in(&e, VUART_IIR), 0x01);
	CHECK_EQ(e.nout, 0);
	check_wire(&e);
}

UTEST(vuart_divisor_latch)
{
	struct uart_env e;

	env_init(&e);
	out(&e, VUART_LCR, 0x83);
	out(&e, VUART_RBR, 0x01); /* 115200 baud */
	out(&e, VUART_IER, 0x00);
	CHECK_EQ(in(&e, VUART_RBR), 0x01);
	CHECK_EQ(in(&e, VUART_IER), 0x00);
	out(&e, VUART_LCR, 0x03);
	CHECK_EQ(in(&e, VUART_LCR), 0x03);
	CHECK_EQ(e.nout, 0); /* the DLL write is no output */
	CHECK_EQ(in(&e, VUART_IER), 0);
	out(&e, VUART_RBR, 'x');
	CHECK_EQ(e.nout, 1);
	CHECK_EQ(e.out[0], 'x');
	CHECK_EQ(in(&e, VUART_LSR) & 0x60, 0x60);
}

/* serial8250_startup(): the THRE re-assertion test and the TXEN test. */
UTEST(vuart_linux_thre_test)
{
	struct uart_env e;
	u8 iir1, iir, lsr;

	env_init(&e);
	out(&e, VUART_IIR, 0); /* serial8250_clear_fifos */
	(void)in(&e, VUART_LSR);
	(void)in(&e, VUART_RBR);
	(void)in(&e, VUART_IIR);
	(void)in(&e, VUART_MSR);
	CHECK(in(&e, VUART_LSR) != 0xff);

	out(&e, VUART_IER, VUART_IER_ETBEI);
	iir1 = in(&e, VUART_IIR);
	out(&e, VUART_IER, 0);
	out(&e, VUART_IER, VUART_IER_ETBEI);
	iir = in(&e, VUART_IIR);
	out(&e, VUART_IER, 0);
	CHECK_EQ(iir1, VUART_IIR_THRE);
	CHECK_EQ(iir, VUART_IIR_THRE); /* re-asserted: no UART_BUG_THRE */

	out(&e, VUART_LCR, 0x03);
	out(&e, VUART_MCR, VUART_MCR_DTR | VUART_MCR_RTS | VUART_MCR_OUT2);
	out(&e, VUART_IER, VUART_IER_ETBEI);
	lsr = in(&e, VUART_LSR);
	iir = in(&e, VUART_IIR);
	out(&e, VUART_IER, 0);
	CHECK(lsr & VUART_LSR_TEMT);
	CHECK(!(iir & VUART_IIR_NONE)); /* no UART_BUG_TXEN */
	check_wire(&e);
	CHECK(e.raises >= 1);
}

UTEST(vuart_thre_interrupt)
{
	struct uart_env e;

	env_init(&e);
	out(&e, VUART_MCR, VUART_MCR_OUT2);
	out(&e, VUART_IER, VUART_IER_ETBEI);
	CHECK(e.level);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_THRE);
	/* Acknowledged by the IIR read: the line falls and IIR says nothing more. */
	CHECK(!e.level);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_NONE);
	/* Each byte written leaves at once and raises THRE again. */
	out(&e, VUART_RBR, 'a');
	CHECK(e.level);
	CHECK_EQ(e.nout, 1);
	out(&e, VUART_RBR, 'b');
	CHECK(e.level);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_THRE);
	CHECK(!e.level);
	/* Rewriting IER with ETBEI already set does not re-arm it. */
	out(&e, VUART_IER, VUART_IER_ETBEI);
	CHECK(!e.level);
	/* Disabling it masks the interrupt; writing THR meanwhile leaves it pending for later. */
	out(&e, VUART_IER, 0);
	out(&e, VUART_RBR, 'c');
	CHECK(!e.level);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_NONE);
	out(&e, VUART_IER, VUART_IER_ETBEI);
	CHECK(e.level);
	CHECK_EQ(e.nout, 3);
	CHECK_EQ(e.out[2], 'c');
	check_wire(&e);
}

/* Linux's receive path: IIR says RX data, read LSR and RBR until DR clears. */
UTEST(vuart_rx_interrupt)
{
	struct uart_env e;
	u8 lsr;
	char got[8];
	unsigned n = 0;

	env_init(&e);
	out(&e, VUART_LCR, 0x03);
	out(&e, VUART_IIR, VUART_FCR_ENABLE | VUART_FCR_CLEAR_RX | 0x80); /* trigger at 8 */
	out(&e, VUART_MCR, VUART_MCR_DTR | VUART_MCR_RTS | VUART_MCR_OUT2);
	out(&e, VUART_IER, VUART_IER_ERBFI | VUART_IER_ELSI);
	CHECK(!e.level);
	CHECK(vuart_rx(&e.u, 'h'));
	CHECK(e.level);
	/* Below the trigger level: the character timeout (reported at once). */
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_FIFO_ON | VUART_IIR_TIMEOUT);
	for (const char *s = "ello,wo"; *s; s++)
		CHECK(vuart_rx(&e.u, (u8)*s));
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_FIFO_ON | VUART_IIR_RDA);
	CHECK(e.level);
	while ((lsr = in(&e, VUART_LSR)) & VUART_LSR_DR && n < sizeof(got))
		got[n++] = (char)in(&e, VUART_RBR);
	CHECK_EQ(n, 8);
	CHECK(!memcmp(got, "hello,wo", 8));
	CHECK_EQ(lsr, 0x60);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_FIFO_ON | VUART_IIR_NONE);
	CHECK(!e.level);
	CHECK_EQ(e.raises, 1);
	CHECK_EQ(e.lowers, 1);
	check_wire(&e);
}

UTEST(vuart_rx_overrun)
{
	struct uart_env e;

	env_init(&e);
	out(&e, VUART_IIR, VUART_FCR_ENABLE);
	out(&e, VUART_MCR, VUART_MCR_OUT2);
	out(&e, VUART_IER, VUART_IER_ELSI);
	CHECK_EQ(vuart_rx_room(&e.u), VUART_FIFO);
	for (unsigned i = 0; i < VUART_FIFO; i++)
		CHECK(vuart_rx(&e.u, (u8)('A' + i)));
	CHECK_EQ(vuart_rx_room(&e.u), 0);
	CHECK(!e.level);
	CHECK(!vuart_rx(&e.u, '!'));
	/* Line status outranks received data. */
	out(&e, VUART_IER, VUART_IER_ELSI | VUART_IER_ERBFI);
	CHECK(e.level);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_FIFO_ON | VUART_IIR_RLS);
	CHECK_EQ(in(&e, VUART_LSR), 0x63); /* DR, OE: OE clears on read */
	CHECK_EQ(in(&e, VUART_LSR), 0x61);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_FIFO_ON | VUART_IIR_RDA);
	for (unsigned i = 0; i < VUART_FIFO; i++)
		CHECK_EQ(in(&e, VUART_RBR), 'A' + i); /* the FIFO kept its bytes */
	CHECK_EQ(in(&e, VUART_LSR), 0x60);
	CHECK(!e.level);

	/* Without FIFOs: one holding register, the newest byte wins. */
	out(&e, VUART_IIR, 0);
	CHECK_EQ(vuart_rx_room(&e.u), 1);
	CHECK(vuart_rx(&e.u, '1'));
	CHECK(!vuart_rx(&e.u, '2'));
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_RLS);
	CHECK_EQ(in(&e, VUART_LSR), 0x63);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_RDA);
	CHECK_EQ(in(&e, VUART_RBR), '2');
	check_wire(&e);
}

UTEST(vuart_fifo_control)
{
	struct uart_env e;

	env_init(&e);
	out(&e, VUART_IIR, VUART_FCR_ENABLE);
	CHECK(vuart_rx(&e.u, 'a'));
	CHECK(vuart_rx(&e.u, 'b'));
	out(&e, VUART_IIR, VUART_FCR_ENABLE | VUART_FCR_CLEAR_RX);
	CHECK_EQ(in(&e, VUART_LSR) & VUART_LSR_DR, 0);
	CHECK(vuart_rx(&e.u, 'c'));
	out(&e, VUART_IIR, 0); /* switching the FIFOs off empties them */
	CHECK_EQ(in(&e, VUART_LSR) & VUART_LSR_DR, 0);
	CHECK_EQ(in(&e, VUART_IIR) & 0xc0, 0);
	/* Without FCR0 the clear bits are not written. */
	CHECK(vuart_rx(&e.u, 'd'));
	out(&e, VUART_IIR, VUART_FCR_CLEAR_RX);
	CHECK_EQ(in(&e, VUART_RBR), 'd');
}

/* Loopback: THR comes back on RBR, the line input is cut, MSR mirrors MCR. */
UTEST(vuart_loopback)
{
	struct uart_env e;

	env_init(&e);
	out(&e, VUART_IIR, VUART_FCR_ENABLE);
	(void)in(&e, VUART_MSR);
	out(&e, VUART_MCR, VUART_MCR_LOOP);
	CHECK_EQ(in(&e, VUART_MSR), VUART_MSR_DCTS | VUART_MSR_DDSR | VUART_MSR_DDCD);
	out(&e, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT1);
	CHECK_EQ(in(&e, VUART_MSR), VUART_MSR_RI);
	out(&e, VUART_MCR, VUART_MCR_LOOP);
	CHECK_EQ(in(&e, VUART_MSR), VUART_MSR_TERI); /* RI's trailing edge */
	out(&e, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_DTR | VUART_MCR_RTS);
	CHECK_EQ(in(&e, VUART_MSR), 0x33);
	CHECK_EQ(in(&e, VUART_MSR), 0x30);

	out(&e, VUART_RBR, 0x55);
	CHECK_EQ(e.nout, 0);
	CHECK_EQ(vuart_rx_room(&e.u), 0);
	CHECK(!vuart_rx(&e.u, 'x'));
	CHECK_EQ(in(&e, VUART_LSR), 0x61);
	CHECK_EQ(in(&e, VUART_RBR), 0x55);
	CHECK_EQ(in(&e, VUART_LSR), 0x60);

	/* Interrupts work inside the chip but OUT2 is forced off: the wire stays low. */
	out(&e, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT2);
	out(&e, VUART_IER, VUART_IER_ERBFI);
	out(&e, VUART_RBR, 0xaa);
	CHECK_EQ(in(&e, VUART_IIR) & 0x0f, VUART_IIR_RDA);
	CHECK(!e.level);
	out(&e, VUART_MCR, VUART_MCR_OUT2);
	CHECK(e.level);
	CHECK_EQ(in(&e, VUART_MSR) & 0xf0, 0xb0);
	check_wire(&e);
}

UTEST(vuart_modem_status_interrupt)
{
	struct uart_env e;

	env_init(&e);
	out(&e, VUART_IER, VUART_IER_EDSSI | VUART_IER_ETBEI);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_THRE);
	out(&e, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT2 | VUART_MCR_RTS);
	/* Lowest priority, after THRE; an MSR read clears it. */
	out(&e, VUART_RBR, 0);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_THRE);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_MSR);
	CHECK(in(&e, VUART_MSR) & 0x0f);
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_NONE);
}

/* The wire follows the pending interrupt only while OUT2 is set. */
UTEST(vuart_irq_out2)
{
	struct uart_env e;

	env_init(&e);
	out(&e, VUART_IER, VUART_IER_ERBFI);
	CHECK(vuart_rx(&e.u, 'k'));
	CHECK_EQ(in(&e, VUART_IIR), VUART_IIR_RDA);
	CHECK(!e.level);
	CHECK_EQ(e.raises, 0);
	out(&e, VUART_MCR, VUART_MCR_OUT2);
	CHECK(e.level);
	out(&e, VUART_MCR, VUART_MCR_DTR | VUART_MCR_RTS);
	CHECK(!e.level);
	out(&e, VUART_MCR, VUART_MCR_OUT2);
	CHECK(e.level);
	CHECK_EQ(in(&e, VUART_RBR), 'k');
	CHECK(!e.level);
	CHECK_EQ(e.raises, 2);
	CHECK_EQ(e.lowers, 2);
	check_wire(&e);
}
