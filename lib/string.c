// SPDX-License-Identifier: MIT
/* Freestanding memory and string functions; the compiler may also emit calls to these. */
#include <hv/string.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (IS_ALIGNED((uintptr_t)d | (uintptr_t)s | n, 8)) {
		size_t q = n / 8;

		__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
		return dst;
	}
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

/* The 64 quadword offsets of a 512-byte chunk, for the unrolled stores below. */
#define CHUNK_OFFSETS                                                      \
	".irp off, 0,8,16,24,32,40,48,56,64,72,80,88,96,104,112,120,"      \
	"128,136,144,152,160,168,176,184,192,200,208,216,224,232,240,248," \
	"256,264,272,280,288,296,304,312,320,328,336,344,352,360,368,376," \
	"384,392,400,408,416,424,432,440,448,456,464,472,480,488,496,504\n\t"

/*
 * Zeroing in 512-byte chunks of 64 stores, the rest with REP STOSQ: as fast
 * as REP STOSQ on hardware, and an emulator, which runs each REP iteration
 * on its own, does 4 KiB (a VMCB, a table page) in 8 iterations, not 512.
 */
void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;

	if (c == 0 && IS_ALIGNED((uintptr_t)d | n, 8)) {
		size_t q;

		for (; n >= MEMZERO_NT_CHUNK; n -= MEMZERO_NT_CHUNK, d += MEMZERO_NT_CHUNK)
			__asm__ volatile(CHUNK_OFFSETS "movq %1, \\off(%0)\n\t"
						       ".endr"
					 :
					 : "r"(d), "r"(0ULL)
					 : "memory");
		q = n / 8;
		__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(0ULL) : "memory");
		return dst;
	}
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

/*
 * 64 MOVNTIs per 512-byte chunk: a loop of few iterations (an emulator runs
 * each iteration of REP STOSQ on its own), stores that bypass the caches.
 */
void memzero_nt(void *dst, size_t n)
{
	u8 *p = dst, *end = p + n;

	for (; p < end; p += MEMZERO_NT_CHUNK)
		__asm__ volatile(CHUNK_OFFSETS "movnti %1, \\off(%0)\n\t"
					       ".endr"
				 :
				 : "r"(p), "r"(0ULL)
				 : "memory");
	__asm__ volatile("sfence" ::: "memory");
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)(uintptr_t)s;
		if (!*s)
			return NULL;
	}
}
