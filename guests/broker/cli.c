/* SPDX-License-Identifier: MIT */
/* The operator's commands: parse a line, make the hypercalls, print one clear result. */
#include "guest.h"
#include "sprout.h"
#include "broker.h"
#include "timeline.h"
#include "cmd.h"

/* The VM a command acts on, copied: commands refresh the table under it. */
struct target {
	u32 id;
	char name[32];
	struct broker_vm row;
	bool in_table;
};

static char name_buf[CMD_NAME_MAX + 1];
static char log_buf[SPROUT_CONSOLE_RING] __aligned(PAGE_SIZE);

static const char *const help_text =
	"commands (ID is a VM id or name; SIZE is bytes with K, M or G):\n"
	"  help                    this list\n"
	"  vm list                 the VM table: sizes in MiB, vCPUs now/min/max\n"
	"  vm info ID              every figure of one VM, with its stop reason\n"
	"  vm start|stop|pause|resume|destroy ID\n"
	"  vm create NAME          start another VM of the boot config's [vm NAME]\n"
	"  mem quota ID SIZE       set how much host memory the VM may commit\n"
	"  mem reclaim ID          take back the VM's all-zero pages\n"
	"  vcpu add|park ID        give the VM one more vCPU / take one away\n"
	"  log ID                  the last 4 KiB the VM printed\n"
	"  console ID              type to the VM, see its output; Ctrl-] returns here\n"
	"  stats                   host memory, CPUs and a line per VM\n"
	"  stats export            the timeline (memory, vCPUs, busy, decisions) as CSV\n"
	"  top                     a table of VMs and cores, redrawn each period; any key ends "
	"it\n";

/* bytes in MiB with one decimal and an M: "64M", "1.2M". */
static char *mib(char *buf, u64 bytes)
{
	size_t n = strlen(cmd_fmt_dec1(buf, bytes, MiB(1), true));

	buf[n] = 'M';
	buf[n + 1] = '\0';
	return buf;
}

/* "error: vm NAME: OP: -EXXX (meaning)" */
static void print_vm_error(const char *name, const char *op, long err)
{
	out_printf("error: vm %s: %s: %s (%s)\n", name, op, cmd_err_name(err), cmd_err_text(err));
}

static void print_parse_error(const struct command *cmd)
{
	out_printf("error: %s", cmd->error);
	if (cmd->word[0])
		out_printf(" \"%s\"", cmd->word);
	if (cmd->hint)
		out_printf(" (%s)", cmd->hint);
	out_printf("\n");
}

/* Append s at *p. */
static void cat(char **p, const char *s)
{
	size_t n = strlen(s);

	memcpy(*p, s, n + 1);
	*p += n;
}

/* "now/min/max" vCPUs, and the uptime in seconds with an "s". */
static void list_cells(const struct sprout_vm_info *v, char *vcpus, char *up)
{
	char num[24];
	char *p = vcpus;

	cat(&p, cmd_fmt_dec1(num, v->vcpus, 1, true));
	cat(&p, "/");
	cat(&p, cmd_fmt_dec1(num, v->vcpus_min, 1, true));
	cat(&p, "/");
	cat(&p, cmd_fmt_dec1(num, v->vcpus_max, 1, true));
	p = up + strlen(cmd_fmt_dec1(up, v->uptime_us, 1000000, false));
	cat(&p, "s");
}

static void vm_list(void)
{
	char mem[24], com[24], peak[24], quota[24], vcpus[48], up[32];
	long ret = table_refresh(false, 0);

	if (ret < 0) {
		out_printf("error: vm list: %s (%s)\n", cmd_err_name(ret), cmd_err_text(ret));
		return;
	}
	out_printf("%3s %-16s %-8s %7s %7s %7s %7s %-8s %9s %10s\n", "ID", "NAME", "STATE",
		   "MEMORY", "COMMIT", "PEAK", "QUOTA", "VCPUS", "UPTIME", "EXITS");
	for (unsigned int i = 0; i < vm_count; i++) {
		const struct sprout_vm_info *v = &vm_table[i].info;

		list_cells(v, vcpus, up);
		out_printf("%3u %-16s %-8s %7s %7s %7s %7s %-8s %9s %10llu\n", v->id, v->name,
			   cmd_state_name(v->state), mib(mem, v->memory), mib(com, v->committed),
			   mib(peak, v->peak), mib(quota, v->quota), vcpus, up, (u64)v->exits);
	}
}

