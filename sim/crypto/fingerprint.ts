// Fingerprints: short public names for keys and bytes, so a history can say
// which key sealed a block and what a block's bytes were without containing
// either. A key's fingerprint is an HMAC under the key itself, so it reveals
// nothing about the key; equal fingerprints mean equal keys or bytes.

import { createHash, createHmac } from 'node:crypto';

const FINGERPRINT_HEX = 16;
const KEY_FINGERPRINT_DOMAIN = 'cmk-sim/key-fingerprint';

export function keyFingerprint(key: Buffer): string {
  return createHmac('sha256', key).update(KEY_FINGERPRINT_DOMAIN).digest('hex').slice(0, FINGERPRINT_HEX);
}

export function bytesFingerprint(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, FINGERPRINT_HEX);
}

/**
 * A digest of a set of blocks from their bytes' fingerprints, independent of
 * order (XOR), so a store that adds and drops blocks can be compared with a
 * record of what it added and dropped.
 */
export function setDigest(fingerprints: Iterable<string>): string {
  let digest = 0n;
  for (const fingerprint of fingerprints) digest ^= BigInt(`0x${fingerprint}`);
  return digest.toString(16).padStart(FINGERPRINT_HEX, '0');
}
