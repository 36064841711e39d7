/* SPDX-License-Identifier: MIT */
/* cpuburn: heavy phases that all online vCPUs drain, light phases that let Sprout park them. */
#include "cpuburn.h"
#include "x86.h"

#define EXIT_USAGE 2

/* Defaults: one heavy phase takes about 3 s on one vCPU under nested QEMU TCG (docs/guests.md). */
#define DEFAULT_ITEMS	       3000
#define DEFAULT_WORK	       KiB(1536)
#define DEFAULT_LIGHT_MS       1000
#define DEFAULT_REPORT_MS      500
#define DEFAULT_SHRINK_WAIT_MS 5000
#define WORK_MAX	       MiB(64)
#define SAMPLE_PER_VCPU	       32
#define STALL_MS	       10000u

struct phase {
	u32 items, light_ms;
	u32 first;	  /* number of its first item in the whole run */
	u64 heavy_cycles; /* from opening the phase to its last item done */
	u32 max_vcpus;	  /* most vCPUs online while it was heavy */
};

struct options {
	u64 items, work, expect_vcpus, report_ms, shrink_wait_ms;
	u64 crash_vcpu; /* 0: none */
	bool expect_shrink;
	u32 nphases, total;
	struct phase ph[QUEUE_MAX_PHASES];
};

/* vCPU 0's running account of what the other vCPUs do, for the periodic lines. */
struct monitor {
	u64 t0, report_cycles, next_report, last_tsc, last_done;
	u64 phases_cycles; /* from the first heavy phase to the end of the last light one */
	u32 mask, arrivals_seen, highest_vcpu;
	u32 *phase_max; /* max_vcpus of the heavy phase running now, or NULL */
};

static struct options opt;
static struct monitor mon;

static bool parse_dec(const char **s, u64 *v)
{
	const char *p = *s;
	u64 n = 0;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		if (n > 0xffffffffull)
			return false;
		n = n * 10 + (u64)(*p++ - '0');
	}
	*v = n;
	*s = p;
	return true;
}

/* "H:L,H:L,...": H items in the heavy phase (empty: items=), L ms of light load (default 0). */
static bool parse_phases(const char *s)
{
	u32 n = 0;

	while (*s) {
		u64 items = opt.items, light = 0;

		if (n == QUEUE_MAX_PHASES)
			return false;
		if (*s != ':' && *s != ',' && !parse_dec(&s, &items))
			return false;
		if (*s == ':' && (s++, !parse_dec(&s, &light)))
			return false;
		if (*s == ',')
			s++;
		else if (*s)
			return false;
		if (!items || items > QUEUE_MAX_ITEMS || light > 3600000)
			return false;
		opt.ph[n++] = (struct phase){.items = (u32)items, .light_ms = (u32)light};
	}
	opt.nphases = n;
	return n > 0;
}

static bool read_options(void)
{
	char phases[160];
	u64 total = 0;

	opt = (struct options){.items = DEFAULT_ITEMS,
			       .work = DEFAULT_WORK,
			       .report_ms = DEFAULT_REPORT_MS,
			       .shrink_wait_ms = DEFAULT_SHRINK_WAIT_MS};
	if (opt_u64("items", &opt.items) == OPT_BAD || opt_size("work", &opt.work) == OPT_BAD ||
	    opt_u64("expect-vcpus", &opt.expect_vcpus) == OPT_BAD ||
	    opt_bool("expect-shrink", &opt.expect_shrink) == OPT_BAD ||
	    opt_u64("shrink-wait-ms", &opt.shrink_wait_ms) == OPT_BAD ||
	    opt_u64("report-ms", &opt.report_ms) == OPT_BAD ||
	    opt_u64("crash-vcpu", &opt.crash_vcpu) == OPT_BAD)
		return false;
	if (!opt.items || opt.items > QUEUE_MAX_ITEMS || opt.work < 8 || opt.work % 8 ||
	    opt.work > WORK_MAX || !opt.report_ms || opt.expect_vcpus > SMP_MAX_VCPUS ||
	    opt.crash_vcpu >= SMP_MAX_VCPUS)
		return false;
	if (opt_str("phases", phases, sizeof(phases)) == OPT_ABSENT) {
		opt.nphases = 1;
		opt.ph[0] = (struct phase){.items = (u32)opt.items, .light_ms = DEFAULT_LIGHT_MS};
	} else if (!parse_phases(phases)) {
		return false;
	}
	for (u32 i = 0; i < opt.nphases; i++) {
		opt.ph[i].first = (u32)total;
		total += opt.ph[i].items;
	}
	opt.total = (u32)total;
	return total <= QUEUE_MAX_ITEMS;
}

static u64 ms_since(u64 t)
{
	return clock_cycles_to_ms(rdtsc() - t);
}