static void info_size(const char *label, u64 bytes)
{
	char buf[24];

	out_printf("  %-16s %s (%llu KiB)\n", label, mib(buf, bytes), bytes >> 10);
}

static void vm_info_activity(const struct target *t)
{
	if (!t->in_table)
		return;
	out_printf("  %-16s idle for %u period%s, busy %llu us per period (decayed average)\n",
		   "activity", t->row.act.idle_periods, t->row.act.idle_periods == 1 ? "" : "s",
		   t->row.act.busy_avg);
}

static void vm_info(const struct target *t)
{
	struct sprout_vm_info v;
	char up[24], busy[24];
	long ret = table_vm_info(t->id, &v);

	if (ret < 0) {
		print_vm_error(t->name, "info", ret);
		return;
	}
	out_printf("vm %u (%s)\n", v.id, v.name);
	out_printf("  %-16s %s\n", "state", cmd_state_name(v.state));
	out_printf("  %-16s %s\n", "privileged", v.privileged ? "yes" : "no");
	out_printf("  %-16s %u online (min %u, max %u)\n", "vcpus", v.vcpus, v.vcpus_min,
		   v.vcpus_max);
	info_size("memory", v.memory);
	info_size("committed", v.committed);
	info_size("peak", v.peak);
	info_size("quota", v.quota);
	out_printf("  %-16s %llu of 4K, %llu of 2M\n", "faults", (u64)v.faults_4k,
		   (u64)v.faults_2m);
	out_printf("  %-16s %llu\n", "denied", (u64)v.denied);
	info_size("reclaimed", v.reclaimed);
	out_printf("  %-16s %llu\n", "exits", (u64)v.exits);
	out_printf("  %-16s %s s\n", "uptime", cmd_fmt_dec1(up, v.uptime_us, 1000000, false));
	out_printf("  %-16s %s s (all vCPUs)\n", "busy",
		   cmd_fmt_dec1(busy, v.busy_us, 1000000, false));
	if (v.pending_request)
		out_printf("  %-16s %llu\n", "pending request", (u64)v.pending_request);
	else
		out_printf("  %-16s none\n", "pending request");
	out_printf("  %-16s %d\n", "exit status", v.exit_status);
	out_printf("  %-16s %s\n", "stop kind", cmd_stop_kind_name(v.stop_kind));
	out_printf("  %-16s %s\n", "reason", v.stop_reason[0] ? v.stop_reason : "none");
	vm_info_activity(t);
}

static void stats_vm(const struct broker_vm *b)
{
	const struct sprout_vm_info *v = &b->info;
	char com[24], quota[24];
	u64 pct = b->act.busy_avg * 100 / MAX(broker_period_us, 1ull);

	out_printf("%3u %-16s %-8s committed %s of quota %s, busy %llu%%, idle for %u period%s",
		   v->id, v->name, cmd_state_name(v->state), mib(com, v->committed),
		   mib(quota, v->quota), pct, b->act.idle_periods,
		   b->act.idle_periods == 1 ? "" : "s");
	if (v->pending_request)
		out_printf(", request %llu pending", (u64)v->pending_request);
	out_printf("\n");
}

