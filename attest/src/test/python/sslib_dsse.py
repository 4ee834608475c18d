#!/usr/bin/python3
"""Independent check of bitproof's DSSE output with Debian's python3-securesystemslib (0.26).

securesystemslib 0.26 has no DSSE module, so PAE is written here from the DSSE spec (over bytes):
    PAE(type, body) = b"DSSEv1 " + len(type) + b" " + type + b" " + len(body) + b" " + body

usage:
  sslib_dsse.py verify PUBLIC_KEY.pem ENVELOPE.json     exit 0 verified, 1 rejected
  sslib_dsse.py verify PUBLIC_KEY.pem BUNDLE.json --bundle   (the DSSE envelope inside a sigstore bundle)
  sslib_dsse.py sign ecdsa|ed25519 STATEMENT.json OUT.json OUT.pub
      securesystemslib generates a key, signs PAE(in-toto, statement bytes) and writes the envelope with URL-SAFE
      unpadded base64 (DSSE verifiers must accept it) and the public key as SPKI PEM
  sslib_dsse.py cosign-decrypt KEYFILE PASSWORD OUT.der  decrypt a cosign ENCRYPTED SIGSTORE PRIVATE KEY
  sslib_dsse.py cosign-encrypt PKCS8.der PASSWORD OUT.key  write one (scrypt N=65536 r=8 p=1, nacl secretbox)
"""
import base64
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from securesystemslib.signer import Signature, SSlibKey


def b64(s):
    # DSSE: verifiers accept standard and URL-safe base64
    s = s.replace("-", "+").replace("_", "/")
    return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)


def pae(payload_type, body):
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def sslib_key(pem):
    key = serialization.load_pem_public_key(pem)
    keyid = hashlib.sha256(key.public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)).hexdigest()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return SSlibKey(keyid, "ecdsa", "ecdsa-sha2-nistp256", {"public": pem.decode()})
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return SSlibKey(keyid, "ed25519", "ed25519", {"public": raw.hex()})
    raise SystemExit("unsupported key type")


def verify(pem_path, env_path, bundle):
    with open(pem_path, "rb") as f:
        key = sslib_key(f.read())
    with open(env_path, "rb") as f:
        doc = json.load(f)
    env = doc["dsseEnvelope"] if bundle else doc
    if len(env["signatures"]) != 1:
        print("REJECTED: expected exactly one signature")
        return 1
    body = b64(env["payload"])
    sig = b64(env["signatures"][0]["sig"])
    try:
        key.verify_signature(Signature(key.keyid, sig.hex()), pae(env["payloadType"], body))
    except Exception as e:  # securesystemslib raises UnverifiedSignatureError / VerificationError
        print("REJECTED: %s: %s" % (type(e).__name__, e))
        return 1
    print("OK " + key.keyid)
    return 0


def sign(kind, statement_path, out_path, pub_path):
    from securesystemslib import keys
    from securesystemslib.signer import SSlibSigner
    body = open(statement_path, "rb").read()
    if kind == "ecdsa":
        key = keys.generate_ecdsa_key()
        pem = key["keyval"]["public"].encode()
    else:
        key = keys.generate_ed25519_key()
        raw = bytes.fromhex(key["keyval"]["public"])
        pem = ed25519.Ed25519PublicKey.from_public_bytes(raw).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    sig = SSlibSigner(key).sign(pae("application/vnd.in-toto+json", body))
    url = lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")
    env = {"payload": url(body), "payloadType": "application/vnd.in-toto+json",
           "signatures": [{"keyid": key["keyid"], "sig": url(bytes.fromhex(sig.signature))}]}
    open(out_path, "w").write(json.dumps(env))
    open(pub_path, "wb").write(pem)
    return 0


def cosign_decrypt(path, password, out):
    import nacl.secret
    text = open(path).read()
    body = "".join(l for l in text.splitlines() if not l.startswith("-----"))
    doc = json.loads(base64.b64decode(body))
    p = doc["kdf"]["params"]
    key = hashlib.scrypt(password.encode(), salt=base64.b64decode(doc["kdf"]["salt"]),
                         n=p["N"], r=p["r"], p=p["p"], dklen=32, maxmem=256 * 1024 * 1024)
    try:
        der = nacl.secret.SecretBox(key).decrypt(base64.b64decode(doc["ciphertext"]),
                                                  base64.b64decode(doc["cipher"]["nonce"]))
    except Exception as e:
        print("REJECTED: %s" % e)
        return 1
    open(out, "wb").write(der)
    print("OK")
    return 0


def cosign_encrypt(der_path, password, out):
    import nacl.secret
    der = open(der_path, "rb").read()
    salt, nonce = os.urandom(32), os.urandom(24)
    key = hashlib.scrypt(password.encode(), salt=salt, n=65536, r=8, p=1, dklen=32, maxmem=256 * 1024 * 1024)
    ct = nacl.secret.SecretBox(key).encrypt(der, nonce).ciphertext
    doc = {"kdf": {"name": "scrypt", "params": {"N": 65536, "r": 8, "p": 1},
                   "salt": base64.b64encode(salt).decode()},
           "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
           "ciphertext": base64.b64encode(ct).decode()}
    b = base64.b64encode(json.dumps(doc).encode()).decode()
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    open(out, "w").write("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n" + "\n".join(lines)
                         + "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
    print("OK")
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) >= 3 and a[0] == "verify":
        sys.exit(verify(a[1], a[2], "--bundle" in a[3:]))
    if len(a) == 5 and a[0] == "sign":
        sys.exit(sign(a[1], a[2], a[3], a[4]))
    if len(a) == 4 and a[0] == "cosign-decrypt":
        sys.exit(cosign_decrypt(a[1], a[2], a[3]))
    if len(a) == 4 and a[0] == "cosign-encrypt":
        sys.exit(cosign_encrypt(a[1], a[2], a[3]))
    print(__doc__)
    sys.exit(2)
