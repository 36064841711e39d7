/* SPDX-License-Identifier: MIT */
/* Guest console: UART 0x3f8 and port 0xe9, and a small printf. */
#include "guest.h"
#include "sprout.h"
#include "x86.h"

#define UART_BASE     0x3f8
#define UART_LSR      (UART_BASE + 5)
#define UART_LSR_THRE 0x20
#define DEBUGCON_PORT 0xe9

/* Bound the wait so a missing or stuck UART slows output instead of hanging the guest. */
#define UART_SPIN_MAX 100000

struct fmt_spec {
	unsigned int width;
	bool zero; /* pad numbers with '0' */
	bool left; /* pad on the right */
	int size;  /* 0: int, 1: long, 2: long long */
};

/*
 * Under Sprout the UART is the console (the hypervisor prefixes each line with
 * the VM name); port 0xe9 is only used when running on a bare emulator, where
 * it is the clean channel the test harness reads.
 */
static int debugcon_wanted = -1;

void console_putc(char c)
{
	if (debugcon_wanted < 0)
		debugcon_wanted = !sprout_present();
	for (unsigned int i = 0; i < UART_SPIN_MAX; i++) {
		if (inb(UART_LSR) & UART_LSR_THRE)
			break;
		cpu_relax();
	}
	outb((u8)c, UART_BASE);
	if (debugcon_wanted)
		outb((u8)c, DEBUGCON_PORT);
}

void console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		console_putc(s[i]);
}

int puts(const char *s)
{
	size_t len = strlen(s);

	console_write(s, len);
	console_putc('\n');
	return (int)len + 1;
}

static unsigned int pad(unsigned int n, char c)
{
	for (unsigned int i = 0; i < n; i++)
		console_putc(c);
	return n;
}

static unsigned int out_str(const char *s, size_t len, const struct fmt_spec *sp)
{
	unsigned int fill = sp->width > len ? sp->width - (unsigned int)len : 0;
	unsigned int n = 0;

	if (!sp->left)
		n += pad(fill, ' ');
	console_write(s, len);
	if (sp->left)
		n += pad(fill, ' ');
	return n + (unsigned int)len;
}

static unsigned int out_num(u64 v, unsigned int base, bool neg, bool upper,
			    const struct fmt_spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	unsigned int len = 0, n = 0, fill;

	do {
		buf[len++] = digits[v % base];
		v /= base;
	} while (v);
	fill = sp->width > len + neg ? sp->width - len - neg : 0;
	if (!sp->left && !sp->zero)
		n += pad(fill, ' ');
	if (neg)
		console_putc('-');
	if (!sp->left && sp->zero)
		n += pad(fill, '0');
	for (unsigned int i = len; i > 0; i--)
		console_putc(buf[i - 1]);
	if (sp->left)
		n += pad(fill, ' ');
	return n + len + neg;
}

/* Parse flags, width and length of one conversion; returns a pointer to its letter. */
static const char *parse_spec(const char *fmt, struct fmt_spec *sp)
{
	*sp = (struct fmt_spec){0};
	for (;; fmt++) {
		if (*fmt == '0')
			sp->zero = true;
		else if (*fmt == '-')
			sp->left = true;
		else
			break;
	}
	while (*fmt >= '0' && *fmt <= '9')
		sp->width = sp->width * 10 + (unsigned int)(*fmt++ - '0');
	/* 'z' (size_t) is unsigned long here, the same as one 'l'. */
	while (*fmt == 'l' || *fmt == 'z') {
		sp->size++;
		fmt++;
	}
	return fmt;
}

static u64 arg_unsigned(va_list *ap, int size)
{
	if (size == 0)
		return va_arg(*ap, unsigned int);
	if (size == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned long long);
}

static s64 arg_signed(va_list *ap, int size)
{
	if (size == 0)
		return va_arg(*ap, int);
	if (size == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, long long);
}

static unsigned int out_conv(char c, va_list *ap, struct fmt_spec *sp)
{
	const char *s;
	char ch;
	s64 v;

	switch (c) {
	case 'd':
	case 'i':
		v = arg_signed(ap, sp->size);
		return out_num(v < 0 ? 0 - (u64)v : (u64)v, 10, v < 0, false, sp);
	case 'u': return out_num(arg_unsigned(ap, sp->size), 10, false, false, sp);
	case 'x': return out_num(arg_unsigned(ap, sp->size), 16, false, false, sp);
	case 'X': return out_num(arg_unsigned(ap, sp->size), 16, false, true, sp);
	case 'p':
		console_write("0x", 2);
		return 2 + out_num((u64)va_arg(*ap, void *), 16, false, false, sp);
	case 's':
		s = va_arg(*ap, const char *);
		s = s ? s : "(null)";
		return out_str(s, strlen(s), sp);
	case 'c': ch = (char)va_arg(*ap, int); return out_str(&ch, 1, sp);
	case '%': return out_str("%", 1, sp);
	default:
		/* Unknown conversion: show it rather than guess at its argument. */
		console_putc('%');
		console_putc(c);
		return 2;
	}
}

int vprintf(const char *fmt, va_list ap)
{
	unsigned int n = 0;
	struct fmt_spec sp;
	va_list args;

	/* Helpers take a va_list pointer; copy so that works wherever va_list is an array. */
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			console_putc(*fmt++);
			n++;
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		if (!*fmt)
			break;
		n += out_conv(*fmt++, &args, &sp);
	}
	va_end(args);
	return (int)n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
