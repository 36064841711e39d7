/* SPDX-License-Identifier: MIT */
/* ACPI CPU hotplug registers (QEMU's layout): which CPUs are present, insert and remove events. */
#ifndef HV_VCPUHP_H
#define HV_VCPUHP_H

#include <hv/types.h>

/*
 * A block of VCPUHP_IO_LEN ports, the interface QEMU's hw/acpi/cpu.c defines
 * and the DSDT's \_SB.PRES fields name (acpi_cpuhp.c):
 *
 *   +0  dword  write  selector: the CPU (MADT UID = APIC ID) the others act on
 *   +4  byte   read   flags of the selected CPU: bit 0 enabled (present),
 *                     bit 1 insert event, bit 2 remove event
 *              write  bit 1: clear the insert event; else bit 2: clear the
 *                     remove event; else bit 3: eject (the OS let it go)
 *   +5  byte   write  command: 0 select the next CPU with an event (from the
 *                     selector on, wrapping), 1 _OST event, 2 _OST status
 *   +8  dword  read   command 0: the selector; write: _OST data of command 1/2
 *
 * Accesses act by the offset they start at, as in QEMU; others read 0.
 */
#define VCPUHP_IO_LEN	      12
#define VCPUHP_SEL_OFF	      0
#define VCPUHP_FLAGS_OFF      4
#define VCPUHP_CMD_OFF	      5
#define VCPUHP_DATA_OFF	      8
#define VCPUHP_MAX_CPUS	      64

#define VCPUHP_F_ENABLED      BIT(0)
#define VCPUHP_F_INSERT	      BIT(1)
#define VCPUHP_F_REMOVE	      BIT(2)
#define VCPUHP_F_EJECT	      BIT(3) /* write only */

#define VCPUHP_CMD_NEXT	      0
#define VCPUHP_CMD_OST_EVENT  1
#define VCPUHP_CMD_OST_STATUS 2

#define VCPUHP_NONE	      (-1)

/* _OST (ACPI 6.5, 6.3.5): the eject request event and the statuses that are not a refusal. */
#define VCPUHP_OST_EJECT_REQUEST     3
#define VCPUHP_OST_SUCCESS	     0
#define VCPUHP_OST_EJECT_IN_PROGRESS 0x84

/* What a guest write did. */
enum vcpuhp_event {
	VCPUHP_EV_NONE,
	VCPUHP_EV_EJECTED, /* the OS ejected the CPU (_EJ0): it is no longer enabled */
	/*
	 * The OS reported through _OST that it will not eject a CPU being
	 * removed (ost_status says why): the removal is withdrawn.
	 */
	VCPUHP_EV_REFUSED,
};

struct vcpuhp {
	u32 count; /* CPUs 0..count-1 */
	u32 selector;
	u8 command;
	u8 flags[VCPUHP_MAX_CPUS]; /* VCPUHP_F_ENABLED, _INSERT, _REMOVE */
	u32 ost_event, ost_status; /* the last _OST the OS reported */
	/*
	 * Removals asked for and not yet ejected (the OS clears the remove event
	 * when it sees it, not when it is done), each with its deadline.
	 */
	u64 removing;
	u64 remove_deadline_ns[VCPUHP_MAX_CPUS];
};

/* count CPUs (1..VCPUHP_MAX_CPUS), the first 'present' of them enabled, no events. */
void vcpuhp_init(struct vcpuhp *hp, u32 count, u32 present);

u32 vcpuhp_read(struct vcpuhp *hp, u16 off, unsigned size);
/* A guest write at offset off; for an event other than NONE, *cpu is the CPU concerned. */
enum vcpuhp_event vcpuhp_write(struct vcpuhp *hp, u16 off, unsigned size, u32 val, u32 *cpu);

bool vcpuhp_enabled(const struct vcpuhp *hp, u32 cpu);
u32 vcpuhp_enabled_count(const struct vcpuhp *hp);

/* The lowest CPU not enabled, or VCPUHP_NONE. */
int vcpuhp_pick_insert(const struct vcpuhp *hp);
/* The highest enabled CPU at or above 'min' (never 0) not being removed, or VCPUHP_NONE. */
int vcpuhp_pick_remove(const struct vcpuhp *hp, u32 min);

/* Plug cpu in: enabled, with an insert event. False if it is out of range or enabled. */
bool vcpuhp_insert(struct vcpuhp *hp, u32 cpu);
/*
 * Ask the OS to eject cpu by deadline_ns: a remove event. False if out of
 * range, CPU 0, not enabled or already being removed.
 */
bool vcpuhp_request_remove(struct vcpuhp *hp, u32 cpu, u64 deadline_ns);
/*
 * A removal whose deadline passed by now_ns without an eject: withdrawn (the
 * CPU stays enabled, its remove event is cleared) and returned; else VCPUHP_NONE.
 */
int vcpuhp_expire(struct vcpuhp *hp, u64 now_ns);

#endif
