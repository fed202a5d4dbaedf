// The CMK data chain below the KEK: AEK -> per-block DEK -> AES-256-GCM sealed
// block. Pure functions of their inputs, so the simulator stays reproducible:
// the same AEK, block id and payload always give the same bytes.

import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { forgetKeyFingerprint } from './fingerprint.ts';
import { tallyCrypto } from './tally.ts';

export const AEK_BYTES = 32;
const DEK_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Where the ciphertext starts in a sealed block's bytes: iv | tag | ciphertext. */
const SEALED_HEADER_BYTES = IV_BYTES + TAG_BYTES;
const DEK_INFO = Buffer.from('cmk-sim/dek', 'utf8');
const IV_DOMAIN = Buffer.from('cmk-sim/iv\0', 'utf8');
const ZERO_AEK = Buffer.alloc(AEK_BYTES);
const SHA256_BYTES = 32;
const EMPTY = Buffer.alloc(0);
/** RFC 5869: the output is at most 255 blocks of the hash. */
const HKDF_MAX_BLOCKS = 255;
const HKDF_MAX_BYTES = HKDF_MAX_BLOCKS * SHA256_BYTES;
/** The expand step's counter octets, 1 to 255, made once. */
const HKDF_COUNTERS = Array.from({ length: HKDF_MAX_BLOCKS }, (_, i) => Buffer.of(i + 1));

/** Where sealed bytes are written: given their length, a buffer of exactly that many bytes. */
export type Destination = (bytes: number) => Buffer;

/** A buffer of its own (from Node's pool) for each call: for bytes that are not kept long. */
export const NEW_BUFFER: Destination = (bytes) => Buffer.allocUnsafe(bytes);

/** One buffer, grown as needed and given out again: what it gives is good until its next call. */
export function reusedBuffer(): Destination {
  let buffer = Buffer.allocUnsafeSlow(0);
  return (bytes) => {
    if (buffer.length < bytes) buffer = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * buffer.length));
    return buffer.subarray(0, bytes);
  };
}

/** An integrity or key failure: wrong key, tampered bytes, revoked (zeroed) AEK. */
export class CryptoError extends Error {
  override name = 'CryptoError';
}

/** Whether this AEK buffer has been zeroed (evicted or revoked). */
export function isZeroized(aek: Buffer): boolean {
  return aek.equals(ZERO_AEK);
}

export function zeroize(buf: Buffer): void {
  forgetKeyFingerprint(buf);
  buf.fill(0);
}

/**
 * Checks an AEK before use. An evicted AEK is zeroed in place, and a caller still
 * holding that buffer must fail loudly rather than seal new data under the
 * well-known all-zero key.
 */
export function assertLiveAek(aek: Buffer): void {
  if (aek.length !== AEK_BYTES) throw new Error(`an AEK is ${AEK_BYTES} bytes, got ${aek.length}`);
  if (aek.equals(ZERO_AEK)) throw new CryptoError('the AEK has been zeroized (evicted or revoked)');
}

/**
 * HKDF-SHA256 (RFC 5869): extract, then expand, as HMACs. Byte for byte what
 * Node's hkdfSync gives, at half its cost for one block of output: hkdfSync
 * pays for a key object and a job per call, and a run derives a DEK for every
 * block it seals or opens.
 */
export function hkdfSha256(ikm: Buffer, salt: Buffer, info: Buffer, lengthBytes: number): Buffer {
  if (!Number.isInteger(lengthBytes) || lengthBytes < 1 || lengthBytes > HKDF_MAX_BYTES) throw new Error(`HKDF-SHA256 gives 1 to ${HKDF_MAX_BYTES} bytes, not ${lengthBytes}`);
  // An empty salt stands for HashLen zeros (RFC 5869 2.2): HMAC pads a short key with zeros, so they are one key.
  tallyCrypto('hmac-sha256', ikm.length);
  const prk = createHmac('sha256', salt).update(ikm).digest();
  const blocks: Buffer[] = [];
  // T(i) = HMAC(PRK, T(i-1) | info | i), with T(0) empty.
  for (let i = 1, previous = EMPTY; blocks.length * SHA256_BYTES < lengthBytes; i++) {
    tallyCrypto('hmac-sha256', previous.length + info.length + 1);
    previous = createHmac('sha256', prk).update(previous).update(info).update(HKDF_COUNTERS[i - 1]!).digest();
    blocks.push(previous);
  }
  zeroize(prk);
  if (blocks.length === 1 && lengthBytes === SHA256_BYTES) return blocks[0]!;
  const okm = Buffer.concat(blocks, lengthBytes);
  for (const block of blocks) zeroize(block);
  return okm;
}

