/* SPDX-License-Identifier: MIT */
/* The broker domain: start-up, the event loop, console input and log lines. */
#include "guest.h"
#include "sprout.h"
#include "user.h"
#include "x86.h"
#include "broker.h"
#include "cmd.h"
#include "top.h"
#include "vcpu_policy.h"

#define UART_RBR	   0x3f8
#define UART_LSR	   0x3fd
#define UART_LSR_DR	   0x01

#define PERIOD_DEFAULT_MS  100
#define PERIOD_MIN_MS	   10
#define PERIOD_MAX_MS	   60000
#define START_DELAY_MAX_MS 60000

/* Bytes taken from the UART per loop turn, so a paste cannot starve the ring. */
#define CONSOLE_BURST 256

#define NO_VM	      0xffffffffu

#define PROMPT	      PROMPT_TEXT " "

u64 broker_period_us = PERIOD_DEFAULT_MS * 1000ull;
struct policy_config broker_policy;

static struct line_editor editor;
/* "sprout> " and the half-typed line are on the screen. */
static bool prompt_visible;
/* A VM has the host console (HC_CONSOLE_ATTACH): the prompt waits until it is back. */
static u32 console_vm = NO_VM;
/* `top` is on the screen: redrawn each period, any key ends it. */
static bool top_active;
static struct top_prev top_prev;
/* HC_WAIT_EVENT failed once: poll instead of blocking. */
static bool polling;
static u64 tsc_per_us;

static void prompt_show(void)
{
	out_write(PROMPT, sizeof(PROMPT) - 1);
	out_write(editor.buf, editor.len);
	prompt_visible = true;
}

void broker_log(const char *fmt, ...)
{
	va_list ap;

	if (prompt_visible)
		out_putc('\n');
	out_printf("broker: ");
	va_start(ap, fmt);
	out_vprintf(fmt, ap);
	va_end(ap);
	out_putc('\n');
	if (prompt_visible)
		prompt_show();
}

/* TSC rate from CPUID 0x15/0x16 where the CPU tells; a guess of 1 GHz elsewhere. */
static u64 tsc_rate_guess(void)
{
	struct cpuid_regs r = cpuid(0);
	u32 max = r.eax;

	if (max >= 0x15) {
		r = cpuid(0x15);
		if (r.eax && r.ebx && r.ecx)
			return (u64)r.ecx * r.ebx / r.eax / 1000000;
	}
	if (max >= 0x16 && (cpuid(0x16).eax & 0xffff))
		return cpuid(0x16).eax & 0xffff;
	return 1000;
}

/* Host uptime when HC_HOST_STATS works (it refreshes host_stats too), else the TSC. */
static u64 now_us(void)
{
	if (host_refresh() == 0)
		return host_stats.uptime_us;
	if (!tsc_per_us)
		tsc_per_us = MAX(tsc_rate_guess(), 1ull);
	return rdtsc() / tsc_per_us;
}

static void top_line(const char *line, void *ctx)
{
	(void)ctx;
	out_printf("%s\x1b[K\n", line);
}

static void top_draw(void)
{
	static struct sprout_vm_info rows[BROKER_MAX_VMS];

	for (unsigned int i = 0; i < vm_count && i < BROKER_MAX_VMS; i++)
		rows[i] = vm_table[i].info;
	out_printf("\x1b[H\x1b[2J");
	top_render(&top_prev, rows, vm_count, &host_stats, top_line, NULL);
}

void broker_top_start(void)
{
	top_active = true;
	top_prev = (struct top_prev){0};
	host_refresh();
	table_refresh(false, 0);
	top_draw();
}

static void top_stop(void)
{
	top_active = false;
	out_printf("\n");
	prompt_show();
}

void broker_console_attached(u32 id)
{
	console_vm = id;
}

void broker_console_detached(const struct sprout_msg *m)
{
	const char *why = m->arg0 == SPROUT_DETACH_STOPPED ? " (it stopped)" : "";

	if (m->vm_id != console_vm)
		broker_log("console: detached from vm %u%s, which it was not attached to", m->vm_id,
			   why);
	console_vm = NO_VM;
	out_printf("detached from %s%s\n", table_name(m->vm_id), why);
	prompt_show();
}

static void console_line(void)
{
	prompt_visible = false;
	out_putc('\n');
	cli_run(editor.buf);
	if (console_vm == NO_VM && !top_active)
		prompt_show();
}

static void console_byte(char c)
{
	if (top_active) {
		/* The LF of the CR LF that typed `top` is not a key. */
		if (!(c == '\n' && editor.after_cr))
			top_stop(); /* the key only ends `top` */
		editor.after_cr = false;
		return;
	}
	switch (le_feed(&editor, c)) {
	case LE_ECHO: out_putc(c); break;
	case LE_ERASE: out_write("\b \b", 3); break;
	case LE_LINE: console_line(); break;
	case LE_OVERLONG:
		prompt_visible = false;
		out_printf("\nerror: line too long (at most %d characters)\n", CMD_LINE_MAX);
		prompt_show();
		break;
	case LE_NOTHING: break;
	}
}

static void console_poll(void)
{
	for (unsigned int i = 0; i < CONSOLE_BURST && (inb(UART_LSR) & UART_LSR_DR); i++)
		console_byte((char)inb(UART_RBR));
}

/* Block until an event or timeout_us passed; without HC_WAIT_EVENT just give the CPU up. */
static void wait_event(u64 timeout_us)
{
	long ev;

	if (!timeout_us)
		return;
	if (polling) {
		sprout_yield();
		return;
	}
	ev = hypercall(HC_WAIT_EVENT, timeout_us, 0, 0, 0);
	if (ev >= 0)
		return;
	broker_log("HC_WAIT_EVENT: %s (%s); polling the console and the ring instead",
		   cmd_err_name(ev), cmd_err_text(ev));
	polling = true;
}

