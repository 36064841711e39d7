/* SPDX-License-Identifier: MIT */
/* Private interfaces between the virtual devices of core/vdev/. */
#ifndef VDEV_INTERNAL_H
#define VDEV_INTERNAL_H

#include <hv/types.h>

struct vm;
struct vcpu;
struct vplat;
struct apic_msg;

/* COM1 at reset, its wire on ISA IRQ 4 (from vplat_init()). */
void uart_init(struct vm *vm);
/* Register reg (0-7) of COM1; takes the platform lock. */
void uart_io(struct vm *vm, u16 reg, bool in, u32 *val);

/*
 * The interrupt path (irq.c). All under the platform lock, which
 * plat_unlock() drops before it wakes or interrupts the vCPUs that got an
 * interrupt (collected in vplat.kick).
 */
void plat_init_irq(struct vplat *p, u8 ioapic_id);
void plat_set_irq(void *ctx, unsigned irq, bool level);
void plat_route(struct vplat *p, const struct apic_msg *m);
void plat_sync_pic(struct vplat *p);
void plat_update(struct vplat *p, u64 now_ns);
u32 plat_lapic_written(struct vplat *p, struct vcpu *v, struct apic_msg *sipi, u32 max);
void plat_unlock(struct vplat *p);
/* Without the lock: INIT/STARTUP messages plat_lapic_written() left. */
void plat_send_sipis(struct vcpu *v, const struct apic_msg *sipi, u32 n);

/* Room for the INIT/STARTUP IPIs one LAPIC access can produce (its outbox). */
#define PLAT_SIPI_MAX 8

#endif
