// A sweep worker thread starts here: it registers tsx, as bin/cmk-sim.js
// does, so the thread can load the TypeScript sources however the main
// thread was started (tsx, the installed bin, or a test runner).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
