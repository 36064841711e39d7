/* SPDX-License-Identifier: MIT */
/* An interrupt message on the virtual APIC bus: what an IOAPIC entry, an ICR write or an MSI sends. */
#ifndef HV_IRQMSG_H
#define HV_IRQMSG_H

#include <hv/types.h>

/* Delivery mode, as in the ICR and the IOAPIC redirection entry (SDM Vol. 3, 11.6.1). */
enum apic_delivery {
	APIC_DM_FIXED = 0,
	APIC_DM_LOWEST = 1,
	APIC_DM_SMI = 2,
	APIC_DM_NMI = 4,
	APIC_DM_INIT = 5,
	APIC_DM_STARTUP = 6,
	APIC_DM_EXTINT = 7,
};

/* Destination shorthand of the ICR (bits 19:18). */
enum apic_shorthand {
	APIC_SH_NONE = 0,
	APIC_SH_SELF = 1,
	APIC_SH_ALL = 2,
	APIC_SH_OTHERS = 3,
};

#define APIC_BROADCAST_XAPIC  0xffu
#define APIC_BROADCAST_X2APIC 0xffffffffu

/*
 * One message. The platform (core/vdev/irq.c) finds the LAPICs it is for and
 * hands it to each; the devices that send it know nothing of vCPUs.
 */
struct apic_msg {
	u32 dest; /* physical APIC ID, or logical destination when logical */
	u32 src;  /* sender's APIC ID (for SELF / OTHERS) */
	u8 vector;
	u8 mode;      /* enum apic_delivery */
	u8 shorthand; /* enum apic_shorthand */
	bool logical; /* destination mode */
	bool level;   /* trigger mode is level */
	bool assert;  /* level: asserted (an INIT de-assert is ignored by modern CPUs) */
	bool x2apic;  /* dest is a 32-bit x2APIC ID / logical ID */
};

#endif
