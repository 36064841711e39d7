// SPDX-License-Identifier: MIT
/* Unit tests for the ACPI CPU hotplug registers: what the DSDT's AML reads and writes. */
#include <hv/vcpuhp.h>

#include "utest.h"

static u32 last_cpu;

static enum vcpuhp_event wr(struct vcpuhp *hp, u16 off, unsigned size, u32 val)
{
	return vcpuhp_write(hp, off, size, val, &last_cpu);
}

static u32 flags_of(struct vcpuhp *hp, u32 cpu)
{
	wr(hp, VCPUHP_SEL_OFF, 4, cpu);
	return vcpuhp_read(hp, VCPUHP_FLAGS_OFF, 1);
}

UTEST(vcpuhp_boot_cpus_enabled)
{
	struct vcpuhp hp;

	vcpuhp_init(&hp, 3, 1);
	CHECK_EQ(flags_of(&hp, 0), VCPUHP_F_ENABLED);
	CHECK_EQ(flags_of(&hp, 1), 0);
	CHECK_EQ(flags_of(&hp, 2), 0);
	CHECK_EQ(vcpuhp_enabled_count(&hp), 1);
	/* A selector past the CPUs reads 0 and writes nothing. */
	CHECK_EQ(flags_of(&hp, 3), 0);
	CHECK_EQ(wr(&hp, VCPUHP_FLAGS_OFF, 1, VCPUHP_F_EJECT), VCPUHP_EV_NONE);
	vcpuhp_init(&hp, 100, 100);
	CHECK_EQ(hp.count, VCPUHP_MAX_CPUS);
}

/* What the AML's scan does for each CPU: select it, look at the events, clear the one seen. */
UTEST(vcpuhp_insert_event_and_clear)
{
	struct vcpuhp hp;

	vcpuhp_init(&hp, 3, 1);
	CHECK_EQ(vcpuhp_pick_insert(&hp), 1);
	CHECK(vcpuhp_insert(&hp, 1));
	CHECK(!vcpuhp_insert(&hp, 1));
	CHECK(!vcpuhp_insert(&hp, 3));
	CHECK_EQ(vcpuhp_pick_insert(&hp), 2);
	CHECK_EQ(flags_of(&hp, 1), VCPUHP_F_ENABLED | VCPUHP_F_INSERT);
	wr(&hp, VCPUHP_FLAGS_OFF, 1, VCPUHP_F_INSERT);
	CHECK_EQ(flags_of(&hp, 1), VCPUHP_F_ENABLED);
	CHECK_EQ(vcpuhp_enabled_count(&hp), 2);
	CHECK(vcpuhp_insert(&hp, 2));
	CHECK_EQ(vcpuhp_pick_insert(&hp), VCPUHP_NONE);
}

/* QEMU's command 0: the next CPU with an event, from the selector on, wrapping. */
UTEST(vcpuhp_next_event_command)
{
	struct vcpuhp hp;

	vcpuhp_init(&hp, 4, 1);
	vcpuhp_insert(&hp, 2);
	wr(&hp, VCPUHP_SEL_OFF, 4, 3);
	wr(&hp, VCPUHP_CMD_OFF, 1, VCPUHP_CMD_NEXT);
	CHECK_EQ(vcpuhp_read(&hp, VCPUHP_DATA_OFF, 4), 2);
	CHECK_EQ(vcpuhp_read(&hp, VCPUHP_FLAGS_OFF, 1), VCPUHP_F_ENABLED | VCPUHP_F_INSERT);
	/* No event anywhere: the selector stays. */
	wr(&hp, VCPUHP_FLAGS_OFF, 1, VCPUHP_F_INSERT);
	wr(&hp, VCPUHP_SEL_OFF, 4, 1);
	wr(&hp, VCPUHP_CMD_OFF, 1, VCPUHP_CMD_NEXT);
	CHECK_EQ(vcpuhp_read(&hp, VCPUHP_DATA_OFF, 4), 1);
	/* _OST: data goes to the command's field; command 0's data is not writable. */
	wr(&hp, VCPUHP_CMD_OFF, 1, VCPUHP_CMD_OST_EVENT);
	wr(&hp, VCPUHP_DATA_OFF, 4, 3);
	wr(&hp, VCPUHP_CMD_OFF, 1, VCPUHP_CMD_OST_STATUS);
	wr(&hp, VCPUHP_DATA_OFF, 4, 0x80);
	CHECK_EQ(hp.ost_event, 3);
	CHECK_EQ(hp.ost_status, 0x80);
	CHECK_EQ(vcpuhp_read(&hp, VCPUHP_DATA_OFF, 4), 0);
	wr(&hp, VCPUHP_CMD_OFF, 1, 7); /* unknown: ignored */
	CHECK_EQ(hp.command, VCPUHP_CMD_OST_STATUS);
}

