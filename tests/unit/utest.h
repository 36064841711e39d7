/* SPDX-License-Identifier: MIT */
/* Minimal host unit-test framework: UTEST() registers a test, CHECK() records a failure. */
#ifndef UTEST_H
#define UTEST_H

#include <setjmp.h>
#include <stdio.h>

struct utest {
	const char *name;
	const char *file;
	void (*fn)(void);
	struct utest *next;
};

void utest_register(struct utest *t);
void utest_fail(const char *file, int line, const char *expr);

#define UTEST(name)                                                                  \
	static void utest_fn_##name(void);                                           \
	static struct utest utest_##name = {#name, __FILE__, utest_fn_##name, NULL}; \
	__attribute__((constructor)) static void utest_reg_##name(void)              \
	{                                                                            \
		utest_register(&utest_##name);                                       \
	}                                                                            \
	static void utest_fn_##name(void)

/* Record a failure and go on with the test. */
#define CHECK(cond)                                            \
	do {                                                   \
		if (!(cond))                                   \
			utest_fail(__FILE__, __LINE__, #cond); \
	} while (0)

#define CHECK_EQ(a, b)                                                                            \
	do {                                                                                      \
		long long utest_a = (long long)(a), utest_b = (long long)(b);                     \
		if (utest_a != utest_b) {                                                         \
			char utest_msg[256];                                                      \
			snprintf(utest_msg, sizeof(utest_msg), "%s == %s (%lld != %lld)", #a, #b, \
				 utest_a, utest_b);                                               \
			utest_fail(__FILE__, __LINE__, utest_msg);                                \
		}                                                                                 \
	} while (0)

/*
 * Expect panic() from the code in the block: the host panic() longjmps back
 * here. Fails the test if no panic happened.
 */
extern jmp_buf *utest_panic_jmp;
extern char utest_panic_msg[256];
#define EXPECT_PANIC(stmt)                                                             \
	do {                                                                           \
		jmp_buf utest_jb;                                                      \
		utest_panic_jmp = &utest_jb;                                           \
		if (setjmp(utest_jb) == 0) {                                           \
			stmt;                                                          \
			utest_panic_jmp = NULL;                                        \
			utest_fail(__FILE__, __LINE__, "expected panic from: " #stmt); \
		}                                                                      \
		utest_panic_jmp = NULL;                                                \
	} while (0)

#endif
