/* SPDX-License-Identifier: MIT */
/* Broker command-line text: line editor, command parser, options, number formatting. */
#include "cmd.h"

#define ASCII_BS  0x08
#define ASCII_ESC 0x1b
#define ASCII_DEL 0x7f

/* Words of one command line: verb, sub-command, two arguments, one too many. */
#define CMD_MAX_WORDS 5

/* What follows the command words. */
enum cmd_args {
	ARGS_NONE,
	ARGS_VM,      /* ID */
	ARGS_NAME,    /* a config VM name */
	ARGS_VM_SIZE, /* ID SIZE */
};

struct cmd_spec {
	const char *verb;
	const char *sub; /* NULL: a one-word command */
	enum cmd_kind kind;
	enum cmd_args args;
	const char *usage;
};

static const struct cmd_spec cmd_specs[] = {
	{"help", NULL, CMD_HELP, ARGS_NONE, "usage: help"},
	{"?", NULL, CMD_HELP, ARGS_NONE, "usage: ?"},
	{"vm", "list", CMD_VM_LIST, ARGS_NONE, "usage: vm list"},
	{"vm", "info", CMD_VM_INFO, ARGS_VM, "usage: vm info ID"},
	{"vm", "start", CMD_VM_START, ARGS_VM, "usage: vm start ID"},
	{"vm", "stop", CMD_VM_STOP, ARGS_VM, "usage: vm stop ID"},
	{"vm", "pause", CMD_VM_PAUSE, ARGS_VM, "usage: vm pause ID"},
	{"vm", "resume", CMD_VM_RESUME, ARGS_VM, "usage: vm resume ID"},
	{"vm", "destroy", CMD_VM_DESTROY, ARGS_VM, "usage: vm destroy ID"},
	{"vm", "create", CMD_VM_CREATE, ARGS_NAME, "usage: vm create NAME"},
	{"mem", "quota", CMD_MEM_QUOTA, ARGS_VM_SIZE, "usage: mem quota ID SIZE"},
	{"mem", "reclaim", CMD_MEM_RECLAIM, ARGS_VM, "usage: mem reclaim ID"},
	{"vcpu", "add", CMD_VCPU_ADD, ARGS_VM, "usage: vcpu add ID"},
	{"vcpu", "park", CMD_VCPU_PARK, ARGS_VM, "usage: vcpu park ID"},
	{"log", NULL, CMD_LOG, ARGS_VM, "usage: log ID"},
	{"stats", "export", CMD_STATS_EXPORT, ARGS_NONE, "usage: stats export"},
	{"stats", NULL, CMD_STATS, ARGS_NONE, "usage: stats | stats export"},
	{"console", NULL, CMD_CONSOLE, ARGS_VM, "usage: console ID"},
	{"top", NULL, CMD_TOP, ARGS_NONE, "usage: top"},
};

/* Usage of a verb whose sub-command is missing or unknown. */
static const struct {
	const char *verb;
	const char *usage;
} verb_usage[] = {
	{"vm", "usage: vm list | vm info|start|stop|pause|resume|destroy ID | vm create NAME"},
	{"mem", "usage: mem quota ID SIZE | mem reclaim ID"},
	{"vcpu", "usage: vcpu add|park ID"},
};

/* Pure code: no libc headers, so the few string helpers live here. */
static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Copy at most outlen - 1 bytes of s[0..len), control (but tab) and non-ASCII bytes as '?'. */
static void copy_word(char *out, size_t outlen, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < outlen; i++)
		out[i] = ((s[i] < ' ' && s[i] != '\t') || s[i] >= ASCII_DEL) ? '?' : s[i];
	out[i] = '\0';
}

void le_init(struct line_editor *le)
{
	*le = (struct line_editor){0};
}

/* Skip the rest of an escape sequence (ESC [ ... final, ESC O x): arrow keys and such. */
static enum le_event le_escape(struct line_editor *le, char c)
{
	if (le->esc == 1 && (c == '[' || c == 'O'))
		le->esc = 2;
	else if (le->esc == 2 && c >= 0x20 && c < 0x40)
		; /* parameter or intermediate byte */
	else
		le->esc = 0;
	return LE_NOTHING;
}

