/* SPDX-License-Identifier: MIT */
/* Machine power-off, with an exit status for test runs. */
#ifndef ARCH_POWER_H
#define ARCH_POWER_H

#include <hv/acpi.h>
#include <hv/types.h>

/* Remember the ACPI figures needed to power off later. */
void power_init(const struct acpi_info *acpi);

/*
 * Print "sprout: shutdown (status N)" and power the machine off. With
 * report_status, first write N to the isa-debug-exit port 0xf4, so that an
 * emulator run ends with that status (QEMU: (N << 1) | 1).
 */
__noreturn void power_off(int status, bool report_status);

#endif
