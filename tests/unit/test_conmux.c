// SPDX-License-Identifier: MIT
/* Host tests of console ownership: attach checks, the escape key, pending input, styles. */
#include <hv/conmux.h>
#include <hv/errno.h>

#include "utest.h"

UTEST(conmux_detached_bytes_go_to_the_broker)
{
	static struct conmux m;
	u8 c;

	conmux_init(&m);
	CHECK_EQ(conmux_attached(&m), CONMUX_NONE);
	CHECK_EQ(conmux_typed(&m, 'a'), CONMUX_TO_BROKER);
	/* The escape key means nothing to the broker's own prompt. */
	CHECK_EQ(conmux_typed(&m, CONMUX_ESCAPE), CONMUX_TO_BROKER);
	CHECK(!conmux_peek(&m, &c));
}

UTEST(conmux_attach_refusals)
{
	static struct conmux m;

	conmux_init(&m);
	CHECK_EQ(conmux_attach_check(&m, 3, false, false, false), -ENOENT);
	CHECK_EQ(conmux_attach_check(&m, 0, true, true, true), -EPERM);
	CHECK_EQ(conmux_attach_check(&m, 3, true, false, false), -EINVAL);
	CHECK_EQ(conmux_attach_check(&m, 3, true, false, true), 0);
	conmux_attach(&m, 3);
	CHECK_EQ(conmux_attached(&m), 3);
	CHECK_EQ(conmux_attach_check(&m, 3, true, false, true), -EBUSY);
	/* Another VM may take the console over. */
	CHECK_EQ(conmux_attach_check(&m, 4, true, false, true), 0);
	conmux_attach(&m, 4);
	CHECK_EQ(conmux_attached(&m), 4);
}

UTEST(conmux_typed_bytes_wait_in_order)
{
	static struct conmux m;
	const char *line = "echo hi\r";
	u8 c;

	conmux_init(&m);
	conmux_attach(&m, 2);
	for (const char *p = line; *p; p++)
		CHECK_EQ(conmux_typed(&m, (u8)*p), CONMUX_TO_VM);
	for (const char *p = line; *p; p++) {
		CHECK(conmux_peek(&m, &c));
		CHECK_EQ(c, (u8)*p);
		/* Not taken yet (the UART was full): the same byte again. */
		CHECK(conmux_peek(&m, &c));
		CHECK_EQ(c, (u8)*p);
		conmux_pop(&m);
	}
	CHECK(!conmux_peek(&m, &c));
	conmux_pop(&m); /* nothing to pop: harmless */
	CHECK(!conmux_peek(&m, &c));
}

UTEST(conmux_pending_full_drops_and_counts)
{
	static struct conmux m;
	u8 c;

	conmux_init(&m);
	conmux_attach(&m, 1);
	for (u32 i = 0; i < CONMUX_PENDING; i++)
		CHECK_EQ(conmux_typed(&m, (u8)('a' + i % 26)), CONMUX_TO_VM);
	CHECK_EQ(conmux_typed(&m, 'x'), CONMUX_DROPPED);
	CHECK_EQ(m.dropped, 1);
	/* Room again after one is taken; the order survives the wrap. */
	CHECK(conmux_peek(&m, &c));
	CHECK_EQ(c, 'a');
	conmux_pop(&m);
	CHECK_EQ(conmux_typed(&m, 'y'), CONMUX_TO_VM);
	for (u32 i = 1; i < CONMUX_PENDING; i++) {
		CHECK(conmux_peek(&m, &c));
		CHECK_EQ(c, (u8)('a' + i % 26));
		conmux_pop(&m);
	}
	CHECK(conmux_peek(&m, &c));
	CHECK_EQ(c, 'y');
}

UTEST(conmux_escape_detaches_and_drops_pending)
{
	static struct conmux m;
	u8 c;

	conmux_init(&m);
	conmux_attach(&m, 5);
	CHECK_EQ(conmux_typed(&m, 'l'), CONMUX_TO_VM);
	CHECK_EQ(conmux_typed(&m, 's'), CONMUX_TO_VM);
	CHECK_EQ(conmux_typed(&m, CONMUX_ESCAPE), CONMUX_DETACH);
	CHECK_EQ(conmux_attached(&m), CONMUX_NONE);
	CHECK(!conmux_peek(&m, &c));
	/* What follows the escape is the broker's again. */
	CHECK_EQ(conmux_typed(&m, 'v'), CONMUX_TO_BROKER);
}

UTEST(conmux_attach_drops_input_of_the_previous_vm)
{
	static struct conmux m;
	u8 c;

	conmux_init(&m);
	conmux_attach(&m, 5);
	CHECK_EQ(conmux_typed(&m, 'q'), CONMUX_TO_VM);
	conmux_attach(&m, 6);
	CHECK(!conmux_peek(&m, &c));
}

UTEST(conmux_stop_of_the_attached_vm_detaches)
{
	static struct conmux m;
	u8 c;

	conmux_init(&m);
	CHECK(!conmux_vm_stopped(&m, 5));
	CHECK(!conmux_vm_stopped(&m, CONMUX_NONE));
	conmux_attach(&m, 5);
	CHECK_EQ(conmux_typed(&m, 'q'), CONMUX_TO_VM);
	CHECK(!conmux_vm_stopped(&m, 4)); /* another VM */
	CHECK_EQ(conmux_attached(&m), 5);
	CHECK(conmux_vm_stopped(&m, 5));
	CHECK_EQ(conmux_attached(&m), CONMUX_NONE);
	CHECK(!conmux_peek(&m, &c));
	CHECK(!conmux_vm_stopped(&m, 5)); /* said once */
}

UTEST(conmux_output_styles)
{
	static struct conmux m;

	conmux_init(&m);
	CHECK_EQ(conmux_style(&m, 0, true), CONMUX_OPERATOR);
	CHECK_EQ(conmux_style(&m, 2, false), CONMUX_PREFIX);
	conmux_attach(&m, 2);
	CHECK_EQ(conmux_style(&m, 2, false), CONMUX_RAW);
	CHECK_EQ(conmux_style(&m, 3, false), CONMUX_PREFIX);
	CHECK_EQ(conmux_style(&m, 0, true), CONMUX_LINE);
	CHECK_EQ(conmux_typed(&m, CONMUX_ESCAPE), CONMUX_DETACH);
	CHECK_EQ(conmux_style(&m, 2, false), CONMUX_PREFIX);
	CHECK_EQ(conmux_style(&m, 0, true), CONMUX_OPERATOR);
}
