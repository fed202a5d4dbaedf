// Where the package's own files are: package.json and scenarios/builtin.
// The compiled modules sit one folder deeper (dist/sim/) than the sources
// (sim/), so a path relative to this module would be right in one of the two
// layouts only. Node's self-reference by package name ("exports" has
// "./package.json") finds the package root from either.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const PACKAGE_JSON: string = createRequire(import.meta.url).resolve('cmk-sim/package.json');

/** The folder holding cmk-sim's package.json: the checkout, or node_modules/cmk-sim. */
export const PACKAGE_ROOT: string = dirname(PACKAGE_JSON);

/** cmk-sim's version, as package.json gives it; recorded in every sla.json and sweep. */
export const VERSION: string = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
