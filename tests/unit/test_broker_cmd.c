/* SPDX-License-Identifier: MIT */
/* Unit tests of the broker's text handling: editor, parser, options, vsnprintf (cmd.c, fmt.c). */
#include <string.h>

#include "../../guests/broker/cmd.h"
#include "../../guests/lib/fmt.h"
#include "utest.h"

static struct command cmd;

static enum cmd_kind parse(const char *line)
{
	cmd_parse(line, &cmd);
	return cmd.kind;
}

/* True when the last parse failed with a message starting with msg and this word. */
static bool error_is(const char *msg, const char *word)
{
	return cmd.kind == CMD_ERROR && !strncmp(cmd.error, msg, strlen(msg)) &&
	       !strcmp(cmd.word, word);
}

UTEST(broker_cmd_parse_good)
{
	CHECK_EQ(parse("help"), CMD_HELP);
	CHECK_EQ(parse("?"), CMD_HELP);
	CHECK_EQ(parse("  vm \t list  "), CMD_VM_LIST);
	CHECK_EQ(parse("stats"), CMD_STATS);
	CHECK_EQ(parse("stats export"), CMD_STATS_EXPORT);
	CHECK_EQ(parse("top"), CMD_TOP);
	CHECK_EQ(parse("top 1"), CMD_ERROR);
	CHECK_EQ(parse("stats   export  "), CMD_STATS_EXPORT);
	CHECK_EQ(parse("stats exports"), CMD_ERROR);
	CHECK_EQ(parse("vm info 3"), CMD_VM_INFO);
	CHECK(!strcmp(cmd.vm, "3"));
	CHECK_EQ(parse("vm info memtouch"), CMD_VM_INFO);
	CHECK(!strcmp(cmd.vm, "memtouch"));
	CHECK_EQ(parse("vm start h1"), CMD_VM_START);
	CHECK_EQ(parse("vm stop h1"), CMD_VM_STOP);
	CHECK_EQ(parse("vm pause h1"), CMD_VM_PAUSE);
	CHECK_EQ(parse("vm resume h1"), CMD_VM_RESUME);
	CHECK_EQ(parse("vm destroy h1"), CMD_VM_DESTROY);
	CHECK_EQ(parse("vm create h1-copy_2"), CMD_VM_CREATE);
	CHECK(!strcmp(cmd.vm, "h1-copy_2"));
	CHECK_EQ(parse("mem quota 2 96M"), CMD_MEM_QUOTA);
	CHECK_EQ(cmd.size, MiB(96));
	CHECK_EQ(parse("mem quota idle 65536k"), CMD_MEM_QUOTA);
	CHECK_EQ(cmd.size, MiB(64));
	CHECK_EQ(parse("mem quota idle 1g"), CMD_MEM_QUOTA);
	CHECK_EQ(cmd.size, GiB(1));
	CHECK_EQ(parse("mem reclaim 1"), CMD_MEM_RECLAIM);
	CHECK_EQ(parse("vcpu add 1"), CMD_VCPU_ADD);
	CHECK_EQ(parse("vcpu park burn"), CMD_VCPU_PARK);
	CHECK_EQ(parse("log 2"), CMD_LOG);
	CHECK_EQ(parse("console linux"), CMD_CONSOLE);
	CHECK(!strcmp(cmd.vm, "linux"));
	CHECK(!strcmp(cmd_op_name(CMD_CONSOLE), "console"));
	CHECK_EQ(parse(""), CMD_EMPTY);
	CHECK_EQ(parse("   \t "), CMD_EMPTY);
	CHECK(!strcmp(cmd_op_name(CMD_VM_PAUSE), "pause"));
	CHECK(!strcmp(cmd_op_name(CMD_VCPU_ADD), "add"));
}

