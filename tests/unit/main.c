// SPDX-License-Identifier: MIT
/* Host unit-test runner: runs every registered test, ends with "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "utest.h"

static struct utest *head, **tail = &head;
static int cur_failures;

void utest_register(struct utest *t)
{
	*tail = t;
	tail = &t->next;
}

void utest_fail(const char *file, int line, const char *expr)
{
	cur_failures++;
	printf("    %s:%d: check failed: %s\n", file, line, expr);
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (struct utest *t = head; t; t = t->next) {
		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		cur_failures = 0;
		t->fn();
		printf("%s %s\n", cur_failures ? "FAIL" : "ok  ", t->name);
		if (cur_failures)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
