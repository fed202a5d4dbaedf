// The only randomness: named streams, each seeded from the run seed and its
// own name (e.g. "kv1/poll"). A stream's draws depend on nothing else, so a
// new draw in one actor never shifts another actor's draws.

import seedrandom from 'seedrandom';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Uniform integer in [min, max], both ends included. */
  uniformInt(min: number, max: number): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** Exponentially distributed with the given mean (e.g. gaps between Poisson arrivals). */
  exponential(mean: number): number;
  pick<T>(items: readonly T[]): T;
  /** n pseudo-random bytes, for reproducible synthetic keys and payloads. */
  bytes(n: number): Buffer;
}

export class RandomStreams {
  private readonly seed: number;
  private readonly streams = new Map<string, Random>();

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    this.seed = seed;
  }

  /** The stream with this name; the same name gives the same object. */
  stream(name: string): Random {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      // The seed is an integer, so the first "/" ends it: no two (seed, name) pairs collide.
      stream = new AleaRandom(seedrandom.alea(`${this.seed}/${name}`));
      this.streams.set(name, stream);
    }
    return stream;
  }
}

class AleaRandom implements Random {
  constructor(private readonly prng: seedrandom.PRNG) {}

  next(): number {
    return this.prng.double(); // 53 bits, so uniformInt stays unbiased over wide ranges
  }

  uniform(min: number, max: number): number {
    if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) {
      throw new Error(`uniform(min, max) needs finite min <= max, got ${min}, ${max}`);
    }
    return min + (max - min) * this.next();
  }

  uniformInt(min: number, max: number): number {
    if (!(Number.isSafeInteger(min) && Number.isSafeInteger(max) && min <= max && Number.isSafeInteger(max - min + 1))) {
      throw new Error(`uniformInt(min, max) needs integers min <= max, got ${min}, ${max}`);
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bernoulli(p: number): boolean {
    if (!(p >= 0 && p <= 1)) throw new Error(`bernoulli(p) needs 0 <= p <= 1, got ${p}`);
    return this.next() < p;
  }

  exponential(mean: number): number {
    if (!(mean > 0 && Number.isFinite(mean))) throw new Error(`exponential(mean) needs mean > 0, got ${mean}`);
    return -mean * Math.log(1 - this.next()); // 1 - next() is in (0, 1]: the log is finite
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick() from an empty list');
    return items[this.uniformInt(0, items.length - 1)]!;
  }

  bytes(n: number): Buffer {
    if (!(Number.isSafeInteger(n) && n >= 0)) throw new Error(`bytes(n) needs an integer n >= 0, got ${n}`);
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const word = this.prng.int32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }
}
