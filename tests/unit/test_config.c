// SPDX-License-Identifier: MIT
/* Unit tests for the sprout.cfg parser: every key, defaults, limits and each error class. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/config.h>
#include <hv/errno.h>
#include <hv/printk.h>

#include "utest.h"

extern char utest_log[16384];
extern size_t utest_log_len;

static struct sprout_config cfg;
static struct config_error err;

static int parse(const char *text)
{
	return config_parse(text, strlen(text), &cfg, &err);
}

/* True if the last parse failed on line/field with a message containing sub; says why if not. */
static bool err_is(u32 line, const char *field, const char *sub)
{
	bool ok = err.line == line && !strcmp(err.field, field) && strstr(err.msg, sub) &&
		  cfg.vm_count == 0;

	if (!ok)
		printf("    want %u: %s: ...%s...\n    got  %u: %s: %s (vm_count %u)\n", line,
		       field, sub, err.line, err.field, err.msg, cfg.vm_count);
	return ok;
}

/* Parse text, expect -EINVAL on line/field with sub in the message and an emptied config. */
#define EXPECT_ERROR(text, line, field, sub)     \
	do {                                     \
		int expect_ret = parse(text);    \
		CHECK_EQ(expect_ret, -EINVAL);   \
		CHECK(err_is(line, field, sub)); \
	} while (0)

/* A [vm] section with the three required keys, for tests about other things. */
#define VM(name) "[vm " name "]\nimage = a.elf\nkind = pvh\nmemory = 16M\n"

