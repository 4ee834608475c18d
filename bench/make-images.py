#!/usr/bin/env python3
"""Writes OCI layouts A, B and C of ~SIZE_MB each, LAYERS layers of many files, identical except one file.

Usage: make-images.py OUT_DIR [SIZE_MB] [LAYERS] [FILES_PER_LAYER] [SUFFIX=.bin]
Content is pseudo-random (seeded), so gzip barely shrinks it and the layers are as large as the image.
The image is tagged 'bench' in each index.json (umoci needs a tag)."""
import gzip, hashlib, io, json, os, random, sys, tarfile

out = sys.argv[1]
size_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 100
layers = int(sys.argv[3]) if len(sys.argv) > 3 else 4
files = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
suffix = sys.argv[5] if len(sys.argv) > 5 else ".bin"
per_file = size_mb * 1024 * 1024 // (layers * files)

def put(layout, data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d

def layer_tar(seed, n, changed):
    rnd = random.Random(seed)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        d = tarfile.TarInfo(f"layer{n}")
        d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, 0
        t.addfile(d)
        for i in range(files):
            data = bytearray(rnd.randbytes(per_file))
            if changed and i == files // 2:
                data[len(data) // 2] ^= 0x01
            ti = tarfile.TarInfo(f"layer{n}/file{i:05d}{suffix}")
            ti.size, ti.mode, ti.mtime = len(data), 0o644, 0
            t.addfile(ti, io.BytesIO(bytes(data)))
    return buf.getvalue()

# C: B's tars gzipped at another level, so every layer blob differs from A's and compare must stream them all
for name, change, level in (("A", False, 1), ("B", True, 1), ("C", True, 2)):
    layout = os.path.join(out, name)
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    descs, diff_ids = [], []
    for n in range(layers):
        tar = layer_tar(1000 + n, n, change and n == layers - 1)
        gz = gzip.compress(tar, compresslevel=level, mtime=0)
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": len(gz), "digest": put(layout, gz)})
        diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Env": ["PATH=/bin"]},
                      "rootfs": {"type": "layers", "diff_ids": diff_ids}}, separators=(",", ":")).encode()
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(cfg), "digest": put(layout, cfg)},
                      "layers": descs}, separators=(",", ":")).encode()
    idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
           "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": len(man), "digest": put(layout, man),
                          "platform": {"architecture": "amd64", "os": "linux"},
                          "annotations": {"org.opencontainers.image.ref.name": "bench"}}]}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(idx, f)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
print(f"{out}/A and {out}/B: {layers} layers x {files} files x {per_file} bytes")
