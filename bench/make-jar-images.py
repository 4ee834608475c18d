#!/usr/bin/env python3
"""Writes OCI layouts A and B holding one jar of ~SIZE_MB (entries of 64 KiB of seeded random bytes, deflated),
identical except for every entry's timestamp; and BIN_A/BIN_B, the same bytes as app/app.bin with one byte changed
(not a zip: not spilled, the baseline).

Usage: make-jar-images.py OUT_DIR [SIZE_MB=50]"""
import gzip, hashlib, io, json, os, random, sys, tarfile, zipfile

out = sys.argv[1]
size_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 50

def put(layout, data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d

def jar(when):
    rnd = random.Random(42)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(size_mb * 16):
            z.writestr(zipfile.ZipInfo(f"demo/C{i}.class", date_time=when), rnd.randbytes(65536), zipfile.ZIP_DEFLATED)
    return buf.getvalue()

def layout(name, path, data):
    root = os.path.join(out, name)
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        d = tarfile.TarInfo("app")
        d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, 0
        t.addfile(d)
        ti = tarfile.TarInfo(path)
        ti.size, ti.mode, ti.mtime = len(data), 0o644, 0
        t.addfile(ti, io.BytesIO(data))
    tar = buf.getvalue()
    gz = gzip.compress(tar, compresslevel=1, mtime=0)
    desc = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": len(gz), "digest": put(root, gz)}
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                      "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]}}).encode()
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(cfg),
                                 "digest": put(root, cfg)}, "layers": [desc]}).encode()
    idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
           "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": len(man),
                          "digest": put(root, man), "platform": {"architecture": "amd64", "os": "linux"}}]}
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump(idx, f)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')

a = jar((2024, 1, 2, 3, 4, 6))
b = jar((2025, 6, 7, 8, 9, 10))
layout("A", "app/app.jar", a)
layout("B", "app/app.jar", b)
x = bytearray(a)
x[0] = 0  # not a zip by its first bytes, and not named one
y = bytearray(x)
y[len(y) // 2] ^= 1
layout("BIN_A", "app/app.bin", bytes(x))
layout("BIN_B", "app/app.bin", bytes(y))
print(f"{out}: jar of {len(a)} bytes")
