// SPDX-License-Identifier: MIT
/* The screen console: text on the firmware's framebuffer, input from the PS/2 keyboard. */
#include <arch/console.h>
#include <arch/paging.h>
#include <arch/x86.h>
#include <hv/boot_info.h>
#include <hv/config.h>
#include <hv/font.h>
#include <hv/kbd.h>
#include <hv/printk.h>
#include <hv/string.h>
#include <hv/term.h>

/*
 * A cell is the 5x9 glyph with one blank column on the right and one blank
 * row above and below, times an integer scale, from pixel (0, 0). The top row
 * is a title (the boot banner) drawn inverted, which never scrolls; the grid
 * is the rows below it. The cursor is its cell drawn inverted.
 */
#define CELL_W	  (FONT_W + 1)
#define CELL_H	  (FONT_H + 2)
#define SCALE_MAX 4
#define GRID_COLS 256
#define GRID_ROWS 128
#define CURSOR	  0x80 /* in shown[]: the cell was drawn as the cursor */
#define EARLY_LOG 16384
#define TITLE_MAX 128
#define FG_RGB	  0xc0c0c0 /* light grey on black */
#define BG_RGB	  0x000000

/* 8042 keyboard controller (ports and status bits as on every PC). */
#define PS2_DATA      0x60
#define PS2_STATUS    0x64   /* read */
#define PS2_CMD	      0x64   /* write */
#define PS2_OBF	      BIT(0) /* a byte waits at PS2_DATA */
#define PS2_IBF	      BIT(1) /* the controller has not taken the last write yet */
#define PS2_AUX	      BIT(5) /* the waiting byte is the mouse's */
#define PS2_READ_CFG  0x20
#define PS2_WRITE_CFG 0x60
#define PS2_CFG_XLATE BIT(6) /* scan codes translated to set 1 */
#define PS2_SPINS     100000

static struct {
	struct boot_fb fb;
	uintptr_t va; /* where fb.base is mapped (PAGING_WINDOW) */
	bool usable;  /* fb can be drawn on */
	bool on;
	bool decided; /* the config's console mode has been applied */
	bool keyboard;
	u32 scale;
	u32 fg, bg; /* pixel values */
	struct term term;
	u8 cells[GRID_COLS * GRID_ROWS];
	u8 shown[GRID_COLS * GRID_ROWS]; /* what each cell shows now */
	u32 cursor;			 /* cell drawn as the cursor */
	u8 glyphs[FONT_GLYPHS][FONT_H];	 /* bit 4 is the leftmost column */
	struct kbd kbd;
	char typed[KBD_OUT_MAX];
	u32 typed_len, typed_pos;
	char early[EARLY_LOG]; /* the console's output until the config's mode is known */
	u32 early_len;
	char desc[96];
	char title[TITLE_MAX];
} scr;

static u32 pixel(u32 rgb)
{
	const struct boot_fb *fb = &scr.fb;
	u32 r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

	return ((r >> (8 - MIN(fb->red_bits, 8))) << fb->red_pos) |
	       ((g >> (8 - MIN(fb->green_bits, 8))) << fb->green_pos) |
	       ((b >> (8 - MIN(fb->blue_bits, 8))) << fb->blue_pos);
}

/* Pixel (x, y) gets value v: 32 bpp as one store, 24 bpp as three bytes, low first. */
static void plot(u32 x, u32 y, u32 v)
{
	uintptr_t at = scr.va + (uintptr_t)y * scr.fb.pitch;

	if (scr.fb.bpp == 32) {
		((volatile u32 *)at)[x] = v;
		return;
	}
	at += (uintptr_t)x * 3;
	((volatile u8 *)at)[0] = (u8)v;
	((volatile u8 *)at)[1] = (u8)(v >> 8);
	((volatile u8 *)at)[2] = (u8)(v >> 16);
}

