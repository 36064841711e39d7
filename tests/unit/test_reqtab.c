// SPDX-License-Identifier: MIT
/* Host tests of the broker's request table: ids, posting, and an answer racing a stop. */
#include <pthread.h>

#include "../../broker/reqtab.h"
#include "utest.h"

static int waiters[REQTAB_MAX + 1];

UTEST(reqtab_add_take)
{
	static struct reqtab t;
	struct sprout_msg m = {.type = SPROUT_MSG_MEM_REQUEST};
	u64 a, b;

	reqtab_init(&t);
	a = reqtab_add(&t, &waiters[0], 3, &m);
	CHECK_EQ(a, 1);
	CHECK_EQ(m.request_id, 1);
	b = reqtab_add(&t, &waiters[1], 4, &m);
	CHECK_EQ(b, 2);
	CHECK(reqtab_take(&t, a) == &waiters[0]);
	CHECK(reqtab_take(&t, a) == NULL); /* answered once only */
	CHECK(reqtab_take(&t, 0) == NULL);
	CHECK(reqtab_take(&t, 99) == NULL);
	CHECK(reqtab_take(&t, b) == &waiters[1]);
}

UTEST(reqtab_full_then_free)
{
	static struct reqtab t;
	struct sprout_msg m = {0};
	u64 first = 0;

	reqtab_init(&t);
	for (int i = 0; i < REQTAB_MAX; i++) {
		u64 id = reqtab_add(&t, &waiters[i], 1, &m);

		CHECK(id != 0);
		if (!first)
			first = id;
	}
	CHECK_EQ(reqtab_add(&t, &waiters[REQTAB_MAX], 1, &m), 0);
	CHECK(reqtab_take(&t, first) != NULL);
	CHECK(reqtab_add(&t, &waiters[REQTAB_MAX], 1, &m) > (u64)REQTAB_MAX);
}

UTEST(reqtab_drop_vm_only_its_own)
{
	static struct reqtab t;
	struct sprout_msg m = {0};
	u64 a, b, c;

	reqtab_init(&t);
	a = reqtab_add(&t, &waiters[0], 2, &m);
	b = reqtab_add(&t, &waiters[1], 3, &m);
	c = reqtab_add(&t, &waiters[2], 2, &m);
	CHECK_EQ(reqtab_drop_vm(&t, 2), 2);
	CHECK(reqtab_take(&t, a) == NULL);
	CHECK(reqtab_take(&t, c) == NULL);
	CHECK(reqtab_take(&t, b) == &waiters[1]);
	CHECK_EQ(reqtab_drop_vm(&t, 2), 0);
}

static bool accept_two(const struct sprout_msg *msg, void *ctx)
{
	int *budget = ctx;

	return (*budget)-- > 0;
}

static bool count_posts(const struct sprout_msg *msg, void *ctx)
{
	(*(int *)ctx)++;
	return true;
}

UTEST(reqtab_posting_is_retried_until_accepted)
{
	static struct reqtab t;
	struct sprout_msg m = {0};
	int budget = 2, posted = 0;

	reqtab_init(&t);
	for (int i = 0; i < 5; i++)
		reqtab_add(&t, &waiters[i], 1, &m);
	reqtab_post_waiting(&t, accept_two, &budget); /* the queue takes two */
	reqtab_post_waiting(&t, count_posts, &posted);
	CHECK_EQ(posted, 3); /* the other three, not the two again */
	posted = 0;
	reqtab_post_waiting(&t, count_posts, &posted);
	CHECK_EQ(posted, 0);
	reqtab_unpost_all(&t); /* a restarted broker sees all five */
	reqtab_post_waiting(&t, count_posts, &posted);
	CHECK_EQ(posted, 5);
}

/* An answer (take) on one thread racing the VM's stop (drop) on another. */
struct race {
	struct reqtab t;
	u64 ids[REQTAB_MAX];
	int n;
	volatile bool go;
	int taken, bad_waiter;
	u32 dropped;
};

static void *answerer(void *arg)
{
	struct race *r = arg;

	while (!r->go)
		;
	for (int i = 0; i < r->n; i++) {
		void *w = reqtab_take(&r->t, r->ids[i]);

		if (w && (w < (void *)&waiters[0] || w > (void *)&waiters[REQTAB_MAX]))
			r->bad_waiter++;
		r->taken += w != NULL;
	}
	return NULL;
}

static void *dropper(void *arg)
{
	struct race *r = arg;

	while (!r->go)
		;
	r->dropped = reqtab_drop_vm(&r->t, 7);
	return NULL;
}

UTEST(reqtab_answer_racing_drop)
{
	static struct race r;

	for (int round = 0; round < 300; round++) {
		struct sprout_msg m = {0};
		pthread_t a, d;

		reqtab_init(&r.t);
		r.n = REQTAB_MAX;
		r.go = false;
		r.taken = r.bad_waiter = 0;
		r.dropped = 0;
		for (int i = 0; i < r.n; i++)
			r.ids[i] = reqtab_add(&r.t, &waiters[i], 7, &m);
		pthread_create(&a, NULL, answerer, &r);
		pthread_create(&d, NULL, dropper, &r);
		r.go = true;
		pthread_join(a, NULL);
		pthread_join(d, NULL);
		/* Each request went exactly one way, and an answer always found its vCPU. */
		CHECK_EQ((u32)r.taken + r.dropped, (u32)r.n);
		CHECK_EQ(r.bad_waiter, 0);
	}
}
