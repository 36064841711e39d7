/* SPDX-License-Identifier: MIT */
/* vsnprintf for guests: the formatter behind printf, and for whole-line output (the broker). */
#include "fmt.h"

struct fmt_out {
	char *buf;
	size_t size;
	size_t len; /* what the output would be, even past size */
};

struct fmt_spec {
	unsigned int width;
	bool zero; /* pad numbers with '0' */
	bool left; /* pad on the right */
	int size;  /* 0: int, 1: long, 2: long long */
};

static void put(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct fmt_out *o, unsigned int n, char c)
{
	while (n--)
		put(o, c);
}

static void out_str(struct fmt_out *o, const char *s, const struct fmt_spec *sp)
{
	size_t len = 0;
	unsigned int fill;

	while (s[len])
		len++;
	fill = sp->width > len ? sp->width - (unsigned int)len : 0;
	if (!sp->left)
		pad(o, fill, ' ');
	while (*s)
		put(o, *s++);
	if (sp->left)
		pad(o, fill, ' ');
}

static void out_num(struct fmt_out *o, u64 v, unsigned int base, bool neg, bool upper,
		    const struct fmt_spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	unsigned int len = 0, fill;

	do {
		tmp[len++] = digits[v % base];
		v /= base;
	} while (v);
	fill = sp->width > len + neg ? sp->width - len - neg : 0;
	if (!sp->left && !sp->zero)
		pad(o, fill, ' ');
	if (neg)
		put(o, '-');
	if (!sp->left && sp->zero)
		pad(o, fill, '0');
	while (len)
		put(o, tmp[--len]);
	if (sp->left)
		pad(o, fill, ' ');
}

/* Flags, width and size of one conversion; returns a pointer to its letter. */
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

static void out_conv(struct fmt_out *o, char c, va_list *ap, struct fmt_spec *sp)
{
	char ch[2] = {0};
	const char *s;
	s64 v;

	switch (c) {
	case 'd':
	case 'i':
		v = arg_signed(ap, sp->size);
		out_num(o, v < 0 ? 0 - (u64)v : (u64)v, 10, v < 0, false, sp);
		return;
	case 'u': out_num(o, arg_unsigned(ap, sp->size), 10, false, false, sp); return;
	case 'x': out_num(o, arg_unsigned(ap, sp->size), 16, false, false, sp); return;
	case 'X': out_num(o, arg_unsigned(ap, sp->size), 16, false, true, sp); return;
	case 'p':
		put(o, '0');
		put(o, 'x');
		out_num(o, (u64)(unsigned long)va_arg(*ap, void *), 16, false, false, sp);
		return;
	case 's':
		s = va_arg(*ap, const char *);
		out_str(o, s ? s : "(null)", sp);
		return;
	case 'c':
		ch[0] = (char)va_arg(*ap, int);
		out_str(o, ch, sp);
		return;
	default:
		/* %% and unknown conversions: show them rather than guess at an argument. */
		if (c != '%')
			put(o, '%');
		put(o, c);
		return;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = {buf, size, 0};
	struct fmt_spec sp;
	va_list args;

	/* Helpers take a va_list pointer; copy so that works wherever va_list is an array. */
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		if (!*fmt)
			break;
		out_conv(&o, *fmt++, &args, &sp);
	}
	va_end(args);
	if (size)
		buf[MIN(o.len, size - 1)] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
