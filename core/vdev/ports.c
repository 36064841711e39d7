// SPDX-License-Identifier: MIT
/* Port I/O dispatch for a VM's virtual platform; unassigned ports float high. */
#include <hv/lifecycle.h>
#include <hv/printk.h>
#include <hv/vdev.h>
#include <hv/vm.h>

#include "vdev_internal.h"

#define PORT_DEBUG_EXIT 0xf4
#define PORT_DEBUGCON	0xe9
#define PORT_POST	0x80
#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1

/*
 * The 8259 pair: a guest may program and mask it; no interrupt is ever
 * delivered through it, so only the mask registers are remembered.
 */
static void pic_io(struct vdev_state *d, u16 port, bool in, u32 *val)
{
	int chip = port >= PIC2_CMD;

	if ((port & 1) == 0) {
		if (in)
			*val = 0; /* IRR/ISR: nothing pending */
		return;
	}
	if (in)
		*val = d->pic_imr[chip];
	else
		d->pic_imr[chip] = (u8)*val;
}

static enum exit_action debug_exit(struct vcpu *v, u32 val)
{
	vm_stop(v->vm, VM_STOP_EXIT, (int)val, "exited with status %u", val);
	return EXIT_STOP_VM;
}

enum exit_action vdev_port_io(struct vcpu *v, u16 port, u8 size, bool in, u32 *val)
{
	struct vm *vm = v->vm;
	struct vdev_state *d = &vm->dev;

	if (port >= UART_BASE && port < UART_BASE + 8)
		uart_io(vm, (u16)(port - UART_BASE), in, val);
	else if (port == PORT_DEBUGCON && !in)
		vdev_console_putc(vm, (char)*val);
	else if (port == PORT_DEBUGCON)
		*val = PORT_DEBUGCON; /* present, as QEMU and Bochs answer */
	else if (port == PORT_DEBUG_EXIT && !in)
		return debug_exit(v, *val);
	else if (port == FWCFG_SELECTOR || port == FWCFG_DATA)
		fwcfg_io(vm, port, size, in, val);
	else if (port == PIC1_CMD || port == PIC1_DATA || port == PIC2_CMD || port == PIC2_DATA)
		pic_io(d, port, in, val);
	else if (in)
		*val = 0xffffffff; /* nothing decodes this port */
	return EXIT_RESUME;
}

void vdev_init(struct vm *vm)
{
	vm->dev = (struct vdev_state){.lapic_page = INVALID_HPA, .pic_imr = {0xff, 0xff}};
}
