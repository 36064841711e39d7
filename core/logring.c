// SPDX-License-Identifier: MIT
/* The console's byte ring (include/hv/logring.h). */
#include <hv/logring.h>
#include <hv/string.h>

void logring_init(struct logring *r, char *buf, u32 size)
{
	*r = (struct logring){.buf = buf, .size = size, .last = '\n'};
}

size_t logring_put(struct logring *r, const char *s, size_t len)
{
	size_t n = (size_t)MIN((u64)len, logring_space(r)), at, first;

	if (!n)
		return 0;
	at = (size_t)(r->head & (r->size - 1));
	first = MIN(n, r->size - at);
	memcpy(r->buf + at, s, first);
	memcpy(r->buf, s + first, n - first);
	r->head += n;
	r->last = s[n - 1];
	return n;
}

size_t logring_peek(const struct logring *r, char *out, size_t max)
{
	size_t n = (size_t)MIN((u64)max, logring_used(r)), at, first;

	if (!n)
		return 0;
	at = (size_t)(r->tail & (r->size - 1));
	first = MIN(n, r->size - at);
	memcpy(out, r->buf + at, first);
	memcpy(out + first, r->buf, n - first);
	return n;
}

void logring_drop(struct logring *r, size_t n)
{
	r->tail += MIN((u64)n, logring_used(r));
}

size_t logring_take(struct logring *r, char *out, size_t max)
{
	size_t n = logring_peek(r, out, max);

	logring_drop(r, n);
	return n;
}