static void monitor_arrivals(void)
{
	for (; mon.arrivals_seen < smp_arrivals(); mon.arrivals_seen++) {
		const struct smp_arrival *a = smp_arrival(mon.arrivals_seen);

		if (!a)
			continue; /* beyond what the lib keeps */
		mon.highest_vcpu = MAX(mon.highest_vcpu, a->vcpu);
		printf("cpuburn: t=%llu vCPU %u online, add latency %llu cycles (%llu us)\n",
		       ms_since(mon.t0), a->vcpu, a->latency, clock_cycles_to_us(a->latency));
	}
}

static void monitor_mask(void)
{
	u32 mask = smp_online_mask(), gone = mon.mask & ~mask;

	if (mask == mon.mask)
		return;
	for (u32 v = 0; v < SMP_MAX_VCPUS; v++)
		if (gone & BIT(v))
			printf("cpuburn: t=%llu vCPU %u parked\n", ms_since(mon.t0), v);
	mon.mask = mask;
	printf("cpuburn: t=%llu vcpus=%u online mask 0x%x\n", ms_since(mon.t0), smp_vcpus_online(),
	       mask);
}

/* Called by vCPU 0 between items and naps: arrivals, parks and the periodic line. */
static void monitor_poll(void)
{
	u64 now, done, dt;

	monitor_arrivals();
	monitor_mask();
	now = rdtsc();
	if (mon.phase_max)
		*mon.phase_max = MAX(*mon.phase_max, smp_vcpus_online());
	if (now < mon.next_report)
		return;
	done = queue_done();
	dt = clock_cycles_to_ms(now - mon.last_tsc);
	printf("cpuburn: t=%llu vcpus=%u done=%llu rate=%llu\n", clock_cycles_to_ms(now - mon.t0),
	       smp_vcpus_online(), done, dt ? (done - mon.last_done) * 1000 / dt : 0);
	mon.last_tsc = now;
	mon.last_done = done;
	mon.next_report = MAX(mon.next_report + mon.report_cycles, now + mon.report_cycles / 2);
}

/* Secondary vCPUs: the queue's worker, or a #UD on purpose to show how an AP crash is reported. */
static void burn_worker(u32 vcpu)
{
	if (vcpu == opt.crash_vcpu)
		asm volatile("ud2");
	queue_worker(vcpu);
}

/*
 * True once no item was finished for STALL_MS: an item was taken and never
 * done, which happens only when Sprout parks a vCPU in the middle of one.
 */
static bool stalled(u64 *since, u64 *done_then)
{
	u64 done = queue_done(), now = rdtsc();

	if (done != *done_then) {
		*done_then = done;
		*since = now;
		return false;
	}
	return now - *since > clock_ms_to_cycles(STALL_MS);
}

/* vCPU 0 takes items with the others until the phase is drained. */
static void run_heavy(u32 p)
{
	struct phase *ph = &opt.ph[p];
	u64 t = rdtsc(), since = t, done_then = queue_done();

	ph->max_vcpus = smp_vcpus_online();
	mon.phase_max = &ph->max_vcpus;
	queue_open(p, ph->first, ph->items);
	while (!queue_phase_drained(p)) {
		monitor_poll();
		if (queue_work_one(0))
			continue;
		/* Nothing left to take: the others are finishing their last items. */
		if (stalled(&since, &done_then)) {
			printf("cpuburn: t=%llu heavy phase %u stalled: no item finished for %u "
			       "ms\n",
			       ms_since(mon.t0), p, STALL_MS);
			break;
		}
		cpu_relax();
	}
	queue_close();
	ph->heavy_cycles = rdtsc() - t;
	mon.phase_max = NULL;
	printf("cpuburn: t=%llu heavy phase %u: %u of %u items done in %llu ms\n", ms_since(mon.t0),
	       p, queue_phase_done(p), ph->items, clock_cycles_to_ms(ph->heavy_cycles));
}

/* Sleep in HC_WAIT_EVENT naps (clock_idle_until) until ms passed or until done() holds. */
static u64 run_light(u64 ms, bool (*done)(void))
{
	u64 t = rdtsc(), end = t + clock_ms_to_cycles(ms);

	for (u64 now = t; now < end && !(done && done()); now = rdtsc()) {
		clock_idle_until(MIN(end, MAX(mon.next_report, now + 1)));
		monitor_poll();
	}
	return rdtsc() - t;
}

static bool only_vcpu0(void)
{
	return smp_vcpus_online() == 1;
}

static void print_list_by_vcpu(void)
{
	printf("cpuburn: items=%u time_ms=%llu max_vcpus=%u items_by_vcpu=", opt.total,
	       clock_cycles_to_ms(mon.phases_cycles), smp_vcpus_max_online());
	for (u32 v = 0; v <= mon.highest_vcpu; v++)
		printf("%s%llu", v ? "," : "", queue_done_by(v));
	printf("\n");
}

