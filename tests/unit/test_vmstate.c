// SPDX-License-Identifier: MIT
/* Host tests of the VM lifecycle state machine: every transition, and stop racing pause. */
#include <hv/errno.h>
#include <hv/vmstate.h>
#include <pthread.h>

#include "utest.h"

static int next(enum vm_state s, bool stopping, enum vm_transition t, enum vm_state *to,
		bool *to_stopping)
{
	return vmstate_next(s, stopping, t, to, to_stopping);
}

UTEST(vmstate_normal_life)
{
	struct vm_life l = {SPINLOCK_INIT, VM_EMPTY, false};

	CHECK_EQ(vmstate_apply(&l, VM_T_CREATE), 0);
	CHECK_EQ(l.state, VM_CREATED);
	CHECK_EQ(vmstate_apply(&l, VM_T_START), 0);
	CHECK_EQ(l.state, VM_RUNNING);
	CHECK_EQ(vmstate_apply(&l, VM_T_PAUSE), 0);
	CHECK_EQ(l.state, VM_PAUSED);
	CHECK_EQ(vmstate_apply(&l, VM_T_RESUME), 0);
	CHECK_EQ(vmstate_apply(&l, VM_T_STOP_BEGIN), 0);
	CHECK_EQ(l.state, VM_RUNNING);
	CHECK(l.stopping);
	CHECK_EQ(vmstate_apply(&l, VM_T_STOP_END), 0);
	CHECK_EQ(l.state, VM_STOPPED);
	CHECK(!l.stopping);
	CHECK_EQ(vmstate_apply(&l, VM_T_CREATE), 0); /* a stopped VM starts again in its slot */
	CHECK_EQ(l.state, VM_CREATED);
}

UTEST(vmstate_refuses_what_does_not_apply)
{
	enum vm_state to;
	bool st;

	CHECK_EQ(next(VM_RUNNING, false, VM_T_RESUME, &to, &st), -EINVAL);
	CHECK_EQ(next(VM_PAUSED, false, VM_T_PAUSE, &to, &st), -EINVAL);
	CHECK_EQ(next(VM_CREATED, false, VM_T_PAUSE, &to, &st), -EINVAL);
	CHECK_EQ(next(VM_STOPPED, false, VM_T_PAUSE, &to, &st), -EINVAL);
	CHECK_EQ(next(VM_STOPPED, false, VM_T_RESUME, &to, &st), -EINVAL);
	CHECK_EQ(next(VM_STOPPED, false, VM_T_STOP_BEGIN, &to, &st), -EINVAL);
	CHECK_EQ(next(VM_EMPTY, false, VM_T_STOP_BEGIN, &to, &st), -EINVAL);
	CHECK_EQ(next(VM_RUNNING, false, VM_T_STOP_END, &to, &st), -EINVAL);
	CHECK_EQ(next(VM_RUNNING, false, VM_T_DESTROY, &to, &st), -EINVAL);
	CHECK_EQ(next(VM_RUNNING, false, VM_T_CREATE, &to, &st), -EBUSY);
	CHECK_EQ(next(VM_RUNNING, false, VM_T_START, &to, &st), -EINVAL);
	/* A refused transition leaves the state as it was. */
	CHECK_EQ(to, VM_RUNNING);
	CHECK(!st);
}

UTEST(vmstate_stopping_blocks_everything_but_the_end)
{
	static const enum vm_transition all[] = {VM_T_CREATE, VM_T_START,      VM_T_PAUSE,
						 VM_T_RESUME, VM_T_STOP_BEGIN, VM_T_DESTROY};
	enum vm_state states[] = {VM_CREATED, VM_RUNNING, VM_PAUSED};
	enum vm_state to;
	bool st;

	for (unsigned s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
		for (unsigned t = 0; t < sizeof(all) / sizeof(all[0]); t++)
			CHECK_EQ(next(states[s], true, all[t], &to, &st), -EBUSY);
		CHECK_EQ(next(states[s], true, VM_T_STOP_END, &to, &st), 0);
		CHECK_EQ(to, VM_STOPPED);
		CHECK(!st);
	}
}

