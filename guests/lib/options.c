/* SPDX-License-Identifier: MIT */
/* Command-line options of the form key=value for the workload guests. */
#include "util.h"

/* The value of key=value as a pointer into the command line and a length; NULL if absent. */
static const char *opt_find(const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = guest_cmdline;

	while (*p) {
		size_t n = 0;

		while (*p == ' ')
			p++;
		while (p[n] && p[n] != ' ')
			n++;
		if (n > klen && p[klen] == '=' && !strncmp(p, key, klen)) {
			*len = n - klen - 1;
			return p + klen + 1;
		}
		p += n;
	}
	return NULL;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 16;
}

/* Parse s[0..len) as a decimal or 0x-prefixed hex number; false on junk or overflow. */
static bool parse_u64(const char *s, size_t len, u64 *val)
{
	unsigned int base = 10;
	u64 v = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		len -= 2;
	}
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = digit_value(s[i]);

		if (d >= (int)base || v > (~0ull - (u64)d) / base)
			return false;
		v = v * base + (u64)d;
	}
	*val = v;
	return true;
}

enum opt_result opt_u64(const char *key, u64 *val)
{
	size_t len;
	const char *s = opt_find(key, &len);

	if (!s)
		return OPT_ABSENT;
	return parse_u64(s, len, val) ? OPT_SET : OPT_BAD;
}

static unsigned int size_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K': return 10;
	case 'm':
	case 'M': return 20;
	case 'g':
	case 'G': return 30;
	default: return 0;
	}
}

enum opt_result opt_size(const char *key, u64 *val)
{
	size_t len;
	const char *s = opt_find(key, &len);
	unsigned int shift = 0;
	u64 v;

	if (!s)
		return OPT_ABSENT;
	if (len > 1)
		shift = size_shift(s[len - 1]);
	if (!parse_u64(s, shift ? len - 1 : len, &v) || v > (~0ull >> shift))
		return OPT_BAD;
	*val = v << shift;
	return OPT_SET;
}

enum opt_result opt_bool(const char *key, bool *val)
{
	static const char *const words[] = {"0", "no", "off", "1", "yes", "on"};
	size_t len;
	const char *s = opt_find(key, &len);

	if (!s)
		return OPT_ABSENT;
	for (unsigned int i = 0; i < ARRAY_SIZE(words); i++) {
		if (strlen(words[i]) == len && !strncmp(s, words[i], len)) {
			*val = i >= ARRAY_SIZE(words) / 2;
			return OPT_SET;
		}
	}
	return OPT_BAD;
}

enum opt_result opt_str(const char *key, char *buf, size_t size)
{
	size_t len;
	const char *s = opt_find(key, &len);

	if (!s || !size)
		return OPT_ABSENT;
	len = MIN(len, size - 1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return OPT_SET;
}
