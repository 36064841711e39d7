// SPDX-License-Identifier: MIT
/* Unit tests of per-VM accounting: quota checks, commit and release, fault counters. */
#include <string.h>

#include <hv/account.h>

#include "utest.h"

UTEST(account_fits_quota_edges)
{
	struct vm_account a = {.quota = KiB(10)};

	CHECK(account_fits(&a, 0));
	CHECK(account_fits(&a, KiB(10)));
	CHECK(!account_fits(&a, KiB(10) + 1));
	CHECK(!account_fits(&a, ~0ULL));
	account_commit(&a, KiB(4), 0);
	CHECK(account_fits(&a, KiB(6)));
	CHECK(!account_fits(&a, KiB(6) + 1));
	CHECK(!account_fits(&a, ~0ULL - KiB(2))); /* committed + bytes would wrap */
	account_commit(&a, KiB(6), 0);
	CHECK(account_fits(&a, 0));
	CHECK(!account_fits(&a, 1));
}

/* A quota lowered below what is committed leaves room for nothing. */
UTEST(account_over_lowered_quota)
{
	struct vm_account a = {.quota = MiB(4)};

	account_commit(&a, MiB(4), 9);
	a.quota = MiB(2);
	CHECK(!account_fits(&a, 0));
	CHECK(!account_fits(&a, PAGE_SIZE));
	a.quota = 0;
	a.committed = 0;
	CHECK(account_fits(&a, 0));
	CHECK(!account_fits(&a, 1));
}

UTEST(account_commit_release_counters)
{
	struct vm_account a = {.quota = GiB(1)};

	account_commit(&a, MiB(2), 9);
	account_commit(&a, KiB(4), 0);
	account_commit(&a, KiB(4), 0);
	CHECK_EQ(a.committed, MiB(2) + KiB(8));
	CHECK_EQ(a.peak, MiB(2) + KiB(8));
	CHECK_EQ(a.faults_2m, 1);
	CHECK_EQ(a.faults_4k, 2);
	account_release(&a, MiB(2));
	CHECK_EQ(a.committed, KiB(8));
	CHECK_EQ(a.peak, MiB(2) + KiB(8)); /* the peak stays */
	account_commit(&a, KiB(4), 0);
	CHECK_EQ(a.peak, MiB(2) + KiB(8));
	account_release(&a, KiB(12));
	CHECK_EQ(a.committed, 0);
	/* Other orders commit without counting a fault; nothing else moves. */
	account_commit(&a, KiB(8), 1);
	CHECK_EQ(a.faults_4k, 3);
	CHECK_EQ(a.faults_2m, 1);
	CHECK_EQ(a.committed, KiB(8));
	CHECK_EQ(a.denied, 0);
	CHECK_EQ(a.reclaimed, 0);
	CHECK_EQ(a.table_bytes, 0);
	CHECK_EQ(a.quota, GiB(1));
}

UTEST(account_release_underflow_panics)
{
	struct vm_account a = {.quota = MiB(8)};

	account_commit(&a, KiB(4), 0);
	utest_panic_msg[0] = 0;
	EXPECT_PANIC(account_release(&a, KiB(8)));
	CHECK(strstr(utest_panic_msg, "account: release of 8192 bytes with only 4096") != NULL);
	CHECK_EQ(a.committed, KiB(4)); /* untouched */
	account_release(&a, KiB(4));
	CHECK_EQ(a.committed, 0);
	EXPECT_PANIC(account_release(&a, 1));
	CHECK_EQ(a.committed, 0);
}