UTEST(vmstate_stop_from_every_live_state)
{
	enum vm_state live[] = {VM_CREATED, VM_RUNNING, VM_PAUSED};
	enum vm_state to;
	bool st;

	for (unsigned s = 0; s < 3; s++) {
		CHECK_EQ(next(live[s], false, VM_T_STOP_BEGIN, &to, &st), 0);
		CHECK_EQ(to, live[s]);
		CHECK(st);
	}
}

UTEST(vmstate_test_status_from_the_record)
{
	CHECK_EQ(vm_test_status(true, VM_STOPPED, VM_STOP_EXIT, 0), 0);
	CHECK_EQ(vm_test_status(true, VM_STOPPED, VM_STOP_EXIT, 63), 63);
	CHECK_EQ(vm_test_status(true, VM_STOPPED, VM_STOP_CRASH, -1), TEST_STATUS_VM_CRASHED);
	CHECK_EQ(vm_test_status(true, VM_STOPPED, VM_STOP_REQUEST, -1), TEST_STATUS_VM_CRASHED);
	CHECK_EQ(vm_test_status(true, VM_STOPPED, VM_STOP_LOAD, -1), TEST_STATUS_VM_NOT_LOADED);
	CHECK_EQ(vm_test_status(false, VM_EMPTY, VM_STOP_NONE, 0), TEST_STATUS_VM_NOT_LOADED);
	/* Everything else ended but the test VM did not: never a pass. */
	CHECK_EQ(vm_test_status(true, VM_PAUSED, VM_STOP_NONE, 0), TEST_STATUS_VM_CRASHED);
}

/* Stop racing pause/resume on two threads: the stop always wins, and for good. */
struct race {
	struct vm_life life;
	volatile bool go;
	int pauses_after_stop;
};

static void *pauser(void *arg)
{
	struct race *r = arg;

	while (!r->go)
		;
	for (int i = 0; i < 20000; i++) {
		if (!vmstate_apply(&r->life, VM_T_PAUSE) &&
		    __atomic_load_n(&r->life.stopping, __ATOMIC_SEQ_CST))
			r->pauses_after_stop++;
		vmstate_apply(&r->life, VM_T_RESUME);
	}
	return NULL;
}

UTEST(vmstate_stop_racing_pause)
{
	for (int round = 0; round < 50; round++) {
		struct race r = {.life = {SPINLOCK_INIT, VM_RUNNING, false}};
		pthread_t t;
		int begin;

		pthread_create(&t, NULL, pauser, &r);
		r.go = true;
		for (volatile int spin = 0; spin < round * 100; spin++)
			;
		begin = vmstate_apply(&r.life, VM_T_STOP_BEGIN);
		CHECK_EQ(begin, 0);
		/* Once stopping, no pause or resume may change the state. */
		enum vm_state frozen = r.life.state;
		pthread_join(t, NULL);
		CHECK_EQ(r.life.state, frozen);
		CHECK_EQ(r.pauses_after_stop, 0);
		CHECK_EQ(vmstate_apply(&r.life, VM_T_STOP_END), 0);
		CHECK_EQ(r.life.state, VM_STOPPED);
		CHECK_EQ(vmstate_apply(&r.life, VM_T_RESUME), -EINVAL);
	}
}

/* Two stops at once (a crash and the operator): exactly one of them runs the teardown. */
static void *stopper(void *arg)
{
	struct vm_life *l = arg;

	return (void *)(long)(vmstate_apply(l, VM_T_STOP_BEGIN) == 0);
}

UTEST(vmstate_two_stops_one_teardown)
{
	for (int round = 0; round < 200; round++) {
		struct vm_life l = {SPINLOCK_INIT, VM_RUNNING, false};
		pthread_t a, b;
		void *ra, *rb;

		pthread_create(&a, NULL, stopper, &l);
		pthread_create(&b, NULL, stopper, &l);
		pthread_join(a, &ra);
		pthread_join(b, &rb);
		CHECK_EQ((long)ra + (long)rb, 1);
	}
}
