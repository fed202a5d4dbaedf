// The kernel of a run: the work on its blocks that no simulator around them
// can leave out, done with the model's own functions and nothing else. Each
// block's payload is written (sim/workload/payload.ts), sealed under its AEK
// and again under the infrastructure layer (double encryption), sealed as a
// hot copy under the Microsoft key, and fingerprinted; then hot copies are
// opened, as many as the run opened blocks. No scheduler, event, state,
// history or checker. Its CPU time against the replay of its own crypto
// operations says how close to its floor any run of those blocks can come.

import { InfrastructureLayer, NEW_BUFFER, bytesFingerprint, keyFingerprint, openBlock, reusedBuffer, sealBlock } from '../sim/crypto/index.ts';
import type { CryptoOpCount } from '../sim/crypto/tally.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { PayloadWriter } from '../sim/workload/payload.ts';

/** How many blocks a run sealed and opened: its tally's infrastructure-layer seals, and its AES-GCM opens. */
export interface KernelShape {
  blocks: number;
  opens: number;
}

/** How many operations of this kind a tally counted, whatever their sizes. */
export function countOf(ops: readonly CryptoOpCount[], op: CryptoOpCount['op']): number {
  return ops.reduce((n, e) => (e.op === op ? n + e.count : n), 0);
}

export function kernelShapeOf(ops: readonly CryptoOpCount[], runs: number): KernelShape {
  const blocks = Math.round(countOf(ops, 'chacha20-poly1305.seal') / runs);
  if (blocks === 0) throw new Error('the kernel is that of runs that seal blocks under the infrastructure layer (double encryption on): these sealed none');
  return { blocks, opens: Math.round(countOf(ops, 'aes-256-gcm.open') / runs) };
}

/** Records a block claims: more than fit, so that every payload is written up to its cap, as a run's are. */
const RECORDS_PER_BLOCK = 1000;
const SLICE_MS = 300_000;
const WORKSPACES = ['ws-prod', 'ws-security'];

/** One kernel of `shape` per call, payloads capped at `payloadBytes` like the run's (its blockPayloadBytes). */
export function kernel(shape: KernelShape, payloadBytes: number): () => void {
  const streams = new RandomStreams(1);
  const aek = streams.stream('kernel-keys').bytes(32);
  const mmkAek = streams.stream('kernel-keys').bytes(32);
  const infrastructure = new InfrastructureLayer(streams.stream('kernel-keys').bytes(32));
  const inner = reusedBuffer();
  return () => {
    const payloads = new PayloadWriter(new RandomStreams(1).stream('payload'), payloadBytes, '2026-01-01T00:00:00Z');
    const hot: Buffer[] = [];
    for (let b = 0; b < shape.blocks; b++) {
      const id = `cl1/0/${b}/r30`;
      const payload = payloads.payload({ block: id, records: RECORDS_PER_BLOCK, workspaces: WORKSPACES, sliceEndMs: b * SLICE_MS });
      const stored = infrastructure.encrypt(id, sealBlock(aek, id, payload, inner), NEW_BUFFER);
      hot.push(sealBlock(mmkAek, `${id}#hot`, payload, NEW_BUFFER));
      keyFingerprint(aek);
      bytesFingerprint(stored);
    }
    for (let o = 0; o < shape.opens; o++) openBlock(mmkAek, `cl1/0/${o % shape.blocks}/r30#hot`, hot[o % shape.blocks]!);
  };
}