function blockIdBytes(blockId: string): Buffer {
  // An empty salt would make HKDF fall back to a zero salt shared by every such block.
  if (blockId.length === 0) throw new Error('a block id must not be empty');
  return Buffer.from(blockId, 'utf8');
}

/** The block's DEK: HKDF-SHA256 of the AEK, salted with the block id. */
export function deriveDek(aek: Buffer, blockId: string): Buffer {
  return dekOf(aek, blockIdBytes(blockId));
}

function dekOf(aek: Buffer, id: Buffer): Buffer {
  assertLiveAek(aek);
  return hkdfSha256(aek, id, DEK_INFO, DEK_BYTES);
}

// A fixed IV per block id is safe because every DEK is unique to (AEK, block id)
// and seals exactly one payload, so no (key, IV) pair is ever used twice.
// That holds only while a block id is sealed once per AEK: re-sealing the same
// id with a different payload under the same AEK would reuse the nonce.
function blockIv(id: Buffer): Buffer {
  tallyCrypto('sha256', IV_DOMAIN.length + id.length);
  return createHash('sha256').update(IV_DOMAIN).update(id).digest().subarray(0, IV_BYTES);
}

/** Seals the payload under the block's DEK: iv | tag | ciphertext, with the block id as associated data, written where `into` says. */
export function sealBlock(aek: Buffer, blockId: string, payload: Buffer, into: Destination = NEW_BUFFER): Buffer {
  const id = blockIdBytes(blockId);
  const dek = dekOf(aek, id);
  try {
    const iv = blockIv(id);
    const cipher = createCipheriv('aes-256-gcm', dek, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(id);
    tallyCrypto('aes-256-gcm.seal', payload.length, id.length);
    const ciphertext = cipher.update(payload);
    // GCM is a stream mode: everything came out of update().
    if (cipher.final().length !== 0) throw new Error('internal: AES-GCM held back ciphertext until final()');
    return written(into, [iv, cipher.getAuthTag(), ciphertext]);
  } finally {
    zeroize(dek);
  }
}

/** The parts, one after another, in a buffer from `into`. */
export function written(into: Destination, parts: readonly Buffer[]): Buffer {
  let bytes = 0;
  for (const part of parts) bytes += part.length;
  const out = into(bytes);
  if (out.length !== bytes) throw new Error(`internal: asked for ${bytes} bytes to write into, given ${out.length}`);
  let offset = 0;
  for (const part of parts) offset += part.copy(out, offset);
  return out;
}

/** Opens the bytes sealBlock gave for this block id; anything else (another id, key or block, a changed byte) is a CryptoError. */
export function openBlock(aek: Buffer, blockId: string, sealed: Buffer): Buffer {
  const id = blockIdBytes(blockId);
  return openUnder(aek, id, id, blockId, sealed);
}

/**
 * Opens a block's bytes (its own id as associated data) with the DEK the AEK
 * gives another block id: evidence that each block has a DEK of its own
 * ("The AEK is used to derive DEKs, which are the keys that are used to
 * encrypt each block of data"), so it must fail.
 */
export function openWithDekOf(aek: Buffer, dekBlockId: string, blockId: string, sealed: Buffer): Buffer {
  return openUnder(aek, blockIdBytes(dekBlockId), blockIdBytes(blockId), blockId, sealed);
}

function openUnder(aek: Buffer, dekId: Buffer, id: Buffer, blockId: string, sealed: Buffer): Buffer {
  if (sealed.length < SEALED_HEADER_BYTES) throw new CryptoError(`block ${blockId}: too short to be a sealed block`);
  const dek = dekOf(aek, dekId);
  try {
    // An explicit tag length, or Node would accept a truncated tag.
    const decipher = createDecipheriv('aes-256-gcm', dek, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(id);
    decipher.setAuthTag(sealed.subarray(IV_BYTES, SEALED_HEADER_BYTES));
    tallyCrypto('aes-256-gcm.open', sealed.length - SEALED_HEADER_BYTES, id.length);
    const plain = decipher.update(sealed.subarray(SEALED_HEADER_BYTES));
    try {
      decipher.final();
    } catch (err) {
      // update() hands out plaintext before the tag is checked; it must not survive.
      zeroize(plain);
      throw err;
    }
    return plain;
  } catch {
    throw new CryptoError(`block ${blockId} cannot be opened: wrong key, tampered, or another block`);
  } finally {
    zeroize(dek);
  }
}
