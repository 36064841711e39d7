// SPDX-License-Identifier: MIT
/* sprout.cfg parser: text to struct sprout_config, all or nothing, with line-exact errors. */
#include <stdarg.h>

#include <hv/config.h>
#include <hv/errno.h>
#include <hv/printk.h>
#include <hv/string.h>

/* The format is documented in docs/config.md: keep the two in step. */

/* Longest piece of a bad value quoted back in a message, including "..." and NUL. */
#define SHOW_MAX 44
#define MAX_KEYS 16

/* A piece of the input text; never NUL-terminated. */
struct span {
	const char *s;
	size_t n;
};

enum section { SEC_NONE, SEC_SPROUT, SEC_VM };

struct parser;

struct cfg_key {
	const char *name;
	int (*set)(struct parser *p, const char *key, struct span v);
	bool required;
};

struct parser {
	struct sprout_config *cfg;
	struct config_error *err;
	u32 line;
	enum section sec;
	const struct cfg_key *keys; /* the keys the current section accepts */
	size_t nkeys;
	u32 key_line[MAX_KEYS]; /* line each key was set on in this section, 0 if not */
	u32 sprout_line;
	u32 test_vm_line;
};

struct word {
	const char *name;
	u32 value;
};

static const struct word yes_no[] = {{"yes", 1}, {"no", 0}};
static const struct word kinds[] = {
	{"pvh", IMAGE_PVH},
	{"multiboot", IMAGE_MULTIBOOT},
	{"bzimage", IMAGE_BZIMAGE},
};
static const struct word pagings[] = {{"2m", PAGING_2M}, {"4k", PAGING_4K}};
static const struct word unassigned_words[] = {
	{"ignore", UNASSIGNED_IGNORE},
	{"stop", UNASSIGNED_STOP},
};
static const struct word consoles[] = {
	{"auto", CONFIG_CONSOLE_AUTO},
	{"serial", CONFIG_CONSOLE_SERIAL},
	{"screen", CONFIG_CONSOLE_SCREEN},
};
static const struct word levels[] = {
	{"err", LOG_ERR},
	{"warn", LOG_WARN},
	{"info", LOG_INFO},
	{"debug", LOG_DEBUG},
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_printable(char c)
{
	return (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f;
}

static bool is_name_char(char c)
{
	return is_alnum(c) || c == '_' || c == '-';
}

static bool is_path_char(char c)
{
	return is_alnum(c) || (c && strchr("._-+/", c));
}

static bool span_is(struct span v, const char *s)
{
	size_t n = strlen(s);

	return v.n == n && memcmp(v.s, s, n) == 0;
}

/* The caller has checked that v fits in dst with its terminator. */
static void span_copy(char *dst, struct span v)
{
	memcpy(dst, v.s, v.n);
	dst[v.n] = '\0';
}

static struct span span_trim(struct span v)
{
	while (v.n && is_blank(v.s[0])) {
		v.s++;
		v.n--;
	}
	while (v.n && is_blank(v.s[v.n - 1]))
		v.n--;
	return v;
}

/* Copy v into buf for quoting in a message: printable ASCII only, long values cut with "...". */
static const char *show(char *buf, size_t size, struct span v)
{
	bool cut = v.n > size - 4;
	size_t i, n = cut ? size - 4 : v.n;

	for (i = 0; i < n; i++)
		buf[i] = is_printable(v.s[i]) ? v.s[i] : '?';
	if (cut) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static int __printf(4, 5)
	error_at(struct parser *p, u32 line, const char *field, const char *fmt, ...)
{
	va_list ap;

	p->err->line = line;
	strlcpy(p->err->field, field, sizeof(p->err->field));
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

#define cfg_err(p, field, ...) error_at(p, (p)->line, field, __VA_ARGS__)

static struct vm_config *cur_vm(struct parser *p)
{
	return &p->cfg->vms[p->cfg->vm_count - 1];
}

/* ---- value parsers ---- */

static int match_word(struct parser *p, const char *key, struct span v, const struct word *w,
		      size_t n, const char *expect, u32 *out)
{
	char vb[SHOW_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		if (span_is(v, w[i].name)) {
			*out = w[i].value;
			return 0;
		}
	}
	return cfg_err(p, key, "invalid value \"%s\" (expected %s)", show(vb, sizeof(vb), v),
		       expect);
}

#define match(p, key, v, table, expect, out) \
	match_word(p, key, v, table, ARRAY_SIZE(table), expect, out)

/*
 * Parse decimal digits: -EINVAL if v is not all digits, else -ERANGE if the
 * number does not fit in a u64. Syntax goes first so "99999999999999999999x"
 * is reported as malformed, not as too large.
 */
static int parse_dec(struct span v, u64 *out)
{
	bool overflow = false;
	u64 x = 0;
	size_t i;

	if (!v.n)
		return -EINVAL;
	for (i = 0; i < v.n; i++) {
		u64 d = (u64)(v.s[i] - '0');

		if (!is_digit(v.s[i]))
			return -EINVAL;
		if (x > (UINT64_MAX - d) / 10)
			overflow = true;
		x = x * 10 + d;
	}
	*out = x;
	return overflow ? -ERANGE : 0;
}

/* A byte count with an optional K, M or G suffix (either case). */
static int parse_size(struct span v, u64 *out)
{
	unsigned int shift = 0;
	int ret;

	if (v.n) {
		switch (v.s[v.n - 1]) {
		case 'K':
		case 'k': shift = 10; break;
		case 'M':
		case 'm': shift = 20; break;
		case 'G':
		case 'g': shift = 30; break;
		}
	}
	if (shift)
		v.n--;
	ret = parse_dec(v, out);
	if (ret)
		return ret;
	if (*out > (UINT64_MAX >> shift))
		return -ERANGE;
	*out <<= shift;
	return 0;
}

static int set_size(struct parser *p, const char *key, struct span v, u64 *out)
{
	char vb[SHOW_MAX];
	u64 x = 0;
	int ret = parse_size(v, &x);

	show(vb, sizeof(vb), v);
	if (ret == -EINVAL)
		return cfg_err(p, key, "invalid size \"%s\" (expected a number with K, M or G)",
			       vb);
	if (ret == -ERANGE || x > CONFIG_MEM_MAX)
		return cfg_err(p, key, "size \"%s\" is too large (at most %lluG)", vb,
			       (unsigned long long)(CONFIG_MEM_MAX >> 30));
	if (x < CONFIG_MEM_MIN)
		return cfg_err(p, key, "size \"%s\" is too small (at least %lluM)", vb,
			       (unsigned long long)(CONFIG_MEM_MIN >> 20));
	if (!IS_ALIGNED(x, PAGE_SIZE))
		return cfg_err(p, key, "size \"%s\" is not a multiple of 4K", vb);
	*out = x;
	return 0;
}

/* A VM name, used both for [vm NAME] and for test_vm. */
static int check_name(struct parser *p, const char *field, struct span v)
{
	char vb[SHOW_MAX];
	size_t i;

	if (!v.n)
		return cfg_err(p, field, "VM name is empty");
	show(vb, sizeof(vb), v);
	if (v.n >= CONFIG_NAME_MAX)
		return cfg_err(p, field, "VM name \"%s\" is too long (%u chars, at most %d)", vb,
			       (unsigned int)v.n, CONFIG_NAME_MAX - 1);
	for (i = 0; i < v.n; i++) {
		if (!is_name_char(v.s[i]))
			return cfg_err(p, field,
				       "VM name \"%s\" has a bad character (allowed: letters, "
				       "digits, _ and -)",
				       vb);
	}
	return 0;
}

/* A file name on the boot medium: image and initrd. */
static int set_path(struct parser *p, const char *key, struct span v, char *dst)
{
	char vb[SHOW_MAX];
	size_t i;

	if (!v.n)
		return cfg_err(p, key, "%s must not be empty", key);
	show(vb, sizeof(vb), v);
	if (v.n >= CONFIG_PATH_MAX)
		return cfg_err(p, key, "file name \"%s\" is too long (%u chars, at most %d)", vb,
			       (unsigned int)v.n, CONFIG_PATH_MAX - 1);
	if (v.s[0] == '/')
		return cfg_err(p, key, "file name \"%s\" must not start with '/'", vb);
	for (i = 0; i < v.n; i++) {
		if (!is_path_char(v.s[i]))
			return cfg_err(p, key,
				       "file name \"%s\" has a bad character (allowed: letters, "
				       "digits and . _ - + /)",
				       vb);
	}
	span_copy(dst, v);
	return 0;
}

/* A vCPU count: absent upper bound means exactly that many. */
static int parse_count(struct span v, u64 *out)
{
	int ret = parse_dec(v, out);

	if (ret == -ERANGE)
		*out = UINT64_MAX; /* reported as out of range by the caller */
	return ret == -EINVAL ? ret : 0;
}

/* ---- [sprout] keys ---- */

static int set_log(struct parser *p, const char *key, struct span v)
{
	return match(p, key, v, levels, "err, warn, info or debug", &p->cfg->log_level);
}

static int set_console(struct parser *p, const char *key, struct span v)
{
	return match(p, key, v, consoles, "auto, serial or screen", &p->cfg->console);
}

static int set_zero_pool(struct parser *p, const char *key, struct span v)
{
	return match(p, key, v, yes_no, "yes or no", &p->cfg->zero_pool);
}

/* test_vm = NAME[, NAME...]: up to CONFIG_TEST_VMS names, each once. */
static int set_test_vm(struct parser *p, const char *key, struct span v)
{
	struct sprout_config *cfg = p->cfg;
	size_t pos = 0;

	cfg->test_vm_count = 0;
	for (;;) {
		size_t end = pos;
		struct span name;
		int ret;

		while (end < v.n && v.s[end] != ',')
			end++;
		name = span_trim((struct span){v.s + pos, end - pos});
		ret = check_name(p, key, name);
		if (ret)
			return ret;
		for (u32 i = 0; i < cfg->test_vm_count; i++) {
			if (span_is(name, cfg->test_vm[i]))
				return cfg_err(p, key, "test_vm lists \"%s\" twice",
					       cfg->test_vm[i]);
		}
		if (cfg->test_vm_count == CONFIG_TEST_VMS)
			return cfg_err(p, key, "test_vm lists more than %d VMs", CONFIG_TEST_VMS);
		span_copy(cfg->test_vm[cfg->test_vm_count++], name);
		if (end == v.n)
			break;
		pos = end + 1;
	}
	p->test_vm_line = p->line;
	return 0;
}

static int set_crash_test(struct parser *p, const char *key, struct span v)
{
	char vb[SHOW_MAX];

	if (!span_is(v, "pagefault") && !span_is(v, "null") && !span_is(v, "lose-timer") &&
	    !span_is(v, "stray-vmexit"))
		return cfg_err(p, key,
			       "invalid value \"%s\" (expected pagefault, null, lose-timer or "
			       "stray-vmexit)",
			       show(vb, sizeof(vb), v));
	span_copy(p->cfg->crash_test, v);
	return 0;
}

/* ---- [vm NAME] keys ---- */

static int set_image(struct parser *p, const char *key, struct span v)
{
	return set_path(p, key, v, cur_vm(p)->image);
}

static int set_initrd(struct parser *p, const char *key, struct span v)
{
	return set_path(p, key, v, cur_vm(p)->initrd);
}

static int set_kind(struct parser *p, const char *key, struct span v)
{
	u32 kind = 0;
	int ret = match(p, key, v, kinds, "pvh, multiboot or bzimage", &kind);

	cur_vm(p)->kind = (enum image_kind)kind;
	return ret;
}

static int set_memory(struct parser *p, const char *key, struct span v)
{
	return set_size(p, key, v, &cur_vm(p)->memory);
}

static int set_quota(struct parser *p, const char *key, struct span v)
{
	return set_size(p, key, v, &cur_vm(p)->quota);
}

static int set_vcpus(struct parser *p, const char *key, struct span v)
{
	struct span lo = v, hi = v;
	char vb[SHOW_MAX];
	u64 min = 0, max = 0;
	size_t i;

	for (i = 0; i + 1 < v.n; i++) {
		if (v.s[i] == '.' && v.s[i + 1] == '.') {
			lo.n = i;
			hi.s = v.s + i + 2;
			hi.n = v.n - i - 2;
			break;
		}
	}
	show(vb, sizeof(vb), v);
	if (parse_count(lo, &min) || parse_count(hi, &max))
		return cfg_err(p, key, "invalid vcpus \"%s\" (expected N or MIN..MAX)", vb);
	if (min < 1 || min > max || max > CONFIG_MAX_VCPUS)
		return cfg_err(p, key, "vcpus \"%s\" out of range (need 1 <= MIN <= MAX <= %d)", vb,
			       CONFIG_MAX_VCPUS);
	cur_vm(p)->vcpus_min = (u32)min;
	cur_vm(p)->vcpus_max = (u32)max;
	return 0;
}

static int set_privileged(struct parser *p, const char *key, struct span v)
{
	struct vm_config *vm = cur_vm(p);
	u32 yes = 0;
	u32 i;
	int ret = match(p, key, v, yes_no, "yes or no", &yes);

	if (ret || !yes)
		return ret;
	for (i = 0; i + 1 < p->cfg->vm_count; i++) {
		const struct vm_config *other = &p->cfg->vms[i];

		if (other->privileged)
			return cfg_err(
				p, key,
				"VM \"%s\" cannot be privileged: \"%s\" (line %u) already is "
				"(only one broker)",
				vm->name, other->name, other->line);
	}
	vm->privileged = true;
	return 0;
}

static int set_autostart(struct parser *p, const char *key, struct span v)
{
	u32 yes = 0;
	int ret = match(p, key, v, yes_no, "yes or no", &yes);

	cur_vm(p)->autostart = yes;
	return ret;
}

static int set_paging(struct parser *p, const char *key, struct span v)
{
	u32 paging = 0;
	int ret = match(p, key, v, pagings, "2m or 4k", &paging);

	cur_vm(p)->paging = (enum paging_policy)paging;
	return ret;
}

static int set_unassigned(struct parser *p, const char *key, struct span v)
{
	u32 policy = 0;
	int ret = match(p, key, v, unassigned_words, "ignore or stop", &policy);

	cur_vm(p)->unassigned = (enum unassigned_policy)policy;
	return ret;
}

static int set_cmdline(struct parser *p, const char *key, struct span v)
{
	if (v.n >= CONFIG_CMDLINE_MAX)
		return cfg_err(p, key, "cmdline is too long (%u chars, at most %d)",
			       (unsigned int)v.n, CONFIG_CMDLINE_MAX - 1);
	span_copy(cur_vm(p)->cmdline, v);
	return 0;
}

static const struct cfg_key sprout_keys[] = {
	{.name = "log", .set = set_log, .required = false},
	{.name = "console", .set = set_console, .required = false},
	{.name = "zero_pool", .set = set_zero_pool, .required = false},
	{.name = "test_vm", .set = set_test_vm, .required = false},
	{.name = "crash_test", .set = set_crash_test, .required = false},
};

static const struct cfg_key vm_keys[] = {
	{.name = "image", .set = set_image, .required = true},
	{.name = "kind", .set = set_kind, .required = true},
	{.name = "memory", .set = set_memory, .required = true},
	{.name = "quota", .set = set_quota, .required = false},
	{.name = "vcpus", .set = set_vcpus, .required = false},
	{.name = "privileged", .set = set_privileged, .required = false},
	{.name = "autostart", .set = set_autostart, .required = false},
	{.name = "paging", .set = set_paging, .required = false},
	{.name = "unassigned", .set = set_unassigned, .required = false},
	{.name = "initrd", .set = set_initrd, .required = false},
	{.name = "cmdline", .set = set_cmdline, .required = false},
};

_Static_assert(ARRAY_SIZE(vm_keys) <= MAX_KEYS, "raise MAX_KEYS");
_Static_assert(ARRAY_SIZE(sprout_keys) <= MAX_KEYS, "raise MAX_KEYS");

/* ---- sections ---- */

/* Check what a finished [vm] section lacks and fill in defaults that depend on other keys. */
static int close_section(struct parser *p)
{
	struct vm_config *vm;
	size_t i;

	if (p->sec != SEC_VM)
		return 0;
	vm = cur_vm(p);
	for (i = 0; i < p->nkeys; i++) {
		if (p->keys[i].required && !p->key_line[i])
			return error_at(p, vm->line, p->keys[i].name,
					"[vm %s] has no \"%s\" key (it is required)", vm->name,
					p->keys[i].name);
	}
	if (!vm->quota)
		vm->quota = vm->memory;
	return 0;
}

static void enter_section(struct parser *p, enum section sec, const struct cfg_key *keys,
			  size_t nkeys)
{
	p->sec = sec;
	p->keys = keys;
	p->nkeys = nkeys;
	memset(p->key_line, 0, sizeof(p->key_line));
}

static int open_sprout(struct parser *p, struct span name)
{
	if (name.n)
		return cfg_err(p, "section", "[sprout] takes no name");
	if (p->sprout_line)
		return cfg_err(p, "section", "duplicate [sprout] section (first on line %u)",
			       p->sprout_line);
	if (p->cfg->vm_count)
		return cfg_err(p, "section", "[sprout] must come before the first [vm] section");
	p->sprout_line = p->line;
	enter_section(p, SEC_SPROUT, sprout_keys, ARRAY_SIZE(sprout_keys));
	return 0;
}

static int open_vm(struct parser *p, struct span name)
{
	struct sprout_config *cfg = p->cfg;
	struct vm_config *vm;
	u32 i;
	int ret;

	if (!name.n)
		return cfg_err(p, "vm", "[vm] needs a name: [vm NAME]");
	ret = check_name(p, "vm", name);
	if (ret)
		return ret;
	for (i = 0; i < cfg->vm_count; i++) {
		if (span_is(name, cfg->vms[i].name))
			return cfg_err(p, "vm", "duplicate VM name \"%s\" (first on line %u)",
				       cfg->vms[i].name, cfg->vms[i].line);
	}
	if (cfg->vm_count == CONFIG_MAX_VMS)
		return cfg_err(p, "vm", "too many VMs (at most %d)", CONFIG_MAX_VMS);
	vm = &cfg->vms[cfg->vm_count++];
	memset(vm, 0, sizeof(*vm));
	span_copy(vm->name, name);
	vm->vcpus_min = 1;
	vm->vcpus_max = 1;
	vm->autostart = true;
	vm->paging = PAGING_2M;
	vm->unassigned = UNASSIGNED_IGNORE;
	vm->line = p->line;
	enter_section(p, SEC_VM, vm_keys, ARRAY_SIZE(vm_keys));
	return 0;
}

/* c is a trimmed line starting with '['. */
static int parse_header(struct parser *p, struct span c)
{
	struct span inner, type, name;
	char vb[SHOW_MAX];
	int ret;

	if (c.n < 2 || c.s[c.n - 1] != ']')
		return cfg_err(p, "section", "section header must end with ']'");
	inner = span_trim((struct span){c.s + 1, c.n - 2});
	type = inner;
	type.n = 0;
	while (type.n < inner.n && !is_blank(inner.s[type.n]))
		type.n++;
	name = span_trim((struct span){inner.s + type.n, inner.n - type.n});
	ret = close_section(p);
	if (ret)
		return ret;
	if (span_is(type, "sprout"))
		return open_sprout(p, name);
	if (span_is(type, "vm"))
		return open_vm(p, name);
	return cfg_err(p, "section", "unknown section [%s] (expected [sprout] or [vm NAME])",
		       show(vb, sizeof(vb), inner));
}

/* ---- key = value lines ---- */

static size_t span_find(struct span v, size_t from, char c)
{
	while (from < v.n && v.s[from] != c)
		from++;
	return from;
}

/* Take the quotes off a quoted value; check that a bare one is a single word. */
static int unquote(struct parser *p, const char *key, struct span *v)
{
	bool quoted = v->n && v->s[0] == '"';

	if (!v->n)
		return cfg_err(p, key, "missing value after '='");
	if (quoted) {
		if (span_find(*v, 1, '"') != v->n - 1)
			return cfg_err(p, key, "unexpected text after the closing quote");
		v->s++;
		v->n -= 2;
	}
	if (span_find(*v, 0, '\t') != v->n)
		return cfg_err(p, key, "tab inside a value (use spaces)");
	if (quoted)
		return 0;
	if (span_find(*v, 0, ' ') != v->n)
		return cfg_err(p, key, "value contains a space (put it in double quotes)");
	if (span_find(*v, 0, '"') != v->n)
		return cfg_err(p, key, "stray '\"' inside a value");
	return 0;
}

static int set_key(struct parser *p, struct span key, struct span v)
{
	char kb[CONFIG_NAME_MAX];
	size_t i;
	int ret;

	show(kb, sizeof(kb), key);
	if (p->sec == SEC_NONE)
		return cfg_err(p, kb,
			       "\"%s\" is outside any section (put it under [sprout] or "
			       "[vm NAME])",
			       kb);
	for (i = 0; i < p->nkeys; i++) {
		if (!span_is(key, p->keys[i].name))
			continue;
		if (p->key_line[i])
			return cfg_err(p, kb, "duplicate key \"%s\" (first set on line %u)", kb,
				       p->key_line[i]);
		p->key_line[i] = p->line;
		ret = unquote(p, kb, &v);
		return ret ? ret : p->keys[i].set(p, p->keys[i].name, v);
	}
	return cfg_err(p, kb, "unknown key \"%s\" in a [%s] section", kb,
		       p->sec == SEC_VM ? "vm" : "sprout");
}

/* c is a trimmed, non-empty line that is not a section header. */
static int parse_assignment(struct parser *p, struct span c)
{
	struct span key = {c.s, 0}, v;
	char kb[CONFIG_NAME_MAX];
	size_t i;

	while (key.n < c.n && is_name_char(c.s[key.n]))
		key.n++;
	if (!key.n)
		return cfg_err(p, "", "expected \"key = value\" or a [section] header");
	i = key.n;
	while (i < c.n && is_blank(c.s[i]))
		i++;
	if (i == c.n || c.s[i] != '=')
		return cfg_err(p, show(kb, sizeof(kb), key), "expected '=' after \"%s\"", kb);
	v.s = c.s + i + 1;
	v.n = c.n - i - 1;
	return set_key(p, key, span_trim(v));
}

/* ---- lines ---- */

/*
 * Cut the comment off a line and trim it. Outside comments only printable
 * ASCII and tabs may appear, so every message can quote the text safely;
 * comments may hold anything but control characters (UTF-8 included).
 */
static int strip_comment(struct parser *p, struct span line, struct span *out)
{
	bool quoted = false;
	size_t i;

	for (i = 0; i < line.n; i++) {
		char c = line.s[i];

		if (c == '"')
			quoted = !quoted;
		else if (c == '#' && !quoted)
			break;
		else if (!is_printable(c) && c != '\t')
			return cfg_err(p, "", "non-ASCII byte 0x%02x outside a comment",
				       (unsigned int)(unsigned char)c);
	}
	if (quoted)
		return cfg_err(p, "", "unterminated quote");
	line.n = i;
	*out = span_trim(line);
	return 0;
}

static int parse_line(struct parser *p, struct span line)
{
	struct span c = {NULL, 0};
	int ret = strip_comment(p, line, &c);

	if (ret || !c.n)
		return ret;
	if (c.s[0] == '[')
		return parse_header(p, c);
	return parse_assignment(p, c);
}

static int bad_byte(struct parser *p, unsigned char c)
{
	if (!c)
		return cfg_err(p, "", "NUL byte (is this a text file?)");
	return cfg_err(p, "", "control character 0x%02x (is this a text file?)", (unsigned int)c);
}

/*
 * Cut the next line out of text at *pos and move *pos past its end. A CR is
 * accepted only as part of a CRLF ending (or as the last byte of the file).
 */
static int next_line(struct parser *p, const char *text, size_t len, size_t *pos, struct span *line)
{
	size_t start = *pos, i, end;

	for (i = start; i < len && text[i] != '\n'; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\r' && (i + 1 == len || text[i + 1] == '\n'))
			continue;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return bad_byte(p, c);
	}
	end = i;
	if (end > start && text[end - 1] == '\r')
		end--;
	*pos = i < len ? i + 1 : i;
	if (end - start > CONFIG_LINE_MAX)
		return cfg_err(p, "", "line too long (%lu chars, at most %d)",
			       (unsigned long)(end - start), CONFIG_LINE_MAX);
	line->s = text + start;
	line->n = end - start;
	return 0;
}

static int check_test_vm(struct parser *p)
{
	const struct sprout_config *cfg = p->cfg;
	u32 i;

	for (u32 t = 0; t < cfg->test_vm_count; t++) {
		for (i = 0; i < cfg->vm_count; i++) {
			if (!strcmp(cfg->test_vm[t], cfg->vms[i].name))
				break;
		}
		if (i == cfg->vm_count)
			return error_at(p, p->test_vm_line, "test_vm",
					"test_vm \"%s\" names no [vm] section", cfg->test_vm[t]);
	}
	return 0;
}

static int parse_text(struct parser *p, const char *text, size_t len)
{
	struct span line = {NULL, 0};
	size_t pos = 0;
	int ret;

	if (len > CONFIG_TEXT_MAX)
		return error_at(p, 0, "", "file too large (%lu bytes, at most %lu)",
				(unsigned long)len, (unsigned long)CONFIG_TEXT_MAX);
	/* Editors on Windows may start the file with a UTF-8 byte order mark. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		p->line++;
		ret = next_line(p, text, len, &pos, &line);
		if (!ret)
			ret = parse_line(p, line);
		if (ret)
			return ret;
	}
	ret = close_section(p);
	return ret ? ret : check_test_vm(p);
}

int config_parse(const char *text, size_t len, struct sprout_config *cfg, struct config_error *err)
{
	struct parser p;
	int ret;

	memset(&p, 0, sizeof(p));
	memset(err, 0, sizeof(*err));
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = LOG_INFO;
	cfg->zero_pool = 1;
	p.cfg = cfg;
	p.err = err;
	ret = parse_text(&p, text, len);
	if (ret) {
		/* Leave nothing half-parsed behind for a caller that ignores ret. */
		memset(cfg, 0, sizeof(*cfg));
		cfg->log_level = LOG_INFO;
		cfg->zero_pool = 1;
	}
	return ret;
}

/* ---- printing ---- */

const char *config_kind_name(enum image_kind kind)
{
	switch (kind) {
	case IMAGE_PVH: return "pvh";
	case IMAGE_MULTIBOOT: return "multiboot";
	case IMAGE_BZIMAGE: return "bzimage";
	}
	return "?";
}

/* Whole MiB where possible, else KiB: sizes are 4K multiples, so this is exact. */
static void format_size(char *buf, size_t size, u64 bytes)
{
	if (IS_ALIGNED(bytes, MiB(1)))
		snprintf(buf, size, "%lluM", (unsigned long long)(bytes >> 20));
	else
		snprintf(buf, size, "%lluK", (unsigned long long)(bytes >> 10));
}

static void print_vm(u32 id, const struct vm_config *vm)
{
	char mem[24], quota[24];

	format_size(mem, sizeof(mem), vm->memory);
	format_size(quota, sizeof(quota), vm->quota);
	pr_info("  %u %-8s %-9s %5s quota %s vcpus %u..%u priv %-3s auto %-3s paging %s%s "
		"image %s%s%s cmdline \"%s\"\n",
		id, vm->name, config_kind_name(vm->kind), mem, quota, vm->vcpus_min, vm->vcpus_max,
		vm->privileged ? "yes" : "no", vm->autostart ? "yes" : "no",
		vm->paging == PAGING_4K ? "4k" : "2m",
		vm->unassigned == UNASSIGNED_STOP ? " unassigned stop" : "", vm->image,
		vm->initrd[0] ? " initrd " : "", vm->initrd, vm->cmdline);
}

void config_print(const struct sprout_config *cfg)
{
	char tests[CONFIG_TEST_VMS * (CONFIG_NAME_MAX + 2)] = "";
	size_t len;
	u32 i;

	if (!cfg->vm_count) {
		pr_info("vm table: 0 VMs (nothing to run)\n");
		return;
	}
	for (i = 0, len = 0; i < cfg->test_vm_count; i++)
		len += (size_t)snprintf(tests + len, sizeof(tests) - len, "%s%s", i ? ", " : "",
					cfg->test_vm[i]); /* fits: sized for all of them */
	pr_info("vm table: %u VM%s%s%s\n", cfg->vm_count, cfg->vm_count == 1 ? "" : "s",
		cfg->test_vm_count ? ", test_vm " : "", tests);
	for (i = 0; i < cfg->vm_count; i++)
		print_vm(i, &cfg->vms[i]);
}
