// SPDX-License-Identifier: MIT
/* Host tests of the broker's timeline (guests/broker/timeline.c): rings, names, CSV export. */
#include <stdio.h>
#include <string.h>

#include "../../guests/broker/timeline.h"
#include "utest.h"

static struct timeline tl;
static char out[1 << 20];
static size_t out_len;
static unsigned int lines;

static void collect(const char *line, void *ctx)
{
	size_t n = strlen(line);

	(void)ctx;
	if (out_len + n + 2 < sizeof(out)) {
		memcpy(out + out_len, line, n);
		out[out_len + n] = '\n';
		out_len += n + 1;
		out[out_len] = '\0';
	}
	lines++;
}

static void export(void)
{
	out_len = 0;
	out[0] = '\0';
	lines = 0;
	tl_export(&tl, collect, NULL);
}

/* Fields in a CSV line (no quoting in this format). */
static unsigned int fields(const char *line)
{
	unsigned int n = 1;

	for (; *line && *line != '\n'; line++)
		n += *line == ',';
	return n;
}

static void sample(u64 t_ms, u32 committed_kib, u8 vcpus)
{
	struct tl_sample *s = tl_sample_begin(&tl, t_ms, 500000, 1048576, 125);
	struct tl_vm vm = {.id = 1,
			   .committed_kib = committed_kib,
			   .quota_kib = 65536,
			   .busy_pct = 180,
			   .vcpus = vcpus,
			   .state = 2};

	tl_sample_vm(&tl, s, &vm, "linux");
	vm = (struct tl_vm){
		.id = 0, .committed_kib = 16384, .quota_kib = 16384, .vcpus = 1, .state = 2};
	tl_sample_vm(&tl, s, &vm, "broker");
}

UTEST(timeline_export_is_csv_between_markers)
{
	tl_init(&tl);
	sample(1000, 4096, 1);
	tl_event(&tl, 1500, 1, TL_ADD, 2);
	sample(2000, 8192, 2);
	tl_event(&tl, 2000, 1, TL_GRANT, 81920);
	export();
	CHECK(!strncmp(out, TL_BEGIN "\n", strlen(TL_BEGIN) + 1));
	CHECK(strstr(out, "\n" TL_END "\n"));
	CHECK(strstr(out, "# sprout stats v1: host_total_kib=1048576 samples=2 events=2 "
			  "events_lost=0\n"));
	CHECK(strstr(out, "\nt_ms,record,vm_id,vm,state,committed_kib,quota_kib,vcpus,busy_pct,"
			  "free_kib,busy_cores,event,arg\n"));
	CHECK(strstr(out, "\n1000,host,,,,,,,,500000,1.25,,\n"));
	CHECK(strstr(out, "\n1000,vm,1,linux,running,4096,65536,1,180,,,,\n"));
	CHECK(strstr(out, "\n1000,vm,0,broker,running,16384,16384,1,0,,,,\n"));
	CHECK(strstr(out, "\n1500,event,1,linux,,,,,,,,add,2\n"));
	/* Time order; a decision before the sample of the same millisecond. */
	CHECK(strstr(out, "1000,vm,0,broker") < strstr(out, "1500,event"));
	CHECK(strstr(out, "1500,event") < strstr(out, "2000,host"));
	CHECK(strstr(out, "2000,event,1,linux,,,,,,,,grant,81920\n") < strstr(out, "2000,host"));
	/* Markers, comment, header, 2 x (host + 2 VMs), 2 events. */
	CHECK_EQ(lines, 3 + 6 + 2 + 1);
	/* Every data line has the header's 13 fields. */
	for (const char *l = strchr(out, '\n') + 1; *l; l = strchr(l, '\n') + 1) {
		if (*l != '#' && *l != '-')
			CHECK_EQ(fields(l), 13);
	}
}

UTEST(timeline_rings_keep_the_newest)
{
	char want[64];

	tl_init(&tl);
	for (u32 i = 0; i < TL_SAMPLES + 5; i++)
		sample(1000ull * (i + 1), i, 1);
	for (u32 i = 0; i < TL_EVENTS + 3; i++)
		tl_event(&tl, 1000ull * (i + 1) + 1, 1, TL_PARK, 1);
	export();
	CHECK(strstr(out, "samples=600 events=256 events_lost=3\n"));
	/* Samples 1..5 fell off; 6 is the oldest kept. */
	CHECK(!strstr(out, "\n5000,host"));
	CHECK(strstr(out, "\n6000,host"));
	snprintf(want, sizeof(want), "\n%u,host", 1000 * (TL_SAMPLES + 5));
	CHECK(strstr(out, want));
	CHECK(!strstr(out, "\n3001,event"));
	CHECK(strstr(out, "\n4001,event,1,linux,,,,,,,,park,1\n"));
	CHECK_EQ(lines, 3 + TL_SAMPLES * 3 + TL_EVENTS + 1);
}

UTEST(timeline_names_and_bounds)
{
	struct tl_sample *s;
	struct tl_vm vm = {.id = 7, .state = 4};

	tl_init(&tl);
	s = tl_sample_begin(&tl, 10, 1ull << 40, 1ull << 41, 70000);
	tl_sample_vm(&tl, s, &vm, "a,b\"c\nd");
	for (u32 i = 0; i < TL_VMS + 2; i++) {
		vm.id = 100 + i;
		tl_sample_vm(&tl, s, &vm, "x");
	}
	CHECK_EQ(s->nvms, TL_VMS);
	tl_event(&tl, 11, 7, (enum tl_event_kind)99, 0); /* ignored */
	export();
	/* Free KiB saturates, busy cores too; a name cannot break the CSV. */
	CHECK(strstr(out, "\n10,host,,,,,,,,4294967295,655.35,,\n"));
	CHECK(strstr(out, "\n10,vm,7,a_b_c_d,stopped,0,0,0,0,,,,\n"));
	CHECK(strstr(out, "events=0 "));
	CHECK_EQ(lines, 3 + 1 + TL_VMS + 1);
	CHECK(!strcmp(tl_event_name(TL_RECLAIM), "reclaim"));
	CHECK(!strcmp(tl_event_name((enum tl_event_kind)42), "?"));
}
