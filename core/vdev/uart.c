// SPDX-License-Identifier: MIT
/* Virtual 16550 UART at 0x3f8: output goes to the host console and the VM's log ring. */
#include <arch/console.h>
#include <hv/printk.h>
#include <hv/string.h>
#include <hv/vdev.h>
#include <hv/vm.h>

#include "vdev_internal.h"

#define LCR_DLAB       BIT(7)
#define LSR_DATA_READY BIT(0)
#define LSR_THRE       BIT(5)
#define LSR_TEMT       BIT(6)

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
	/* The broker speaks to the operator: its lines go out as they are. */
	if (vm->cfg.privileged) {
		if (!d->uart.partial)
			d->uart.line[d->uart.len++] = '\n'; /* line[] keeps room for it */
		printk_console(d->uart.line, d->uart.len);
	} else
		pr_info("[%s] %.*s\n", vm->cfg.name, (int)d->uart.len, d->uart.line);
	d->uart.len = 0;
	d->uart.partial = false;
}

bool vdev_uart_rx(struct vm *vm, u8 c)
{
	struct vdev_state *d = &vm->dev;

	if (d->uart.rx_head - d->uart.rx_tail >= sizeof(d->uart.rx))
		return false;
	d->uart.rx[d->uart.rx_head++ % sizeof(d->uart.rx)] = c;
	return true;
}

static int uart_rx_pop(struct vdev_state *d)
{
	if (d->uart.rx_head == d->uart.rx_tail)
		return -1;
	return d->uart.rx[d->uart.rx_tail++ % sizeof(d->uart.rx)];
}

void vdev_console_putc(struct vm *vm, char c)
{
	struct vdev_state *d = &vm->dev;

	d->ring.buf[d->ring.head++ % VDEV_CONSOLE_RING] = c;
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
	/* Control characters would let a guest forge host log lines or move the cursor. */
	if ((u8)c < 0x20 && c != '\t')
		c = '?';
	d->uart.line[d->uart.len++] = c;
	if (d->uart.len == sizeof(d->uart.line) - 1)
		vdev_console_flush(vm);
}

void uart_io(struct vm *vm, u16 reg, bool in, u32 *val)
{
	struct vdev_state *d = &vm->dev;
	bool dlab = d->uart.lcr & LCR_DLAB;
	u8 v = (u8)*val;

	if (in) {
		switch (reg) {
		case 0: {
			int c = uart_rx_pop(d);

			*val = dlab ? d->uart.dll : c < 0 ? 0 : (u32)c;
			break;
		}
		case 1: *val = dlab ? d->uart.dlm : d->uart.ier; break;
		case 2: *val = 0x01; break; /* IIR: no interrupt pending */
		case 3: *val = d->uart.lcr; break;
		case 4: *val = d->uart.mcr; break;
		case 5:
			*val = LSR_THRE | LSR_TEMT |
			       (d->uart.rx_head != d->uart.rx_tail ? LSR_DATA_READY : 0);
			break;
		case 6: *val = 0xb0; break; /* MSR: CTS, DSR, DCD */
		default: *val = d->uart.scr; break;
		}
		return;
	}
	switch (reg) {
	case 0:
		if (dlab)
			d->uart.dll = v;
		else
			vdev_console_putc(vm, (char)v);
		break;
	case 1:
		if (dlab)
			d->uart.dlm = v;
		else
			d->uart.ier = v & 0x0f;
		break;
	case 3: d->uart.lcr = v; break;
	case 4: d->uart.mcr = v & 0x1f; break;
	case 7: d->uart.scr = v; break;
	default: break;
	}
}
