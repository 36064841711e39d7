/* SPDX-License-Identifier: MIT */
/* Test reports: numbered ok/FAIL lines and the summary that becomes the exit status. */
#include "guest.h"

static unsigned int passed, failed;

bool report(bool cond, const char *fmt, ...)
{
	va_list ap;

	if (cond)
		passed++;
	else
		failed++;
	printf("%s %u - ", cond ? "ok" : "FAIL", passed + failed);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	console_putc('\n');
	return cond;
}

int report_summary(void)
{
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
