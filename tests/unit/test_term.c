// SPDX-License-Identifier: MIT
/* Host tests of the framebuffer console's grid: text, wrapping, scrolling, escapes. */
#include <string.h>

#include <hv/term.h>

#include "utest.h"

#define COLS 10
#define ROWS 4

static u8 cells[COLS * ROWS];

/* Row y of the grid as a string without trailing blanks. */
static const char *row(const struct term *t, u16 y)
{
	static char buf[COLS + 1];
	int n = COLS;

	memcpy(buf, t->cells + y * t->cols, COLS);
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
	return buf;
}

static void feed(struct term *t, const char *s)
{
	term_write(t, s, strlen(s));
}

UTEST(term_text_and_new_lines)
{
	struct term t;

	term_init(&t, cells, COLS, ROWS);
	CHECK_EQ(t.jump, 1);
	feed(&t, "sprout> ");
	CHECK(!strcmp(row(&t, 0), "sprout>"));
	CHECK_EQ(t.x, 8);
	feed(&t, "vms\nok\r\nx");
	CHECK(!strcmp(row(&t, 0), "sprout> vm"));
	CHECK(!strcmp(row(&t, 1), "s"));
	CHECK(!strcmp(row(&t, 2), "ok"));
	CHECK(!strcmp(row(&t, 3), "x"));
	CHECK_EQ(t.y, 3);
	CHECK_EQ(t.scrolls, 0);
}

UTEST(term_wraps_only_when_a_character_follows)
{
	struct term t;

	term_init(&t, cells, COLS, ROWS);
	feed(&t, "0123456789");
	CHECK_EQ(t.y, 0);
	CHECK_EQ(t.x, COLS);
	/* A full line then LF makes one new line, not two. */
	feed(&t, "\nab");
	CHECK(!strcmp(row(&t, 1), "ab"));
	feed(&t, "\r0123456789Z");
	CHECK(!strcmp(row(&t, 1), "0123456789"));
	CHECK(!strcmp(row(&t, 2), "Z"));
}

UTEST(term_scrolls_by_jump_rows)
{
	static u8 big[COLS * 8];
	struct term t;

	term_init(&t, big, COLS, 8);
	CHECK_EQ(t.jump, 2);
	feed(&t, "a\nb\nc\nd\ne\nf\ng\nh");
	CHECK_EQ(t.scrolls, 0);
	term_clean(&t);
	feed(&t, "\ni");
	CHECK_EQ(t.scrolls, 1);
	CHECK(!strcmp(row(&t, 0), "c"));
	CHECK(!strcmp(row(&t, 5), "h"));
	CHECK(!strcmp(row(&t, 6), "i"));
	CHECK(!strcmp(row(&t, 7), ""));
	CHECK_EQ(t.y, 6);
	CHECK_EQ(t.dirty_lo, 0);
	CHECK_EQ(t.dirty_hi, COLS * 8);
}

UTEST(term_erase_and_cursor_position)
{
	struct term t;

	term_init(&t, cells, COLS, ROWS);
	feed(&t, "aaaa\nbbbb\ncccc");
	feed(&t, "\x1b[2;3H");
	CHECK_EQ(t.y, 1);
	CHECK_EQ(t.x, 2);
	feed(&t, "\x1b[K");
	CHECK(!strcmp(row(&t, 1), "bb"));
	feed(&t, "\x1b[1K");
	CHECK(!strcmp(row(&t, 1), ""));
	feed(&t, "\x1b[H\x1b[J");
	CHECK(!strcmp(row(&t, 0), ""));
	CHECK(!strcmp(row(&t, 2), ""));
	CHECK_EQ(t.x, 0);
	CHECK_EQ(t.y, 0);
	/* Out-of-range positions clamp to the grid. */
	feed(&t, "\x1b[99;99H*");
	CHECK(!strcmp(row(&t, ROWS - 1), "         *"));
}

UTEST(term_ignores_colours_and_unknown_sequences)
{
	struct term t;

	term_init(&t, cells, COLS, ROWS);
	feed(&t, "\x1b[1;32mok\x1b[0m \x1b[?25l\x1b"
		 "7x");
	CHECK(!strcmp(row(&t, 0), "ok x"));
	/* A sequence split across writes still parses. */
	feed(&t, "\x1b[");
	feed(&t, "2");
	feed(&t, "J!");
	CHECK(!strcmp(row(&t, 0), "    !"));
	/* More parameters than kept, and huge ones, are harmless. */
	feed(&t, "\x1b[1;2;3;4;5;6;99999999H#");
	CHECK_EQ(term_cell(&t, 1, 0), '#');
}

UTEST(term_backspace_tab_and_utf8)
{
	struct term t;

	term_init(&t, cells, COLS, ROWS);
	feed(&t, "ab\b\bc\t|");
	CHECK(!strcmp(row(&t, 0), "cb      |"));
	feed(&t, "\t\t-");
	CHECK_EQ(t.x, COLS);
	CHECK_EQ(term_cell(&t, COLS - 1, 0), '-');
	feed(&t, "\r\n\xc3\xa9t\xe2\x80\x94");
	CHECK(!strcmp(row(&t, 1), "?t?"));
	/* Control characters other than the handled ones draw nothing. */
	feed(&t, "\a\x01\x7f");
	CHECK(!strcmp(row(&t, 1), "?t?"));
}

UTEST(term_dirty_range_covers_changes_only)
{
	struct term t;

	term_init(&t, cells, COLS, ROWS);
	term_clean(&t);
	feed(&t, "\x1b[3;5H");
	CHECK_EQ(t.dirty_hi, 0);
	feed(&t, "q");
	CHECK_EQ(t.dirty_lo, 2 * COLS + 4);
	CHECK_EQ(t.dirty_hi, 2 * COLS + 5);
	term_clean(&t);
	/* Writing the same character again changes nothing. */
	feed(&t, "\x1b[3;5Hq");
	CHECK_EQ(t.dirty_hi, 0);
}
