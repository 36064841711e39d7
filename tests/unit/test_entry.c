// SPDX-License-Identifier: MIT
/*
 * Host tests of vcpu_entry_quiet(): a trace of what the full look at a
 * vCPU's events leaves (core/vdev/irq.c) and what may happen before the
 * next entry. Each event that can give the vCPU something, or make its
 * host timer stop covering its next timer event, must send it the full way.
 */
#include <hv/vcpu.h>

#include "utest.h"

/* What vplat_vcpu_entry() leaves after a look that found nothing pending. */
static void look(struct vcpu *v, u32 cpu, u64 fired, u64 until)
{
	v->plat_dirty = false;
	v->quiet.cpu = cpu;
	v->quiet.fired = fired;
	v->quiet.until_tsc = until;
}

UTEST(entry_quiet_until_something_changes)
{
	struct vcpu v = {0};

	/* A fresh vCPU has never been looked at. */
	CHECK(!vcpu_entry_quiet(&v, 0, 0, 100));
	look(&v, 1, 7, 5000);
	CHECK(vcpu_entry_quiet(&v, 1, 7, 100));
	CHECK(vcpu_entry_quiet(&v, 1, 7, 4999));
	/* Its next timer event (or the slice's end) is due. */
	CHECK(!vcpu_entry_quiet(&v, 1, 7, 5000));
	/* The host timer fired since: it was re-armed for the tick, maybe later. */
	CHECK(!vcpu_entry_quiet(&v, 1, 8, 100));
	/* Another CPU's timer never was armed for it. */
	CHECK(!vcpu_entry_quiet(&v, 0, 7, 100));
	/* An interrupt routed to it, a hold or stop of its VM, an exit that changed things. */
	v.plat_dirty = true;
	CHECK(!vcpu_entry_quiet(&v, 1, 7, 100));
	look(&v, 1, 7, 5000);
	CHECK(vcpu_entry_quiet(&v, 1, 7, 100));
	/* A look that found something pending leaves it not quiet. */
	v.quiet.until_tsc = 0;
	CHECK(!vcpu_entry_quiet(&v, 1, 7, 0));
	CHECK(!vcpu_entry_quiet(&v, 1, 7, 100));
}