/* Once per period: fresh table and activity, and nothing left waiting. */
static void period_tick(u64 elapsed_us)
{
	table_refresh(true, elapsed_us);
	mem_check_stale();
	vcpu_period();
	history_period(host_stats_ok ? host_stats.uptime_us : 0);
	if (top_active)
		top_draw();
}

static __noreturn void event_loop(void)
{
	u64 last = now_us();
	u64 now;

	for (;;) {
		out_flush();
		now = now_us();
		wait_event(last + broker_period_us > now ? last + broker_period_us - now : 0);
		ring_drain();
		console_poll();
		now = now_us();
		if (now - last >= broker_period_us || now < last) {
			period_tick(now > last ? now - last : broker_period_us);
			last = now;
		}
	}
}

static void read_period(void)
{
	char val[16];
	u32 ms;
	int ret = cmd_opt_get(guest_cmdline, "period", val, sizeof(val));

	if (!ret)
		return;
	if (ret < 0 || !cmd_parse_u32(val, &ms) || ms < PERIOD_MIN_MS || ms > PERIOD_MAX_MS) {
		broker_log("period: want %u to %u ms, keeping %u ms", PERIOD_MIN_MS, PERIOD_MAX_MS,
			   PERIOD_DEFAULT_MS);
		return;
	}
	broker_period_us = ms * 1000ull;
}

/*
 * start-delay=MS: wait that long before taking up the work (ring, table), as
 * a slow broker would. For tests: VMs that need a decision meanwhile must
 * wait for this broker, not be paused (broker-late-qemu).
 */
static void start_delay(void)
{
	char val[16];
	u32 ms;
	u64 end;
	int ret = cmd_opt_get(guest_cmdline, "start-delay", val, sizeof(val));

	if (!ret)
		return;
	if (ret < 0 || !cmd_parse_u32(val, &ms) || ms > START_DELAY_MAX_MS) {
		broker_log("start-delay: want 0 to %u ms, starting now", START_DELAY_MAX_MS);
		return;
	}
	broker_log("start-delay: starting in %u ms", ms);
	for (end = now_us() + ms * 1000ull; now_us() < end;)
		cpu_relax();
}

static void read_options(void)
{
	char val[24], size[32];
	int ret;

	policy_config_default(&broker_policy);
	read_period();
	ret = cmd_opt_get(guest_cmdline, "step", val, sizeof(val));
	if (ret && (ret < 0 || !cmd_parse_size(val, &broker_policy.step)))
		broker_log("step: want a size such as 16M, keeping %s",
			   cmd_fmt_size(size, broker_policy.step));
	vcpu_read_options();
	history_init();
}

/* The run= list of the command line: each command as if typed at the prompt. */
static void run_startup_commands(void)
{
	static char list[256];
	char cmd[256];
	const char *cursor = list;
	int ret = cmd_opt_get(guest_cmdline, "run", list, sizeof(list));

	if (ret < 0)
		broker_log("run: the command list is too long");
	if (ret <= 0)
		return;
	while (cmd_next(&cursor, cmd, sizeof(cmd))) {
		out_printf(PROMPT "%s\n", cmd);
		cli_run(cmd);
	}
}

/*
 * Once at start-up: hypercalls from ring 3 of the broker's own VM must be
 * refused like anyone else's, a broker-only one (HC_VM_LIST of zero rows,
 * harmless should it go through) as well as a public one.
 */
static void ring3_probe(void)
{
	static const struct {
		const char *name;
		u64 nr;
	} calls[] = {{"HC_VM_LIST", HC_VM_LIST}, {"HC_VERSION", HC_VERSION}};
	unsigned int cpl = user_cpl(), bad = 0;

	if (cpl != 3) {
		broker_log("ring-3 probe: the probe ran at CPL %u, not 3; nothing checked", cpl);
		return;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(calls); i++) {
		long ret = user_hypercall(calls[i].nr, 0, 0, 0, 0);

		if (ret == -SPROUT_EPERM)
			continue;
		broker_log("ring-3 probe: %s returned %ld from ring 3 (want -EPERM)", calls[i].name,
			   ret);
		bad++;
	}
	if (!bad)
		broker_log("ring-3 probe: hypercalls refused (-EPERM)");
}

static void start(void)
{
	long version = sprout_version();
	long ret = ring_setup();
	long n;

	if (ret < 0)
		broker_log(
			"HC_BROKER_RING_SETUP: %s (%s); memory requests will not reach the broker",
			cmd_err_name(ret), cmd_err_text(ret));
	host_refresh();
	n = table_refresh(true, 0);
	if (n < 0)
		broker_log("HC_VM_LIST: %s (%s); the VM table is empty", cmd_err_name(n),
			   cmd_err_text(n));
	out_printf("broker: ready (Sprout ABI v%ld), %u VM%s in the table\n", version, vm_count,
		   vm_count == 1 ? "" : "s");
	if (version != SPROUT_ABI_VERSION)
		broker_log("this broker speaks ABI v%u", SPROUT_ABI_VERSION);
}

int main(void)
{
	char step[32];

	if (!sprout_present()) {
		puts("broker: not running under Sprout (no SproutSprout CPUID signature): "
		     "nothing to broker");
		return 1;
	}
	le_init(&editor);
	read_options();
	broker_log("period %llu ms, quota step %s", broker_period_us / 1000,
		   cmd_fmt_size(step, broker_policy.step));
	ring3_probe();
	start_delay();
	start();
	run_startup_commands();
	if (console_vm == NO_VM)
		prompt_show();
	event_loop();
}
