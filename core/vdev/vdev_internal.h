/* SPDX-License-Identifier: MIT */
/* Private interfaces between the virtual devices of core/vdev/. */
#ifndef VDEV_INTERNAL_H
#define VDEV_INTERNAL_H

#include <hv/types.h>

struct vm;

#define FWCFG_SELECTOR 0x510
#define FWCFG_DATA     0x511

/* COM1 at reset, its wire on ISA IRQ 4 (from vplat_init()). */
void uart_init(struct vm *vm);
/* Register reg (0-7) of COM1; takes the platform lock. */
void uart_io(struct vm *vm, u16 reg, bool in, u32 *val);
void fwcfg_io(struct vm *vm, u16 port, u8 size, bool in, u32 *val);

#endif
