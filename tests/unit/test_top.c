// SPDX-License-Identifier: MIT
/* Host tests of the broker's `top` frame (guests/broker/top.c). */
#include <string.h>

#include "../../guests/broker/top.h"
#include "utest.h"

static char frame[8192];
static unsigned int nlines, widest;

static void collect(const char *line, void *ctx)
{
	size_t n = strlen(line), len = strlen(frame);

	(void)ctx;
	if (n > widest)
		widest = (unsigned int)n;
	if (len + n + 2 < sizeof(frame)) {
		memcpy(frame + len, line, n);
		frame[len + n] = '\n';
		frame[len + n + 1] = '\0';
	}
	nlines++;
}

static struct sprout_vm_info vms[3];
static struct sprout_host_stats host;
static struct top_prev prev;

static void render(unsigned int n)
{
	frame[0] = '\0';
	nlines = widest = 0;
	top_render(&prev, vms, n, &host, collect, NULL);
}

static void setup(void)
{
	memset(vms, 0, sizeof(vms));
	memset(&host, 0, sizeof(host));
	memset(&prev, 0, sizeof(prev));
	vms[0] = (struct sprout_vm_info){.id = 0,
					 .state = SPROUT_VM_RUNNING,
					 .name = "broker",
					 .vcpus = 1,
					 .vcpus_max = 1,
					 .committed = MiB(1) / 2,
					 .quota = MiB(16),
					 .peak = MiB(1)};
	vms[1] = (struct sprout_vm_info){.id = 1,
					 .state = SPROUT_VM_RUNNING,
					 .name = "a-very-long-vm-name",
					 .vcpus = 2,
					 .vcpus_max = 3,
					 .committed = MiB(120),
					 .quota = MiB(160),
					 .peak = MiB(130),
					 .faults_4k = 10,
					 .faults_2m = 5,
					 .busy_us = 1000000,
					 .pending_request = 7};
	host = (struct sprout_host_stats){
		.total_bytes = MiB(512), .free_bytes = MiB(300), .cpus = 4, .uptime_us = 10000000};
}

UTEST(top_first_frame_has_no_period_figures)
{
	setup();
	render(2);
	CHECK(strstr(frame, "sprout top: up 10.0 s, host 512.0M, 300.0M free, 4 CPUs  "
			    "(any key: back)\n"));
	CHECK(strstr(frame, "\n ID NAME       STATE     COMMIT   QUOTA    PEAK FAULTS RECLAIM "
			    "VCPUS  BUSY REQ\n"));
	CHECK(strstr(frame, "\n  0 broker     running     0.5M   16.0M    1.0M      -       - "
			    "  1/1     -   -\n"));
	/* The name is cut to 10 characters; a pending request shows. */
	CHECK(strstr(frame, "\n  1 a-very-lon running   120.0M  160.0M  130.0M      -       - "
			    "  2/3     - yes\n"));
	CHECK(strstr(frame, "\ncores busy: 0 - 1 - 2 - 3 -\n"));
	CHECK_EQ(nlines, 5);
	CHECK(widest <= TOP_WIDTH);
}

UTEST(top_second_frame_shows_the_period)
{
	setup();
	render(2);
	/* One second later: 30 more faults, 8 MiB reclaimed, 1.5 s of guest time, core 1 busy. */
	host.uptime_us += 1000000;
	host.cpu_busy_us[1] = 900000;
	vms[1].faults_4k += 30;
	vms[1].reclaimed += MiB(8);
	vms[1].busy_us += 1500000;
	render(2);
	CHECK(strstr(frame, "\n  1 a-very-lon running   120.0M  160.0M  130.0M     30    8.0M "
			    "  2/3  150% yes\n"));
	CHECK(strstr(frame, "\n  0 broker     running     0.5M   16.0M    1.0M      0    0.0M "
			    "  1/1    0%   -\n"));
	CHECK(strstr(frame, "\ncores busy: 0 0% 1 90% 2 0% 3 0%\n"));
	/* A VM restarted (counters back) or new shows "-" again. */
	vms[1].faults_4k = 0;
	vms[1].busy_us = 0;
	vms[2] = vms[0];
	vms[2].id = 9;
	host.uptime_us += 1000000;
	render(3);
	CHECK(strstr(frame, "\n  1 a-very-lon running   120.0M  160.0M  130.0M      -    0.0M "
			    "  2/3     - yes\n"));
	CHECK(strstr(frame, "\n  9 broker     running     0.5M   16.0M    1.0M      -       - "
			    "  1/1     -   -\n"));
}

UTEST(top_lines_fit_80_columns)
{
	setup();
	host.cpus = 64;
	vms[1].committed = vms[1].quota = vms[1].peak = MiB(99999);
	render(2);
	host.uptime_us += 1000;
	for (u32 c = 0; c < 64; c++)
		host.cpu_busy_us[c] = 1000;
	render(2);
	CHECK(widest <= TOP_WIDTH);
	CHECK(strstr(frame, "\ncores busy: 0 100% 1 100%"));
	CHECK(strstr(frame, " 63 100%\n"));
	CHECK(nlines >= 6); /* 64 cores need more than one line */
}