UTEST(broker_cmd_parse_bad)
{
	char line[300];

	CHECK_EQ(parse("foo"), CMD_ERROR);
	CHECK(error_is("unknown command", "foo"));
	CHECK(!strcmp(cmd.hint, "type help"));
	CHECK_EQ(parse("VM LIST"), CMD_ERROR);
	CHECK(error_is("unknown command", "VM"));
	CHECK(parse("vm") == CMD_ERROR && error_is("usage: vm list |", ""));
	CHECK(parse("vm frobnicate 1") == CMD_ERROR && error_is("usage: vm list |", ""));
	CHECK(parse("vm info") == CMD_ERROR && error_is("usage: vm info ID", ""));
	CHECK(parse("vm info a b") == CMD_ERROR && error_is("usage: vm info ID", ""));
	CHECK(parse("vm list x") == CMD_ERROR && error_is("usage: vm list", ""));
	CHECK(parse("help me") == CMD_ERROR && error_is("usage: help", ""));
	CHECK(parse("mem quota 1") == CMD_ERROR && error_is("usage: mem quota ID SIZE", ""));
	CHECK(parse("mem quota 1 2 3 4 5 6") == CMD_ERROR && error_is("usage: mem quota", ""));
	CHECK(parse("mem") == CMD_ERROR && error_is("usage: mem quota", ""));
	CHECK(parse("vcpu add") == CMD_ERROR && error_is("usage: vcpu add", ""));
	CHECK(parse("mem quota 1 12Q") == CMD_ERROR && error_is("bad size", "12Q"));
	CHECK(parse("mem quota 1 0") == CMD_ERROR && error_is("bad size", "0"));
	CHECK(parse("mem quota 1 1000") == CMD_ERROR && error_is("bad size", "1000"));
	CHECK(parse("vm create bad!name") == CMD_ERROR && error_is("bad VM name", "bad!name"));
	CHECK(parse("vm info 0123456789012345678901234567890123456789") == CMD_ERROR);
	CHECK(error_is("bad VM name", "0123456789012345678901234567890"));
	/* Garbage bytes come back sanitised, never raw. */
	CHECK(parse("\x01\xff\x1b[2J") == CMD_ERROR && error_is("unknown command", "???[2J"));
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	CHECK(parse(line) == CMD_ERROR && error_is("line too long", ""));
	line[CMD_LINE_MAX] = '\0';
	CHECK(parse(line) == CMD_ERROR &&
	      error_is("unknown command", line + CMD_LINE_MAX - CMD_NAME_MAX));
}

UTEST(broker_cmd_sizes_and_numbers)
{
	u64 v = 0;
	u32 n = 0;

	CHECK(cmd_parse_size("4096", &v) && v == 4096);
	CHECK(cmd_parse_size("4K", &v) && v == KiB(4));
	CHECK(cmd_parse_size("64m", &v) && v == MiB(64));
	CHECK(cmd_parse_size("0016G", &v) && v == GiB(16));
	CHECK(cmd_parse_size("17179869183G", &v) && v == GiB(17179869183ull));
	CHECK(!cmd_parse_size("17179869184G", &v));
	CHECK(!cmd_parse_size("18446744073709551616", &v));
	CHECK(!cmd_parse_size("99999999999999999999999", &v));
	CHECK(!cmd_parse_size("", &v));
	CHECK(!cmd_parse_size("K", &v));
	CHECK(!cmd_parse_size("4KB", &v));
	CHECK(!cmd_parse_size("-4K", &v));
	CHECK(!cmd_parse_size("0x1000", &v));
	CHECK(!cmd_parse_size("4 K", &v));
	CHECK(!cmd_parse_size("0K", &v));
	CHECK(!cmd_parse_size("4097", &v));

	CHECK(cmd_parse_u32("0", &n) && n == 0);
	CHECK(cmd_parse_u32("4294967295", &n) && n == 4294967295u);
	CHECK(!cmd_parse_u32("4294967296", &n));
	CHECK(!cmd_parse_u32("", &n));
	CHECK(!cmd_parse_u32("12a", &n));
	CHECK(!cmd_parse_u32("-1", &n));
}

