// A count of the cryptographic operations this thread performs, by kind and
// size, for `npm run bench`: it replays exactly these operations alone (the
// crypto floor) and compares a run's CPU time with theirs. Off unless a
// tally is started, and then one comparison per operation.
//
// Each entry is one call of a Node crypto primitive as the run makes it: an
// HKDF is its two HMACs (RFC 5869 extract and expand), a sealed block its
// AES-256-GCM encryption and the SHA-256 of its IV.

export type CryptoOp =
  | 'aes-256-gcm.seal'
  | 'aes-256-gcm.open'
  | 'chacha20-poly1305.seal'
  | 'chacha20-poly1305.open'
  | 'hmac-sha256'
  | 'sha256'
  | 'aes-256-kw.wrap'
  | 'aes-256-kw.unwrap'
  | 'rsa-oaep-sha256.wrap'
  | 'rsa-oaep-sha256.unwrap'
  | 'rsa-oaep-sha1.wrap'
  | 'rsa-oaep-sha1.unwrap'
  | 'rsa.keygen';

/** One kind of operation at one size: `bytes` of data (for RSA, the modulus in bits), `aadBytes` of associated data for the AEADs. */
export interface CryptoOpCount {
  op: CryptoOp;
  bytes: number;
  aadBytes: number;
  count: number;
}

let counts: Map<string, CryptoOpCount> | null = null;

/** Counts one operation while a tally runs. */
export function tallyCrypto(op: CryptoOp, bytes: number, aadBytes = 0): void {
  if (counts === null) return;
  const key = `${op} ${bytes} ${aadBytes}`;
  const entry = counts.get(key);
  if (entry === undefined) counts.set(key, { op, bytes, aadBytes, count: 1 });
  else entry.count++;
}

/** Runs `work` with a tally of this thread's crypto operations on; returns its result and the operations, in a stable order. */
export function withCryptoTally<T>(work: () => T): { result: T; ops: CryptoOpCount[] } {
  if (counts !== null) throw new Error('internal: a crypto tally is already running');
  counts = new Map();
  try {
    const result = work();
    const ops = [...counts.values()].sort((a, b) => (a.op < b.op ? -1 : a.op > b.op ? 1 : a.bytes - b.bytes || a.aadBytes - b.aadBytes));
    return { result, ops };
  } finally {
    counts = null;
  }
}