UTEST(vcpuhp_remove_then_eject)
{
	struct vcpuhp hp;

	vcpuhp_init(&hp, 3, 3);
	/* Never CPU 0, never below the VM's minimum, the highest first. */
	CHECK_EQ(vcpuhp_pick_remove(&hp, 1), 2);
	CHECK_EQ(vcpuhp_pick_remove(&hp, 3), VCPUHP_NONE);
	CHECK_EQ(vcpuhp_pick_remove(&hp, 0), 2);
	CHECK(!vcpuhp_request_remove(&hp, 0, 100));
	CHECK(vcpuhp_request_remove(&hp, 2, 100));
	CHECK(!vcpuhp_request_remove(&hp, 2, 100));
	CHECK_EQ(vcpuhp_pick_remove(&hp, 1), 1);
	CHECK_EQ(flags_of(&hp, 2), VCPUHP_F_ENABLED | VCPUHP_F_REMOVE);
	wr(&hp, VCPUHP_FLAGS_OFF, 1, VCPUHP_F_REMOVE);
	CHECK_EQ(flags_of(&hp, 2), VCPUHP_F_ENABLED);
	/* Seen is not done: CPU 2 is still being removed. */
	CHECK_EQ(vcpuhp_pick_remove(&hp, 1), 1);
	/* The OS's _EJ0: the CPU is gone, and the write says which one. */
	CHECK_EQ(wr(&hp, VCPUHP_FLAGS_OFF, 1, VCPUHP_F_EJECT), VCPUHP_EV_EJECTED);
	CHECK_EQ(last_cpu, 2);
	CHECK_EQ(flags_of(&hp, 2), 0);
	CHECK_EQ(wr(&hp, VCPUHP_FLAGS_OFF, 1, VCPUHP_F_EJECT), VCPUHP_EV_NONE);
	/* CPU 0 is never ejected. */
	wr(&hp, VCPUHP_SEL_OFF, 4, 0);
	CHECK_EQ(wr(&hp, VCPUHP_FLAGS_OFF, 1, VCPUHP_F_EJECT), VCPUHP_EV_NONE);
	CHECK_EQ(flags_of(&hp, 0), VCPUHP_F_ENABLED);
	/* Clearing one event in a write leaves the other bits alone (QEMU's else-if). */
	vcpuhp_insert(&hp, 2);
	vcpuhp_request_remove(&hp, 2, 100);
	wr(&hp, VCPUHP_SEL_OFF, 4, 2);
	wr(&hp, VCPUHP_FLAGS_OFF, 1, VCPUHP_F_INSERT | VCPUHP_F_EJECT);
	CHECK_EQ(flags_of(&hp, 2), VCPUHP_F_ENABLED | VCPUHP_F_REMOVE);
}

/* An OS that does not eject keeps the CPU: at the deadline the request is withdrawn. */
UTEST(vcpuhp_remove_expires)
{
	struct vcpuhp hp;

	vcpuhp_init(&hp, 3, 3);
	CHECK(vcpuhp_request_remove(&hp, 2, 500));
	CHECK(vcpuhp_request_remove(&hp, 1, 800));
	CHECK_EQ(vcpuhp_expire(&hp, 499), VCPUHP_NONE);
	CHECK_EQ(vcpuhp_expire(&hp, 500), 2);
	CHECK_EQ(vcpuhp_expire(&hp, 500), VCPUHP_NONE);
	CHECK_EQ(flags_of(&hp, 2), VCPUHP_F_ENABLED);
	CHECK_EQ(flags_of(&hp, 1), VCPUHP_F_ENABLED | VCPUHP_F_REMOVE);
	CHECK_EQ(vcpuhp_pick_remove(&hp, 1), 2);
	CHECK_EQ(vcpuhp_expire(&hp, 900), 1);
	CHECK_EQ(vcpuhp_enabled_count(&hp), 3);
	CHECK(!vcpuhp_request_remove(&hp, 5, 1));
}

/* Linux's answer to an eject request it will not do: _OST (3, failure) ends the removal at once. */
UTEST(vcpuhp_ost_refusal)
{
	struct vcpuhp hp;

	vcpuhp_init(&hp, 3, 3);
	CHECK(vcpuhp_request_remove(&hp, 2, 500));
	wr(&hp, VCPUHP_SEL_OFF, 4, 2);
	wr(&hp, VCPUHP_CMD_OFF, 1, VCPUHP_CMD_OST_EVENT);
	wr(&hp, VCPUHP_DATA_OFF, 4, VCPUHP_OST_EJECT_REQUEST);
	wr(&hp, VCPUHP_CMD_OFF, 1, VCPUHP_CMD_OST_STATUS);
	/* "In progress" is not a refusal. */
	CHECK_EQ(wr(&hp, VCPUHP_DATA_OFF, 4, VCPUHP_OST_EJECT_IN_PROGRESS), VCPUHP_EV_NONE);
	CHECK_EQ(wr(&hp, VCPUHP_DATA_OFF, 4, 0x80), VCPUHP_EV_REFUSED);
	CHECK_EQ(last_cpu, 2);
	CHECK_EQ(hp.removing, 0);
	CHECK_EQ(flags_of(&hp, 2), VCPUHP_F_ENABLED);
	CHECK_EQ(vcpuhp_expire(&hp, 1000), VCPUHP_NONE);
	/* A failure for a CPU not being removed, or for another event, changes nothing. */
	wr(&hp, VCPUHP_CMD_OFF, 1, VCPUHP_CMD_OST_STATUS);
	CHECK_EQ(wr(&hp, VCPUHP_DATA_OFF, 4, 1), VCPUHP_EV_NONE);
	CHECK(vcpuhp_request_remove(&hp, 1, 500));
	wr(&hp, VCPUHP_SEL_OFF, 4, 1);
	wr(&hp, VCPUHP_CMD_OFF, 1, VCPUHP_CMD_OST_EVENT);
	wr(&hp, VCPUHP_DATA_OFF, 4, 1); /* device check */
	wr(&hp, VCPUHP_CMD_OFF, 1, VCPUHP_CMD_OST_STATUS);
	CHECK_EQ(wr(&hp, VCPUHP_DATA_OFF, 4, 1), VCPUHP_EV_NONE);
	CHECK_EQ(hp.removing, BIT(1));
}
