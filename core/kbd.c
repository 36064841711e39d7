// SPDX-License-Identifier: MIT
/* PC keyboard scan codes (set 1) to console bytes: modifiers, Caps Lock, arrows (pure). */
#include <hv/kbd.h>
#include <hv/string.h>

#define SC_RELEASE 0x80
#define SC_E0	   0xe0
#define SC_E1	   0xe1
#define SC_LCTRL   0x1d
#define SC_LSHIFT  0x2a
#define SC_RSHIFT  0x36
#define SC_CAPS	   0x3a

/* Set 1 make codes 0x00-0x39 without and with Shift; 0 where the key types nothing. */
// clang-format off
static const char plain[0x3a] = {
	/* 0x00 */ 0,   0x1b, '1', '2', '3', '4', '5', '6', '7',  '8', '9',  '0', '-',  '=',  0x7f, '\t',
	/* 0x10 */ 'q', 'w',  'e', 'r', 't', 'y', 'u', 'i', 'o',  'p', '[',  ']', '\r', 0,    'a',  's',
	/* 0x20 */ 'd', 'f',  'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0,    '\\', 'z', 'x', 'c',  'v',
	/* 0x30 */ 'b', 'n',  'm', ',', '.', '/', 0,   '*', 0,    ' ',
};
static const char shifted[0x3a] = {
	/* 0x00 */ 0,   0x1b, '!', '@', '#', '$', '%', '^', '&',  '*', '(',  ')', '_',  '+',  0x7f, '\t',
	/* 0x10 */ 'Q', 'W',  'E', 'R', 'T', 'Y', 'U', 'I', 'O',  'P', '{',  '}', '\r', 0,    'A',  'S',
	/* 0x20 */ 'D', 'F',  'G', 'H', 'J', 'K', 'L', ':', '"',  '~', 0,    '|', 'Z',  'X',  'C',  'V',
	/* 0x30 */ 'B', 'N',  'M', '<', '>', '?', 0,   '*', 0,    ' ',
};
// clang-format on
/* The keypad, 0x47-0x53, with Num Lock on (the firmware's default). */
static const char keypad[0x53 - 0x47 + 1] = "789-456+1230.";

void kbd_init(struct kbd *k)
{
	memset(k, 0, sizeof(*k));
}

/* Keys behind the 0xE0 prefix: arrows, keypad Enter and /, right Ctrl. */
static u32 extended(struct kbd *k, u8 key, bool up, char *out)
{
	static const char arrows[] = {[0x48] = 'A', [0x50] = 'B', [0x4d] = 'C', [0x4b] = 'D'};

	if (key == SC_LCTRL) {
		k->rctrl = !up;
		return 0;
	}
	if (up)
		return 0;
	if (key == 0x1c) {
		out[0] = '\r';
		return 1;
	}
	if (key == 0x35) {
		out[0] = '/';
		return 1;
	}
	if (key < sizeof(arrows) && arrows[key]) {
		out[0] = 0x1b;
		out[1] = '[';
		out[2] = arrows[key];
		return 3;
	}
	return 0;
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

u32 kbd_scancode(struct kbd *k, u8 code, char out[KBD_OUT_MAX])
{
	bool up = code & SC_RELEASE, e0 = k->e0;
	u8 key = code & (u8)~SC_RELEASE;
	bool shift;
	char c;

	k->e0 = false;
	if (k->skip) {
		k->skip--;
		return 0;
	}
	if (code == SC_E0) {
		k->e0 = true;
		return 0;
	}
	if (code == SC_E1) {
		k->skip = 2; /* E1 1D 45 and E1 9D C5: Pause, nothing to type */
		return 0;
	}
	if (e0)
		return extended(k, key, up, out);
	switch (key) {
	case SC_LSHIFT: k->lshift = !up; return 0;
	case SC_RSHIFT: k->rshift = !up; return 0;
	case SC_LCTRL: k->lctrl = !up; return 0;
	case SC_CAPS:
		if (!up)
			k->caps = !k->caps;
		return 0;
	}
	if (up)
		return 0;
	if (key >= 0x47 && key <= 0x53) {
		out[0] = keypad[key - 0x47];
		return 1;
	}
	if (key >= sizeof(plain) || !plain[key])
		return 0;
	shift = k->lshift || k->rshift;
	c = shift ? shifted[key] : plain[key];
	if (k->caps && is_letter(c))
		c = shift ? plain[key] : shifted[key];
	if (k->lctrl || k->rctrl) {
		/* Ctrl-@ .. Ctrl-_: letters and [ \ ] (Ctrl-] gives the console back). */
		if (is_letter(c) || c == '[' || c == '\\' || c == ']')
			c = (char)(c & 0x1f);
		else if (c != 0x7f && c != '\r' && c != '\t' && c != 0x1b)
			return 0;
	}
	out[0] = c;
	return 1;
}
