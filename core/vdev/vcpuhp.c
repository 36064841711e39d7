// SPDX-License-Identifier: MIT
/* ACPI CPU hotplug registers: the present CPUs and their insert/remove events (QEMU's layout). */
#include <hv/string.h>
#include <hv/vcpuhp.h>

void vcpuhp_init(struct vcpuhp *hp, u32 count, u32 present)
{
	memset(hp, 0, sizeof(*hp));
	hp->count = MIN(count, (u32)VCPUHP_MAX_CPUS);
	for (u32 i = 0; i < present && i < hp->count; i++)
		hp->flags[i] = VCPUHP_F_ENABLED;
}

static bool selected(const struct vcpuhp *hp)
{
	return hp->selector < hp->count;
}

u32 vcpuhp_read(struct vcpuhp *hp, u16 off, unsigned size)
{
	(void)size;
	if (!selected(hp))
		return 0;
	if (off == VCPUHP_FLAGS_OFF)
		return hp->flags[hp->selector];
	if (off == VCPUHP_DATA_OFF && hp->command == VCPUHP_CMD_NEXT)
		return hp->selector;
	return 0;
}

/* Command 0: the selector moves to the first CPU with an event, from itself on. */
static void select_next_event(struct vcpuhp *hp)
{
	for (u32 i = 0; i < hp->count; i++) {
		u32 cpu = (hp->selector + i) % hp->count;

		if (hp->flags[cpu] & (VCPUHP_F_INSERT | VCPUHP_F_REMOVE)) {
			hp->selector = cpu;
			return;
		}
	}
}

static enum vcpuhp_event write_flags(struct vcpuhp *hp, u32 val)
{
	u8 *f = &hp->flags[hp->selector];

	if (val & VCPUHP_F_INSERT) {
		*f &= (u8)~VCPUHP_F_INSERT;
	} else if (val & VCPUHP_F_REMOVE) {
		*f &= (u8)~VCPUHP_F_REMOVE;
	} else if (val & VCPUHP_F_EJECT) {
		/* CPU 0 is the one the VM boots and ends on: it is never ejected. */
		if (hp->selector == 0 || !(*f & VCPUHP_F_ENABLED))
			return VCPUHP_EV_NONE;
		*f = 0;
		hp->removing &= ~BIT(hp->selector);
		return VCPUHP_EV_EJECTED;
	}
	return VCPUHP_EV_NONE;
}

/* _OST's status for the selected CPU: a failed eject request ends its removal. */
static enum vcpuhp_event write_ost_status(struct vcpuhp *hp, u32 val)
{
	hp->ost_status = val;
	if (hp->ost_event != VCPUHP_OST_EJECT_REQUEST || val == VCPUHP_OST_SUCCESS ||
	    val == VCPUHP_OST_EJECT_IN_PROGRESS || !(hp->removing & BIT(hp->selector)))
		return VCPUHP_EV_NONE;
	hp->removing &= ~BIT(hp->selector);
	hp->flags[hp->selector] &= (u8)~VCPUHP_F_REMOVE;
	return VCPUHP_EV_REFUSED;
}

enum vcpuhp_event vcpuhp_write(struct vcpuhp *hp, u16 off, unsigned size, u32 val, u32 *cpu)
{
	(void)size;
	*cpu = hp->selector;
	if (off == VCPUHP_SEL_OFF) {
		hp->selector = val;
		return VCPUHP_EV_NONE;
	}
	if (!selected(hp))
		return VCPUHP_EV_NONE;
	switch (off) {
	case VCPUHP_FLAGS_OFF: return write_flags(hp, val);
	case VCPUHP_CMD_OFF:
		if (val <= VCPUHP_CMD_OST_STATUS) {
			hp->command = (u8)val;
			if (val == VCPUHP_CMD_NEXT)
				select_next_event(hp);
		}
		return VCPUHP_EV_NONE;
	case VCPUHP_DATA_OFF:
		if (hp->command == VCPUHP_CMD_OST_EVENT)
			hp->ost_event = val;
		else if (hp->command == VCPUHP_CMD_OST_STATUS)
			return write_ost_status(hp, val);
		return VCPUHP_EV_NONE;
	default: return VCPUHP_EV_NONE;
	}
}

bool vcpuhp_enabled(const struct vcpuhp *hp, u32 cpu)
{
	return cpu < hp->count && (hp->flags[cpu] & VCPUHP_F_ENABLED);
}

u32 vcpuhp_enabled_count(const struct vcpuhp *hp)
{
	u32 n = 0;

	for (u32 i = 0; i < hp->count; i++)
		n += vcpuhp_enabled(hp, i);
	return n;
}

int vcpuhp_pick_insert(const struct vcpuhp *hp)
{
	for (u32 i = 0; i < hp->count; i++)
		if (!vcpuhp_enabled(hp, i))
			return (int)i;
	return VCPUHP_NONE;
}

int vcpuhp_pick_remove(const struct vcpuhp *hp, u32 min)
{
	for (u32 i = hp->count; i-- > MAX(min, 1u);)
		if (vcpuhp_enabled(hp, i) && !(hp->removing & BIT(i)))
			return (int)i;
	return VCPUHP_NONE;
}

bool vcpuhp_insert(struct vcpuhp *hp, u32 cpu)
{
	if (cpu >= hp->count || vcpuhp_enabled(hp, cpu))
		return false;
	hp->flags[cpu] = VCPUHP_F_ENABLED | VCPUHP_F_INSERT;
	return true;
}

bool vcpuhp_request_remove(struct vcpuhp *hp, u32 cpu, u64 deadline_ns)
{
	if (cpu == 0 || !vcpuhp_enabled(hp, cpu) || (hp->removing & BIT(cpu)))
		return false;
	hp->flags[cpu] |= VCPUHP_F_REMOVE;
	hp->removing |= BIT(cpu);
	hp->remove_deadline_ns[cpu] = deadline_ns;
	return true;
}

int vcpuhp_expire(struct vcpuhp *hp, u64 now_ns)
{
	for (u32 i = 0; i < hp->count; i++) {
		if (!(hp->removing & BIT(i)) || now_ns < hp->remove_deadline_ns[i])
			continue;
		hp->removing &= ~BIT(i);
		hp->flags[i] &= (u8)~VCPUHP_F_REMOVE;
		return (int)i;
	}
	return VCPUHP_NONE;
}
