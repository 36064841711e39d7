#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Read the text off a screenshot of Sprout's screen console.

    tools/screen.py SHOT.ppm [--font core/font.c]

SHOT is a binary PPM (P6), as QEMU's `screendump` writes it. The console draws
each character of core/font.c as a 5x9 glyph in a cell of 6x11 pixels times a
whole scale, from pixel (0, 0), light on a dark background; the cursor is its
cell inverted. This finds the scale at which the most cells read as glyphs and
prints the grid, one line per row, trailing blanks and blank rows at the end
dropped. A cell that matches no glyph prints as '\u00bf' (never a glyph of the
font). Standard library only.
"""

import argparse
import os
import re
import sys

FONT_W, FONT_H = 5, 9
CELL_W, CELL_H = FONT_W + 1, FONT_H + 2
UNKNOWN = "\u00bf"

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FONT = os.path.join(HERE, "..", "core", "font.c")


def load_font(path):
    """{bitmap: char}, a bitmap being a tuple of FONT_H row strings of '#' and '.'."""
    with open(path, encoding="ascii") as f:
        text = f.read()
    entry = re.compile(r"\[\s*'((?:\\.|[^\\'])+)'\s*-\s*FONT_FIRST\s*\]\s*=\s*\{([^}]*)\}")
    glyphs = {}
    for m in entry.finditer(text):
        lit = m.group(1)
        ch = lit[1] if lit.startswith("\\") else lit
        rows = tuple(re.findall(r'"([#.]{%d})"' % FONT_W, m.group(2)))
        if len(rows) != FONT_H:
            raise ValueError("%s: glyph %r has %d rows" % (path, ch, len(rows)))
        glyphs[rows] = ch
    if len(glyphs) != 0x7F - 0x20:
        raise ValueError("%s: %d distinct glyphs, expected 95" % (path, len(glyphs)))
    return glyphs


def read_ppm(path):
    """(width, height, pixel bytes, 3 per pixel) of a binary PPM."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError("%s: not a binary PPM with 8-bit channels" % path)
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + width * height * 3]
    if len(pixels) != width * height * 3:
        raise ValueError("%s: short pixel data" % path)
    return width, height, pixels


def background(width, height, pixels):
    """The most common colour, sampled on a coarse lattice."""
    counts = {}
    for y in range(0, height, 7):
        for x in range(0, width, 5):
            o = (y * width + x) * 3
            key = pixels[o:o + 3]
            counts[key] = counts.get(key, 0) + 1
    return max(counts, key=counts.get)


def read_grid(width, height, pixels, glyphs, scale):
    """(rows of text, cells read as glyphs) at one scale."""
    bg = background(width, height, pixels)
    cw, ch = CELL_W * scale, CELL_H * scale

    def lit(x, y):
        o = (y * width + x) * 3
        return pixels[o:o + 3] != bg

    lines, known = [], 0
    for row in range(height // ch):
        chars = []
        for col in range(width // cw):
            x0, y0 = col * cw, row * ch
            inverse = lit(x0 + FONT_W * scale, y0)
            bitmap = tuple(
                "".join("#" if lit(x0 + gx * scale, y0 + (gy + 1) * scale) != inverse else "."
                        for gx in range(FONT_W))
                for gy in range(FONT_H))
            c = glyphs.get(bitmap)
            if c is None:
                chars.append(UNKNOWN)
            else:
                chars.append(c)
                known += c != " "
        lines.append("".join(chars).rstrip())
    while lines and not lines[-1]:
        lines.pop()
    return lines, known


def read_screen(path, font_path=DEFAULT_FONT):
    """(scale, lines of text) of the screenshot at path."""
    glyphs = load_font(font_path)
    width, height, pixels = read_ppm(path)
    best = None
    for scale in range(1, 5):
        if width < CELL_W * scale or height < CELL_H * scale:
            break
        lines, known = read_grid(width, height, pixels, glyphs, scale)
        score = known - sum(line.count(UNKNOWN) for line in lines)
        if best is None or score > best[2]:
            best = (scale, lines, score)
    if best is None:
        raise ValueError("%s: smaller than one character cell" % path)
    return best[0], best[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("shot", help="screenshot, binary PPM (QEMU screendump)")
    ap.add_argument("--font", default=DEFAULT_FONT, help="the console's font source")
    ap.add_argument("--scale", action="store_true", help="print the scale found first")
    args = ap.parse_args()
    sys.stdout.reconfigure(encoding="utf-8")
    try:
        scale, lines = read_screen(args.shot, args.font)
    except (OSError, ValueError) as e:
        print("screen.py: %s" % e, file=sys.stderr)
        return 1
    if args.scale:
        print("scale %d" % scale)
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