static void stats_host(void)
{
	const struct sprout_host_stats *h = &host_stats;
	char total[24], free_mib[24], reserve[24], t[24];

	out_printf("host: memory %s total, %s free, %s reserve; %u CPUs, %u idle; uptime %s s\n",
		   mib(total, h->total_bytes), mib(free_mib, h->free_bytes),
		   mib(reserve, h->reserve_bytes), h->cpus, h->cpus_idle,
		   cmd_fmt_dec1(t, h->uptime_us, 1000000, false));
	out_printf("host: busy per CPU:");
	for (u32 i = 0; i < h->cpus; i++)
		out_printf(" %u: %s s", i, cmd_fmt_dec1(t, h->cpu_busy_us[i], 1000000, false));
	out_printf("\n");
}

static void stats(void)
{
	long ret = host_refresh();

	if (ret < 0)
		out_printf("error: stats: host: %s (%s)\n", cmd_err_name(ret), cmd_err_text(ret));
	else
		stats_host();
	ret = table_refresh(false, 0);
	if (ret < 0) {
		out_printf("error: stats: vm list: %s (%s)\n", cmd_err_name(ret),
			   cmd_err_text(ret));
		return;
	}
	for (unsigned int i = 0; i < vm_count; i++)
		stats_vm(&vm_table[i]);
}

static void vm_create(const char *name)
{
	size_t len = strlen(name);
	long ret;

	memcpy(name_buf, name, len + 1);
	ret = hypercall(HC_VM_CREATE, (unsigned long)name_buf, len, 0, 0);
	if (ret < 0) {
		print_vm_error(name, "create", ret);
		return;
	}
	out_printf("vm %s: create ok, id %ld\n", name, ret);
	table_refresh(false, 0);
}

static unsigned long vm_op_of(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_VM_START: return SPROUT_VM_OP_START;
	case CMD_VM_STOP: return SPROUT_VM_OP_STOP;
	case CMD_VM_PAUSE: return SPROUT_VM_OP_PAUSE;
	case CMD_VM_RESUME: return SPROUT_VM_OP_RESUME;
	default: return SPROUT_VM_OP_DESTROY;
	}
}

static void vm_control(const struct target *t, enum cmd_kind kind)
{
	long ret = hypercall(HC_VM_CONTROL, t->id, vm_op_of(kind), 0, 0);

	if (ret < 0) {
		print_vm_error(t->name, cmd_op_name(kind), ret);
		return;
	}
	out_printf("vm %s: %s ok\n", t->name, cmd_op_name(kind));
	table_refresh(false, 0);
}

static void mem_quota(const struct target *t, u64 bytes)
{
	char size[32];
	long ret = hypercall(HC_VM_SET_QUOTA, t->id, bytes, 0, 0);

	if (ret < 0) {
		print_vm_error(t->name, "quota", ret);
		return;
	}
	out_printf("vm %s: quota ok, now %s\n", t->name, cmd_fmt_size(size, bytes));
}

static void mem_reclaim(const struct target *t)
{
	char size[32];
	long ret = hypercall(HC_VM_RECLAIM, t->id, 0, 0, 0);

	if (ret < 0) {
		print_vm_error(t->name, "reclaim", ret);
		return;
	}
	history_event(t->id, TL_RECLAIM, (u64)ret >> 10);
	out_printf("vm %s: reclaim ok, %s returned (%ld bytes)\n", t->name,
		   cmd_fmt_size(size, (u64)ret), ret);
}

static void vcpu_op(const struct target *t, enum cmd_kind kind)
{
	bool add = kind == CMD_VCPU_ADD;
	long ret = hypercall(add ? HC_VCPU_ADD : HC_VCPU_PARK, t->id, 0, 0, 0);

	if (ret < 0) {
		out_printf("error: vcpu %s vm %s: %s (%s)\n", cmd_op_name(kind), t->name,
			   cmd_err_name(ret), cmd_err_text(ret));
		return;
	}
	history_event(t->id, add ? TL_ADD : TL_PARK, (u64)ret);
	out_printf("vm %s: vcpu %s ok, vcpu %ld %s\n", t->name, cmd_op_name(kind), ret,
		   add ? "added" : "parked");
}

