// Where a sweep worker process starts in a checkout, where the sources are
// TypeScript run by tsx (pool.ts says why). It registers tsx in this process,
// then loads the worker. The package starts its workers at the compiled
// worker.js instead, and never loads this file.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
