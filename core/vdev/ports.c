// SPDX-License-Identifier: MIT
/* Port I/O dispatch for a VM's virtual platform; unassigned ports float high. */
#include <hv/lifecycle.h>
#include <hv/printk.h>
#include <hv/vdev.h>
#include <hv/string.h>
#include <hv/vm.h>
#include <hv/vplat.h>

#include "vdev_internal.h"

#define PORT_DEBUG_EXIT 0xf4
#define PORT_DEBUGCON	0xe9
#define PORT_POST	0x80

static enum exit_action debug_exit(struct vcpu *v, u32 val)
{
	vm_stop(v->vm, VM_STOP_EXIT, (int)val, "exited with status %u", val);
	return EXIT_STOP_VM;
}

static void fwcfg_port_io(struct vm *vm, u16 port, u8 size, bool in, u32 *val)
{
	struct fwcfg_items it = fwcfg_items(&vm->cfg, vm->mem.ram_size);

	fwcfg_io(&vm->dev.fwcfg, &it, port, size, in, val);
}

enum exit_action vdev_port_io(struct vcpu *v, u16 port, u8 size, bool in, u32 *val)
{
	struct vm *vm = v->vm;
	enum exit_action act;

	if (vplat_port_io(v, port, size, in, val, &act))
		return act;
	if (port >= VUART_COM1_BASE && port < VUART_COM1_BASE + 8)
		uart_io(vm, (u16)(port - VUART_COM1_BASE), in, val);
	else if (port == PORT_DEBUGCON && !in)
		vdev_console_putc(vm, (char)*val);
	else if (port == PORT_DEBUGCON)
		*val = PORT_DEBUGCON; /* present, as QEMU and Bochs answer */
	else if (port == PORT_DEBUG_EXIT && !in)
		return debug_exit(v, *val);
	else if (port == FWCFG_SELECTOR || port == FWCFG_DATA)
		fwcfg_port_io(vm, port, size, in, val);
	else if (in)
		*val = 0xffffffff; /* nothing decodes this port */
	return EXIT_RESUME;
}

void vdev_init(struct vm *vm)
{
	memset(&vm->dev, 0, sizeof(vm->dev));
}
