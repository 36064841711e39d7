/* SPDX-License-Identifier: MIT */
/* Bringing up the other physical CPUs, and interprocessor interrupts. */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include <hv/acpi.h>
#include <hv/boot_info.h>

/* Vector of the "look at your run queue / leave the guest" IPI. */
#define IPI_KICK_VECTOR 0xf0

/* Number of CPUs online (the boot CPU included). */
extern volatile u32 smp_cpus_online;

/* Pick the page below 1 MiB the trampoline will use; before the allocator takes memory. */
void smp_reserve_trampoline(struct boot_info *bi);

/* Start every enabled CPU of the MADT with INIT-SIPI-SIPI; each ends in ap_main(). */
void smp_boot_aps(const struct acpi_info *acpi);

/* Interrupt CPU cpu with the kick vector (it exits its guest, if it runs one). */
void smp_kick(u32 cpu);

/*
 * Machine shutdown: make every other CPU halt (they leave their guests at the
 * kick) and wait a little for them, so that nothing runs while the machine
 * powers off. CPUs that see smp_stopping call smp_stop_self().
 */
extern volatile bool smp_stopping;
void smp_stop_others(void);
__noreturn void smp_stop_self(void);

/* What a started AP runs once it is set up (core/main.c). */
__noreturn void ap_main(u32 cpu);

#endif
