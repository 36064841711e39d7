/* SPDX-License-Identifier: MIT */
/* A VM's PC platform: legacy timers, interrupt controllers, PCI host bridge, ACPI hardware, ROM. */
#ifndef HV_VPLAT_H
#define HV_VPLAT_H

#include <hv/exit.h>
#include <hv/spinlock.h>
#include <hv/types.h>
#include <hv/vacpi_pm.h>
#include <hv/vcpuhp.h>
#include <hv/vioapic.h>
#include <hv/vpci.h>
#include <hv/vpic.h>
#include <hv/vpit.h>
#include <hv/vrtc.h>
#include <hv/vuart.h>

#define VPLAT_PM_BASE	 0x600 /* ACPI PM1a/timer/GPE0 block, as in the FADT */
#define VPLAT_RESET_PORT 0xcf9 /* the FADT's reset register */
#define VPLAT_CPUHP_PORT 0xcd8 /* ACPI CPU hotplug registers (include/hv/vcpuhp.h), as QEMU's q35 */
#define VPLAT_CPUHP_GPE	 2     /* their GPE0 bit: \_GPE._E02, as QEMU's */
#define VPLAT_ACPI_GPA	 0xe0000ULL
#define VPLAT_ACPI_PAGES 6 /* 64 CPUs with hotplug objects: 15.3 KiB */

/*
 * One per VM. Devices see only time and wires; vplat routes their wires to
 * the PIC and the IOAPIC (ISA IRQ n is GSI n, except IRQ 0 on GSI 2, as the
 * MADT's override says). All device state is under lock.
 */
struct vplat {
	spinlock_t lock;
	struct vm *vm;
	u64 t0_tsc; /* guest time zero: the VM's creation */
	struct vpit pit;
	struct vrtc rtc;
	struct vacpi_pm pm;
	struct vpic pic;
	struct vioapic ioapic;
	struct vpci pci;
	struct vuart uart;	      /* COM1 */
	struct vcpuhp cpuhp;	      /* which CPUs the guest's ACPI sees present */
	u64 eject_busy_mark;	      /* the VM's guest time (TSC) when an eject was asked */
	hpa_t acpi[VPLAT_ACPI_PAGES]; /* this VM's firmware pages at VPLAT_ACPI_GPA */
	bool rom_mapped;
	u64 next_ns; /* guest time of the next device interrupt, VPLAT_NO_EVENT if none */
	u32 kick;    /* vCPUs (bit = id) that got an interrupt under the lock */
};

#define VPLAT_NO_EVENT (~0ULL)

struct vm;
struct vcpu;

/*
 * The host's ACPI PM timer (its FADT), 0 if it has none. Every VM reads it
 * directly (the backends do not intercept those four ports; the register is
 * read-only and global, it shows nothing of any VM) and the VM's FADT names
 * it: reading a clock must not cost a VM exit, or a guest that calibrates its
 * TSC against it (Linux on AMD, where CPUID has no TSC leaf it trusts) sees
 * the exit's cost as jitter and gives up. Set once at boot, before any VM.
 */
extern u16 vplat_host_pm_timer;
extern bool vplat_host_pm_timer_24bit;

/* Build the platform of vm: devices at reset, ACPI tables, the ROM mapped read-only. */
int vplat_init(struct vm *vm);
/* Unmap the ROM and free this VM's firmware pages (the VM no longer runs). */
void vplat_release(struct vm *vm);

/* Port I/O of the platform devices; false when port is none of theirs. */
bool vplat_port_io(struct vcpu *v, u16 port, u8 size, bool in, u32 *val, enum exit_action *act);

/*
 * Before each VM entry of v, on its CPU with v->in_guest set: update the
 * timers, inject what v can take, ask for interrupt/NMI windows. False when
 * v is halted with nothing to wake it: v's block is then announced
 * (sched_block_prepare(), with its next timer event as deadline), and the
 * caller must not enter.
 */
bool vplat_vcpu_entry(struct vcpu *v);
/*
 * v's own timer moved while its last entry was a quiet one (an exit answered
 * in place, on v's CPU, interrupts off, the platform lock held): the host
 * timer and the bound of the entry fast path (quiet.until_tsc) follow v's
 * next timer event.
 */
void vplat_timer_moved(struct vplat *p, struct vcpu *v);

/*
 * The broker's HC_VCPU_ADD / HC_VCPU_PARK (core/vdev/cpuhp.c). For a guest
 * whose OS enabled the CPU hotplug GPE and registered no Sprout vCPU entry:
 * add plugs the lowest absent CPU in (insert event, GPE, SCI; the OS starts
 * it with INIT/SIPI) and park asks the OS to eject the highest one above the
 * minimum (remove event); both return the CPU. Other guests go to
 * sched_vcpu_add() / sched_vcpu_park().
 */
/* Whether vm's CPUs come and go through ACPI (the GPE is enabled, no vCPU entry). */
bool vplat_acpi_cpuhp(const struct vm *vm);
#define VPLAT_EJECT_GRACE_MS 5000 /* then the guest keeps the CPU and the broker is told */
long vplat_vcpu_add(struct vm *vm);
long vplat_vcpu_park(struct vm *vm);
/*
 * What the guest's write to the hotplug registers did (no locks held): an
 * eject parks cpu's vCPU, a refusal (_OST) ends the park request at once.
 */
void vplat_cpuhp_event(struct vm *vm, enum vcpuhp_event ev, u32 cpu);
/* Periodic (CPU 0): withdraw an eject the guest did not do in time, tell the broker. */
void vplat_cpuhp_tick(struct vm *vm);

/* Nanoseconds of guest time. */
u64 vplat_now_ns(const struct vm *vm);

/* Seconds since 1970 of the host's clock now (read once from the host RTC at boot). */
u64 vplat_wall_clock(void);

#endif
