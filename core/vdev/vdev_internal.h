/* SPDX-License-Identifier: MIT */
/* Private interfaces between the virtual devices of core/vdev/. */
#ifndef VDEV_INTERNAL_H
#define VDEV_INTERNAL_H

#include <hv/types.h>

struct vm;

#define UART_BASE      0x3f8
#define FWCFG_SELECTOR 0x510
#define FWCFG_DATA     0x511

void uart_io(struct vm *vm, u16 reg, bool in, u32 *val);
void fwcfg_io(struct vm *vm, u16 port, u8 size, bool in, u32 *val);

#endif
