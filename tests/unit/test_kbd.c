// SPDX-License-Identifier: MIT
/* Host tests of the keyboard decoder: what typing a key sequence gives the console. */
#include <string.h>

#include <hv/kbd.h>

#include "utest.h"

/* Feed scan codes; return everything they typed as a string. */
static const char *typed(struct kbd *k, const u8 *codes, size_t n)
{
	static char buf[64];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		char out[KBD_OUT_MAX];
		u32 got = kbd_scancode(k, codes[i], out);

		CHECK(got <= KBD_OUT_MAX);
		if (len + got < sizeof(buf)) {
			memcpy(buf + len, out, got);
			len += got;
		}
	}
	buf[len] = '\0';
	return buf;
}

#define TYPED(k, ...) typed(k, (const u8[]){__VA_ARGS__}, sizeof((const u8[]){__VA_ARGS__}))

UTEST(kbd_letters_digits_enter)
{
	struct kbd k;

	kbd_init(&k);
	/* v m s Enter, each pressed and released. */
	CHECK(!strcmp(TYPED(&k, 0x2f, 0xaf, 0x32, 0xb2, 0x1f, 0x9f, 0x1c, 0x9c), "vms\r"));
	CHECK(!strcmp(TYPED(&k, 0x02, 0x82, 0x0b, 0x8b, 0x39, 0xb9, 0x0e, 0x8e), "10 \x7f"));
}

UTEST(kbd_shift_and_caps_lock)
{
	struct kbd k;

	kbd_init(&k);
	/* Shift held over 's' and '1', released before 'p'. */
	CHECK(!strcmp(TYPED(&k, 0x2a, 0x1f, 0x9f, 0x02, 0x82, 0xaa, 0x19, 0x99), "S!p"));
	/* Right Shift: '>' then ':'. */
	CHECK(!strcmp(TYPED(&k, 0x36, 0x34, 0x27, 0xb6, 0x27), ">:;"));
	/* Caps Lock shifts letters only, and Shift undoes it. */
	CHECK(!strcmp(TYPED(&k, 0x3a, 0xba, 0x1e, 0x02, 0x2a, 0x1e, 0xaa), "A1a"));
	CHECK(!strcmp(TYPED(&k, 0x3a, 0xba, 0x1e), "a"));
}

UTEST(kbd_ctrl_codes)
{
	struct kbd k;

	kbd_init(&k);
	/* Ctrl-] is the console's escape key; Ctrl-C and right Ctrl-D. */
	CHECK(!strcmp(TYPED(&k, 0x1d, 0x1b, 0x9b, 0x2e, 0x9d), "\x1d\x03"));
	CHECK(!strcmp(TYPED(&k, 0xe0, 0x1d, 0x20, 0xe0, 0x9d, 0x20), "\x04"
								     "d"));
	/* Ctrl with a digit types nothing. */
	CHECK(!strcmp(TYPED(&k, 0x1d, 0x03, 0x9d), ""));
}

UTEST(kbd_extended_keys_and_pause)
{
	struct kbd k;

	kbd_init(&k);
	CHECK(!strcmp(TYPED(&k, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x4b), "\x1b[A\x1b[D"));
	CHECK(!strcmp(TYPED(&k, 0xe0, 0x1c, 0xe0, 0x35), "\r/"));
	/* Pause: six bytes, nothing typed, and the next key is read normally. */
	CHECK(!strcmp(TYPED(&k, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1e), "a"));
	/* The 0xE0 prefix applies to one code only. */
	CHECK(!strcmp(TYPED(&k, 0xe0, 0xaa, 0x1e), "a"));
	/* Keypad digits, unknown codes and controller replies (ACK 0xFA) type nothing odd. */
	CHECK(!strcmp(TYPED(&k, 0x47, 0x52, 0x53, 0x58, 0x7a, 0xfa), "70."));
}
