// SPDX-License-Identifier: MIT
/* vsnprintf() for the hypervisor: the subset of printf that Sprout's log lines use. */
#include <hv/string.h>

struct outbuf {
	char *buf;
	size_t size;
	size_t len; /* characters produced, may exceed size */
};

static void out_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1 when absent */
};

static void out_padded(struct outbuf *o, const char *s, size_t n, const struct spec *sp)
{
	size_t pad = sp->width > 0 && (size_t)sp->width > n ? (size_t)sp->width - n : 0;

	if (!sp->left)
		while (pad--)
			out_char(o, ' ');
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
	if (sp->left)
		while (pad--)
			out_char(o, ' ');
}

static void out_number(struct outbuf *o, u64 v, bool neg, unsigned base, bool upper,
		       const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
	int n = 0, width = sp->width;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	while (sp->prec > n)
		tmp[n++] = '0';
	if (sign)
		width--;
	if (sp->alt && base == 16)
		width -= 2;
	if (!sp->left && !sp->zero)
		for (; width > n; width--)
			out_char(o, ' ');
	if (sign)
		out_char(o, sign);
	if (sp->alt && base == 16) {
		out_char(o, '0');
		out_char(o, upper ? 'X' : 'x');
	}
	if (!sp->left && sp->zero)
		for (; width > n; width--)
			out_char(o, '0');
	while (n)
		out_char(o, tmp[--n]);
	if (sp->left)
		for (; width > n; width--)
			out_char(o, ' ');
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){.prec = -1};
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		sp->width = sp->width * 10 + (*f - '0');
	if (*f == '.') {
		sp->prec = 0;
		if (*++f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			sp->prec = sp->prec * 10 + (*f - '0');
	}
	return f;
}

/* Read an integer argument of the given length modifier count ('l' repeats). */
static u64 arg_unsigned(va_list *ap, int longs, bool size)
{
	if (size || longs >= 1)
		return va_arg(*ap, u64);
	return va_arg(*ap, unsigned int);
}

static s64 arg_signed(va_list *ap, int longs, bool size)
{
	if (size || longs >= 1)
		return va_arg(*ap, s64);
	return va_arg(*ap, int);
}

static void format_one(struct outbuf *o, char c, const struct spec *sp, int longs, bool size,
		       va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		s64 v = arg_signed(ap, longs, size);

		out_number(o, v < 0 ? (u64)0 - (u64)v : (u64)v, v < 0, 10, false, sp);
		break;
	}
	case 'u': out_number(o, arg_unsigned(ap, longs, size), false, 10, false, sp); break;
	case 'x': out_number(o, arg_unsigned(ap, longs, size), false, 16, false, sp); break;
	case 'X': out_number(o, arg_unsigned(ap, longs, size), false, 16, true, sp); break;
	case 'p': {
		struct spec p = *sp;

		p.alt = true;
		out_number(o, (u64)(uintptr_t)va_arg(*ap, void *), false, 16, false, &p);
		break;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);

		out_padded(o, &ch, 1, sp);
		break;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);

		if (!s)
			s = "(null)";
		out_padded(o, s, sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s), sp);
		break;
	}
	default: out_char(o, '%'); out_char(o, c);
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = {buf, size, 0};
	va_list aq;

	va_copy(aq, ap);
	for (const char *f = fmt; *f; f++) {
		struct spec sp;
		int longs = 0;
		bool size_mod = false;

		if (*f != '%') {
			out_char(&o, *f);
			continue;
		}
		if (*++f == '%') {
			out_char(&o, '%');
			continue;
		}
		f = parse_spec(f, &sp, &aq);
		for (; *f == 'l' || *f == 'z' || *f == 'h'; f++) {
			longs += *f == 'l';
			size_mod |= *f == 'z';
		}
		if (!*f)
			break;
		format_one(&o, *f, &sp, longs, size_mod, &aq);
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
