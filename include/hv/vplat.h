/* SPDX-License-Identifier: MIT */
/* A VM's PC platform: the legacy timers, interrupt controllers, ACPI hardware and firmware ROM. */
#ifndef HV_VPLAT_H
#define HV_VPLAT_H

#include <hv/exit.h>
#include <hv/spinlock.h>
#include <hv/types.h>
#include <hv/vacpi_pm.h>
#include <hv/vioapic.h>
#include <hv/vpic.h>
#include <hv/vpit.h>
#include <hv/vrtc.h>
#include <hv/vuart.h>

#define VPLAT_PM_BASE	 0x600 /* ACPI PM1a/timer/GPE0 block, as in the FADT */
#define VPLAT_RESET_PORT 0xcf9 /* the FADT's reset register */
#define VPLAT_ACPI_GPA	 0xe0000ULL
#define VPLAT_ACPI_PAGES 2

/*
 * One per VM. Devices see only time and wires; vplat routes their wires to
 * the PIC and the IOAPIC (ISA IRQ n is GSI n, except IRQ 0 on GSI 2, as the
 * MADT's override says). All device state is under lock.
 */
struct vplat {
	spinlock_t lock;
	u64 t0_tsc; /* guest time zero: the VM's creation */
	struct vpit pit;
	struct vrtc rtc;
	struct vacpi_pm pm;
	struct vpic pic;
	struct vioapic ioapic;
	struct vuart uart;	      /* COM1 */
	hpa_t acpi[VPLAT_ACPI_PAGES]; /* this VM's firmware pages at VPLAT_ACPI_GPA */
	bool rom_mapped;
};

struct vm;
struct vcpu;

/* Build the platform of vm: devices at reset, ACPI tables, the ROM mapped read-only. */
int vplat_init(struct vm *vm);
/* Unmap the ROM and free this VM's firmware pages (the VM no longer runs). */
void vplat_release(struct vm *vm);

/*
 * Drive ISA IRQ irq (PIC input irq, IOAPIC pin irq; IRQ 0 on pin 2) to level.
 * For device models outside plat.c; the caller holds p->lock.
 */
void vplat_set_irq(struct vplat *p, unsigned irq, bool level);

/* Port I/O of the platform devices; false when port is none of theirs. */
bool vplat_port_io(struct vcpu *v, u16 port, u8 size, bool in, u32 *val, enum exit_action *act);

/* Nanoseconds of guest time. */
u64 vplat_now_ns(const struct vm *vm);

/* Seconds since 1970 of the host's clock now (read once from the host RTC at boot). */
u64 vplat_wall_clock(void);

#endif
