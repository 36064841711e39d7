/* SPDX-License-Identifier: MIT */
/* Talking to Sprout from a test guest: detection and hypercalls (include/public/hypercall.h). */
#ifndef GUEST_SPROUT_H
#define GUEST_SPROUT_H

#include <hv/types.h>
#include <public/hypercall.h>

/* True when CPUID leaf 0x40000000 carries the "SproutSprout" signature. */
bool sprout_present(void);

/*
 * Make hypercall nr with up to four arguments (RDI, RSI, RDX, R10); returns
 * RAX: >= 0 on success, -SPROUT_E* on failure. VMCALL or VMMCALL is chosen
 * from the CPU vendor on first use. Without Sprout it returns -SPROUT_ENOSYS
 * and executes nothing, since the instruction would raise #UD.
 */
long hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
	       unsigned long a3);

/*
 * The same hypercall made from ring 3 (CPL 3) of this VM, through user_call()
 * (user.h): Sprout must refuse it with -SPROUT_EPERM whatever nr is. Returns
 * RAX, or -SPROUT_ENOSYS without Sprout. vCPU 0 only (-SPROUT_EINVAL elsewhere).
 */
long user_hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		    unsigned long a3);

/* HC_VERSION: the ABI version, or a negative error. */
long sprout_version(void);

/* HC_CONSOLE_WRITE of len bytes at buf (identity mapped, so its address is its GPA). */
long sprout_console_write(const char *buf, unsigned long len);

/* HC_YIELD: give up the physical CPU for now. */
long sprout_yield(void);

#endif
