/* SPDX-License-Identifier: MIT */
/* A character grid fed with console bytes: the text side of the framebuffer console (pure). */
#ifndef HV_TERM_H
#define HV_TERM_H

#include <hv/types.h>

#define TERM_PARAMS 4

/*
 * What the grid understands: printable ASCII; CR, LF (a new line: the console
 * writes bare LF), BS, TAB; and the CSI sequences the broker and Linux's
 * console use: H and f (cursor position), A B C D (cursor moves), J and K
 * (erase in display and in line). Other escape sequences are consumed and
 * ignored, so a guest's colours do not show up as text. A UTF-8 character
 * shows as one '?'.
 *
 * Output past the last row scrolls the grid by `jump` rows at once: each
 * scroll redraws most of a framebuffer, so one per line would be slow.
 */
struct term {
	u8 *cells; /* cols * rows characters, row by row; ' ' is blank */
	u16 cols, rows;
	u16 x, y;		 /* cursor; x == cols: the next character wraps first */
	u16 jump;		 /* rows scrolled at once */
	u32 dirty_lo, dirty_hi;	 /* cells changed since term_clean(): [lo, hi) */
	u8 state;		 /* escape parser state */
	u8 nparams;		 /* CSI parameters seen so far */
	u16 params[TERM_PARAMS]; /* CSI parameters */
	u64 scrolls;		 /* times the grid scrolled */
};

/* A blank grid of cols x rows over cells (cols * rows bytes). */
void term_init(struct term *t, u8 *cells, u16 cols, u16 rows);

/* Feed len console bytes. */
void term_write(struct term *t, const char *s, size_t len);

/* Cell (x, y). */
static inline u8 term_cell(const struct term *t, u16 x, u16 y)
{
	return t->cells[(u32)y * t->cols + x];
}

/* The changed range has been drawn. */
void term_clean(struct term *t);

#endif
