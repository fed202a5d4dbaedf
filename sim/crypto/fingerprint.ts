// Fingerprints: short public names for keys and bytes, so a history can say
// which key sealed a block and what a block's bytes were without containing
// either. A key's fingerprint is an HMAC under the key itself, so it reveals
// nothing about the key; equal fingerprints mean equal keys or bytes.

import { createHash, createHmac } from 'node:crypto';
import { tallyCrypto } from './tally.ts';

const FINGERPRINT_HEX = 16;
/** The bytes of a digest a fingerprint shows, as hex: written from the digest's first bytes, not cut from the hex of all 32 (a string cut keeps the whole alive). */
const FINGERPRINT_BYTES = FINGERPRINT_HEX / 2;
const KEY_FINGERPRINT_DOMAIN = 'cmk-sim/key-fingerprint';

/**
 * Fingerprints of the keys in use, by buffer: an account names the AEK of
 * every block it seals, and the HMAC of the same key bytes need not be
 * computed again for each. A key buffer changes only by being zeroed, and
 * zeroize() forgets its fingerprint (forgetKeyFingerprint), so a fingerprint
 * found here is always that of the buffer's bytes now.
 */
const keyFingerprints = new WeakMap<Buffer, string>();

export function keyFingerprint(key: Buffer): string {
  let fingerprint = keyFingerprints.get(key);
  if (fingerprint === undefined) {
    tallyCrypto('hmac-sha256', KEY_FINGERPRINT_DOMAIN.length);
    fingerprint = createHmac('sha256', key).update(KEY_FINGERPRINT_DOMAIN).digest().toString('hex', 0, FINGERPRINT_BYTES);
    keyFingerprints.set(key, fingerprint);
  }
  return fingerprint;
}

/** The key's bytes are about to change (zeroize): its fingerprint is computed afresh next time. */
export function forgetKeyFingerprint(key: Buffer): void {
  keyFingerprints.delete(key);
}

export function bytesFingerprint(bytes: Buffer): string {
  tallyCrypto('sha256', bytes.length);
  return createHash('sha256').update(bytes).digest().toString('hex', 0, FINGERPRINT_BYTES);
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
