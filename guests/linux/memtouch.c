// SPDX-License-Identifier: MIT
/*
 * sprout-memtouch MiB: a Linux user program of the test initramfs. It maps MiB
 * of anonymous memory, writes every page of it, frees it and says so. With
 * init_on_free=1 on the kernel's command line the freed pages are zero again,
 * so the broker's reclaim can take them back (docs/guests.md, "Linux").
 *
 * Freestanding: raw system calls, no libc, so that any gcc builds it static.
 */
#define SYS_WRITE     1
#define SYS_MMAP      9
#define SYS_MUNMAP    11
#define SYS_EXIT      60

#define PROT_READ     1
#define PROT_WRITE    2
#define MAP_PRIVATE   0x02
#define MAP_ANONYMOUS 0x20
#define PAGE	      4096UL

typedef unsigned long ulong;

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static ulong str_len(const char *s)
{
	ulong n = 0;

	while (s[n])
		n++;
	return n;
}

static void put(const char *s)
{
	sys3(SYS_WRITE, 1, (long)s, (long)str_len(s));
}

static void put_num(ulong v)
{
	char buf[24];
	int i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i);
	put(buf + i);
}

static __attribute__((noreturn)) void quit(int status)
{
	sys3(SYS_EXIT, status, 0, 0);
	__builtin_unreachable();
}

static ulong parse(const char *s)
{
	ulong v = 0;

	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 1UL << 20)
			return 0;
		v = v * 10 + (ulong)(*s - '0');
	}
	return v;
}

__attribute__((noreturn, used)) void memtouch_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	ulong mib = parse(argc > 1 ? argv[1] : 0), len = mib << 20;
	volatile unsigned char *p;
	long ret;

	if (!mib) {
		put("usage: sprout-memtouch MiB\n");
		quit(2);
	}
	ret = sys6(SYS_MMAP, 0, (long)len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	if (ret < 0 && ret > -4096) {
		put("memtouch: mmap failed\n");
		quit(1);
	}
	p = (volatile unsigned char *)ret;
	for (ulong off = 0; off < len; off += PAGE)
		p[off] = (unsigned char)(off / PAGE) | 1;
	put("memtouch: touched ");
	put_num(mib);
	put(" MiB\n");
	if (sys3(SYS_MUNMAP, ret, (long)len, 0)) {
		put("memtouch: munmap failed\n");
		quit(1);
	}
	put("memtouch: freed ");
	put_num(mib);
	put(" MiB\n");
	quit(0);
}

/* The kernel enters with RSP at argc; keep it for memtouch_main and align the stack. */
__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call memtouch_main\n"
	"	hlt\n");
