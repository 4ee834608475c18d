#!/usr/bin/env python3
"""Writes the ld.so.cache fixture root (tiny ELF shared objects, symlinks, ld.so.conf files) into root/.

Deterministic: run it again and `git diff` shows nothing. See README.md for how the goldens were made from it.
"""
import os, shutil, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "root")

EM_X86_64, EM_AARCH64, EM_386 = 62, 183, 3
ET_EXEC, ET_DYN = 2, 3


def elf(machine=EM_X86_64, soname=None, etype=ET_DYN, cls=64, extra_sonames=()):
    """A minimal ELF shared object that Go's debug/elf (section headers) and glibc's ldconfig (PT_LOAD, PT_DYNAMIC,
    DT_STRTAB) both read: sections NULL, .dynstr, .dynamic, .shstrtab; virtual addresses equal file offsets."""
    names = [soname] if soname else []
    names += list(extra_sonames)
    dynstr = b"\0"
    offs = []
    for n in names:
        offs.append(len(dynstr))
        dynstr += n.encode() + b"\0"
    is64 = cls == 64
    ent = (lambda t, v: struct.pack("<qQ", t, v)) if is64 else (lambda t, v: struct.pack("<iI", t, v))
    ehsize, phentsize, shentsize = (64, 56, 64) if is64 else (52, 32, 40)
    phoff = ehsize
    off_dynstr = phoff + 2 * phentsize
    off_dynamic = off_dynstr + len(dynstr)
    off_dynamic += (-off_dynamic) % 8
    dynamic = ent(5, off_dynstr) + ent(10, len(dynstr))  # DT_STRTAB, DT_STRSZ
    dynamic += b"".join(ent(14, o) for o in offs)        # DT_SONAME
    dynamic += ent(0, 0)                                 # DT_NULL
    shstr = b"\0.dynstr\0.dynamic\0.shstrtab\0"
    off_shstr = off_dynamic + len(dynamic)
    shoff = off_shstr + len(shstr)
    shoff += (-shoff) % 8
    total = shoff + 4 * shentsize
    body = bytearray(shoff)
    body[off_dynstr:off_dynstr + len(dynstr)] = dynstr
    body[off_dynamic:off_dynamic + len(dynamic)] = dynamic
    body[off_shstr:off_shstr + len(shstr)] = shstr
    if is64:
        ph = lambda typ, flags, off, size: struct.pack("<IIQQQQQQ", typ, flags, off, off, off, size, size, 8)
        sh = lambda name, typ, off, size, link, entsize: struct.pack("<IIQQQQIIQQ", name, typ, 0, off, off, size, link, 0, 1, entsize)
    else:
        ph = lambda typ, flags, off, size: struct.pack("<IIIIIIII", typ, off, off, off, size, size, flags, 8)
        sh = lambda name, typ, off, size, link, entsize: struct.pack("<IIIIIIIIII", name, typ, 0, off, off, size, link, 0, 1, entsize)
    phdrs = ph(1, 4, 0, total) + ph(2, 6, off_dynamic, len(dynamic))   # PT_LOAD, PT_DYNAMIC
    body[phoff:phoff + len(phdrs)] = phdrs
    shdrs = sh(0, 0, 0, 0, 0, 0)
    shdrs += sh(1, 3, off_dynstr, len(dynstr), 0, 0)                           # .dynstr SHT_STRTAB
    shdrs += sh(9, 6, off_dynamic, len(dynamic), 1, 16 if is64 else 8)          # .dynamic SHT_DYNAMIC
    shdrs += sh(18, 3, off_shstr, len(shstr), 0, 0)                            # .shstrtab
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 1, 1, 0]) + bytes(8)
    if is64:
        hdr = ident + struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, 0, phoff, shoff, 0, ehsize, phentsize, 2, shentsize, 4, 3)
    else:
        hdr = ident + struct.pack("<HHIIIIIHHHHHH", etype, machine, 1, 0, phoff, shoff, 0, ehsize, phentsize, 2, shentsize, 4, 3)
    body[0:len(hdr)] = hdr
    return bytes(body) + shdrs


def put(path, data):
    p = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def link(path, target):
    p = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink(target, p)


def main():
    if os.path.exists(ROOT):
        shutil.rmtree(ROOT)
    os.makedirs(ROOT)
    # usrmerge: /lib is a symlink, so /lib (which apko always scans) and /usr/lib list the same libraries
    link("lib", "usr/lib")
    put("etc/ld.so.conf", "# apko reads includes; lines after a matched include are ignored\n"
        "include /etc/ld.so.conf.d/*.conf\n/never/read\n")
    put("etc/ld.so.conf.d/a.conf", "/usr/local/lib\n/usr/lib   # trailing comment\n\n/usr/local/lib\n")
    put("etc/ld.so.conf.d/b.conf", "\t/opt/x/lib \r\n/usr/lib\n/does/not/exist\n")
    put("etc/ld.so.conf.d/c.conf.off", "/never/read/either\n")
    u = "usr/lib/"
    put(u + "libc.so.6", elf(soname="libc.so.6"))
    put(u + "libm.so.6", elf(soname="libm.so.6"))
    put(u + "ld-linux-x86-64.so.2", elf(soname="ld-linux-x86-64.so.2"))
    put(u + "libfoo.so.1.2.3", elf(soname="libfoo.so.1"))   # real name matches neither soname nor link name
    link(u + "libfoo.so.1", "libfoo.so.1.2.3")
    link(u + "libfoo.so", "libfoo.so.1")                   # the link name: an entry of its own
    put(u + "libnosoname.so", elf())                       # no DT_SONAME, .so: its own name is the soname
    put(u + "libnosoname2.so.1", elf())                    # no DT_SONAME, versioned: no entry
    put(u + "libyaml-0.so.2", elf(soname="libyaml-0.so.2"))
    put(u + "libyaml-cpp.so.0.8", elf(soname="libyaml-cpp.so.0.8"))
    put(u + "libv.so.9", elf(soname="libv.so.9"))
    put(u + "libv.so.10", elf(soname="libv.so.10"))
    put(u + "libarm.so.1", elf(machine=EM_AARCH64, soname="libarm.so.1"))
    put(u + "libtwo.so.1", elf(soname="libtwo.so.1", extra_sonames=["libtwo-alias.so.1"]))
    put(u + "libexec.so.1", elf(soname="libexec.so.1", etype=ET_EXEC))   # not a shared object
    put(u + "libtext.so.1", "not an ELF file\n")
    put(u + "notalib.so", elf(soname="notalib.so"))        # not lib*/ld-*
    os.makedirs(os.path.join(ROOT, u + "libdir.so.1"))     # a directory
    link(u + "libdangling.so.1", "libmissing.so.1")
    for i in range(12):                                    # enough entries for pdqsort past insertion sort
        put(u + "libgen%d.so.%d" % (i, i % 3), elf(soname="libgen%d.so.%d" % (i, i % 3)))
    put("usr/local/lib/libz.so.1", elf(soname="libz.so.1"))
    put("usr/local/lib/libc.so.6", elf(soname="libc.so.6"))   # the same name in another directory
    put("opt/x/lib/libx.so.3", elf(soname="libx.so.3"))
    put("opt/x/lib/libv.so.10", elf(soname="libv.so.10"))


if __name__ == "__main__":
    sys.exit(main())