/* Draw character c (CURSOR: inverted) at column col of screen row row (0: the title). */
static void draw_at(u32 col, u32 row, u8 want)
{
	u32 s = scr.scale;
	u8 c = want & (u8)~CURSOR;
	const u8 *g = scr.glyphs[(c >= FONT_FIRST && c <= FONT_LAST ? c : '?') - FONT_FIRST];
	bool inverse = want & CURSOR;

	for (u32 py = 0; py < CELL_H * s; py++) {
		u32 gy = py / s;
		u8 bits = gy >= 1 && gy <= FONT_H ? g[gy - 1] : 0;
		u32 y = row * CELL_H * s + py, x0 = col * CELL_W * s;

		for (u32 px = 0; px < CELL_W * s; px++) {
			u32 gx = px / s;
			bool lit = gx < FONT_W && (bits & (0x10 >> gx));

			plot(x0 + px, y, lit != inverse ? scr.fg : scr.bg);
		}
	}
}

static void update(u32 i, u32 cursor)
{
	u8 want = (u8)(scr.cells[i] | (i == cursor ? CURSOR : 0));

	if (scr.shown[i] != want) {
		draw_at(i % scr.term.cols, 1 + i / scr.term.cols, want);
		scr.shown[i] = want;
	}
}

/* Draw what changed in the grid since the last time, and the cursor. */
static void render(void)
{
	struct term *t = &scr.term;
	u32 cursor = (u32)t->y * t->cols + MIN(t->x, (u16)(t->cols - 1));

	for (u32 i = t->dirty_lo; i < t->dirty_hi; i++)
		update(i, cursor);
	update(scr.cursor, cursor);
	update(cursor, cursor);
	scr.cursor = cursor;
	term_clean(t);
}

void screen_write(const char *s, size_t len)
{
	if (!scr.decided && scr.early_len < EARLY_LOG) {
		u32 n = (u32)MIN(len, (size_t)(EARLY_LOG - scr.early_len));

		memcpy(scr.early + scr.early_len, s, n);
		scr.early_len += n;
	}
	if (!scr.on)
		return;
	term_write(&scr.term, s, len);
	render();
}

static void font_load(void)
{
	for (u32 g = 0; g < FONT_GLYPHS; g++)
		for (u32 r = 0; r < FONT_H; r++) {
			u8 bits = 0;

			for (u32 x = 0; x < FONT_W; x++)
				bits = (u8)(bits << 1 | (font_glyphs[g][r][x] == '#'));
			scr.glyphs[g][r] = bits;
		}
}

static void draw_title(void)
{
	bool end = false;

	for (u32 col = 0; col < scr.term.cols; col++) {
		u8 c = end || col >= TITLE_MAX ? 0 : (u8)scr.title[col];

		end |= !c;
		draw_at(col, 0, (u8)((c ? c : ' ') | CURSOR));
	}
}

/* The largest scale that still gives 80x25 characters below the title, at most SCALE_MAX. */
static u32 pick_scale(const struct boot_fb *fb)
{
	u32 s = SCALE_MAX;

	while (s > 1 && (fb->width / (CELL_W * s) < 80 || fb->height / (CELL_H * s) < 26))
		s--;
	return s;
}

/* Wait for the 8042 to take a byte, then write it; false when it never does. */
static bool ps2_write(u16 port, u8 v)
{
	for (u32 i = 0; i < PS2_SPINS; i++)
		if (!(inb(PS2_STATUS) & PS2_IBF)) {
			outb(port, v);
			return true;
		}
	return false;
}

static int ps2_read(void)
{
	for (u32 i = 0; i < PS2_SPINS; i++)
		if (inb(PS2_STATUS) & PS2_OBF)
			return inb(PS2_DATA);
	return -1;
}

/*
 * Read the keyboard by polling the 8042 as the firmware left it, with scan
 * code translation on so bytes arrive in set 1 (most firmware has it on).
 * No interrupt is used: the controller's IRQ 1 stays masked at the PIC/IOAPIC.
 */