static void log_reset(void)
{
	utest_log_len = 0;
	utest_log[0] = '\0';
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	static char buf[65536];

	if (!f)
		return NULL;
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

static const char full_cfg[] = "# every key\n"
			       "[sprout]\n"
			       "log = debug\n"
			       "test_vm = broker\n"
			       "crash_test = pagefault\n"
			       "\n"
			       "[vm broker]\n"
			       "image = guests/broker.elf\n"
			       "kind = multiboot\n"
			       "memory = 2G\n"
			       "quota = 512M\n"
			       "vcpus = 2..8\n"
			       "privileged = yes\n"
			       "autostart = no\n"
			       "paging = 4k\n"
			       "initrd = rootfs.cpio\n"
			       "cmdline = \"console=ttyS0 quiet # not a comment\"\n"
			       "[vm linux-1]\n"
			       "image = bzImage\n"
			       "kind = bzimage\n"
			       "memory = 1028K\n"
			       "vcpus = 3\n";

UTEST(config_full_round_trip)
{
	const struct vm_config *b = &cfg.vms[0], *l = &cfg.vms[1];

	CHECK_EQ(parse(full_cfg), 0);
	CHECK_EQ(err.line, 0);
	CHECK_EQ(err.msg[0], 0);
	CHECK_EQ(cfg.log_level, LOG_DEBUG);
	CHECK(!strcmp(cfg.test_vm[0], "broker"));
	CHECK_EQ(cfg.test_vm_count, 1);
	CHECK(!strcmp(cfg.crash_test, "pagefault"));
	CHECK_EQ(cfg.vm_count, 2);
	CHECK(!strcmp(b->name, "broker"));
	CHECK(!strcmp(b->image, "guests/broker.elf"));
	CHECK_EQ(b->kind, IMAGE_MULTIBOOT);
	CHECK_EQ(b->memory, GiB(2));
	CHECK_EQ(b->quota, MiB(512));
	CHECK_EQ(b->vcpus_min, 2);
	CHECK_EQ(b->vcpus_max, 8);
	CHECK(b->privileged);
	CHECK(!b->autostart);
	CHECK_EQ(b->paging, PAGING_4K);
	CHECK(!strcmp(b->initrd, "rootfs.cpio"));
	CHECK(!strcmp(b->cmdline, "console=ttyS0 quiet # not a comment"));
	CHECK_EQ(b->line, 7);
	CHECK(!strcmp(l->name, "linux-1"));
	CHECK_EQ(l->kind, IMAGE_BZIMAGE);
	CHECK_EQ(l->memory, KiB(1028));
	CHECK_EQ(l->quota, KiB(1028));
	CHECK_EQ(l->vcpus_min, 3);
	CHECK_EQ(l->vcpus_max, 3);
	CHECK_EQ(l->line, 18);
}

UTEST(config_defaults)
{
	const struct vm_config *vm = &cfg.vms[0];

	CHECK_EQ(parse("[vm a]\nimage = a.elf\nkind = pvh\nmemory = 64M\n"), 0);
	CHECK_EQ(cfg.log_level, LOG_INFO);
	CHECK_EQ(cfg.test_vm[0][0], 0);
	CHECK_EQ(cfg.test_vm_count, 0);
	CHECK_EQ(cfg.crash_test[0], 0);
	CHECK_EQ(cfg.vm_count, 1);
	CHECK(!strcmp(vm->name, "a"));
	CHECK_EQ(vm->kind, IMAGE_PVH);
	CHECK_EQ(vm->memory, MiB(64));
	CHECK_EQ(vm->quota, MiB(64));
	CHECK_EQ(vm->vcpus_min, 1);
	CHECK_EQ(vm->vcpus_max, 1);
	CHECK(!vm->privileged);
	CHECK(vm->autostart);
	CHECK_EQ(vm->paging, PAGING_2M);
	CHECK_EQ(vm->initrd[0], 0);
	CHECK_EQ(vm->cmdline[0], 0);
	CHECK_EQ(vm->line, 1);
}

UTEST(config_quota_may_exceed_memory)
{
	CHECK_EQ(parse(VM("a") "quota = 1G\n"), 0);
	CHECK_EQ(cfg.vms[0].memory, MiB(16));
	CHECK_EQ(cfg.vms[0].quota, GiB(1));
	CHECK_EQ(parse(VM("a") "quota = 1M\n"), 0);
	CHECK_EQ(cfg.vms[0].quota, MiB(1));
}

UTEST(config_empty_files)
{
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(cfg.vm_count, 0);
	CHECK_EQ(config_parse(NULL, 0, &cfg, &err), 0);
	CHECK_EQ(parse("\n\n# just comments\n   \n\t\n"), 0);
	CHECK_EQ(cfg.vm_count, 0);
	CHECK_EQ(parse("[sprout]\nlog = warn\n"), 0);
	CHECK_EQ(cfg.vm_count, 0);
	CHECK_EQ(cfg.log_level, LOG_WARN);
}

UTEST(config_log_levels)
{
	CHECK_EQ(parse("[sprout]\nlog = err\n"), 0);
	CHECK_EQ(cfg.log_level, LOG_ERR);
	CHECK_EQ(parse("[sprout]\nlog = info\n"), 0);
	CHECK_EQ(cfg.log_level, LOG_INFO);
	EXPECT_ERROR("[sprout]\nlog = loud\n", 2, "log",
		     "invalid value \"loud\" (expected err, warn, info or debug)");
	EXPECT_ERROR("[sprout]\nlog = INFO\n", 2, "log", "invalid value \"INFO\"");
	CHECK_EQ(parse("[sprout]\ncrash_test = lose-timer\n"), 0);
	CHECK(!strcmp(cfg.crash_test, "lose-timer"));
	CHECK_EQ(parse("[sprout]\ncrash_test = stray-vmexit\n"), 0);
	CHECK(!strcmp(cfg.crash_test, "stray-vmexit"));
	EXPECT_ERROR(
		"[sprout]\ncrash_test = oops\n", 2, "crash_test",
		"invalid value \"oops\" (expected pagefault, null, lose-timer or stray-vmexit)");
}

UTEST(config_console_modes)
{
	CHECK_EQ(parse("[sprout]\nlog = info\n"), 0);
	CHECK_EQ(cfg.console, CONFIG_CONSOLE_AUTO);
	CHECK_EQ(parse("[sprout]\nconsole = serial\n"), 0);
	CHECK_EQ(cfg.console, CONFIG_CONSOLE_SERIAL);
	CHECK_EQ(parse("[sprout]\nconsole = \"screen\"\n"), 0);
	CHECK_EQ(cfg.console, CONFIG_CONSOLE_SCREEN);
	CHECK_EQ(parse("[sprout]\nconsole = auto\n"), 0);
	CHECK_EQ(cfg.console, CONFIG_CONSOLE_AUTO);
	EXPECT_ERROR("[sprout]\nconsole = vga\n", 2, "console",
		     "invalid value \"vga\" (expected auto, serial or screen)");
	EXPECT_ERROR(VM("a") "console = serial\n", 5, "console",
		     "unknown key \"console\" in a [vm] section");
}

UTEST(config_zero_pool)
{
	CHECK_EQ(parse("[sprout]\nlog = info\n"), 0);
	CHECK_EQ(cfg.zero_pool, 1);
	CHECK_EQ(parse("[sprout]\nzero_pool = no\n"), 0);
	CHECK_EQ(cfg.zero_pool, 0);
	CHECK_EQ(parse("[sprout]\nzero_pool = yes\n"), 0);
	CHECK_EQ(cfg.zero_pool, 1);
	EXPECT_ERROR("[sprout]\nzero_pool = off\n", 2, "zero_pool",
		     "invalid value \"off\" (expected yes or no)");
	EXPECT_ERROR(VM("a") "zero_pool = no\n", 5, "zero_pool",
		     "unknown key \"zero_pool\" in a [vm] section");
}

UTEST(config_crlf_matches_lf)
{
	static struct sprout_config lf;
	char crlf[2048];
	size_t i, n = 0;

	CHECK_EQ(parse(full_cfg), 0);
	lf = cfg;
	for (i = 0; full_cfg[i]; i++) {
		if (full_cfg[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = full_cfg[i];
	}
	CHECK_EQ(config_parse(crlf, n, &cfg, &err), 0);
	CHECK(!memcmp(&lf, &cfg, sizeof(cfg)));
	/* A lone CR at the very end (file cut after CR) is harmless too. */
	CHECK_EQ(parse(VM("a") "cmdline = x\r"), 0);
	CHECK(!strcmp(cfg.vms[0].cmdline, "x"));
	/* Line numbers still count CRLF lines. */
	EXPECT_ERROR("[vm a]\r\n\r\nimage = a.elf\r\nbogus = 1\r\n", 4, "bogus", "unknown key");
}

UTEST(config_comments_quotes_blanks)
{
	static const char text[] = "\xef\xbb\xbf# BOM, then UTF-8 in a comment: \xc3\xa9t\xc3\xa9\n"
				   "  [vm   a ]   # trailing comment\n"
				   "\timage\t=\t\"a.elf\"   \n"
				   "kind=pvh#no space before the comment\n"
				   "memory = 16M \t \n"
				   "cmdline = \"  keep # these \"  # but not this\n";
	const struct vm_config *vm = &cfg.vms[0];

	CHECK_EQ(parse(text), 0);
	CHECK_EQ(cfg.vm_count, 1);
	CHECK(!strcmp(vm->name, "a"));
	CHECK(!strcmp(vm->image, "a.elf"));
	CHECK_EQ(vm->kind, IMAGE_PVH);
	CHECK(!strcmp(vm->cmdline, "  keep # these "));
	CHECK_EQ(vm->line, 2);
	CHECK_EQ(parse(VM("a") "cmdline = \"\"\n"), 0);
	CHECK_EQ(cfg.vms[0].cmdline[0], 0);
	CHECK_EQ(parse(VM("a") "cmdline = console=ttyS0,115200\n"), 0);
	CHECK(!strcmp(cfg.vms[0].cmdline, "console=ttyS0,115200"));
	/* No final newline. */
	CHECK_EQ(parse("[vm a]\nimage = a.elf\nkind = pvh\nmemory = 16M"), 0);
	CHECK_EQ(cfg.vms[0].memory, MiB(16));
}

UTEST(config_quote_errors)
{
	EXPECT_ERROR(VM("a") "cmdline = \"console=ttyS0\n", 5, "", "unterminated quote");
	EXPECT_ERROR(VM("a") "cmdline = \"a\" b\n", 5, "cmdline",
		     "unexpected text after the closing quote");
	EXPECT_ERROR(VM("a") "cmdline = console=ttyS0 quiet\n", 5, "cmdline",
		     "value contains a space (put it in double quotes)");
	EXPECT_ERROR(VM("a") "cmdline = a\"b\"\n", 5, "cmdline", "stray '\"'");
	EXPECT_ERROR(VM("a") "cmdline = \"a\tb\"\n", 5, "cmdline", "tab inside a value");
	EXPECT_ERROR(VM("a") "cmdline =\n", 5, "cmdline", "missing value after '='");
	EXPECT_ERROR(VM("a") "cmdline = # nothing\n", 5, "cmdline", "missing value");
	EXPECT_ERROR(VM("a") "cmdline = \xc3\xa9\n", 5, "",
		     "non-ASCII byte 0xc3 outside a comment");
}

struct size_case {
	const char *text;
	u64 bytes;	 /* expected result when sub is NULL */
	const char *sub; /* expected error text */
};

static const struct size_case size_cases[] = {
	{"1M", MiB(1), NULL},
	{"1024K", MiB(1), NULL},
	{"1048576", MiB(1), NULL},
	{"64G", GiB(64), NULL},
	{"1g", GiB(1), NULL},
	{"2m", MiB(2), NULL},
	{"1028k", KiB(1028), NULL},
	{"000064M", MiB(64), NULL},
	{"0", 0, "is too small (at least 1M)"},
	{"0M", 0, "is too small"},
	{"1020K", 0, "is too small"},
	{"65G", 0, "is too large (at most 64G)"},
	{"65537M", 0, "is too large"},
	{"99999999999G", 0, "is too large"},
	{"18446744073709551615", 0, "is too large"},
	{"18446744073709551616", 0, "is too large"},
	{"99999999999999999999999999999999", 0, "is too large"},
	{"17179869184G", 0, "is too large"},
	{"1025K", 0, "is not a multiple of 4K"},
	{"1048577", 0, "is not a multiple of 4K"},
	{"64Q", 0, "invalid size \"64Q\" (expected a number with K, M or G)"},
	{"M", 0, "invalid size"},
	{"-1M", 0, "invalid size"},
	{"1.5G", 0, "invalid size"},
	{"0x100000", 0, "invalid size"},
	{"64MB", 0, "invalid size"},
	{"64MM", 0, "invalid size"},
	{"yes", 0, "invalid size"},
	{"99999999999999999999999~7", 0, "invalid size"},
	{"99999999999999999999999MM", 0, "invalid size"},
};

UTEST(config_sizes)
{
	char text[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(size_cases); i++) {
		const struct size_case *c = &size_cases[i];

		snprintf(text, sizeof(text), "[vm a]\nimage = a.elf\nkind = pvh\nmemory = %s\n",
			 c->text);
		if (!c->sub) {
			CHECK_EQ(parse(text), 0);
			CHECK_EQ(cfg.vms[0].memory, c->bytes);
			if (cfg.vms[0].memory != c->bytes)
				printf("    size case \"%s\"\n", c->text);
		} else {
			EXPECT_ERROR(text, 4, "memory", c->sub);
		}
		/* quota goes through the same checks */
		snprintf(text, sizeof(text), VM("a") "quota = %s\n", c->text);
		if (c->sub)
			EXPECT_ERROR(text, 5, "quota", c->sub);
		else
			CHECK_EQ(parse(text), 0);
	}
}

UTEST(config_size_exact_message)
{
	CHECK_EQ(parse(VM("a") "memory = 64Q\n"), -EINVAL);
	CHECK_EQ(parse("[vm a]\nimage = a.elf\nkind = pvh\nmemory = 64Q\n"), -EINVAL);
	CHECK_EQ(err.line, 4);
	CHECK(!strcmp(err.field, "memory"));
	CHECK(!strcmp(err.msg, "invalid size \"64Q\" (expected a number with K, M or G)"));
}

struct vcpu_case {
	const char *text;
	u32 min, max; /* 0 for an error */
	const char *sub;
};

static const struct vcpu_case vcpu_cases[] = {
	{"1", 1, 1, NULL},
	{"2", 2, 2, NULL},
	{"1..4", 1, 4, NULL},
	{"4..4", 4, 4, NULL},
	{"64", 64, 64, NULL},
	{"1..64", 1, 64, NULL},
	{"0", 0, 0, "out of range (need 1 <= MIN <= MAX <= 64)"},
	{"0..2", 0, 0, "out of range"},
	{"3..2", 0, 0, "out of range"},
	{"1..65", 0, 0, "out of range"},
	{"65", 0, 0, "out of range"},
	{"4294967297", 0, 0, "out of range"},
	{"99999999999999999999999", 0, 0, "out of range"},
	{"99999999999999999999999x", 0, 0, "invalid vcpus"},
	{"1..99999999999999999999999/", 0, 0, "invalid vcpus"},
	{"..2", 0, 0, "invalid vcpus \"..2\" (expected N or MIN..MAX)"},
	{"2..", 0, 0, "invalid vcpus"},
	{"1...2", 0, 0, "invalid vcpus"},
	{"1..2..3", 0, 0, "invalid vcpus"},
	{"1-4", 0, 0, "invalid vcpus"},
	{"two", 0, 0, "invalid vcpus"},
	{"..", 0, 0, "invalid vcpus"},
	{".", 0, 0, "invalid vcpus"},
};

UTEST(config_vcpus)
{
	char text[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vcpu_cases); i++) {
		const struct vcpu_case *c = &vcpu_cases[i];

		snprintf(text, sizeof(text), VM("a") "vcpus = %s\n", c->text);
		if (c->sub) {
			EXPECT_ERROR(text, 5, "vcpus", c->sub);
			continue;
		}
		CHECK_EQ(parse(text), 0);
		CHECK_EQ(cfg.vms[0].vcpus_min, c->min);
		CHECK_EQ(cfg.vms[0].vcpus_max, c->max);
	}
}

UTEST(config_enum_values)
{
	CHECK_EQ(parse(VM("a") "autostart = yes\nprivileged = no\npaging = 2m\n"), 0);
	CHECK(cfg.vms[0].autostart);
	CHECK(!cfg.vms[0].privileged);
	CHECK_EQ(cfg.vms[0].paging, PAGING_2M);
	EXPECT_ERROR(VM("a") "autostart = true\n", 5, "autostart",
		     "invalid value \"true\" (expected yes or no)");
	EXPECT_ERROR(VM("a") "privileged = 1\n", 5, "privileged", "expected yes or no");
	EXPECT_ERROR(VM("a") "paging = 1g\n", 5, "paging", "expected 2m or 4k");
	CHECK_EQ(cfg.vms[0].unassigned, UNASSIGNED_IGNORE); /* zeroed after an error */
}

UTEST(config_unassigned)
{
	CHECK_EQ(parse(VM("a") VM("b") "unassigned = stop\n" VM("c") "unassigned = ignore\n"), 0);
	CHECK_EQ(cfg.vms[0].unassigned, UNASSIGNED_IGNORE); /* the default */
	CHECK_EQ(cfg.vms[1].unassigned, UNASSIGNED_STOP);
	CHECK_EQ(cfg.vms[2].unassigned, UNASSIGNED_IGNORE);
	CHECK_EQ(parse(VM("a") "unassigned = \"stop\"  # containment\n"), 0);
	CHECK_EQ(cfg.vms[0].unassigned, UNASSIGNED_STOP);
	EXPECT_ERROR(VM("a") "unassigned = halt\n", 5, "unassigned",
		     "invalid value \"halt\" (expected ignore or stop)");
	EXPECT_ERROR(VM("a") "unassigned = Stop\n", 5, "unassigned", "expected ignore or stop");
	EXPECT_ERROR(VM("a") "unassigned = \"\"\n", 5, "unassigned", "expected ignore or stop");
	EXPECT_ERROR(VM("a") "unassigned = stop\nunassigned = stop\n", 6, "unassigned",
		     "duplicate key");
	EXPECT_ERROR("[sprout]\nunassigned = stop\n", 2, "unassigned", "unknown key");
	EXPECT_ERROR("[vm a]\nimage = a.elf\nkind = elf\n", 3, "kind",
		     "invalid value \"elf\" (expected pvh, multiboot or bzimage)");
}

UTEST(config_paths)
{
	char text[512], name[80];

	CHECK_EQ(parse(VM("a") "initrd = boot/initrd-6.1+x_y.cpio.gz\n"), 0);
	CHECK(!strcmp(cfg.vms[0].initrd, "boot/initrd-6.1+x_y.cpio.gz"));
	EXPECT_ERROR("[vm a]\nimage = /hello.elf\n", 2, "image", "must not start with '/'");
	EXPECT_ERROR("[vm a]\nimage = \"\"\n", 2, "image", "image must not be empty");
	EXPECT_ERROR("[vm a]\nimage = \"a b.elf\"\n", 2, "image", "has a bad character");
	EXPECT_ERROR("[vm a]\nimage = a:b\n", 2, "image", "has a bad character");
	EXPECT_ERROR(VM("a") "initrd = x\\y\n", 5, "initrd", "has a bad character");
	memset(name, 'x', 63);
	name[63] = '\0';
	snprintf(text, sizeof(text), "[vm a]\nimage = %s\nkind = pvh\nmemory = 1M\n", name);
	CHECK_EQ(parse(text), 0);
	CHECK_EQ(strlen(cfg.vms[0].image), 63);
	snprintf(text, sizeof(text), "[vm a]\nimage = %sy\nkind = pvh\nmemory = 1M\n", name);
	EXPECT_ERROR(text, 2, "image", "is too long (64 chars, at most 63)");
}

UTEST(config_cmdline_length)
{
	char text[600], arg[300];

	memset(arg, 'c', 255);
	arg[255] = '\0';
	snprintf(text, sizeof(text), VM("a") "cmdline = \"%s\"\n", arg);
	CHECK_EQ(parse(text), 0);
	CHECK_EQ(strlen(cfg.vms[0].cmdline), 255);
	snprintf(text, sizeof(text), VM("a") "cmdline = \"%sc\"\n", arg);
	EXPECT_ERROR(text, 5, "cmdline", "cmdline is too long (256 chars, at most 255)");
}

UTEST(config_vm_names)
{
	char text[256], name[40];

	CHECK_EQ(parse(VM("Az09_-") VM("b")), 0);
	CHECK(!strcmp(cfg.vms[0].name, "Az09_-"));
	memset(name, 'n', 31);
	name[31] = '\0';
	snprintf(text, sizeof(text), VM("%s"), name);
	CHECK_EQ(parse(text), 0);
	CHECK_EQ(strlen(cfg.vms[0].name), 31);
	snprintf(text, sizeof(text), VM("%sn"), name);
	EXPECT_ERROR(text, 1, "vm", "is too long (32 chars, at most 31)");
	EXPECT_ERROR("[vm]\n", 1, "vm", "[vm] needs a name");
	EXPECT_ERROR("[vm a.b]\n", 1, "vm", "VM name \"a.b\" has a bad character");
	EXPECT_ERROR("[vm a b]\n", 1, "vm", "bad character");
	EXPECT_ERROR(VM("a") "\n" VM("b") VM("a"), 10, "vm",
		     "duplicate VM name \"a\" (first on line 1)");
	/* Names are case-sensitive. */
	CHECK_EQ(parse(VM("a") VM("A")), 0);
	CHECK_EQ(cfg.vm_count, 2);
}

UTEST(config_vm_count_limit)
{
	static char text[CONFIG_MAX_VMS * 64 + 64];
	char want[64];
	size_t n = 0;
	int i;

	for (i = 0; i < CONFIG_MAX_VMS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, VM("vm%d"), i);
	CHECK_EQ(parse(text), 0);
	CHECK_EQ(cfg.vm_count, CONFIG_MAX_VMS);
	CHECK(!strcmp(cfg.vms[15].name, "vm15"));
	CHECK_EQ(cfg.vms[15].line, 61);
	CHECK_EQ(cfg.vms[CONFIG_MAX_VMS - 1].line, (CONFIG_MAX_VMS - 1) * 4 + 1);
	snprintf(text + n, sizeof(text) - n, VM("vm%d"), CONFIG_MAX_VMS);
	snprintf(want, sizeof(want), "too many VMs (at most %d)", CONFIG_MAX_VMS);
	EXPECT_ERROR(text, CONFIG_MAX_VMS * 4 + 1, "vm", want);
}

UTEST(config_sections)
{
	EXPECT_ERROR("# hi\n[vms a]\n", 2, "section",
		     "unknown section [vms a] (expected [sprout] or [vm NAME])");
	EXPECT_ERROR("[Sprout]\n", 1, "section", "unknown section");
	EXPECT_ERROR("[]\n", 1, "section", "unknown section");
	EXPECT_ERROR("[vm a\n", 1, "section", "must end with ']'");
	EXPECT_ERROR("[\n", 1, "section", "must end with ']'");
	EXPECT_ERROR("[vm a] x\n", 1, "section", "must end with ']'");
	EXPECT_ERROR("[sprout x]\n", 1, "section", "[sprout] takes no name");
	EXPECT_ERROR("[sprout]\n[sprout]\n", 2, "section",
		     "duplicate [sprout] section (first on line 1)");
	EXPECT_ERROR(VM("a") "[sprout]\n", 5, "section",
		     "[sprout] must come before the first [vm] section");
	EXPECT_ERROR("\nlog = info\n[sprout]\n", 2, "log", "\"log\" is outside any section");
	EXPECT_ERROR("image = a.elf\n", 1, "image", "outside any section");
}

UTEST(config_keys)
{
	EXPECT_ERROR(VM("a") "colour = blue\n", 5, "colour",
		     "unknown key \"colour\" in a [vm] section");
	EXPECT_ERROR("[sprout]\nmemory = 1M\n", 2, "memory",
		     "unknown key \"memory\" in a [sprout] section");
	EXPECT_ERROR("[vm a]\nlog = info\n", 2, "log", "in a [vm] section");
	EXPECT_ERROR("[vm a]\nImage = a.elf\n", 2, "Image", "unknown key");
	EXPECT_ERROR("[vm a]\nmy-key = 1\n", 2, "my-key", "unknown key");
	EXPECT_ERROR("[vm a]\nimage = a.elf\nkind = pvh\nimage = b.elf\n", 4, "image",
		     "duplicate key \"image\" (first set on line 2)");
	EXPECT_ERROR("[sprout]\nlog = info\nlog = info\n", 3, "log", "duplicate key");
	/* The same key in two different VMs is fine. */
	CHECK_EQ(parse(VM("a") "quota = 2M\n" VM("b") "quota = 2M\n"), 0);
	EXPECT_ERROR("[vm a]\nmemory 64M\n", 2, "memory", "expected '=' after \"memory\"");
	EXPECT_ERROR("[vm a]\n= 64M\n", 2, "", "expected \"key = value\" or a [section] header");
	EXPECT_ERROR("[vm a]\n\"image\" = a\n", 2, "", "expected \"key = value\"");
}

UTEST(config_required_keys)
{
	EXPECT_ERROR("[vm a]\nkind = pvh\nmemory = 1M\n", 1, "image",
		     "[vm a] has no \"image\" key (it is required)");
	EXPECT_ERROR("\n[vm a]\nimage = a.elf\nmemory = 1M\n", 2, "kind", "[vm a] has no \"kind\"");
	/* Reported when the next section starts, still at the VM's own header. */
	EXPECT_ERROR(VM("a") "[vm b]\nimage = a.elf\nkind = pvh\n[vm c]\n", 5, "memory",
		     "[vm b] has no \"memory\"");
	EXPECT_ERROR("[vm lonely]\n", 1, "image", "[vm lonely] has no \"image\"");
}

UTEST(config_privileged)
{
	CHECK_EQ(parse(VM("a") VM("b") "privileged = yes\n" VM("c")), 0);
	CHECK(!cfg.vms[0].privileged);
	CHECK(cfg.vms[1].privileged);
	CHECK(!cfg.vms[2].privileged);
	EXPECT_ERROR(VM("a") "privileged = yes\n" VM("b") "privileged = yes\n", 10, "privileged",
		     "VM \"b\" cannot be privileged: \"a\" (line 1) already is");
	CHECK_EQ(parse(VM("a") "privileged = no\n" VM("b") "privileged = yes\n"), 0);
}

UTEST(config_test_vm)
{
	CHECK_EQ(parse("[sprout]\ntest_vm = b\n" VM("a") VM("b")), 0);
	CHECK(!strcmp(cfg.test_vm[0], "b"));
	CHECK_EQ(cfg.test_vm_count, 1);

	/* A list: every one must stop before the machine ends. */
	CHECK_EQ(parse("[sprout]\ntest_vm = \"b, a,c\"\n" VM("a") VM("b") VM("c")), 0);
	CHECK_EQ(cfg.test_vm_count, 3);
	CHECK(!strcmp(cfg.test_vm[0], "b"));
	CHECK(!strcmp(cfg.test_vm[1], "a"));
	CHECK(!strcmp(cfg.test_vm[2], "c"));
	CHECK_EQ(parse("[sprout]\ntest_vm = \"a , b\"\n" VM("a") VM("b")), 0);
	CHECK_EQ(cfg.test_vm_count, 2);
	CHECK(!strcmp(cfg.test_vm[1], "b"));
	EXPECT_ERROR("[sprout]\ntest_vm = a,b,a\n" VM("a") VM("b"), 2, "test_vm",
		     "test_vm lists \"a\" twice");
	EXPECT_ERROR("[sprout]\ntest_vm = a,,b\n" VM("a") VM("b"), 2, "test_vm",
		     "VM name is empty");
	EXPECT_ERROR("[sprout]\ntest_vm = a,\n" VM("a"), 2, "test_vm", "VM name is empty");
	EXPECT_ERROR("[sprout]\ntest_vm = a,b,c,d,e,f,g,h,i\n", 2, "test_vm",
		     "test_vm lists more than 8 VMs");
	EXPECT_ERROR("[sprout]\ntest_vm = \"a, c\"\n" VM("a") VM("b"), 2, "test_vm",
		     "test_vm \"c\" names no [vm] section");
	EXPECT_ERROR("[sprout]\n\ntest_vm = c\n" VM("a") VM("b"), 3, "test_vm",
		     "test_vm \"c\" names no [vm] section");
	EXPECT_ERROR("[sprout]\ntest_vm = a.b\n", 2, "test_vm", "bad character");
	EXPECT_ERROR("[sprout]\ntest_vm = \"\"\n", 2, "test_vm", "VM name is empty");
}

UTEST(config_long_lines)
{
	char text[1200];
	size_t n;

	/* 511 characters are fine, also with CRLF... */
	n = (size_t)snprintf(text, sizeof(text), "[vm a]\n#");
	memset(text + n, '-', 510);
	n += 510;
	memcpy(text + n, "\r\n", 3);
	CHECK_EQ(parse(text), -EINVAL);
	CHECK(err_is(1, "image", "has no"));
	/* ...512 are not, even in a comment. */
	memcpy(text + n, "-\r\n", 4);
	EXPECT_ERROR(text, 2, "", "line too long (512 chars, at most 511)");
	memset(text, 'x', 1100);
	text[1100] = '\0';
	EXPECT_ERROR(text, 1, "", "line too long (1100 chars");
}

UTEST(config_binary_garbage)
{
	static const char nul[] = "[vm a]\nimage = a\0.elf\n";
	static const char elf[] = "\x7f"
				  "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
	char text[64];

	CHECK_EQ(config_parse(nul, sizeof(nul) - 1, &cfg, &err), -EINVAL);
	CHECK(err_is(2, "", "NUL byte"));
	CHECK_EQ(config_parse(elf, sizeof(elf) - 1, &cfg, &err), -EINVAL);
	CHECK(err_is(1, "", "control character 0x7f"));
	EXPECT_ERROR("# \x01 in a comment\n", 1, "", "control character 0x01");
	EXPECT_ERROR("[vm a]\n\nimage = a\rb\n", 3, "", "control character 0x0d");
	EXPECT_ERROR("[vm a]\r\r\n", 1, "", "control character 0x0d");
	EXPECT_ERROR("\x1b[31m\n", 1, "", "control character 0x1b");
	snprintf(text, sizeof(text), "[vm a]\nimage = \xff\xfe\n");
	EXPECT_ERROR(text, 2, "", "non-ASCII byte 0xff");
	EXPECT_ERROR("\xff\xfe[\x00", 1, "", "non-ASCII byte 0xff");
}

UTEST(config_whole_file_errors)
{
	size_t len = CONFIG_TEXT_MAX + 1;
	char *big = malloc(len);

	CHECK(big != NULL);
	if (!big)
		return;
	memset(big, '\n', len);
	CHECK_EQ(config_parse(big, len, &cfg, &err), -EINVAL);
	CHECK(err_is(0, "", "file too large"));
	CHECK_EQ(config_parse(big, len - 1, &cfg, &err), 0);
	free(big);
}

UTEST(config_first_error_wins_and_nothing_is_kept)
{
	EXPECT_ERROR(VM("a") VM("b") "quota = 0\nbogus = 1\n", 9, "quota", "too small");
	CHECK_EQ(cfg.vms[0].name[0], 0);
	CHECK_EQ(cfg.vms[0].memory, 0);
	CHECK_EQ(cfg.log_level, LOG_INFO);
}

UTEST(config_messages_are_printable_and_bounded)
{
	char text[600], junk[400];
	size_t i;

	memset(junk, 'Q', sizeof(junk) - 1);
	junk[sizeof(junk) - 1] = '\0';
	snprintf(text, sizeof(text), "[vm a]\nmemory = %s\n", junk);
	CHECK_EQ(parse(text), -EINVAL);
	CHECK(strstr(err.msg, "invalid size \"QQQQ"));
	CHECK(strstr(err.msg, "...\""));
	CHECK(strlen(err.msg) < sizeof(err.msg) - 1);
	for (i = 0; err.msg[i]; i++)
		CHECK(err.msg[i] >= 0x20 && err.msg[i] < 0x7f);
	snprintf(text, sizeof(text), "[vm a]\n%s = 1\n", junk);
	CHECK_EQ(parse(text), -EINVAL);
	CHECK_EQ(strlen(err.field), CONFIG_NAME_MAX - 1);
	CHECK(strstr(err.msg, "unknown key"));
}

UTEST(config_print_table)
{
	static const char text[] =
		"[sprout]\ntest_vm = \"ticker, hello\"\n"
		"[vm hello]\nimage = hello.elf\nkind = pvh\nmemory = 64M\n"
		"[vm ticker]\nimage = hello.elf\nkind = multiboot\nmemory = 1028K\n"
		"quota = 2G\nvcpus = 1..4\nprivileged = yes\nautostart = no\n"
		"paging = 4k\nunassigned = stop\ninitrd = r.cpio\ncmdline = \"a b\"\n";

	CHECK_EQ(parse(text), 0);
	log_reset();
	config_print(&cfg);
	CHECK(!strncmp(utest_log, "vm table: 2 VMs, test_vm ticker, hello\n", 39));
	CHECK(strstr(utest_log, "\n  0 hello    pvh         64M quota 64M vcpus 1..1 priv no  "
				"auto yes paging 2m image hello.elf cmdline \"\"\n"));
	CHECK(strstr(utest_log, "\n  1 ticker   multiboot 1028K quota 2048M vcpus 1..4 priv yes "
				"auto no  paging 4k unassigned stop image hello.elf initrd r.cpio "
				"cmdline \"a b\"\n"));
	if (!strstr(utest_log, "\n  1 ticker "))
		printf("    log was:\n%s", utest_log);
}

UTEST(config_print_empty_and_single)
{
	CHECK_EQ(parse("# nothing\n"), 0);
	log_reset();
	config_print(&cfg);
	CHECK(!strcmp(utest_log, "vm table: 0 VMs (nothing to run)\n"));
	CHECK_EQ(parse(VM("only")), 0);
	log_reset();
	config_print(&cfg);
	CHECK(!strncmp(utest_log, "vm table: 1 VM\n  0 only ", 24));
}

UTEST(config_kind_names)
{
	CHECK(!strcmp(config_kind_name(IMAGE_PVH), "pvh"));
	CHECK(!strcmp(config_kind_name(IMAGE_MULTIBOOT), "multiboot"));
	CHECK(!strcmp(config_kind_name(IMAGE_BZIMAGE), "bzimage"));
	CHECK(!strcmp(config_kind_name((enum image_kind)7), "?"));
}

/* The shipped configs say what the integration tests expect (paths from the repo root). */
UTEST(config_shipped_files)
{
	size_t len = 0;
	char *text = read_file("configs/minimal.cfg", &len);

	CHECK(text != NULL);
	if (!text)
		return;
	CHECK_EQ(config_parse(text, len, &cfg, &err), 0);
	CHECK_EQ(cfg.vm_count, 2);
	CHECK(!strcmp(cfg.vms[0].name, "hello") && cfg.vms[0].memory == MiB(32));
	CHECK(!strcmp(cfg.vms[1].name, "ticker") && cfg.vms[1].memory == MiB(16));
	CHECK(!strcmp(cfg.vms[1].cmdline, "ticker"));
	text = read_file("configs/bad-syntax.cfg", &len);
	CHECK(text != NULL);
	if (text) {
		CHECK_EQ(config_parse(text, len, &cfg, &err), -EINVAL);
		CHECK(err_is(7, "memory", "invalid size \"64Q\""));
	}
	text = read_file("configs/crash.cfg", &len);
	CHECK(text != NULL);
	if (text) {
		CHECK_EQ(config_parse(text, len, &cfg, &err), 0);
		CHECK_EQ(cfg.vm_count, 0);
		CHECK(!strcmp(cfg.crash_test, "pagefault"));
	}
}
