#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Linux guest artifacts from Debian packages, with Python's standard library only.

  mklinux.py vmlinux BZIMAGE OUT        the ELF vmlinux inside a bzImage (PVH entry)
  mklinux.py initramfs BUSYBOX INIT OUT [FILE ...]
                                         a gzip'd newc cpio: busybox, its applet
                                         links, /dev/console, /init, and each
                                         FILE as an executable /bin/BASENAME

The bzImage's payload is found by its compression magic (xz, gzip or zstd is
not needed for Debian's xz kernels) and decompressed; the result must be an
ELF64 file. The cpio is written directly, so no root is needed for the device
node and the archive is the same on every machine (mtime 0).
"""
import gzip
import lzma
import os
import stat
import sys
import zlib

XZ_MAGIC = b"\xfd7zXZ\x00"
GZ_MAGIC = b"\x1f\x8b\x08"


def die(msg):
    sys.stderr.write("mklinux: %s\n" % msg)
    sys.exit(1)


def extract_vmlinux(bzimage, out):
    with open(bzimage, "rb") as f:
        data = f.read()
    if data[0x202:0x206] != b"HdrS":
        die("%s: not a bzImage (no HdrS setup header)" % bzimage)
    # The payload starts after the setup sectors; search from there.
    setup = (data[0x1F1] or 4) + 1
    start = setup * 512
    elf = None
    for magic, opener in ((XZ_MAGIC, "xz"), (GZ_MAGIC, "gz")):
        at = data.find(magic, start)
        while at >= 0 and elf is None:
            try:
                if opener == "xz":
                    d = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
                    raw = d.decompress(data[at:])
                else:
                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    raw = d.decompress(data[at:])
                if raw[:4] == b"\x7fELF" and raw[4] == 2:
                    elf = raw
            except (lzma.LZMAError, zlib.error):
                pass
            at = data.find(magic, at + 1)
        if elf:
            break
    if elf is None:
        die("%s: no xz or gzip payload holding an ELF64 vmlinux" % bzimage)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(elf)
    os.replace(tmp, out)


def cpio_entry(name, mode, body=b"", rdev=(0, 0), ino=[0]):
    ino[0] += 1
    name_b = name.encode() + b"\x00"
    hdr = "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X" % (
        ino[0], mode, 0, 0, 1, 0, len(body), 0, 0, rdev[0], rdev[1], len(name_b), 0)
    out = hdr.encode() + name_b
    out += b"\x00" * (-len(out) % 4)
    out += body
    out += b"\x00" * (-len(out) % 4)
    return out


# Applets /init and the tests use; each is a symlink to busybox.
APPLETS = ["sh", "mount", "umount", "cat", "echo", "ls", "poweroff", "reboot", "sleep",
           "dmesg", "grep", "head", "tail", "free", "uname", "mkdir", "true", "false",
           "seq", "dd", "sync", "awk", "wc", "cut", "tr", "nproc", "date", "hwclock"]


def make_initramfs(busybox, init, out, extra):
    with open(busybox, "rb") as f:
        bb = f.read()
    if bb[:4] != b"\x7fELF":
        die("%s: not an ELF busybox" % busybox)
    with open(init, "rb") as f:
        init_body = f.read()
    d = stat.S_IFDIR | 0o755
    parts = [cpio_entry(n, d) for n in ("dev", "proc", "sys", "bin", "sbin", "tmp", "etc")]
    parts.append(cpio_entry("dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1)))
    parts.append(cpio_entry("dev/null", stat.S_IFCHR | 0o666, rdev=(1, 3)))
    parts.append(cpio_entry("bin/busybox", stat.S_IFREG | 0o755, bb))
    for a in APPLETS:
        parts.append(cpio_entry("bin/" + a, stat.S_IFLNK | 0o777, b"busybox"))
    parts.append(cpio_entry("init", stat.S_IFREG | 0o755, init_body))
    for path in extra:
        with open(path, "rb") as f:
            parts.append(cpio_entry("bin/" + os.path.basename(path), stat.S_IFREG | 0o755,
                                    f.read()))
    parts.append(cpio_entry("TRAILER!!!", 0))
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(gzip.compress(b"".join(parts), mtime=0))
    os.replace(tmp, out)


def main(argv):
    if len(argv) == 4 and argv[1] == "vmlinux":
        extract_vmlinux(argv[2], argv[3])
    elif len(argv) >= 5 and argv[1] == "initramfs":
        make_initramfs(argv[2], argv[3], argv[4], argv[5:])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
