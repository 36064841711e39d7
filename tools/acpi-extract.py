#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Pull the ACPI tables out of a guest memory dump into one file per table plus a manifest.
"""Usage: acpi-extract.py MEMDUMP OUTDIR [COMMENT]
       acpi-extract.py --pack DIR BASE OUTFILE

MEMDUMP is a raw image of guest-physical memory starting at address 0 (QEMU's
`pmemsave 0 SIZE file`, Bochs's `writemem`). The RSDP is searched for in the
legacy BIOS area first (0xE0000-0xFFFFF), then anywhere (UEFI firmware puts it
in ACPI memory). From it the RSDT, XSDT, every table they list, and the DSDT
and FACS named by the FADT are written as OUTDIR/<name>.bin; OUTDIR/manifest
lists "<file> <physical address>" with the RSDP first. Tables are copied as
found, bad checksums included, so the unit tests see what the firmware made.

--pack relocates a captured DIR into one blob meant to sit at physical address
BASE, RSDP first, pointers rewritten and checksums fixed: a seed for
tests/fuzz/fuzz_acpi.c. The FACS is left out (nothing reads it) and the DSDT
is cut down to its \\_S5_ object, to stay under the fuzzer's input size limit.
"""
import os
import struct
import sys


def checksum_ok(b):
    return sum(b) & 0xFF == 0


def find_rsdp(mem):
    def valid(off):
        head = mem[off:off + 36]
        if len(head) < 20 or not checksum_ok(head[:20]):
            return False
        if head[15] >= 2:
            length = struct.unpack_from("<I", head, 20)[0]
            return 36 <= length <= 64 and checksum_ok(mem[off:off + length])
        return True

    # A BIOS puts the RSDP on a 16-byte boundary in the legacy area. UEFI
    # hands it over in the system table instead, anywhere and unaligned, and
    # EDK2 leaves a revision-0 copy beside the real one: take the newest.
    off = mem.find(b"RSD PTR ", 0xE0000, 0x100000)
    while off >= 0:
        if off % 16 == 0 and valid(off):
            return off
        off = mem.find(b"RSD PTR ", off + 1, 0x100000)
    found = []
    off = mem.find(b"RSD PTR ")
    while off >= 0:
        if valid(off):
            found.append((-mem[off + 15], off))
        off = mem.find(b"RSD PTR ", off + 1)
    if not found:
        sys.exit("no valid RSDP in the dump")
    return min(found)[1]


class Extractor:
    def __init__(self, mem, outdir):
        self.mem, self.outdir = mem, outdir
        self.seen = {}      # address -> file name
        self.manifest = []  # (file, address)

    def save(self, name, addr, length):
        if addr in self.seen or addr == 0 or addr + length > len(self.mem):
            return None
        base, n = name, 2
        while any(f == name + ".bin" for f, _ in self.manifest):
            name, n = "%s-%d" % (base, n), n + 1
        data = self.mem[addr:addr + length]
        with open(os.path.join(self.outdir, name + ".bin"), "wb") as f:
            f.write(data)
        self.seen[addr] = name + ".bin"
        self.manifest.append((name + ".bin", addr))
        return data

    def table(self, addr):
        head = self.mem[addr:addr + 8]
        if len(head) < 8:
            return None
        sig = head[:4].decode("ascii", "replace")
        length = struct.unpack_from("<I", head, 4)[0]
        if sig == "FACS" or length < 36 or length > 1 << 20:
            length = max(length, 64) if sig == "FACS" else 36
        return self.save(sig, addr, length)

    def fadt(self, data):
        def field(off, size):
            if len(data) < off + size:
                return 0
            return struct.unpack_from("<I" if size == 4 else "<Q", data, off)[0]

        for off, size in ((36, 4), (40, 4), (132, 8), (140, 8)):
            addr = field(off, size)
            if addr:
                self.table(addr)

    def root(self, addr, entry_size):
        data = self.table(addr)
        if data is None:
            return
        fmt = "<I" if entry_size == 4 else "<Q"
        for off in range(36, len(data) - entry_size + 1, entry_size):
            ptr = struct.unpack_from(fmt, data, off)[0]
            tab = self.table(ptr)
            if tab is not None and tab[:4] == b"FACP":
                self.fadt(tab)

    def run(self):
        rsdp = find_rsdp(self.mem)
        rev = self.mem[rsdp + 15]
        length = struct.unpack_from("<I", self.mem, rsdp + 20)[0] if rev >= 2 else 20
        self.save("RSDP", rsdp, length)
        self.root(struct.unpack_from("<I", self.mem, rsdp + 16)[0], 4)
        if rev >= 2:
            self.root(struct.unpack_from("<Q", self.mem, rsdp + 24)[0], 8)


