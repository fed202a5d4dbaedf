#!/usr/bin/env node
// The installed command: registers tsx so Node runs the TypeScript sources, then the CLI.
import { register } from 'tsx/esm/api';
import { hideBin } from 'yargs/helpers';

register();
const { main } = await import('../sim/cli.ts');
process.exitCode = await main(hideBin(process.argv));
