// SPDX-License-Identifier: MIT
/* The VM lifecycle state machine (pure; unit-tested on the host, races included). */
#include <hv/errno.h>
#include <hv/vmstate.h>

static const char *const state_names[] = {
	[VM_EMPTY] = "empty",	[VM_CREATED] = "created", [VM_RUNNING] = "running",
	[VM_PAUSED] = "paused", [VM_STOPPED] = "stopped",
};

const char *vm_state_name(enum vm_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

static bool live(enum vm_state s)
{
	return s == VM_CREATED || s == VM_RUNNING || s == VM_PAUSED;
}

int vmstate_next(enum vm_state state, bool stopping, enum vm_transition t, enum vm_state *next,
		 bool *next_stopping)
{
	*next = state;
	*next_stopping = stopping;
	if (stopping && t != VM_T_STOP_END)
		return -EBUSY;
	switch (t) {
	case VM_T_CREATE:
		if (state != VM_EMPTY && state != VM_STOPPED)
			return -EBUSY;
		*next = VM_CREATED;
		return 0;
	case VM_T_START:
		if (state != VM_CREATED)
			return -EINVAL;
		*next = VM_RUNNING;
		return 0;
	case VM_T_PAUSE:
	case VM_T_RESUME:
		if (state != (t == VM_T_PAUSE ? VM_RUNNING : VM_PAUSED))
			return -EINVAL;
		*next = t == VM_T_PAUSE ? VM_PAUSED : VM_RUNNING;
		return 0;
	case VM_T_STOP_BEGIN:
		if (!live(state))
			return -EINVAL;
		*next_stopping = true;
		return 0;
	case VM_T_STOP_END:
		if (!stopping)
			return -EINVAL;
		*next = VM_STOPPED;
		*next_stopping = false;
		return 0;
	case VM_T_DESTROY:
		if (state != VM_STOPPED)
			return -EINVAL;
		*next = VM_EMPTY;
		return 0;
	}
	return -EINVAL;
}

int vmstate_apply(struct vm_life *l, enum vm_transition t)
{
	enum vm_state next;
	bool next_stopping;
	int err;

	spin_lock(&l->lock);
	err = vmstate_next(l->state, l->stopping, t, &next, &next_stopping);
	if (!err) {
		/* stopping first: a reader that sees the new state also sees the stop. */
		__atomic_store_n(&l->stopping, next_stopping, __ATOMIC_SEQ_CST);
		__atomic_store_n(&l->state, next, __ATOMIC_SEQ_CST);
	}
	spin_unlock(&l->lock);
	return err;
}

int vm_test_status(bool found, enum vm_state state, enum vm_stop_kind kind, int exit_status)
{
	if (!found || kind == VM_STOP_LOAD)
		return TEST_STATUS_VM_NOT_LOADED;
	if (state != VM_STOPPED)
		return TEST_STATUS_VM_CRASHED; /* everything ended but the test VM did not */
	return kind == VM_STOP_EXIT ? exit_status : TEST_STATUS_VM_CRASHED;
}