UTEST(broker_cmd_options)
{
	const char *cl = "periods=7 period=50 run='vm list; stats' step=8M xrun=1 q=\"a b\"";
	char out[64];

	CHECK_EQ(cmd_opt_get(cl, "period", out, sizeof(out)), 1);
	CHECK(!strcmp(out, "50"));
	CHECK_EQ(cmd_opt_get(cl, "run", out, sizeof(out)), 1);
	CHECK(!strcmp(out, "vm list; stats"));
	CHECK_EQ(cmd_opt_get(cl, "step", out, sizeof(out)), 1);
	CHECK(!strcmp(out, "8M"));
	CHECK_EQ(cmd_opt_get(cl, "q", out, sizeof(out)), 1);
	CHECK(!strcmp(out, "a b"));
	CHECK_EQ(cmd_opt_get(cl, "quit-after", out, sizeof(out)), 0);
	CHECK_EQ(cmd_opt_get(cl, "run", out, 5), -1);
	CHECK_EQ(cmd_opt_get("", "run", out, sizeof(out)), 0);
	/* A quoted value hides what looks like an option inside it. */
	CHECK_EQ(cmd_opt_get("run='period=5' x", "period", out, sizeof(out)), 0);
	/* An unterminated quote runs to the end of the line. */
	CHECK_EQ(cmd_opt_get("run='vm list", "run", out, sizeof(out)), 1);
	CHECK(!strcmp(out, "vm list"));
	CHECK_EQ(cmd_opt_get("run=", "run", out, sizeof(out)), 1);
	CHECK(!strcmp(out, ""));
}

UTEST(broker_cmd_run_list)
{
	const char *p = " vm list; stats;; log 2 ;  ";
	char out[32];

	CHECK(cmd_next(&p, out, sizeof(out)) && !strcmp(out, "vm list"));
	CHECK(cmd_next(&p, out, sizeof(out)) && !strcmp(out, "stats"));
	CHECK(cmd_next(&p, out, sizeof(out)) && !strcmp(out, "log 2"));
	CHECK(!cmd_next(&p, out, sizeof(out)));
	CHECK(!cmd_next(&p, out, sizeof(out)));
	p = "a very long command indeed";
	CHECK(cmd_next(&p, out, 7) && !strcmp(out, "a very"));
	CHECK(!cmd_next(&p, out, 7));
}

/* Feed s; returns the last event and counts echoes and erases. */
static enum le_event type(struct line_editor *le, const char *s, int *echoes, int *erases)
{
	enum le_event ev = LE_NOTHING;

	*echoes = *erases = 0;
	for (; *s; s++) {
		ev = le_feed(le, *s);
		*echoes += ev == LE_ECHO;
		*erases += ev == LE_ERASE;
	}
	return ev;
}

UTEST(broker_cmd_line_editor)
{
	struct line_editor le;
	int echoes, erases;

	le_init(&le);
	CHECK_EQ(type(&le,
		      "vm lisx\x7f"
		      "t\r",
		      &echoes, &erases),
		 LE_LINE);
	CHECK(!strcmp(le.buf, "vm list"));
	CHECK_EQ(echoes, 8);
	CHECK_EQ(erases, 1);
	/* The LF of CR LF is swallowed; a lone LF ends a line. */
	CHECK_EQ(le_feed(&le, '\n'), LE_NOTHING);
	CHECK_EQ(type(&le, "stats\n", &echoes, &erases), LE_LINE);
	CHECK(!strcmp(le.buf, "stats"));
	CHECK_EQ(type(&le, "\n", &echoes, &erases), LE_LINE);
	CHECK(!strcmp(le.buf, ""));
	/* Backspace (BS or DEL) on an empty line does nothing; control bytes are dropped. */
	CHECK_EQ(type(&le, "\b\x7f\x01\x03\tab\x08\r", &echoes, &erases), LE_LINE);
	CHECK(!strcmp(le.buf, "a"));
	CHECK_EQ(erases, 1);
	/* Escape sequences (arrow keys) are skipped whole. */
	CHECK_EQ(type(&le, "\x1b[A\x1b[1;5C\x1bOPhelp\r", &echoes, &erases), LE_LINE);
	CHECK(!strcmp(le.buf, "help"));
	CHECK_EQ(echoes, 4);
}

