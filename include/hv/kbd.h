/* SPDX-License-Identifier: MIT */
/* PC keyboard scan codes (set 1, as the 8042 translates them) to console bytes (pure). */
#ifndef HV_KBD_H
#define HV_KBD_H

#include <hv/types.h>

/* The most bytes one scan code yields: an arrow key's ESC [ A. */
#define KBD_OUT_MAX 3

struct kbd {
	bool lshift, rshift, lctrl, rctrl, caps;
	bool e0; /* the last byte was the 0xE0 prefix */
	u8 skip; /* bytes of a Pause sequence (0xE1 ...) still to drop */
};

void kbd_init(struct kbd *k);

/*
 * Feed one byte read from the 8042's data port; put what the key types in out
 * (Enter is CR, Backspace DEL, Ctrl-letter its control code, arrows ANSI
 * sequences) and return how many bytes that is (0 for releases and modifiers).
 */
u32 kbd_scancode(struct kbd *k, u8 code, char out[KBD_OUT_MAX]);

#endif
