/* SPDX-License-Identifier: MIT */
/* The broker's timeline (timeline.c) fed from its table and decisions; `stats export`. */
#include "guest.h"
#include "broker.h"
#include "cmd.h"
#include "timeline.h"

#define EVERY_MIN_MS 100
#define EVERY_MAX_MS 60000

static struct timeline tl;
static u64 every_us = TL_DEFAULT_MS * 1000ull;
static u64 last_sample_us;
static bool sampled;
/* Counters at the last sample, for the busy figures over the interval. */
static u64 last_vm_busy_us[BROKER_MAX_VMS];
static u32 last_vm_id[BROKER_MAX_VMS];
static u64 last_host_busy_us;

void history_init(void)
{
	char val[16];
	u32 ms;
	int ret = cmd_opt_get(guest_cmdline, "stats-every", val, sizeof(val));

	tl_init(&tl);
	if (!ret)
		return;
	if (ret < 0 || !cmd_parse_u32(val, &ms) || ms < EVERY_MIN_MS || ms > EVERY_MAX_MS) {
		broker_log("stats-every: want %u to %u ms, keeping %u ms", EVERY_MIN_MS,
			   EVERY_MAX_MS, TL_DEFAULT_MS);
		return;
	}
	every_us = ms * 1000ull;
}

static u64 host_busy_us(void)
{
	u64 sum = 0;

	for (u32 c = 0; c < host_stats.cpus && c < ARRAY_SIZE(host_stats.cpu_busy_us); c++)
		sum += host_stats.cpu_busy_us[c];
	return sum;
}

/* Busy percent of one CPU over interval_us from the counter's growth; 0 on a restart. */
static u32 busy_pct(u64 now, u64 last, u64 interval_us)
{
	if (!interval_us || now < last)
		return 0;
	return (u32)MIN((now - last) * 100 / interval_us, 0xffffull);
}

void history_period(u64 now_us)
{
	u64 interval = now_us - last_sample_us;
	struct tl_sample *s;
	u64 busy;

	if (sampled && now_us >= last_sample_us && interval < every_us)
		return;
	if (!sampled || now_us < last_sample_us)
		interval = 0;
	busy = host_busy_us();
	s = tl_sample_begin(&tl, now_us / 1000, host_stats_ok ? host_stats.free_bytes >> 10 : 0,
			    host_stats_ok ? host_stats.total_bytes >> 10 : 0,
			    busy_pct(busy, last_host_busy_us, interval));
	last_host_busy_us = busy;
	for (unsigned int i = 0; i < vm_count && i < BROKER_MAX_VMS; i++) {
		const struct sprout_vm_info *v = &vm_table[i].info;
		u64 last = last_vm_id[i] == v->id ? last_vm_busy_us[i] : v->busy_us;
		struct tl_vm row = {
			.id = v->id,
			.committed_kib = (u32)MIN(v->committed >> 10, 0xffffffffull),
			.quota_kib = (u32)MIN(v->quota >> 10, 0xffffffffull),
			.busy_pct = (u16)busy_pct(v->busy_us, last, interval),
			.vcpus = (u8)MIN(v->vcpus, 255u),
			.state = (u8)v->state,
		};

		tl_sample_vm(&tl, s, &row, v->name);
		last_vm_id[i] = v->id;
		last_vm_busy_us[i] = v->busy_us;
	}
	last_sample_us = now_us;
	sampled = true;
}

void history_event(u32 vm_id, unsigned int kind, u64 arg)
{
	tl_event(&tl, (host_stats_ok ? host_stats.uptime_us : last_sample_us) / 1000, vm_id,
		 (enum tl_event_kind)kind, arg);
}

static void put_line(const char *line, void *ctx)
{
	(void)ctx;
	out_printf("%s\n", line);
}

void history_export(void)
{
	host_refresh();
	tl_export(&tl, put_line, NULL);
}