static enum le_event le_end_line(struct line_editor *le)
{
	bool overlong = le->overlong;

	le->buf[le->len] = '\0';
	le->len = 0;
	le->overlong = false;
	return overlong ? LE_OVERLONG : LE_LINE;
}

enum le_event le_feed(struct line_editor *le, char c)
{
	bool after_cr = le->after_cr;

	le->after_cr = c == '\r';
	if (le->esc)
		return le_escape(le, c);
	if (c == '\r' || (c == '\n' && !after_cr))
		return le_end_line(le);
	if (c == ASCII_DEL || c == ASCII_BS) {
		if (!le->len || le->overlong)
			return LE_NOTHING;
		le->len--;
		return LE_ERASE;
	}
	if (c == ASCII_ESC)
		le->esc = 1;
	if (c < ' ' || c >= ASCII_DEL || le->overlong)
		return LE_NOTHING;
	if (le->len == CMD_LINE_MAX) {
		le->overlong = true;
		return LE_NOTHING;
	}
	le->buf[le->len++] = c;
	return LE_ECHO;
}

/* Split line into blank-separated words; returns how many (at most max). */
static unsigned int split_words(char *line, char **words, unsigned int max)
{
	unsigned int n = 0;

	while (*line && n < max) {
		while (is_blank(*line))
			line++;
		if (!*line)
			break;
		words[n++] = line;
		while (*line && !is_blank(*line))
			line++;
		if (*line)
			*line++ = '\0';
	}
	return n;
}

static void cmd_error(struct command *cmd, const char *error, const char *word, const char *hint)
{
	cmd->kind = CMD_ERROR;
	cmd->error = error;
	cmd->hint = hint;
	copy_word(cmd->word, sizeof(cmd->word), word ? word : "", word ? str_len(word) : 0);
}