UTEST(broker_cmd_line_editor_overlong)
{
	struct line_editor le;
	int echoes, erases;
	char longline[CMD_LINE_MAX + 10];

	le_init(&le);
	/* 127 characters fit; the 128th makes the line overlong until its end. */
	memset(longline, 'x', CMD_LINE_MAX);
	strcpy(longline + CMD_LINE_MAX, "\r");
	CHECK_EQ(type(&le, longline, &echoes, &erases), LE_LINE);
	CHECK_EQ(strlen(le.buf), CMD_LINE_MAX);
	strcpy(longline + CMD_LINE_MAX, "yy\x7f\r");
	CHECK_EQ(type(&le, longline, &echoes, &erases), LE_OVERLONG);
	CHECK_EQ(echoes, CMD_LINE_MAX);
	CHECK_EQ(erases, 0);
	/* The next line is fine again. */
	CHECK_EQ(type(&le, "ok\r", &echoes, &erases), LE_LINE);
	CHECK(!strcmp(le.buf, "ok"));
}

UTEST(broker_cmd_formatting)
{
	char buf[32];

	CHECK(!strcmp(cmd_fmt_dec1(buf, MiB(64), MiB(1), true), "64"));
	CHECK(!strcmp(cmd_fmt_dec1(buf, MiB(64), MiB(1), false), "64.0"));
	CHECK(!strcmp(cmd_fmt_dec1(buf, MiB(1) + MiB(1) / 2, MiB(1), true), "1.5"));
	CHECK(!strcmp(cmd_fmt_dec1(buf, KiB(100), MiB(1), true), "0.0"));
	CHECK(!strcmp(cmd_fmt_dec1(buf, 1299999, 1000000, false), "1.2"));
	CHECK(!strcmp(cmd_fmt_dec1(buf, ~0ull, 1, false), "18446744073709551615"));
	CHECK(!strcmp(cmd_fmt_size(buf, MiB(82)), "82 MiB"));
	CHECK(!strcmp(cmd_fmt_size(buf, MiB(2) + KiB(4)), "2052 KiB"));
	CHECK(!strcmp(cmd_fmt_size(buf, 0), "0 MiB"));
	CHECK(!strcmp(cmd_state_name(SPROUT_VM_RUNNING), "running"));
	CHECK(!strcmp(cmd_state_name(99), "?"));
	CHECK(!strcmp(cmd_stop_kind_name(2), "crash"));
	CHECK(!strcmp(cmd_stop_kind_name(5), "?"));
	CHECK(!strcmp(cmd_err_name(-SPROUT_ENOSYS), "-ENOSYS"));
	CHECK(!strcmp(cmd_err_text(-SPROUT_ENOSYS), "not supported yet"));
	CHECK(!strcmp(cmd_err_name(-SPROUT_EPERM), "-EPERM"));
	CHECK(!strcmp(cmd_err_name(-8), "-ENOEXEC"));
	CHECK(!strcmp(cmd_err_name(-99), "-E?"));
	CHECK(!strcmp(cmd_err_text(-99), "unknown error"));
}

