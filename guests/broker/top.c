/* SPDX-License-Identifier: MIT */
/* `top`: one frame of the VM and core table, from the broker's figures (pure C, host-tested). */
#include "top.h"
#include "cmd.h"
#include "../lib/fmt.h"

/* Bytes as "123.4M" (one decimal); at most 7 characters up to 99999.9M. */
static const char *mib(char *buf, u64 bytes)
{
	size_t n;

	cmd_fmt_dec1(buf, bytes, MiB(1), false);
	for (n = 0; buf[n]; n++)
		;
	buf[n] = 'M';
	buf[n + 1] = '\0';
	return buf;
}

/* The last figures of VM id in the previous frame, or -1. */
static int prev_slot(const struct top_prev *p, u32 id)
{
	for (u32 i = 0; p->primed && i < p->n; i++) {
		if (p->id[i] == id)
			return (int)i;
	}
	return -1;
}

/* value - last as text, or "-" when there is no last or it went backwards (a restart). */
static const char *delta(char *buf, size_t len, int slot, u64 value, u64 last, bool as_mib)
{
	if (slot < 0 || value < last)
		return "-";
	if (as_mib)
		return mib(buf, value - last);
	fmt_snprintf(buf, len, "%llu", (unsigned long long)(value - last));
	return buf;
}

static void name10(char *out, const char *name)
{
	u32 i = 0;

	for (; i < 10 && name[i]; i++)
		out[i] = name[i] >= ' ' && name[i] < 0x7f ? name[i] : '?';
	out[i] = '\0';
}

static void core_lines(struct top_prev *p, const struct sprout_host_stats *h, u64 dt_us,
		       void (*put)(const char *line, void *ctx), void *ctx)
{
	char line[TOP_WIDTH + 1];
	u32 cpus = h->cpus < TOP_CPUS ? h->cpus : TOP_CPUS;
	size_t len = 0;

	len = (size_t)fmt_snprintf(line, sizeof(line), "cores busy:");
	for (u32 c = 0; c < cpus; c++) {
		char item[24];
		u64 busy = h->cpu_busy_us[c], last = p->cpu_busy_us[c];
		size_t n;

		if (!p->primed || !dt_us || busy < last)
			n = (size_t)fmt_snprintf(item, sizeof(item), " %u -", c);
		else
			n = (size_t)fmt_snprintf(
				item, sizeof(item), " %u %llu%%", c,
				(unsigned long long)MIN((busy - last) * 100 / dt_us, 999ull));
		if (len + n > TOP_WIDTH) {
			put(line, ctx);
			len = (size_t)fmt_snprintf(line, sizeof(line), "           ");
		}
		fmt_snprintf(line + len, sizeof(line) - len, "%s", item);
		len += n;
		p->cpu_busy_us[c] = busy;
	}
	put(line, ctx);
}

void top_render(struct top_prev *p, const struct sprout_vm_info *vms, unsigned int n,
		const struct sprout_host_stats *h, void (*put)(const char *line, void *ctx),
		void *ctx)
{
	char line[TOP_WIDTH + 1], a[24], b[24], c[24], d[24], e[24], name[11];
	u64 dt_us = p->primed && h->uptime_us > p->t_us ? h->uptime_us - p->t_us : 0;
	struct top_prev next = {.primed = true, .t_us = h->uptime_us};

	fmt_snprintf(line, sizeof(line),
		     "sprout top: up %s s, host %s, %s free, %u CPUs  (any key: back)",
		     cmd_fmt_dec1(a, h->uptime_us, 1000000, false), mib(b, h->total_bytes),
		     mib(c, h->free_bytes), h->cpus);
	put(line, ctx);
	fmt_snprintf(line, sizeof(line), "%3s %-10s %-8s %7s %7s %7s %6s %7s %5s %5s %3s", "ID",
		     "NAME", "STATE", "COMMIT", "QUOTA", "PEAK", "FAULTS", "RECLAIM", "VCPUS",
		     "BUSY", "REQ");
	put(line, ctx);
	for (unsigned int i = 0; i < n && i < TOP_VMS; i++) {
		const struct sprout_vm_info *v = &vms[i];
		int slot = prev_slot(p, v->id);
		u64 faults = v->faults_4k + v->faults_2m;
		char busy[12], vcpus[12], f[24], r[24];

		if (slot < 0 || !dt_us || v->busy_us < p->busy_us[slot])
			fmt_snprintf(busy, sizeof(busy), "-");
		else
			fmt_snprintf(busy, sizeof(busy), "%llu%%",
				     (unsigned long long)MIN((v->busy_us - p->busy_us[slot]) * 100 /
								     dt_us,
							     9999ull));
		fmt_snprintf(vcpus, sizeof(vcpus), "%u/%u", v->vcpus, v->vcpus_max);
		name10(name, v->name);
		fmt_snprintf(
			line, sizeof(line), "%3u %-10s %-8s %7s %7s %7s %6s %7s %5s %5s %3s", v->id,
			name, cmd_state_name(v->state), mib(d, v->committed), mib(e, v->quota),
			mib(a, v->peak),
			delta(f, sizeof(f), slot, faults, slot < 0 ? 0 : p->faults[slot], false),
			delta(r, sizeof(r), slot, v->reclaimed, slot < 0 ? 0 : p->reclaimed[slot],
			      true),
			vcpus, busy, v->pending_request ? "yes" : "-");
		put(line, ctx);
		next.id[next.n] = v->id;
		next.faults[next.n] = faults;
		next.reclaimed[next.n] = v->reclaimed;
		next.busy_us[next.n] = v->busy_us;
		next.n++;
	}
	core_lines(p, h, dt_us, put, ctx);
	for (u32 i = 0; i < TOP_CPUS; i++)
		next.cpu_busy_us[i] = p->cpu_busy_us[i];
	*p = next;
}
