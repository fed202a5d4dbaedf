// Where a sweep worker thread starts in a checkout, where the sources are
// TypeScript run by tsx (pool.ts says why). It registers tsx in this thread,
// then loads the worker. The package starts its threads at the compiled
// worker.js instead, and never loads this file.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
