// `run --junit FILE`: the run as JUnit XML for CI: one testsuite, a testcase
// per expectation and per documented rule (and `sweep --junit`: a testcase
// for the rules over the sweep, and one per run that broke one). A failed expectation or a broken
// rule is a failure carrying its explanation; rules 11 and 12, which the
// test suite checks and not a run, are skipped with the reason. The Ant JUnit
// schema (test/fixtures/junit) accepts it, and the same run gives the same
// bytes: the timestamp is the scenario's start, the times 0 (a simulated
// duration is no test's running time), the host "localhost".

import { create } from 'xmlbuilder2';
import { RULES } from '../sim/observe/checker.ts';
import type { RunResult } from '../sim/result.ts';
import { count, sinceStart } from './format.ts';

/** Rules a run does not check, and why (the checker says it in each rule's text). */
const NOT_CHECKED_IN_A_RUN: ReadonlySet<number> = new Set([11, 12]);

interface TestCase {
  classname: string;
  name: string;
  failure?: { message: string; details: string };
  skipped?: string;
}

export function renderJunit(result: RunResult): string {
  const suite = `cmk-sim.${result.scenario}`;
  const cases: TestCase[] = [];
  for (const e of result.expectations) {
    const expected = `${e.op} ${JSON.stringify(e.value)}`;
    cases.push({
      classname: `${suite}.expectations`,
      name: `${e.metric} ${expected}`,
      ...(e.pass ? {} : { failure: { message: `${e.metric}: expected ${expected}, actual ${JSON.stringify(e.actual) ?? 'nothing'}`, details: `sla.json ${e.metric} = ${JSON.stringify(e.actual) ?? 'nothing'}` } }),
    });
  }
  for (const rule of RULES) {
    const name = `rule ${rule.rule} ${rule.name}`;
    if (NOT_CHECKED_IN_A_RUN.has(rule.rule)) {
      cases.push({ classname: `${suite}.rules`, name, skipped: rule.text });
      continue;
    }
    const violations = result.invariants.violations.filter((v) => v.rule === rule.rule);
    const checks = result.invariants.rules.find((r) => r.rule === rule.rule)?.checks ?? 0;
    cases.push({
      classname: `${suite}.rules`,
      name,
      ...(violations.length === 0
        ? {}
        : {
            failure: {
              message: `${violations.length} violation${violations.length === 1 ? '' : 's'} of "${rule.text}": ${violations[0]!.message}`,
              details: [`${count(checks)} checks; violations:`, ...violations.map((v) => `${sinceStart(v.atMs)} ${v.entity}: ${v.message}`)].join('\n'),
            },
          }),
    });
  }
  // Characters XML 1.0 cannot hold (control characters in a message) become U+FFFD rather than a file no parser reads.
  return junitXml(`${suite} seed ${result.seed}`, result.start, [['scenario', result.scenario], ['seed', String(result.seed)], ['profile', result.profile], ['version', result.version]], cases);
}

/** What `sweep --junit` reports of a sweep: its scenario, and each run that broke a documented rule. */
export interface SweepVerdict {
  scenario: string;
  start: string;
  profile: string;
  version: string;
  firstSeed: number;
  runs: number;
  /** The runs that broke a rule: the seed, the grid cell's values ("" without a grid) and the command that replays it. */
  broken: { seed: number; cell: string; replay: string }[];
}

/**
 * `sweep --junit FILE`: one test case saying the documented rules held in every run, failed when
 * some run broke one, and a failing test case per such run with the command that replays it.
 */
export function renderSweepJunit(sweep: SweepVerdict): string {
  const suite = `cmk-sim.${sweep.scenario}.sweep`;
  const cases: TestCase[] = [
    {
      classname: suite,
      name: `documented rules held in every run (${count(sweep.runs)} runs from seed ${sweep.firstSeed})`,
      ...(sweep.broken.length === 0 ? {} : { failure: { message: `documented rules broke in ${count(sweep.broken.length)} of ${count(sweep.runs)} runs`, details: `seeds: ${sweep.broken.map((b) => b.seed).join(', ')}` } }),
    },
    ...sweep.broken.map((b) => ({
      classname: `${suite}.runs`,
      name: `seed ${b.seed}${b.cell === '' ? '' : ` ${b.cell}`}`,
      failure: { message: `a documented rule broke; replay: ${b.replay}`, details: b.replay },
    })),
  ];
  return junitXml(suite, sweep.start, [['scenario', sweep.scenario], ['firstSeed', String(sweep.firstSeed)], ['runs', String(sweep.runs)], ['profile', sweep.profile], ['version', sweep.version]], cases);
}

function junitXml(name: string, startIso: string, properties: readonly (readonly [string, string])[], cases: readonly TestCase[]): string {
  // Characters XML 1.0 cannot hold (control characters in a message) become U+FFFD rather than a file no parser reads.
  const root = create({ invalidCharReplacement: '\uFFFD' }).dec({ version: '1.0', encoding: 'UTF-8' }).ele('testsuite', {
    name,
    // The Ant schema's timestamp has no time zone: the scenario's start, in UTC.
    timestamp: startIso.slice(0, 19),
    hostname: 'localhost',
    tests: String(cases.length),
    failures: String(cases.filter((c) => c.failure !== undefined).length),
    errors: '0',
    skipped: String(cases.filter((c) => c.skipped !== undefined).length),
    time: '0',
  });
  const list = root.ele('properties');
  for (const [property, value] of properties) list.ele('property', { name: property, value });
  for (const c of cases) {
    const testcase = root.ele('testcase', { name: c.name, classname: c.classname, time: '0' });
    if (c.failure !== undefined) testcase.ele('failure', { message: c.failure.message, type: 'failure' }).txt(c.failure.details);
    if (c.skipped !== undefined) testcase.ele('skipped', { message: c.skipped });
  }
  root.ele('system-out');
  root.ele('system-err');
  return root.end({ prettyPrint: true }) + '\n';
}