/* Guest output may hold terminal escapes: only newlines and tabs go through as they are. */
static void print_log_bytes(const char *buf, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\r')
			continue;
		out_putc((c == '\n' || c == '\t' || (c >= ' ' && c < 0x7f)) ? c : '?');
	}
	if (n && buf[n - 1] != '\n')
		out_putc('\n');
}

static void vm_log(const struct target *t)
{
	long total = hypercall(HC_VM_CONSOLE_READ, t->id, (unsigned long)log_buf, 0, 0);
	unsigned long from;
	long n;

	if (total < 0) {
		print_vm_error(t->name, "log", total);
		return;
	}
	from = total > SPROUT_CONSOLE_RING ? (unsigned long)total - SPROUT_CONSOLE_RING : 0;
	n = hypercall(HC_VM_CONSOLE_READ, t->id, (unsigned long)log_buf, sizeof(log_buf), from);
	if (n < 0) {
		print_vm_error(t->name, "log", n);
		return;
	}
	n = MIN(n, (long)sizeof(log_buf));
	out_printf("--- vm %s console: %ld bytes from offset %lu of %ld ---\n", t->name, n, from,
		   total);
	print_log_bytes(log_buf, (unsigned long)n);
	out_printf("--- end of vm %s console ---\n", t->name);
}

static void console_attach(const struct target *t)
{
	long ret = hypercall(HC_CONSOLE_ATTACH, t->id, 0, 0, 0);

	if (ret < 0) {
		out_printf("error: console %s: %s (%s)\n", t->name, cmd_err_name(ret),
			   cmd_console_refusal(ret));
		return;
	}
	out_printf("attached to %s; Ctrl-] returns to " PROMPT_TEXT "\n", t->name);
	broker_console_attached(t->id);
}

/*
 * Find the VM a command names in a fresh table. Without a table (HC_VM_LIST
 * failed) a number is still taken as an id, so the call can report its error.
 */
static bool find_target(const char *arg, struct target *t)
{
	long ret = table_refresh(false, 0);
	int i = cmd_find_vm(arg, vm_table, vm_count);

	*t = (struct target){0};
	if (i >= 0) {
		t->row = vm_table[i];
		t->id = t->row.info.id;
		t->in_table = true;
		memcpy(t->name, t->row.info.name, sizeof(t->name));
		return true;
	}
	if (ret < 0 && cmd_parse_u32(arg, &t->id)) {
		memcpy(t->name, arg, strlen(arg) + 1);
		return true;
	}
	out_printf("error: no VM \"%s\" (vm list shows them)\n", arg);
	return false;
}

static void run_on_vm(const struct command *cmd)
{
	struct target t;

	if (!find_target(cmd->vm, &t))
		return;
	switch (cmd->kind) {
	case CMD_VM_INFO: vm_info(&t); break;
	case CMD_MEM_QUOTA: mem_quota(&t, cmd->size); break;
	case CMD_MEM_RECLAIM: mem_reclaim(&t); break;
	case CMD_VCPU_ADD:
	case CMD_VCPU_PARK: vcpu_op(&t, cmd->kind); break;
	case CMD_LOG: vm_log(&t); break;
	case CMD_CONSOLE: console_attach(&t); break;
	default: vm_control(&t, cmd->kind); break;
	}
}

void cli_run(const char *line)
{
	struct command cmd;

	cmd_parse(line, &cmd);
	switch (cmd.kind) {
	case CMD_EMPTY: break;
	case CMD_ERROR: print_parse_error(&cmd); break;
	case CMD_HELP: out_write(help_text, strlen(help_text)); break;
	case CMD_VM_LIST: vm_list(); break;
	case CMD_STATS: stats(); break;
	case CMD_STATS_EXPORT: history_export(); break;
	case CMD_TOP: broker_top_start(); break;
	case CMD_VM_CREATE: vm_create(cmd.vm); break;
	default: run_on_vm(&cmd); break;
	}
}
