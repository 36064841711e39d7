// SPDX-License-Identifier: MIT
/* A VM's COM1: the vuart model on ISA IRQ 4, its output to the console and log ring, its input. */
#include <arch/console.h>
#include <hv/broker.h>
#include <hv/conmux.h>
#include <hv/printk.h>
#include <hv/string.h>
#include <hv/vdev.h>
#include <hv/vm.h>

#include "vdev_internal.h"

void vdev_console_flush_partial(struct vm *vm)
{
	vm->dev.uart.partial = vm->dev.uart.len != 0;
	vdev_console_flush(vm);
}

void vdev_console_flush(struct vm *vm)
{
	struct vdev_state *d = &vm->dev;

	if (!d->uart.len)
		return;
	/*
	 * The broker speaks to the operator: its lines go out as they are, on a
	 * line of their own while a VM has the console.
	 */
	if (vm->cfg.privileged) {
		if (!d->uart.partial)
			d->uart.line[d->uart.len++] = '\n'; /* line[] keeps room for it */
		if (broker_console_style(vm) == CONMUX_LINE)
			printk_console_line(d->uart.line, d->uart.len);
		else
			printk_console(d->uart.line, d->uart.len);
	} else
		pr_info("[%s] %.*s\n", vm->cfg.name, (int)d->uart.len, d->uart.line);
	d->uart.len = 0;
	d->uart.partial = false;
}

void vdev_console_putc(struct vm *vm, char c)
{
	struct vdev_state *d = &vm->dev;

	d->ring.buf[d->ring.head++ % VDEV_CONSOLE_RING] = c;
	/* Attached to the host console: every byte as it comes, for a shell's line editing. */
	if (broker_console_style(vm) == CONMUX_RAW) {
		/* The line begun before the attach (a prompt): as a terminal would show it. */
		if (d->uart.len)
			printk_console_line(d->uart.line, d->uart.len);
		d->uart.len = 0;
		printk_console(&c, 1);
		return;
	}
	if (c == '\r')
		return;
	if (c == '\n') {
		if (d->uart.len)
			vdev_console_flush(vm);
		else if (vm->cfg.privileged)
			printk_console("\n", 1);
		else
			pr_info("[%s]\n", vm->cfg.name);
		return;
	}
	/*
	 * Control characters would let a guest forge host log lines or move the
	 * cursor. The broker speaks to the operator: its ESC and BS draw `top` in
	 * place and erase typed characters.
	 */
	if ((u8)c < 0x20 && c != '\t' && !(vm->cfg.privileged && (c == 0x1b || c == '\b')))
		c = '?';
	d->uart.line[d->uart.len++] = c;
	if (d->uart.len == sizeof(d->uart.line) - 1)
		vdev_console_flush(vm);
}

/*
 * COM1 is the vuart model in the platform (vm->dev.plat.uart), under the
 * platform lock. Bytes it sends are printed after the lock is dropped: a
 * console line can take milliseconds on the host's serial port.
 */
static void uart_tx(void *ctx, u8 c)
{
	struct vm *vm = ctx;

	vm->dev.uart.tx = c;
}

static void uart_set_irq(void *ctx, unsigned irq, bool level)
{
	struct vm *vm = ctx;

	plat_set_irq(&vm->dev.plat, irq, level);
}

void uart_init(struct vm *vm)
{
	vm->dev.uart.tx = -1;
	vuart_init(&vm->dev.plat.uart, VUART_COM1_IRQ, uart_set_irq, uart_tx, vm);
}

/* Move queued operator input into COM1's FIFO as far as it has room; the lock is held. */
static void uart_feed(struct vm *vm)
{
	struct vdev_state *d = &vm->dev;

	for (unsigned room = vuart_rx_room(&d->plat.uart);
	     room && d->uart.rx_head != d->uart.rx_tail; room--)
		vuart_rx(&d->plat.uart, d->uart.rx[d->uart.rx_tail++ % sizeof(d->uart.rx)]);
}

bool vdev_uart_rx(struct vm *vm, u8 c)
{
	struct vdev_state *d = &vm->dev;
	bool queued = false;

	spin_lock(&d->plat.lock);
	if (d->uart.rx_head - d->uart.rx_tail < sizeof(d->uart.rx)) {
		d->uart.rx[d->uart.rx_head++ % sizeof(d->uart.rx)] = c;
		queued = true;
	}
	uart_feed(vm);
	plat_unlock(&d->plat); /* wakes the vCPU an interrupt went to */
	return queued;
}

void uart_io(struct vm *vm, u16 reg, bool in, u32 *val)
{
	struct vdev_state *d = &vm->dev;
	s16 tx;

	spin_lock(&d->plat.lock);
	if (in)
		*val = vuart_read(&d->plat.uart, reg);
	else
		vuart_write(&d->plat.uart, reg, (u8)*val);
	/* A read of RBR or an FCR or MCR write may have made room for queued input. */
	uart_feed(vm);
	tx = d->uart.tx;
	d->uart.tx = -1;
	plat_unlock(&d->plat); /* wakes the vCPU an interrupt went to */
	if (tx >= 0)
		vdev_console_putc(vm, (char)tx);
}
