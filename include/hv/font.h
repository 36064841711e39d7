/* SPDX-License-Identifier: MIT */
/* The framebuffer console's built-in font (core/font.c). */
#ifndef HV_FONT_H
#define HV_FONT_H

#define FONT_FIRST  0x20 /* ' ' */
#define FONT_LAST   0x7e /* '~' */
#define FONT_GLYPHS (FONT_LAST - FONT_FIRST + 1)
#define FONT_W	    5
#define FONT_H	    9 /* rows 0-6 above and on the baseline, 7-8 for descenders */

/* Row r of glyph g: FONT_W characters, '#' for a lit pixel. */
extern const char font_glyphs[FONT_GLYPHS][FONT_H][FONT_W + 1];

#endif