UTEST(broker_cmd_find_vm)
{
	struct broker_vm vms[3];

	memset(vms, 0, sizeof(vms));
	vms[0].info.id = 0;
	strcpy(vms[0].info.name, "broker");
	vms[1].info.id = 2;
	strcpy(vms[1].info.name, "memtouch");
	vms[2].info.id = 5;
	strcpy(vms[2].info.name, "7");
	CHECK_EQ(cmd_find_vm("2", vms, 3), 1);
	CHECK_EQ(cmd_find_vm("memtouch", vms, 3), 1);
	CHECK_EQ(cmd_find_vm("memtouc", vms, 3), -1);
	CHECK_EQ(cmd_find_vm("memtouchx", vms, 3), -1);
	CHECK_EQ(cmd_find_vm("5", vms, 3), 2);
	CHECK_EQ(cmd_find_vm("7", vms, 3), 2); /* no id 7: the name */
	CHECK_EQ(cmd_find_vm("0", vms, 3), 0);
	CHECK_EQ(cmd_find_vm("", vms, 3), -1);
	CHECK_EQ(cmd_find_vm("nope", vms, 3), -1);
	/* A name that fills its field without a NUL still matches exactly. */
	memset(vms[2].info.name, 'n', sizeof(vms[2].info.name));
	CHECK_EQ(cmd_find_vm("nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", vms, 3), 2);
	CHECK_EQ(cmd_find_vm("nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", vms, 3), -1);
}

/* Our output must be what the C library's snprintf makes of the same format. */
#define SAME_AS_LIBC(...)                                               \
	do {                                                            \
		char ours[128], libc[128];                              \
		int n1 = fmt_snprintf(ours, sizeof(ours), __VA_ARGS__); \
		int n2 = snprintf(libc, sizeof(libc), __VA_ARGS__);     \
		CHECK_EQ(n1, n2);                                       \
		CHECK(!strcmp(ours, libc));                             \
	} while (0)

UTEST(broker_fmt_matches_libc)
{
	SAME_AS_LIBC("plain");
	SAME_AS_LIBC("%d %i %u %x %X", -42, 7, 4000000000u, 0xbeefu, 0xbeefu);
	SAME_AS_LIBC("%ld %lu %lld %llu %llx", -1L, ~0UL, -9223372036854775807LL - 1, ~0ULL,
		     0x123456789abcdefULL);
	SAME_AS_LIBC("%zu", (size_t)123456);
	SAME_AS_LIBC("[%5d] [%-5d] [%05d] [%05d] [%-5u]", 42, 42, 42, -42, 7u);
	SAME_AS_LIBC("[%10s] [%-10s] [%s] [%3s]", "abc", "abc", "", "abcdef");
	SAME_AS_LIBC("%c%c %%", 'o', 'k');
	SAME_AS_LIBC("%3u %-16s %-8s %7s %10llu|", 2u, "memtouch", "running", "64M", 1234ULL);
}

UTEST(broker_fmt_truncates)
{
	/* Formats the compiler would reject as literals: what the guest lib's printf does too. */
	const char *unknown = "%q", *trailing = "trail%";
	const char *volatile null_str = NULL;
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	CHECK(!strcmp(buf, "0123456"));
	CHECK_EQ(fmt_snprintf(buf, 1, "abc"), 3);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(fmt_snprintf(NULL, 0, "%d", 12345), 5);
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), unknown, 0), 2);
	CHECK(!strcmp(buf, "%q"));
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "%s", null_str), 6);
	CHECK(!strcmp(buf, "(null)"));
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), trailing, 0), 5);
}

UTEST(broker_cmd_console_refusals)
{
	CHECK(!strcmp(cmd_console_refusal(-SPROUT_ENOENT), "no such VM"));
	CHECK(!strcmp(cmd_console_refusal(-SPROUT_EPERM), "the broker's console is this prompt"));
	CHECK(!strcmp(cmd_console_refusal(-SPROUT_EINVAL), "the VM is not running"));
	CHECK(!strcmp(cmd_console_refusal(-SPROUT_EBUSY), "the console is attached to it already"));
	CHECK(!strcmp(cmd_console_refusal(-SPROUT_ENOMEM), "out of memory"));
	CHECK(parse("console") == CMD_ERROR && error_is("usage: console ID", ""));
	CHECK(parse("console a b") == CMD_ERROR && error_is("usage: console ID", ""));
}
