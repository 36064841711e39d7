// SPDX-License-Identifier: MIT
/* Virtual 16550A UART: registers, RX FIFO and interrupt line, after the National/TI data sheet. */
#include <hv/vuart.h>
#include <hv/string.h>

/*
 * Simplifications, none visible to a driver that does not time the line:
 *  - transmission takes no time: THR and the transmit FIFO are always empty;
 *  - the character timeout fires at once: data below the FIFO trigger level is
 *    reported as IIR "character timeout" as soon as it is there;
 *  - no parity, framing or break errors: the line is a byte pipe.
 */

#define IER_MASK      0x0f
#define MCR_MASK      0x1f
#define FCR_TRIGGER   0xc0
#define FCR_KEPT      (VUART_FCR_ENABLE | 0x08 | FCR_TRIGGER) /* enable, DMA mode, trigger */
#define MSR_LINES     0xf0
#define MSR_DELTAS    0x0f
#define MSR_CONNECTED (VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD)

static bool fifo_on(const struct vuart *u)
{
	return u->fcr & VUART_FCR_ENABLE;
}

static unsigned rx_capacity(const struct vuart *u)
{
	return fifo_on(u) ? VUART_FIFO : 1;
}

/* RX trigger level of FCR bits 7:6: 1, 4, 8 or 14 bytes. */
static unsigned rx_trigger(const struct vuart *u)
{
	static const u8 level[4] = {1, 4, 8, 14};

	return level[(u->fcr & FCR_TRIGGER) >> 6];
}

/* Modem input lines: the outside world, or in loopback the MCR outputs fed back. */
static u8 msr_lines(const struct vuart *u)
{
	u8 m = u->mcr;

	if (!(m & VUART_MCR_LOOP))
		return MSR_CONNECTED;
	return (u8)((m & VUART_MCR_RTS ? VUART_MSR_CTS : 0) |
		    (m & VUART_MCR_DTR ? VUART_MSR_DSR : 0) |
		    (m & VUART_MCR_OUT1 ? VUART_MSR_RI : 0) |
		    (m & VUART_MCR_OUT2 ? VUART_MSR_DCD : 0));
}

/* New line levels: set the delta bits of the ones that changed (RI: only its trailing edge). */
static void msr_update(struct vuart *u)
{
	u8 old = u->msr & MSR_LINES, now = msr_lines(u), changed = old ^ now;
	u8 delta = 0;

	if (changed & VUART_MSR_CTS)
		delta |= VUART_MSR_DCTS;
	if (changed & VUART_MSR_DSR)
		delta |= VUART_MSR_DDSR;
	if (changed & old & VUART_MSR_RI)
		delta |= VUART_MSR_TERI;
	if (changed & VUART_MSR_DCD)
		delta |= VUART_MSR_DDCD;
	u->msr = (u8)(now | (u->msr & MSR_DELTAS) | delta);
}

/* The pending interrupt of highest priority, as IIR bits 3:0 ("Interrupt Control Functions"). */
static u8 iir_source(const struct vuart *u)
{
	if ((u->ier & VUART_IER_ELSI) && u->lsr_errors)
		return VUART_IIR_RLS;
	if ((u->ier & VUART_IER_ERBFI) && u->rx_count)
		return fifo_on(u) && u->rx_count < rx_trigger(u) ? VUART_IIR_TIMEOUT
								 : VUART_IIR_RDA;
	if ((u->ier & VUART_IER_ETBEI) && u->thre_pending)
		return VUART_IIR_THRE;
	if ((u->ier & VUART_IER_EDSSI) && (u->msr & MSR_DELTAS))
		return VUART_IIR_MSR;
	return VUART_IIR_NONE;
}

bool vuart_irq(const struct vuart *u)
{
	/* In loopback the OUT2 pin is forced inactive, which on a PC disconnects the IRQ. */
	return (u->mcr & (VUART_MCR_OUT2 | VUART_MCR_LOOP)) == VUART_MCR_OUT2 &&
	       iir_source(u) != VUART_IIR_NONE;
}

static void update_irq(struct vuart *u)
{
	bool level = vuart_irq(u);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->set_irq)
		u->set_irq(u->ctx, u->irq, level);
}

