#!/usr/bin/env node
// Independent check of bitproof's output with sigstore-js, fully offline.
// usage: node verify-bundle.js PUBLIC_KEY.pem BUNDLE.json [--dsse]
//   --dsse: the file is a bare DSSE envelope; it is wrapped into a v0.3 public-key bundle first.
// The key is taken from the command line only, never from the bundle; the bundle's hint must name it
// (hex SHA-256 of the DER SubjectPublicKeyInfo). Exit 0 = verified, 1 = rejected, 2 = usage.
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const [pemPath, filePath, flag] = process.argv.slice(2);
if (!pemPath || !filePath) {
  console.error('usage: verify-bundle.js PUBLIC_KEY.pem BUNDLE.json [--dsse]');
  process.exit(2);
}
const publicKey = crypto.createPublicKey(fs.readFileSync(pemPath));
const keyId = crypto.createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
let json = JSON.parse(fs.readFileSync(filePath, 'utf8'));
if (flag === '--dsse') {
  json = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: keyId }, tlogEntries: [] },
    dsseEnvelope: json,
  };
}
try {
  const bundle = bundleFromJSON(json);
  const trust = toTrustMaterial(
    { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] },
    (hint) => {
      if (hint !== keyId) {
        throw new Error(`bundle hint ${hint} does not name the given key ${keyId}`);
      }
      return { publicKey, validFor: () => true };
    });
  new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 })
    .verify(toSignedEntity(bundle));
  console.log('OK ' + keyId);
  process.exit(0);
} catch (e) {
  console.log('REJECTED ' + (e.code || e.name) + ': ' + e.message);
  process.exit(1);
}
