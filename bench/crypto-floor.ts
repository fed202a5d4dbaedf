// The crypto floor of a run: the cryptographic operations it counted
// (sim/crypto/tally.ts), replayed alone, each with its own kind and sizes and
// nothing around it. A run's CPU time over its floor's says how much the
// simulator adds to the cryptography it must do.

import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type CipherGCMTypes,
} from 'node:crypto';
import { RsaKeyPool } from '../sim/crypto/kek.ts';
import { withCryptoTally, type CryptoOpCount } from '../sim/crypto/tally.ts';

const KEY = randomBytes(32);
const NONCE = randomBytes(12);
const TAG_BYTES = 16;
const KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

/** One prepared operation: inputs made beforehand, so calling it costs the primitive alone. */
type Replay = () => void;

function aead(cipher: 'aes-256-gcm' | 'chacha20-poly1305', bytes: number, aadBytes: number, open: boolean): Replay {
  const data = randomBytes(bytes);
  const aad = randomBytes(aadBytes);
  const algorithm = cipher as CipherGCMTypes;
  if (!open) {
    return () => {
      const c = createCipheriv(algorithm, KEY, NONCE, { authTagLength: TAG_BYTES });
      c.setAAD(aad, { plaintextLength: bytes });
      c.update(data);
      c.final();
      c.getAuthTag();
    };
  }
  const c = createCipheriv(algorithm, KEY, NONCE, { authTagLength: TAG_BYTES });
  c.setAAD(aad, { plaintextLength: bytes });
  const sealed = Buffer.concat([c.update(data), c.final()]);
  const tag = c.getAuthTag();
  return () => {
    const d = createDecipheriv(algorithm, KEY, NONCE, { authTagLength: TAG_BYTES });
    d.setAAD(aad, { plaintextLength: bytes });
    d.setAuthTag(tag);
    d.update(sealed);
    d.final();
  };
}

function prepare({ op, bytes, aadBytes }: CryptoOpCount, pool: RsaKeyPool): Replay {
  switch (op) {
    case 'aes-256-gcm.seal':
      return aead('aes-256-gcm', bytes, aadBytes, false);
    case 'aes-256-gcm.open':
      return aead('aes-256-gcm', bytes, aadBytes, true);
    case 'chacha20-poly1305.seal':
      return aead('chacha20-poly1305', bytes, aadBytes, false);
    case 'chacha20-poly1305.open':
      return aead('chacha20-poly1305', bytes, aadBytes, true);
    case 'hmac-sha256': {
      const data = randomBytes(bytes);
      return () => void createHmac('sha256', KEY).update(data).digest();
    }
    case 'sha256': {
      const data = randomBytes(bytes);
      return () => void createHash('sha256').update(data).digest();
    }
    case 'aes-256-kw.wrap': {
      const data = randomBytes(bytes);
      return () => {
        const c = createCipheriv('id-aes256-wrap', KEY, KW_IV);
        c.update(data);
        c.final();
      };
    }
    case 'aes-256-kw.unwrap': {
      const c = createCipheriv('id-aes256-wrap', KEY, KW_IV);
      const wrapped = Buffer.concat([c.update(randomBytes(bytes - 8)), c.final()]);
      return () => {
        const d = createDecipheriv('id-aes256-wrap', KEY, KW_IV);
        d.update(wrapped);
        d.final();
      };
    }
    case 'rsa-oaep-sha256.wrap':
    case 'rsa-oaep-sha1.wrap':
    case 'rsa-oaep-sha256.unwrap':
    case 'rsa-oaep-sha1.unwrap': {
      const { publicKey, privateKey } = pool.pair(bytes, 0);
      const oaepHash = op.startsWith('rsa-oaep-sha256') ? 'sha256' : 'sha1';
      const aek = randomBytes(32);
      if (op.endsWith('.wrap')) return () => void publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, aek);
      const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, aek);
      return () => void privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, wrapped);
    }
    case 'rsa.keygen':
      return () => void generateKeyPairSync('rsa', { modulusLength: bytes });
  }
}

export interface CryptoFloor {
  /** Runs every counted operation once per count; `times` repeats the whole set. */
  replay(times?: number): void;
  /** Operations in one replay. */
  readonly operations: number;
}

/** The counted operations, prepared to replay (inputs, keys and RSA pairs made now, outside any timing). */
export function cryptoFloor(ops: readonly CryptoOpCount[], pool = new RsaKeyPool()): CryptoFloor {
  const prepared = ops.map((entry) => ({ run: prepare(entry, pool), count: entry.count }));
  return {
    operations: ops.reduce((n, e) => n + e.count, 0),
    replay(times = 1) {
      for (let t = 0; t < times; t++) for (const { run, count } of prepared) for (let i = 0; i < count; i++) run();
    },
  };
}

export interface AgainstFloor {
  /** Median CPU time of the work, ms. */
  workCpuMs: number;
  /** Median CPU time of its crypto floor, ms. */
  floorCpuMs: number;
  /** work / floor of each round, in order. */
  ratios: number[];
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function cpuMsOf(work: () => void): number {
  const started = process.cpuUsage();
  work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/**
 * The work's CPU time against its crypto floor, in this process: the work is
 * done once with its crypto operations counted (which also warms it up),
 * then `rounds` times each, the work and the replay of its operations taking
 * turns so that the machine's other load falls on both alike.
 */
export function againstFloor(work: () => void, rounds: number, pool: RsaKeyPool): AgainstFloor {
  const { ops } = withCryptoTally(work);
  const floor = cryptoFloor(ops, pool);
  floor.replay();
  const workMs: number[] = [];
  const floorMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    workMs.push(cpuMsOf(work));
    floorMs.push(cpuMsOf(() => floor.replay()));
  }
  return { workCpuMs: median(workMs), floorCpuMs: median(floorMs), ratios: workMs.map((ms, i) => ms / floorMs[i]!) };
}