static bool valid_name(const char *s)
{
	size_t len = str_len(s);

	if (!len || len > CMD_NAME_MAX)
		return false;
	for (; *s; s++) {
		char c = *s;

		if (!(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

/* The VM argument: an id or a name, both at most CMD_NAME_MAX characters. */
static bool take_vm(struct command *cmd, const char *word, bool config_name)
{
	if (config_name ? !valid_name(word) : str_len(word) > CMD_NAME_MAX) {
		cmd_error(cmd, "bad VM name", word, "1 to 31 of A-Z a-z 0-9 _ -");
		return false;
	}
	copy_word(cmd->vm, sizeof(cmd->vm), word, str_len(word));
	return true;
}

static void parse_args(const struct cmd_spec *spec, char **args, unsigned int nargs,
		       struct command *cmd)
{
	static const unsigned int wanted[] = {
		[ARGS_NONE] = 0, [ARGS_VM] = 1, [ARGS_NAME] = 1, [ARGS_VM_SIZE] = 2};

	if (nargs != wanted[spec->args]) {
		cmd_error(cmd, spec->usage, NULL, NULL);
		return;
	}
	cmd->kind = spec->kind;
	if (spec->args == ARGS_NONE)
		return;
	if (!take_vm(cmd, args[0], spec->args == ARGS_NAME))
		return;
	if (spec->args == ARGS_VM_SIZE && !cmd_parse_size(args[1], &cmd->size))
		cmd_error(cmd, "bad size", args[1], "a number with K, M or G, a multiple of 4K");
}

static const char *usage_of_verb(const char *verb)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(verb_usage); i++) {
		if (str_eq(verb, verb_usage[i].verb))
			return verb_usage[i].usage;
	}
	return NULL;
}

static void parse_words(char **w, unsigned int n, struct command *cmd)
{
	const char *usage;

	for (unsigned int i = 0; i < ARRAY_SIZE(cmd_specs); i++) {
		const struct cmd_spec *s = &cmd_specs[i];

		if (!str_eq(w[0], s->verb))
			continue;
		if (!s->sub) {
			parse_args(s, w + 1, n - 1, cmd);
			return;
		}
		if (n >= 2 && str_eq(w[1], s->sub)) {
			parse_args(s, w + 2, n - 2, cmd);
			return;
		}
	}
	usage = usage_of_verb(w[0]);
	if (usage)
		cmd_error(cmd, usage, NULL, NULL);
	else
		cmd_error(cmd, "unknown command", w[0], "type help");
}

void cmd_parse(const char *line, struct command *cmd)
{
	char copy[CMD_LINE_MAX + 1];
	char *words[CMD_MAX_WORDS];
	size_t len = str_len(line);
	unsigned int n;

	*cmd = (struct command){.kind = CMD_EMPTY};
	if (len > CMD_LINE_MAX) {
		cmd_error(cmd, "line too long", NULL, "at most 127 characters");
		return;
	}
	copy_word(copy, sizeof(copy), line, len);
	n = split_words(copy, words, CMD_MAX_WORDS);
	if (n)
		parse_words(words, n, cmd);
}

const char *cmd_op_name(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_VM_INFO: return "info";
	case CMD_VM_START: return "start";
	case CMD_VM_STOP: return "stop";
	case CMD_VM_PAUSE: return "pause";
	case CMD_VM_RESUME: return "resume";
	case CMD_VM_DESTROY: return "destroy";
	case CMD_VM_CREATE: return "create";
	case CMD_MEM_QUOTA: return "quota";
	case CMD_MEM_RECLAIM: return "reclaim";
	case CMD_VCPU_ADD: return "add";
	case CMD_VCPU_PARK: return "park";
	case CMD_LOG: return "log";
	case CMD_CONSOLE: return "console";
	default: return "?";
	}
}

int cmd_find_vm(const char *id_or_name, const struct broker_vm *vms, unsigned int n)
{
	u32 id;

	if (cmd_parse_u32(id_or_name, &id)) {
		for (unsigned int i = 0; i < n; i++) {
			if (vms[i].info.id == id)
				return (int)i;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		/* The hypervisor's name may lack its NUL: compare within the field only. */
		const char *name = vms[i].info.name;
		size_t j;

		for (j = 0; j < sizeof(vms[i].info.name) && name[j] && name[j] == id_or_name[j];
		     j++)
			;
		if (!id_or_name[j] && (j == sizeof(vms[i].info.name) || !name[j]))
			return (int)i;
	}
	return -1;
}

bool cmd_parse_u32(const char *s, u32 *out)
{
	u64 v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (!is_digit(*s))
			return false;
		v = v * 10 + (u64)(*s - '0');
		if (v > 0xffffffffull)
			return false;
	}
	*out = (u32)v;
	return true;
}

static unsigned int suffix_shift(const char *s)
{
	if (!s[0])
		return 0;
	if (s[1])
		return ~0u;
	switch (s[0]) {
	case 'k':
	case 'K': return 10;
	case 'm':
	case 'M': return 20;
	case 'g':
	case 'G': return 30;
	default: return ~0u;
	}
}

bool cmd_parse_size(const char *s, u64 *out)
{
	u64 v = 0;
	unsigned int shift;

	if (!is_digit(*s))
		return false;
	for (; is_digit(*s); s++) {
		if (v > (~0ull - 9) / 10)
			return false;
		v = v * 10 + (u64)(*s - '0');
	}
	shift = suffix_shift(s);
	if (shift == ~0u || v > (~0ull >> shift))
		return false;
	v <<= shift;
	if (!v || !IS_ALIGNED(v, PAGE_SIZE))
		return false;
	*out = v;
	return true;
}

/* Copy the value that starts at v; returns 1, or -1 if it does not fit. */
static int opt_value(const char *v, char *out, size_t outlen)
{
	char quote = (*v == '\'' || *v == '"') ? *v++ : '\0';
	size_t n = 0;

	while (v[n] && (quote ? v[n] != quote : !is_blank(v[n])))
		n++;
	if (n >= outlen)
		return -1;
	copy_word(out, outlen, v, n);
	return 1;
}

int cmd_opt_get(const char *cmdline, const char *key, char *out, size_t outlen)
{
	size_t klen = str_len(key);
	const char *p = cmdline;

	while (*p) {
		size_t i;

		while (is_blank(*p))
			p++;
		for (i = 0; i < klen && p[i] == key[i]; i++)
			;
		if (i == klen && p[i] == '=')
			return opt_value(p + i + 1, out, outlen);
		/* Skip this word, quoted values included. */
		while (*p && !is_blank(*p)) {
			char q = *p++;

			if (q != '\'' && q != '"')
				continue;
			while (*p && *p != q)
				p++;
			if (*p)
				p++;
		}
	}
	return 0;
}

bool cmd_next(const char **cursor, char *out, size_t outlen)
{
	const char *p = *cursor;
	size_t n = 0;

	while (*p == ';' || is_blank(*p))
		p++;
	if (!*p) {
		*cursor = p;
		return false;
	}
	while (p[n] && p[n] != ';')
		n++;
	*cursor = p + n;
	while (n && is_blank(p[n - 1]))
		n--;
	copy_word(out, outlen, p, n);
	return true;
}

/* Write v in decimal at buf; returns the end. */
static char *put_u64(char *buf, u64 v)
{
	char tmp[20];
	unsigned int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*buf++ = tmp[--n];
	return buf;
}

char *cmd_fmt_dec1(char *buf, u64 value, u64 unit, bool trim)
{
	u64 tenths;
	char *p;

	unit = unit ? unit : 1;
	tenths = (value % unit) / (unit / 10 ? unit / 10 : 1);
	p = put_u64(buf, value / unit);
	if (unit >= 10 && !(trim && value % unit == 0)) {
		*p++ = '.';
		*p++ = (char)('0' + tenths % 10);
	}
	*p = '\0';
	return buf;
}

char *cmd_fmt_size(char *buf, u64 bytes)
{
	bool whole = IS_ALIGNED(bytes, MiB(1));
	const char *unit = whole ? " MiB" : " KiB";
	char *p = put_u64(buf, whole ? bytes >> 20 : bytes >> 10);

	while (*unit)
		*p++ = *unit++;
	*p = '\0';
	return buf;
}

const char *cmd_state_name(u32 state)
{
	switch (state) {
	case SPROUT_VM_EMPTY: return "empty";
	case SPROUT_VM_CREATED: return "created";
	case SPROUT_VM_RUNNING: return "running";
	case SPROUT_VM_PAUSED: return "paused";
	case SPROUT_VM_STOPPED: return "stopped";
	default: return "?";
	}
}

const char *cmd_stop_kind_name(u32 kind)
{
	static const char *const names[] = {"none", "exit", "crash", "load error", "requested"};

	return kind < ARRAY_SIZE(names) ? names[kind] : "?";
}

/* Returned by the hypervisor (VM start/create, vCPU park) but not named in the ABI header yet. */
#define ERR_ENOEXEC 8
#define ERR_ERANGE  34

static const struct {
	long err;
	const char *name;
	const char *text;
} errors[] = {
	{SPROUT_EPERM, "-EPERM", "not permitted"},
	{SPROUT_ENOENT, "-ENOENT", "not found"},
	{SPROUT_E2BIG, "-E2BIG", "too big"},
	{ERR_ENOEXEC, "-ENOEXEC", "the image could not be loaded"},
	{SPROUT_EAGAIN, "-EAGAIN", "try again"},
	{SPROUT_ENOMEM, "-ENOMEM", "out of memory"},
	{SPROUT_EFAULT, "-EFAULT", "bad buffer address"},
	{SPROUT_EBUSY, "-EBUSY", "busy"},
	{SPROUT_EEXIST, "-EEXIST", "already exists"},
	{SPROUT_EINVAL, "-EINVAL", "invalid argument or state"},
	{SPROUT_ENOSPC, "-ENOSPC", "no room left"},
	{ERR_ERANGE, "-ERANGE", "at its limit"},
	{SPROUT_ENOSYS, "-ENOSYS", "not supported yet"},
};

const char *cmd_err_name(long err)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(errors); i++) {
		if (errors[i].err == -err)
			return errors[i].name;
	}
	return "-E?";
}

const char *cmd_err_text(long err)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(errors); i++) {
		if (errors[i].err == -err)
			return errors[i].text;
	}
	return "unknown error";
}

const char *cmd_console_refusal(long err)
{
	switch (-err) {
	case SPROUT_ENOENT: return "no such VM";
	case SPROUT_EPERM: return "the broker's console is this prompt";
	case SPROUT_EINVAL: return "the VM is not running";
	case SPROUT_EBUSY: return "the console is attached to it already";
	default: return cmd_err_text(err);
	}
}
