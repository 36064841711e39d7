// SPDX-License-Identifier: MIT
/* A character grid fed with console bytes: cursor, scrolling, a few CSI sequences (pure). */
#include <hv/string.h>
#include <hv/term.h>

enum { TS_TEXT, TS_ESC, TS_CSI };

#define ASCII_BS  0x08
#define ASCII_TAB 0x09
#define ASCII_ESC 0x1b

static void touch(struct term *t, u32 lo, u32 hi)
{
	if (lo >= hi)
		return;
	if (t->dirty_lo >= t->dirty_hi) {
		t->dirty_lo = lo;
		t->dirty_hi = hi;
		return;
	}
	t->dirty_lo = MIN(t->dirty_lo, lo);
	t->dirty_hi = MAX(t->dirty_hi, hi);
}

/* Blank cells [lo, hi) of the grid. */
static void blank(struct term *t, u32 lo, u32 hi)
{
	memset(t->cells + lo, ' ', hi - lo);
	touch(t, lo, hi);
}

void term_init(struct term *t, u8 *cells, u16 cols, u16 rows)
{
	memset(t, 0, sizeof(*t));
	t->cells = cells;
	t->cols = cols;
	t->rows = rows;
	t->jump = (u16)MAX(rows / 4, 1);
	blank(t, 0, (u32)cols * rows);
}

void term_clean(struct term *t)
{
	t->dirty_lo = t->dirty_hi = 0;
}

static u32 pos(const struct term *t)
{
	return (u32)t->y * t->cols + MIN(t->x, (u16)(t->cols - 1));
}

static void new_line(struct term *t)
{
	u32 total = (u32)t->cols * t->rows, keep;

	t->x = 0;
	if (t->y + 1 < t->rows) {
		t->y++;
		return;
	}
	keep = (u32)(t->rows - t->jump) * t->cols;
	memmove(t->cells, t->cells + total - keep, keep);
	touch(t, 0, keep);
	blank(t, keep, total);
	t->y = (u16)(t->rows - t->jump);
	t->scrolls++;
}

static void put(struct term *t, u8 c)
{
	u32 at;

	if (t->x >= t->cols)
		new_line(t);
	at = pos(t);
	if (t->cells[at] != c) {
		t->cells[at] = c;
		touch(t, at, at + 1);
	}
	t->x++;
}

static u16 param(const struct term *t, u32 i, u16 dflt)
{
	return i < t->nparams && t->params[i] ? t->params[i] : dflt;
}

/* ESC [ n J: 0 from the cursor on, 1 up to and with the cursor, 2 and 3 all. */
static void erase_display(struct term *t, u16 mode)
{
	u32 total = (u32)t->cols * t->rows;

	if (mode == 0)
		blank(t, pos(t), total);
	else if (mode == 1)
		blank(t, 0, pos(t) + 1);
	else
		blank(t, 0, total);
}

/* ESC [ n K: the same within the cursor's row. */
static void erase_line(struct term *t, u16 mode)
{
	u32 row = (u32)t->y * t->cols;

	if (mode == 0)
		blank(t, pos(t), row + t->cols);
	else if (mode == 1)
		blank(t, row, pos(t) + 1);
	else
		blank(t, row, row + t->cols);
}

static void csi_final(struct term *t, char f)
{
	u16 n = param(t, 0, 1);

	switch (f) {
	case 'H':
	case 'f':
		t->y = (u16)(MIN(n, t->rows) - 1);
		t->x = (u16)(MIN(param(t, 1, 1), t->cols) - 1);
		break;
	case 'A': t->y = (u16)(t->y > n ? t->y - n : 0); break;
	case 'B': t->y = (u16)MIN((u32)t->y + n, (u32)t->rows - 1); break;
	case 'C': t->x = (u16)MIN((u32)t->x + n, (u32)t->cols - 1); break;
	case 'D': t->x = (u16)(pos(t) % t->cols > n ? pos(t) % t->cols - n : 0); break;
	/* Erase modes are the raw parameter: 0 is a value here, not "absent". */
	case 'J': erase_display(t, t->nparams ? t->params[0] : 0); break;
	case 'K': erase_line(t, t->nparams ? t->params[0] : 0); break;
	default: break; /* colours (m), modes (h, l) and the rest: nothing to draw */
	}
}

static void csi_byte(struct term *t, char c)
{
	if (c >= '0' && c <= '9') {
		if (!t->nparams)
			t->nparams = 1;
		if (t->nparams <= TERM_PARAMS) {
			u32 v = t->params[t->nparams - 1] * 10u + (u32)(c - '0');

			t->params[t->nparams - 1] = (u16)MIN(v, 9999u);
		}
		return;
	}
	if (c == ';') {
		if (!t->nparams)
			t->nparams = 1;
		if (t->nparams < 255)
			t->nparams++;
		if (t->nparams <= TERM_PARAMS)
			t->params[t->nparams - 1] = 0;
		return;
	}
	if (c >= 0x40 && c <= 0x7e) {
		t->state = TS_TEXT;
		if (t->nparams > TERM_PARAMS)
			t->nparams = TERM_PARAMS;
		csi_final(t, c);
	}
	/* '?', intermediates and anything else: keep reading up to the final byte. */
}

static void text_byte(struct term *t, u8 c)
{
	switch (c) {
	case '\n': new_line(t); return;
	case '\r': t->x = 0; return;
	case ASCII_BS: t->x = (u16)(pos(t) % t->cols > 0 ? pos(t) % t->cols - 1 : 0); return;
	case ASCII_TAB:
		if (t->x >= t->cols)
			new_line(t);
		t->x = (u16)MIN((u32)(t->x | 7) + 1, (u32)t->cols - 1);
		return;
	case ASCII_ESC: t->state = TS_ESC; return;
	}
	if (c >= ' ' && c < 0x7f)
		put(t, c);
	else if (c >= 0xc0) /* a UTF-8 lead byte; continuation bytes show nothing */
		put(t, '?');
}

void term_write(struct term *t, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		switch (t->state) {
		case TS_TEXT: text_byte(t, (u8)c); break;
		case TS_ESC:
			if (c == '[') {
				t->state = TS_CSI;
				t->nparams = 0;
				memset(t->params, 0, sizeof(t->params));
			} else {
				t->state = TS_TEXT; /* a two-byte sequence (ESC 7, ESC c, ...) */
			}
			break;
		default: csi_byte(t, c); break;
		}
	}
}
