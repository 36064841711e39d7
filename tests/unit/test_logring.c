// SPDX-License-Identifier: MIT
/* Unit tests of the console's byte ring: order, wrap-around, a full ring, line starts. */
#include <string.h>

#include <hv/logring.h>
#include <hv/spinlock.h>

#include "utest.h"

UTEST(logring_keeps_order_across_the_wrap)
{
	char buf[16], out[64];
	struct logring r;
	size_t got = 0;

	logring_init(&r, buf, sizeof(buf));
	CHECK(logring_at_line_start(&r));
	CHECK_EQ(logring_put(&r, "abcdefghij", 10), 10);
	CHECK_EQ(logring_take(&r, out, 8), 8);
	CHECK(!memcmp(out, "abcdefgh", 8));
	/* 2 bytes left at offset 8; these 12 wrap past the end of buf. */
	CHECK_EQ(logring_put(&r, "klmnopqrstuv", 12), 12);
	CHECK_EQ(logring_used(&r), 14);
	got = logring_take(&r, out, sizeof(out));
	CHECK_EQ(got, 14);
	CHECK(!memcmp(out, "ijklmnopqrstuv", 14));
	CHECK_EQ(logring_take(&r, out, sizeof(out)), 0);
}

UTEST(logring_full_takes_what_fits)
{
	char buf[8], out[8];
	struct logring r;

	logring_init(&r, buf, sizeof(buf));
	CHECK_EQ(logring_put(&r, "0123456789", 10), 8);
	CHECK_EQ(logring_space(&r), 0);
	CHECK_EQ(logring_put(&r, "x", 1), 0);
	CHECK_EQ(logring_take(&r, out, 3), 3);
	CHECK(!memcmp(out, "012", 3));
	CHECK_EQ(logring_put(&r, "89x", 3), 3);
	CHECK_EQ(logring_take(&r, out, 8), 8);
	CHECK(!memcmp(out, "3456789x", 8));
}

/* A line start is a property of the text put in, not of what was taken out. */
UTEST(logring_line_start_follows_the_writer)
{
	char buf[8], out[8];
	struct logring r;

	logring_init(&r, buf, sizeof(buf));
	CHECK_EQ(logring_put(&r, "> ", 2), 2);
	CHECK(!logring_at_line_start(&r));
	CHECK_EQ(logring_take(&r, out, 8), 2);
	CHECK(!logring_at_line_start(&r));
	CHECK_EQ(logring_put(&r, "ok\n", 3), 3);
	CHECK(logring_at_line_start(&r));
	CHECK_EQ(logring_put(&r, "", 0), 0);
	CHECK(logring_at_line_start(&r));
}

UTEST(spin_trylock_only_when_free)
{
	spinlock_t l = SPINLOCK_INIT;

	CHECK(spin_trylock(&l));
	CHECK(!spin_trylock(&l));
	spin_unlock(&l);
	CHECK(spin_trylock(&l));
	spin_unlock(&l);
	spin_lock(&l);
	CHECK(!spin_trylock(&l));
	spin_unlock(&l);
	CHECK_EQ(l.next, l.owner);
}

/* A flusher that writes part of what it peeked drops only that part. */
UTEST(logring_peek_then_drop_part)
{
	char buf[8], out[8];
	struct logring r;

	logring_init(&r, buf, sizeof(buf));
	CHECK_EQ(logring_put(&r, "abcdef", 6), 6);
	CHECK_EQ(logring_peek(&r, out, 8), 6);
	CHECK(!memcmp(out, "abcdef", 6));
	CHECK_EQ(logring_used(&r), 6);
	logring_drop(&r, 4);
	CHECK_EQ(logring_put(&r, "ghij", 4), 4); /* wraps */
	CHECK_EQ(logring_peek(&r, out, 3), 3);
	CHECK(!memcmp(out, "efg", 3));
	logring_drop(&r, 100); /* more than it holds: empties it, no further */
	CHECK_EQ(logring_used(&r), 0);
	CHECK_EQ(logring_space(&r), 8);
	CHECK_EQ(logring_put(&r, "k", 1), 1);
	CHECK_EQ(logring_take(&r, out, 8), 1);
	CHECK_EQ(out[0], 'k');
}
