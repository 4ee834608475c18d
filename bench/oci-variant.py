#!/usr/bin/env python3
"""Writes a variant of a single-platform OCI layout for bench/sizes.sh: every layer decompressed and compressed again
with `pigz -1` (other bytes, other digests, same files), and with CHANGED > 0 that many regular files (the largest
text ones spread through the tar) with one byte changed in place (same sizes, so the tar stays valid). Config
diff_ids, manifest and index are rewritten to match. Standard library + pigz only.

Usage: oci-variant.py SRC_LAYOUT DST_LAYOUT CHANGED
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile


def put(dst, data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(dst, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)


def blob(src, digest):
    return os.path.join(src, "blobs", "sha256", digest.split(":", 1)[1])


def main():
    src, dst, changed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(os.path.join(dst, "blobs", "sha256"), exist_ok=True)
    shutil.copy(os.path.join(src, "oci-layout"), os.path.join(dst, "oci-layout"))
    index = json.load(open(os.path.join(src, "index.json")))
    for md in index["manifests"]:
        manifest = json.load(open(blob(src, md["digest"])))
        config = json.load(open(blob(src, manifest["config"]["digest"])))
        diff_ids = []
        for i, layer in enumerate(manifest["layers"]):
            tar = os.path.join(dst, "layer.tar")
            with open(blob(src, layer["digest"]), "rb") as fin, open(tar, "wb") as fout:
                subprocess.run(["pigz", "-dc"], stdin=fin, stdout=fout, check=True)
            if changed:
                with tarfile.open(tar) as t:
                    files = [m for m in t.getmembers() if m.isfile() and m.size > 0 and m.name.endswith(".txt")]
                step = max(1, len(files) // changed)
                targets = [files[k] for k in range(0, len(files), step)][:changed]
                with open(tar, "r+b") as f:
                    for m in targets:
                        f.seek(m.offset_data + m.size // 2)
                        b = f.read(1)
                        f.seek(m.offset_data + m.size // 2)
                        f.write(bytes([b[0] ^ 0x20]))
            h = hashlib.sha256()
            with open(tar, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            diff_ids.append("sha256:" + h.hexdigest())
            gz = os.path.join(dst, "layer.tar.gz")
            with open(tar, "rb") as fin, open(gz, "wb") as fout:
                subprocess.run(["pigz", "-1", "-n", "-c"], stdin=fin, stdout=fout, check=True)
            os.remove(tar)
            h = hashlib.sha256()
            with open(gz, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            layer["digest"] = "sha256:" + h.hexdigest()
            layer["size"] = os.path.getsize(gz)
            os.replace(gz, blob(dst, layer["digest"]))
        config["rootfs"]["diff_ids"] = diff_ids
        manifest["config"]["digest"], manifest["config"]["size"] = put(dst, json.dumps(config).encode())
        md["digest"], md["size"] = put(dst, json.dumps(manifest).encode())
        # umoci wants a tag
        md.setdefault("annotations", {})["org.opencontainers.image.ref.name"] = "bench"
    with open(os.path.join(dst, "index.json"), "w") as f:
        json.dump(index, f)


if __name__ == "__main__":
    main()