static void rx_clear(struct vuart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static int rx_pop(struct vuart *u)
{
	u8 c;

	if (!u->rx_count)
		return -1;
	c = u->rx[u->rx_head];
	u->rx_head = (u8)((u->rx_head + 1) % VUART_FIFO);
	u->rx_count--;
	return c;
}

/* A byte at the receiver, from the line or from the transmitter in loopback. */
static bool rx_push(struct vuart *u, u8 byte)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->lsr_errors |= VUART_LSR_OE;
		/* Without FIFOs the holding register is overwritten; a full FIFO keeps its bytes. */
		if (!fifo_on(u))
			u->rx[u->rx_head] = byte;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % VUART_FIFO] = byte;
	u->rx_count++;
	return true;
}

void vuart_init(struct vuart *u, unsigned irq, vuart_irq_fn set_irq, vuart_tx_fn tx, void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->irq = irq;
	u->set_irq = set_irq;
	u->tx = tx;
	u->ctx = ctx;
	u->msr = msr_lines(u);
}

unsigned vuart_rx_room(const struct vuart *u)
{
	if (u->mcr & VUART_MCR_LOOP)
		return 0;
	return rx_capacity(u) - MIN(u->rx_count, rx_capacity(u));
}

bool vuart_rx(struct vuart *u, u8 byte)
{
	bool ok = false;

	if (!(u->mcr & VUART_MCR_LOOP))
		ok = rx_push(u, byte);
	update_irq(u);
	return ok;
}

static u8 read_iir(struct vuart *u)
{
	u8 src = iir_source(u);

	/* Reading IIR while it names THRE acknowledges that interrupt. */
	if (src == VUART_IIR_THRE)
		u->thre_pending = false;
	return (u8)(src | (fifo_on(u) ? VUART_IIR_FIFO_ON : 0));
}

static u8 read_lsr(struct vuart *u)
{
	u8 v = (u8)(VUART_LSR_THRE | VUART_LSR_TEMT | u->lsr_errors |
		    (u->rx_count ? VUART_LSR_DR : 0));

	u->lsr_errors = 0;
	return v;
}

static u8 read_reg(struct vuart *u, u16 reg)
{
	bool dlab = u->lcr & VUART_LCR_DLAB;
	u8 v;

	switch (reg) {
	case VUART_RBR: {
		int c;

		if (dlab)
			return u->dll;
		c = rx_pop(u);
		return c < 0 ? 0 : (u8)c;
	}
	case VUART_IER: return dlab ? u->dlm : u->ier;
	case VUART_IIR: return read_iir(u);
	case VUART_LCR: return u->lcr;
	case VUART_MCR: return u->mcr;
	case VUART_LSR: return read_lsr(u);
	case VUART_MSR:
		v = u->msr;
		u->msr &= MSR_LINES;
		return v;
	default: return u->scr;
	}
}

u8 vuart_read(struct vuart *u, u16 reg)
{
	u8 v = read_reg(u, reg & 7);

	update_irq(u);
	return v;
}

static void write_thr(struct vuart *u, u8 val)
{
	if (u->mcr & VUART_MCR_LOOP)
		rx_push(u, val);
	else if (u->tx)
		u->tx(u->ctx, val);
	/* The byte left at once: THR is empty again, which raises THRE anew. */
	u->thre_pending = true;
}

static void write_ier(struct vuart *u, u8 val)
{
	u8 old = u->ier;

	u->ier = val & IER_MASK;
	/* Enabling THRE interrupts with THR empty (it always is) raises one at once. */
	if ((u->ier & ~old) & VUART_IER_ETBEI)
		u->thre_pending = true;
}

static void write_fcr(struct vuart *u, u8 val)
{
	/* FCR0 switches the FIFOs and empties them; without it the other bits are not written. */
	if ((val ^ u->fcr) & VUART_FCR_ENABLE)
		rx_clear(u);
	if (!(val & VUART_FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	u->fcr = val & FCR_KEPT;
	if (val & VUART_FCR_CLEAR_RX)
		rx_clear(u);
}

static void write_reg(struct vuart *u, u16 reg, u8 val)
{
	bool dlab = u->lcr & VUART_LCR_DLAB;

	switch (reg) {
	case VUART_RBR:
		if (dlab)
			u->dll = val;
		else
			write_thr(u, val);
		break;
	case VUART_IER:
		if (dlab)
			u->dlm = val;
		else
			write_ier(u, val);
		break;
	case VUART_IIR: write_fcr(u, val); break;
	case VUART_LCR: u->lcr = val; break;
	case VUART_MCR:
		u->mcr = val & MCR_MASK;
		msr_update(u);
		break;
	case VUART_LSR: break; /* factory test only */
	case VUART_MSR: break;
	default: u->scr = val; break;
	}
}

void vuart_write(struct vuart *u, u16 reg, u8 val)
{
	write_reg(u, reg & 7, val);
	update_irq(u);
}