static bool ps2_probe(void)
{
	int cfg;

	if (inb(PS2_STATUS) == 0xff)
		return false; /* nothing decodes the port */
	for (u32 i = 0; i < 64 && (inb(PS2_STATUS) & PS2_OBF); i++)
		(void)inb(PS2_DATA);
	if (!ps2_write(PS2_CMD, PS2_READ_CFG) || (cfg = ps2_read()) < 0)
		return false;
	if (!(cfg & PS2_CFG_XLATE)) {
		if (!ps2_write(PS2_CMD, PS2_WRITE_CFG) ||
		    !ps2_write(PS2_DATA, (u8)(cfg | PS2_CFG_XLATE)))
			return false;
	}
	kbd_init(&scr.kbd);
	return true;
}

int screen_getc(void)
{
	while (scr.keyboard && scr.typed_pos == scr.typed_len) {
		u8 st = inb(PS2_STATUS);
		u8 code;

		if (!(st & PS2_OBF))
			return -1;
		code = inb(PS2_DATA);
		if (st & PS2_AUX)
			continue; /* a mouse byte */
		scr.typed_len = kbd_scancode(&scr.kbd, code, scr.typed);
		scr.typed_pos = 0;
	}
	if (!scr.keyboard)
		return -1;
	return (u8)scr.typed[scr.typed_pos++];
}

static void screen_start(void)
{
	const struct boot_fb *fb = &scr.fb;
	u16 cols, rows;

	if (!scr.usable || scr.on)
		return;
	font_load();
	scr.scale = pick_scale(fb);
	cols = (u16)MIN(fb->width / (CELL_W * scr.scale), (u32)GRID_COLS);
	rows = (u16)MIN(fb->height / (CELL_H * scr.scale) - 1, (u32)GRID_ROWS);
	scr.fg = pixel(FG_RGB);
	scr.bg = pixel(BG_RGB);
	for (u32 y = 0; y < fb->height; y++)
		for (u32 x = 0; x < fb->width; x++)
			plot(x, y, scr.bg);
	term_init(&scr.term, scr.cells, cols, rows);
	memset(scr.shown, ' ', sizeof(scr.shown));
	scr.cursor = 0;
	scr.keyboard = ps2_probe();
	snprintf(scr.desc, sizeof(scr.desc), "%ux%u pixels, %ux%u characters, %s", fb->width,
		 fb->height, cols, rows, scr.keyboard ? "PS/2 keyboard" : "no PS/2 keyboard");
	scr.on = true;
	draw_title();
	term_write(&scr.term, scr.early, scr.early_len);
	render();
}

void console_screen_probe(const struct boot_fb *fb, const char *title)
{
	bool usable = fb->base && (fb->bpp == 32 || fb->bpp == 24) && fb->width >= CELL_W * 20 &&
		      fb->height >= CELL_H * 5 && fb->pitch >= fb->width * (fb->bpp / 8);

	scr.fb = *fb;
	strlcpy(scr.title, title, sizeof(scr.title));
	/* Through a window of its own: firmware may put the framebuffer above all RAM. */
	if (usable)
		scr.va = (uintptr_t)paging_map_window(fb->base, (u64)fb->pitch * fb->height);
	scr.usable = usable && scr.va;
	if (fb->base && !scr.usable)
		pr_warn("console: the %ux%u framebuffer at 0x%llx (%u bpp) cannot be drawn on\n",
			fb->width, fb->height, fb->base, fb->bpp);
	if (!console_has_uart())
		screen_start();
}

void console_screen_mode(u32 mode)
{
	if (mode == CONFIG_CONSOLE_SERIAL && console_has_uart())
		scr.on = scr.keyboard = false;
	else if (mode == CONFIG_CONSOLE_SCREEN)
		screen_start();
	scr.decided = true;
}

const char *console_screen_desc(void)
{
	return scr.on ? scr.desc : "";
}
