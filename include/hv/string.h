/* SPDX-License-Identifier: MIT */
/* Freestanding string and memory functions (lib/string.c), plus snprintf. */
#ifndef HV_STRING_H
#define HV_STRING_H

#include <stdarg.h>
#include <hv/types.h>

#ifdef SPROUT_HOST
#include <stdio.h>
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
#endif

/*
 * Zero n bytes at dst (64-byte aligned, n a multiple of MEMZERO_NT_CHUNK)
 * with non-temporal stores, for frames that are not used at once (the zero
 * pool's blocks, large allocations): 2 MiB of zeros do not evict the cache
 * lines of the VMs running meanwhile. Ends with SFENCE, so the zeros are
 * globally visible before the frames are handed out.
 */
#define MEMZERO_NT_CHUNK 512
#ifdef SPROUT_HOST
static inline void memzero_nt(void *dst, size_t n)
{
	memset(dst, 0, n);
}
#else
void memzero_nt(void *dst, size_t n);
#endif

/* Copy at most size-1 bytes and always terminate; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
