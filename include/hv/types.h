/* SPDX-License-Identifier: MIT */
/* Basic integer types, typed addresses and size helpers shared by all of Sprout. */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
/* long long, as in Linux, so that %llx prints a u64 on every target. */
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

/* Host-physical, host-virtual, guest-physical and guest-virtual addresses. */
typedef u64 hpa_t;
typedef u64 hva_t;
typedef u64 gpa_t;
typedef u64 gva_t;

#define INVALID_HPA			((hpa_t)~0ULL)
#define INVALID_GPA			((gpa_t)~0ULL)

#define PAGE_SHIFT			12
#define PAGE_SIZE			(1ULL << PAGE_SHIFT)
#define PAGE_MASK			(~(PAGE_SIZE - 1))
#define LARGE_PAGE_SHIFT		21
#define LARGE_PAGE_SIZE			(1ULL << LARGE_PAGE_SHIFT)

#define KiB(x)				((u64)(x) << 10)
#define MiB(x)				((u64)(x) << 20)
#define GiB(x)				((u64)(x) << 30)

#define ALIGN_DOWN(x, a)		((x) & ~((u64)(a)-1))
#define ALIGN_UP(x, a)			ALIGN_DOWN((x) + (u64)(a)-1, (a))
#define IS_ALIGNED(x, a)		(((x) & ((u64)(a)-1)) == 0)

#define ARRAY_SIZE(a)			(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)			((a) < (b) ? (a) : (b))
#define MAX(a, b)			((a) > (b) ? (a) : (b))
#define BIT(n)				(1ULL << (n))

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#define __packed			__attribute__((packed))
#define __aligned(x)			__attribute__((aligned(x)))
#define __noreturn			__attribute__((noreturn))
#define __unused			__attribute__((unused))
#define __printf(a, b)			__attribute__((format(printf, a, b)))

#define likely(x)			__builtin_expect(!!(x), 1)
#define unlikely(x)			__builtin_expect(!!(x), 0)

#endif
