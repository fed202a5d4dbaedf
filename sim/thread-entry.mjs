// A worker thread starts here: it registers tsx, as bin/cmk-sim.js does, so
// the thread can load the TypeScript sources however the main thread was
// started (tsx, the installed bin, or a test runner), then loads the module
// named in workerData.module.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.module);
