#!/usr/bin/env node
// The installed command: registers tsx so Node runs the TypeScript sources, then the CLI.
import { register } from 'tsx/esm/api';

register();
const { runAsProcess } = await import('../sim/cli.ts');
await runAsProcess();
