#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Host tests of tools/screen.py on screenshots drawn here the way the console draws."""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import screen  # noqa: E402 pylint: disable=wrong-import-position

SCREEN = os.path.join(ROOT, "tools", "screen.py")
results = []


def check(name, ok, why=""):
    results.append(ok)
    print("%s %d - %s%s" % ("ok" if ok else "FAIL", len(results), name,
                            "" if ok else ": " + str(why)))


def draw(lines, width, height, scale, cursor=None, fg=(192, 192, 192), bg=(0, 0, 0)):
    """A P6 image of lines drawn as the console draws them (cursor: (col, row) inverted)."""
    glyphs = {c: rows for rows, c in screen.load_font(screen.DEFAULT_FONT).items()}
    img = bytearray(bytes(bg) * (width * height))
    cw, ch = screen.CELL_W * scale, screen.CELL_H * scale
    cells = {(c, r): ch_ for r, line in enumerate(lines) for c, ch_ in enumerate(line)}
    if cursor is not None:
        cells.setdefault(cursor, " ")
    for (col, row), c in cells.items():
        rows = glyphs[c]
        inverse = cursor == (col, row)
        for py in range(ch):
            gy = py // scale - 1
            for px in range(cw):
                gx = px // scale
                on = 0 <= gy < screen.FONT_H and gx < screen.FONT_W and rows[gy][gx] == "#"
                o = ((row * ch + py) * width + col * cw + px) * 3
                img[o:o + 3] = bytes(fg if on != inverse else bg)
    return b"P6\n# drawn by test_screen.py\n%d %d\n255\n" % (width, height) + bytes(img)


def run(data, *args):
    with tempfile.NamedTemporaryFile(suffix=".ppm", delete=False) as f:
        f.write(data)
        path = f.name
    res = subprocess.run([sys.executable, SCREEN, path] + list(args), capture_output=True,
                         text=True, encoding="utf-8", check=False)
    os.unlink(path)
    return res


def main():
    glyphs = screen.load_font(screen.DEFAULT_FONT)
    check("the font has 95 distinct glyphs", len(glyphs) == 95, len(glyphs))
    check("every printable ASCII character is in it",
          sorted(glyphs.values()) == [chr(c) for c in range(0x20, 0x7f)])
    text = ["Sprout 0.4 booting via uefi", "", "vm linux: 1/3 vCPUs, 12% busy {ok} [x] \\ |",
            "sprout> vms"]
    res = run(draw(text, 400, 200, 1, cursor=(11, 3)), "--scale")
    out = res.stdout.splitlines()
    check("scale 1: exit 0, scale found", res.returncode == 0 and out[:1] == ["scale 1"],
          res.stderr or out[:1])
    check("scale 1: every line read back", out[1:] == text, out[1:])
    every = "".join(chr(c) for c in range(0x21, 0x7f))
    res = run(draw([every[:47], every[47:]], 600, 100, 1))
    check("every glyph reads back as itself", res.stdout.splitlines() == [every[:47], every[47:]],
          res.stdout)
    res = run(draw(["sprout> help", "top"], 700, 300, 3, cursor=(3, 1),
                   fg=(255, 255, 255), bg=(0, 0, 80)), "--scale")
    out = res.stdout.splitlines()
    check("scale 3, other colours, cursor cell: read back",
          out == ["scale 3", "sprout> help", "top"], out)
    img = bytearray(draw(["abc"], 120, 40, 1))
    hdr = len(img) - 120 * 40 * 3
    img[hdr + (1 * 120 + 2) * 3:hdr + (1 * 120 + 2) * 3 + 3] = b"\xff\xff\xff"
    res = run(bytes(img))
    check("a spoilt cell reads as the unknown mark, the rest as text",
          res.stdout.splitlines() == [screen.UNKNOWN + "bc"], res.stdout)
    res = run(b"P3\n1 1\n255\n0 0 0\n")
    check("a text PPM: exit 1 with a reason", res.returncode == 1 and "PPM" in res.stderr,
          res.stderr)
    res = run(b"P6\n10 10\n255\n\x00\x00")
    check("short pixel data: exit 1", res.returncode == 1 and "short" in res.stderr, res.stderr)
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
