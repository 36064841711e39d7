/* SPDX-License-Identifier: MIT */
/* The VM lifecycle state machine: states, transitions, and the one rule that orders them. */
#ifndef HV_VMSTATE_H
#define HV_VMSTATE_H

#include <hv/spinlock.h>
#include <hv/types.h>

enum vm_state {
	VM_EMPTY,   /* table slot unused */
	VM_CREATED, /* being loaded, not yet running */
	VM_RUNNING,
	VM_PAUSED,  /* by the operator, or waiting on a memory decision */
	VM_STOPPED, /* exited, crashed or stopped; figures kept until cleared */
};

enum vm_stop_kind {
	VM_STOP_NONE,
	VM_STOP_EXIT,	 /* the guest wrote its status to the debug-exit port */
	VM_STOP_CRASH,	 /* misbehaviour: bad access, triple fault, bad instruction */
	VM_STOP_LOAD,	 /* could not be created or loaded */
	VM_STOP_REQUEST, /* stopped by the operator / broker */
};

/*
 * What may happen to a VM. A stop has two halves: STOP_BEGIN marks the VM as
 * stopping (no pause, resume or second stop is taken from then on), STOP_END
 * makes it STOPPED once its vCPUs and memory are gone.
 *
 *   EMPTY/STOPPED --CREATE--> CREATED --START--> RUNNING <--PAUSE/RESUME--> PAUSED
 *   CREATED/RUNNING/PAUSED --STOP_BEGIN--> (same, stopping) --STOP_END--> STOPPED
 *   STOPPED --DESTROY--> EMPTY
 */
enum vm_transition {
	VM_T_CREATE,
	VM_T_START,
	VM_T_PAUSE,
	VM_T_RESUME,
	VM_T_STOP_BEGIN,
	VM_T_STOP_END,
	VM_T_DESTROY,
};

/* The part of a VM the state machine owns; every write goes through vmstate_apply(). */
struct vm_life {
	spinlock_t lock;
	enum vm_state state;
	bool stopping; /* between STOP_BEGIN and STOP_END */
};

/*
 * The state after t from (state, stopping), in *next and *next_stopping.
 * 0, or -EBUSY when a stop is under way, -EINVAL when t does not apply to
 * that state (pause of a paused VM, resume of a running one, ...).
 */
int vmstate_next(enum vm_state state, bool stopping, enum vm_transition t, enum vm_state *next,
		 bool *next_stopping);

/* Apply t to l under its lock; 0 or the error of vmstate_next() (nothing changed). */
int vmstate_apply(struct vm_life *l, enum vm_transition t);

const char *vm_state_name(enum vm_state s);

/* Machine exit status in test mode when the test VM did not exit by itself. */
#define TEST_STATUS_VM_CRASHED	  126
#define TEST_STATUS_VM_NOT_LOADED 125

/*
 * The machine's exit status in test mode, decided from the test VM's stop
 * record alone (found: the VM is in the table). Whoever ends the machine
 * (the test VM's own stop, or an idle CPU that finds every VM stopped) asks
 * this, so the answer cannot depend on which of them gets there first.
 */
int vm_test_status(bool found, enum vm_state state, enum vm_stop_kind kind, int exit_status);

#endif
