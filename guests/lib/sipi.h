/* SPDX-License-Identifier: MIT */
/* Starting secondary vCPUs the standard way: INIT and STARTUP IPIs through the x2APIC ICR. */
#ifndef GUEST_SIPI_H
#define GUEST_SIPI_H

/*
 * Guest-physical page the real-mode trampoline (sipi_tramp.S) is copied to:
 * the last page of the low RAM the loader leaves free (0x0-0x5fff; the boot
 * data starts at 0x6000, docs/guest-layout.md). The STARTUP vector is its
 * page number, so the vCPU starts at 0500:0000.
 */
#define SIPI_TRAMP_BASE 0x5000
#define SIPI_VECTOR	(SIPI_TRAMP_BASE >> 12)

#ifndef __ASSEMBLY__
#include <hv/types.h>

/* How long sipi_start_vcpu() waits for the new vCPU to come online, at least. */
#define SIPI_ONLINE_TIMEOUT_MS 1000

/*
 * Start the vCPU with x2APIC ID apic_id as an OS starts a CPU: INIT, 10 ms,
 * STARTUP with SIPI_VECTOR, 200 us, STARTUP again (SDM Vol. 3A, 9.4.4.1).
 * It runs the trampoline in real mode, enters smp_ap_start32 (smp_entry.S)
 * with the registers of Sprout's vCPU protocol and then runs the smp.h
 * worker like a vCPU the broker added. Set the worker first. Waits until
 * smp_online_mask() has the vCPU. Call from vCPU 0, one start at a time.
 * Returns 0; -SPROUT_EINVAL for apic_id 0 or >= SMP_MAX_VCPUS; -SPROUT_EBUSY
 * if it is online already; -SPROUT_ENOSYS without Sprout or x2APIC; or
 * -SPROUT_EAGAIN if it did not come within SIPI_ONLINE_TIMEOUT_MS.
 */
int sipi_start_vcpu(u32 apic_id);

/*
 * The INIT-STARTUP-STARTUP sequence of sipi_start_vcpu() without its checks
 * and without the wait: for any apic_id, including ones no vCPU has. Enables
 * x2APIC mode on the caller and prepares the trampoline first. Returns 0, or
 * -SPROUT_ENOSYS without Sprout or x2APIC.
 */
int sipi_send_init_startup(u32 apic_id);

/* How many vCPUs have entered the trampoline so far, whatever their ID. */
u32 sipi_tramp_entries(void);

#endif
#endif
