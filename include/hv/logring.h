/* SPDX-License-Identifier: MIT */
/*
 * The console's byte ring: printk() puts text in, and whoever flushes takes
 * it out to the devices in the same order. No locking here (printk.c holds
 * its lock); builds on the host for unit tests.
 */
#ifndef HV_LOGRING_H
#define HV_LOGRING_H

#include <hv/types.h>

struct logring {
	char *buf;
	u32 size;	/* a power of two */
	u64 head, tail; /* bytes ever put in / taken out */
	char last;	/* the last byte put in ('\n' when empty from the start) */
};

void logring_init(struct logring *r, char *buf, u32 size);

/* Bytes that fit now. */
static inline u64 logring_space(const struct logring *r)
{
	return r->size - (r->head - r->tail);
}

/* Bytes waiting to be taken. */
static inline u64 logring_used(const struct logring *r)
{
	return r->head - r->tail;
}

/* True when the text put in so far ends a line: what a new log line needs to know. */
static inline bool logring_at_line_start(const struct logring *r)
{
	return r->last == '\n';
}

/* Put as much of s as fits; returns how many bytes went in. */
size_t logring_put(struct logring *r, const char *s, size_t len);

/* Copy up to max of the oldest bytes into out, leaving them in; returns how many. */
size_t logring_peek(const struct logring *r, char *out, size_t max);

/* Drop the n oldest bytes (at most what the ring holds). */
void logring_drop(struct logring *r, size_t n);

/* Take up to max of the oldest bytes into out; returns how many. */
size_t logring_take(struct logring *r, char *out, size_t max);

#endif