def fix_checksum(buf, off, length):
    buf[off] = 0
    buf[off] = -sum(buf[:length]) & 0xFF


def small_dsdt(dsdt):
    """A DSDT whose AML is only the firmware's Name (_S5_, Package ...)."""
    i = dsdt.find(b"\x08_S5_\x12")
    aml = b""
    if i >= 0:
        lead = dsdt[i + 6]
        n = lead >> 6
        length = lead & 0x3F if n == 0 else (lead & 0x0F) | int.from_bytes(
            dsdt[i + 7:i + 7 + n], "little") << 4
        aml = dsdt[i:i + 6 + length]
    out = bytearray(dsdt[:36]) + aml
    struct.pack_into("<I", out, 4, len(out))
    fix_checksum(out, 9, len(out))
    return out


def pack(src, base, outfile):
    tables = []  # (old address, name, bytes)
    with open(os.path.join(src, "manifest")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, addr = line.split()
                with open(os.path.join(src, name), "rb") as t:
                    tables.append((int(addr, 16), name[:-4], bytearray(t.read())))
    new = {}  # old address -> new address
    blob = bytearray()
    for old, name, data in tables:
        if name == "FACS":
            continue
        if name == "DSDT":
            data[:] = small_dsdt(data)
        blob += bytes(-len(blob) % 8)
        new[old] = base + len(blob)
        blob += data

    def reloc(off, size):
        fmt = "<I" if size == 4 else "<Q"
        old = struct.unpack_from(fmt, blob, off)[0]
        struct.pack_into(fmt, blob, off, new.get(old, 0))

    for old, name, data in tables:
        if old not in new:
            continue
        at = new[old] - base
        if name == "RSDP":
            reloc(at + 16, 4)
            if data[15] >= 2:
                reloc(at + 24, 8)
            continue  # checksums below, once its pointers are final
        length = len(data)
        if name.startswith(("RSDT", "XSDT")):
            size = 4 if name.startswith("RSDT") else 8
            for off in range(36, length - size + 1, size):
                reloc(at + off, size)
        if name == "FACP":
            for off, size in ((36, 4), (40, 4), (132, 8), (140, 8)):
                if off + size <= length:
                    reloc(at + off, size)
        table = blob[at:at + length]
        fix_checksum(table, 9, length)
        blob[at:at + length] = table
    rsdp = new[tables[0][0]] - base
    rlen = struct.unpack_from("<I", blob, rsdp + 20)[0] if blob[rsdp + 15] >= 2 else 20
    head = blob[rsdp:rsdp + rlen]
    fix_checksum(head, 8, 20)
    if rlen > 20:
        fix_checksum(head, 32, rlen)
    blob[rsdp:rsdp + rlen] = head
    with open(outfile, "wb") as f:
        f.write(blob)
    print("  %s: %d bytes" % (outfile, len(blob)))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--pack":
        return pack(sys.argv[2], int(sys.argv[3], 0), sys.argv[4])
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        mem = f.read()
    os.makedirs(sys.argv[2], exist_ok=True)
    ex = Extractor(mem, sys.argv[2])
    ex.run()
    with open(os.path.join(sys.argv[2], "manifest"), "w") as f:
        if len(sys.argv) > 3:
            f.write("# %s\n" % sys.argv[3])
        for name, addr in ex.manifest:
            f.write("%s 0x%x\n" % (name, addr))
    for name, addr in ex.manifest:
        print("  %-10s 0x%08x" % (name, addr))


if __name__ == "__main__":
    main()
