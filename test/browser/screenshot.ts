// npm run test:browser: renders report.html of the default scenario in
// headless Chromium (Debian's chromium package) and saves a screenshot.
// Not part of `npm test` (no browser there); test/report-html.test.ts checks
// the page's structure without one.
//
//   npm run test:browser [-- <scenario> [<out dir>]]
//
// Exit status: 0 the screenshot was taken; 1 it failed; 2 no Chromium.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../sim/cli.ts';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT_MS = 90_000;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A blank page at this size compresses to a few kilobytes; a drawn report is far larger. */
const PNG_MIN_BYTES = 20_000;

async function screenshot(): Promise<number> {
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(
      `test:browser: no Chromium at ${CHROMIUM}.\n` +
        'Install Debian\'s chromium package: sudo apt-get install -y chromium   (or run .ci/install-chromium)\n' +
        'or point CHROMIUM=/path/to/chromium at another build.\n',
    );
    return 2;
  }
  const scenario = process.argv[2] ?? 'kv-outage-45m';
  const outDir = resolve(process.argv[3] ?? 'out/browser');
  mkdirSync(outDir, { recursive: true });
  const lines: string[] = [];
  const status = await main(['run', scenario, '--out', outDir], { out: (t) => lines.push(t), err: (t) => lines.push(t) });
  if (status !== 0) {
    process.stderr.write(`test:browser: the run of ${scenario} exited ${status}:\n${lines.join('\n')}\n`);
    return 1;
  }
  const html = join(outDir, 'report.html');
  const png = join(outDir, 'report.png');
  rmSync(png, { force: true });
  const profile = mkdtempSync(join(tmpdir(), 'cmk-sim-chromium-'));
  try {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      '--window-size=1280,3000',
      `--screenshot=${png}`,
      `file://${html}`,
    ];
    try {
      await promisify(execFile)(CHROMIUM, args, { timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const e = error as { message: string; stderr?: string };
      process.stderr.write(`test:browser: chromium failed: ${e.message}\n${e.stderr ?? ''}\n`);
      return 1;
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
  if (!existsSync(png)) {
    process.stderr.write(`test:browser: chromium wrote no screenshot at ${png}\n`);
    return 1;
  }
  const size = statSync(png).size;
  const magic = readFileSync(png).subarray(0, PNG_MAGIC.length);
  if (!magic.equals(PNG_MAGIC)) {
    process.stderr.write(`test:browser: ${png} is not a PNG\n`);
    return 1;
  }
  if (size < PNG_MIN_BYTES) {
    process.stderr.write(`test:browser: ${png} is only ${size} bytes: the page looks blank\n`);
    return 1;
  }
  process.stdout.write(`test:browser: ${scenario} rendered in headless Chromium; screenshot ${png} (${size.toLocaleString('en-US')} bytes)\n`);
  return 0;
}

screenshot().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`test:browser: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