static void print_latencies(void)
{
	u32 n = MIN(smp_arrivals(), SMP_ARRIVALS_MAX);

	printf("cpuburn: add_latency_cycles=");
	for (u32 i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", smp_arrival(i)->latency);
	printf("%s\ncpuburn: add_latency_us=", n ? "" : "none");
	for (u32 i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", clock_cycles_to_us(smp_arrival(i)->latency));
	printf("%s\n", n ? "" : "none");
}

static void print_results(void)
{
	struct sprout_vm_info info;

	print_list_by_vcpu();
	print_latencies();
	for (u32 p = 0; p < opt.nphases; p++)
		printf("cpuburn: phase %u heavy ms=%llu items=%u max_vcpus=%u light_ms=%u\n", p,
		       clock_cycles_to_ms(opt.ph[p].heavy_cycles), opt.ph[p].items,
		       opt.ph[p].max_vcpus, opt.ph[p].light_ms);
	if (sprout_self_stats(&info) >= 0)
		printf("cpuburn: vcpus online now: %u by the guest's count, %u by Sprout's\n",
		       smp_vcpus_online(), info.vcpus);
}

static void check_results(bool shrunk, u64 shrink_ms)
{
	u32 missing, repeated, checked, wrong;
	u64 sum = 0;

	queue_count_marks(opt.total, &missing, &repeated);
	report(!missing && !repeated,
	       "every item done exactly once (%u items: %u missing, %u repeated)", opt.total,
	       missing, repeated);
	for (u32 v = 0; v < SMP_MAX_VCPUS; v++)
		sum += queue_done_by(v);
	report(sum == opt.total && queue_done() == opt.total,
	       "items by vCPU add up (%llu counted, %llu done, %u expected)", sum, queue_done(),
	       opt.total);
	wrong = queue_verify_sample(opt.total, SAMPLE_PER_VCPU, &checked);
	report(!wrong, "results match a recomputation on vCPU 0 (%u of %u sampled items wrong)",
	       wrong, checked);
	if (opt.expect_vcpus)
		report(smp_vcpus_max_online() >= opt.expect_vcpus,
		       "max vCPUs online %u >= expect-vcpus %llu", smp_vcpus_max_online(),
		       opt.expect_vcpus);
	if (opt.expect_shrink)
		report(shrunk, "online vCPUs back to 1 (%u now, waited %llu ms of %llu)",
		       smp_vcpus_online(), shrink_ms, opt.shrink_wait_ms);
}

static void print_start(int smp_ret)
{
	printf("cpuburn: start, sprout=%s clock=%s %llu MHz\n", sprout_present() ? "yes" : "no",
	       clock_source, clock_hz / 1000000);
	printf("cpuburn: %u phases, %u items, work=%llu bytes per item\n", opt.nphases, opt.total,
	       opt.work);
	if (smp_ret)
		printf("cpuburn: no secondary vCPUs (smp_init: %d): vCPU 0 does all the work\n",
		       smp_ret);
	else
		printf("cpuburn: secondary vCPUs start at smp_ap_start32, worker set\n");
}

int main(void)
{
	u64 shrink_ms = 0;
	int ret;

	if (!read_options()) {
		puts("cpuburn: usage: phases=H:L,... items=N work=BYTES expect-vcpus=N "
		     "expect-shrink=1 shrink-wait-ms=N report-ms=N crash-vcpu=N");
		printf("cpuburn: H items, L ms; at most %u phases and %u items; work a multiple "
		       "of 8, at most 64M\n",
		       QUEUE_MAX_PHASES, QUEUE_MAX_ITEMS);
		return EXIT_USAGE;
	}
	clock_init();
	queue_init((u32)opt.work);
	smp_set_worker(burn_worker);
	ret = smp_init();
	print_start(ret);
	mon = (struct monitor){.t0 = rdtsc(), .mask = 1};
	mon.report_cycles = clock_ms_to_cycles(opt.report_ms);
	mon.last_tsc = mon.t0;
	mon.next_report = mon.t0 + mon.report_cycles;
	for (u32 p = 0; p < opt.nphases; p++) {
		run_heavy(p);
		if (opt.ph[p].light_ms)
			printf("cpuburn: t=%llu light phase %u: %u ms\n", ms_since(mon.t0), p,
			       opt.ph[p].light_ms);
		run_light(opt.ph[p].light_ms, NULL);
	}
	mon.phases_cycles = rdtsc() - mon.t0;
	if (opt.expect_shrink && !only_vcpu0())
		shrink_ms = clock_cycles_to_ms(run_light(opt.shrink_wait_ms, only_vcpu0));
	monitor_poll();
	print_results();
	check_results(only_vcpu0(), shrink_ms);
	return report_summary();
}
