// The user's own SLO: an OpenSLO v1 `SLO` document or a Sloth spec
// (`version: prometheus/v1`), from `--slo FILE` or `slo:` in a scenario,
// read into the one shape the SLO arithmetic uses (slo.ts SloSpec): the
// target, the error budget's window and the burn-rate alerts. Every field
// read is checked, and a problem names its path in that file; fields cmk-sim
// has no use for (the SLI's queries, labels, notification targets) are left
// alone, as the tools that own them judge them.
//
// OpenSLO: spec.objectives[0].target (or targetPercent), spec.timeWindow[0]
// .duration, spec.budgetingMethod Occurrences (what cmk-sim counts), and each
// alert policy's burn-rate conditions, inline or by name (conditionRef,
// alertPolicyRef: documents of the same file). A condition has one window
// (lookbackWindow) and a hold (alertAfter).
//
// Sloth: slos[0].objective (a percentage), Sloth's default period of 30 days
// and its default multi-window alerts: page (14.4x over 1h with 5m, 6x over 6h
// with 30m) and ticket (3x over 1d with 2h, 1x over 3d with 6h), each
// unless `disable: true`. Sloth's rules compare with ">".

import { parseAllDocuments } from 'yaml';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../engine/duration.ts';
import { InputError, readTextInput, type Problem } from '../input-error.ts';
import type { BurnRateAlert, SloSpec } from './slo.ts';

type Obj = Record<string, unknown>;

const SPEC_EXPECTED = 'an OpenSLO document (apiVersion: openslo/v1, kind: SLO) or a Sloth spec (version: prometheus/v1), or a list of such documents';
const SHORTHAND = /^(\d+)(s|m|h|d|w|M|Q|Y)$/;
/** OpenSLO's duration shorthand; a month, a quarter and a year as 30, 90 and 365 days. */
const SHORTHAND_MS: Record<string, number> = { s: 1000, m: MS_PER_MINUTE, h: MS_PER_HOUR, d: MS_PER_DAY, w: 7 * MS_PER_DAY, M: 30 * MS_PER_DAY, Q: 90 * MS_PER_DAY, Y: 365 * MS_PER_DAY };
const SHORTHAND_EXPECTED = 'a duration shorthand: a whole number and one of s, m, h, d, w, M (30 days), Q (90 days), Y (365 days), e.g. 28d or 1h';
/** Sloth's default SLO period and its default alert windows for it. */
const SLOTH_PERIOD_MS = 30 * MS_PER_DAY;
const SLOTH_WINDOWS: Record<'page' | 'ticket', { factor: number; longWindowMs: number; shortWindowMs: number; label: string }[]> = {
  page: [
    { factor: 14.4, longWindowMs: MS_PER_HOUR, shortWindowMs: 5 * MS_PER_MINUTE, label: '14.4x over 1h (5m)' },
    { factor: 6, longWindowMs: 6 * MS_PER_HOUR, shortWindowMs: 30 * MS_PER_MINUTE, label: '6x over 6h (30m)' },
  ],
  ticket: [
    { factor: 3, longWindowMs: MS_PER_DAY, shortWindowMs: 2 * MS_PER_HOUR, label: '3x over 1d (2h)' },
    { factor: 1, longWindowMs: 3 * MS_PER_DAY, shortWindowMs: 6 * MS_PER_HOUR, label: '1x over 3d (6h)' },
  ],
};

/** Problems against one file, at paths under a base (`slo` in a scenario, nothing in a spec file). */
class Reader {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {}

  fail(path: string, found: unknown, expected: string): undefined {
    return this.failText(path, describe(found), expected);
  }

  /** A problem whose finding is told in words ("3 SLOs"), not a value. */
  failText(path: string, found: string, expected: string): undefined {
    this.problems.push({ file: this.file, path, found, expected });
    return undefined;
  }

  object(value: unknown, path: string, expected: string): Obj | undefined {
    return isObject(value) ? value : this.fail(path, value, expected);
  }

  list(value: unknown, path: string, expected: string): unknown[] | undefined {
    return Array.isArray(value) ? value : this.fail(path, value, expected);
  }

  text(value: unknown, path: string, expected = 'text'): string | undefined {
    return typeof value === 'string' && value !== '' ? value : this.fail(path, value, expected);
  }

  number(value: unknown, path: string, ok: (n: number) => boolean, expected: string): number | undefined {
    return typeof value === 'number' && Number.isFinite(value) && ok(value) ? value : this.fail(path, value, expected);
  }

  shorthand(value: unknown, path: string, positive: boolean): number | undefined {
    const match = typeof value === 'string' ? SHORTHAND.exec(value) : null;
    const ms = match === null ? undefined : Number(match[1]) * SHORTHAND_MS[match[2]!]!;
    if (ms === undefined || !Number.isSafeInteger(ms)) return this.fail(path, value, SHORTHAND_EXPECTED);
    return positive && ms <= 0 ? this.fail(path, value, 'a duration greater than 0') : ms;
  }
}

/**
 * The spec in `data`: one document, or a list of documents (an OpenSLO SLO with the AlertPolicy
 * and AlertCondition documents it names). Problems go to `problems`, at paths under `base`.
 */
export function readSloSpec(data: unknown, file: string, base: string, problems: Problem[]): SloSpec | undefined {
  const r = new Reader(file, problems);
  const documents = Array.isArray(data) ? data.map((value, i) => ({ value, path: `${base}[${i}]` })) : [{ value: data, path: base }];
  const openSlo = documents.filter((d) => isObject(d.value) && typeof d.value.apiVersion === 'string' && d.value.apiVersion.startsWith('openslo/'));
  const sloth = documents.filter((d) => isObject(d.value) && 'version' in d.value);
  for (const d of documents) if (!openSlo.includes(d) && !sloth.includes(d)) r.fail(d.path, d.value, SPEC_EXPECTED);
  if (sloth.length > 0 && (sloth.length > 1 || openSlo.length > 0)) return r.failText(base, `${documents.length} documents with a Sloth spec among them`, 'one Sloth spec alone, or OpenSLO documents');
  if (sloth.length === 1) return readSloth(r, sloth[0]!.value as Obj, sloth[0]!.path);
  if (openSlo.length > 0) return readOpenSlo(r, openSlo);
  return undefined;
}

/** An SLO spec is a few documents of a few lines each. */
const SLO_FILE_BYTES_MAX = 2 ** 20;

/** `--slo FILE`: a YAML or JSON file of one document or several (`---` between them). */
export function loadSloFile(path: string): SloSpec {
  const text = readTextInput(path, path, SLO_FILE_BYTES_MAX, 'an OpenSLO or Sloth spec file');
  const documents = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [];
  const syntax = list.flatMap((d) => d.errors).slice(0, 5);
  if (!Array.isArray(documents) || syntax.length > 0) {
    const problems = syntax.length === 0 ? [{ file: path, path: '', found: 'a YAML stream that does not parse', expected: 'valid YAML or JSON' }] : syntax.map((e) => ({ file: path, path: '', found: `a YAML syntax error: ${e.message.split('\n')[0] ?? ''}`, expected: 'valid YAML or JSON' }));
    throw new InputError(problems);
  }
  let data: unknown[];
  try {
    data = list.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown).filter((d) => d !== null);
  } catch (error) {
    throw new InputError([{ file: path, path: '', found: `YAML that cannot be expanded: ${error instanceof Error ? error.message : String(error)}`, expected: 'valid YAML' }]);
  }
  const problems: Problem[] = [];
  const spec = readSloSpec(data.length === 1 ? data[0] : data, path, data.length === 1 ? '' : 'documents', problems);
  if (problems.length > 0 || spec === undefined) throw new InputError(problems.length > 0 ? problems : [{ file: path, path: '', found: 'no document', expected: SPEC_EXPECTED }]);
  return spec;
}

// ---- Sloth ------------------------------------------------------------------

function readSloth(r: Reader, doc: Obj, path: string): SloSpec | undefined {
  const at = (field: string) => join(path, field);
  if (doc.version !== 'prometheus/v1') r.fail(at('version'), doc.version, '"prometheus/v1" (the Sloth spec cmk-sim reads)');
  const service = r.text(doc.service, at('service'), 'the service name');
  const slos = r.list(doc.slos, at('slos'), 'a list of SLOs');
  if (slos === undefined) return undefined;
  if (slos.length !== 1) return r.failText(at('slos'), `${slos.length} SLOs`, 'one SLO: cmk-sim measures one objective (keep the one you want in the file)');
  const sloPath = `${at('slos')}[0]`;
  const slo = r.object(slos[0], sloPath, 'an SLO: name, objective, sli, alerting');
  if (slo === undefined) return undefined;
  const name = r.text(slo.name, join(sloPath, 'name'), 'the SLO name');
  const objective = r.number(slo.objective, join(sloPath, 'objective'), (n) => n > 0 && n < 100, 'a percentage above 0 and below 100, e.g. 99.9');
  const alerts: BurnRateAlert[] = [];
  const alerting = slo.alerting === undefined ? undefined : r.object(slo.alerting, join(sloPath, 'alerting'), 'the alerting options: name, page_alert, ticket_alert');
  if (alerting !== undefined) {
    const alertName = r.text(alerting.name, join(sloPath, 'alerting.name'), 'the alert name (Sloth requires it)');
    for (const severity of ['page', 'ticket'] as const) {
      const field = `${severity}_alert`;
      const options = alerting[field] === undefined ? {} : r.object(alerting[field], join(sloPath, `alerting.${field}`), 'the alert options: labels, annotations, disable');
      if (options === undefined) continue;
      if (options.disable !== undefined && typeof options.disable !== 'boolean') r.fail(join(sloPath, `alerting.${field}.disable`), options.disable, 'true or false');
      if (options.disable === true) continue;
      for (const w of SLOTH_WINDOWS[severity]) alerts.push({ name: `${alertName ?? 'alert'} ${severity}: ${w.label}`, factor: w.factor, op: 'gt', longWindowMs: w.longWindowMs, shortWindowMs: w.shortWindowMs, forMs: 0 });
    }
  }
  if (service === undefined || name === undefined || objective === undefined) return undefined;
  return { source: `Sloth SLO ${service}/${name}`, target: fraction(objective), windowMs: SLOTH_PERIOD_MS, alerts };
}

// ---- OpenSLO ----------------------------------------------------------------

function readOpenSlo(r: Reader, documents: readonly { value: unknown; path: string }[]): SloSpec | undefined {
  const byKind = (kind: string) => documents.filter((d) => (d.value as Obj).kind === kind);
  for (const d of documents) {
    const doc = d.value as Obj;
    if (doc.apiVersion !== 'openslo/v1') r.fail(join(d.path, 'apiVersion'), doc.apiVersion, '"openslo/v1" (the OpenSLO version cmk-sim reads)');
  }
  const slos = byKind('SLO');
  if (slos.length !== 1) {
    const base = documents.length === 1 ? join(documents[0]!.path, 'kind') : documents[0]!.path.replace(/\[\d+\]$/, '');
    return r.failText(base, slos.length === 0 ? 'no SLO document' : `${slos.length} SLO documents`, 'one OpenSLO document of kind SLO: cmk-sim measures one objective');
  }
  // A reference by name must find one document: two of a kind with one name are refused, not resolved by their order.
  const named = (kind: string) => {
    const map = new Map<unknown, { value: unknown; path: string }>();
    for (const d of byKind(kind)) {
      const name = ((d.value as Obj).metadata as Obj | undefined)?.name;
      const earlier = map.get(name);
      if (earlier !== undefined && typeof name === 'string') r.fail(join(d.path, 'metadata.name'), name, `a name no other ${kind} document has (${earlier.path} has it)`);
      else map.set(name, d);
    }
    return map;
  };
  const refs = { policies: named('AlertPolicy'), conditions: named('AlertCondition') };
  const { value, path } = slos[0]!;
  const doc = value as Obj;
  const metadata = r.object(doc.metadata, join(path, 'metadata'), 'the metadata: name');
  const name = metadata === undefined ? undefined : r.text(metadata.name, join(path, 'metadata.name'), 'the SLO name');
  const specPath = join(path, 'spec');
  const spec = r.object(doc.spec, specPath, 'the SLO spec: objectives, timeWindow, budgetingMethod, alertPolicies');
  if (spec === undefined) return undefined;
  if (spec.budgetingMethod !== 'Occurrences') r.fail(join(specPath, 'budgetingMethod'), spec.budgetingMethod, 'Occurrences: cmk-sim counts good and bad requests (Timeslices and RatioTimeslices are not supported)');
  const target = readObjective(r, spec.objectives, join(specPath, 'objectives'));
  const windowMs = spec.timeWindow === undefined ? null : readTimeWindow(r, spec.timeWindow, join(specPath, 'timeWindow'));
  const alerts: BurnRateAlert[] = [];
  const policies = spec.alertPolicies === undefined ? [] : (r.list(spec.alertPolicies, join(specPath, 'alertPolicies'), 'a list of alert policies') ?? []);
  policies.forEach((entry, i) => {
    const entryPath = `${join(specPath, 'alertPolicies')}[${i}]`;
    const policy = resolve(r, entry, entryPath, 'alertPolicyRef', 'AlertPolicy', refs.policies);
    if (policy === undefined) return;
    const policySpec = r.object(policy.value.spec, join(policy.path, 'spec'), 'the alert policy spec: conditions');
    if (policySpec === undefined) return;
    const conditions = r.list(policySpec.conditions, join(policy.path, 'spec.conditions'), 'a list of alert conditions') ?? [];
    conditions.forEach((c, j) => {
      const condition = resolve(r, c, `${join(policy.path, 'spec.conditions')}[${j}]`, 'conditionRef', 'AlertCondition', refs.conditions);
      if (condition !== undefined) {
        const alert = readCondition(r, condition.value, condition.path);
        if (alert !== undefined) alerts.push(alert);
      }
    });
  });
  if (name === undefined || target === undefined || windowMs === undefined) return undefined;
  return { source: `OpenSLO SLO ${name}`, target, windowMs, alerts };
}

/** An inline object, or a reference by name (`refField`) to a document of that kind in the same file. */
function resolve(r: Reader, entry: unknown, path: string, refField: string, kind: string, documents: ReadonlyMap<unknown, { value: unknown; path: string }>): { value: Obj; path: string } | undefined {
  const obj = r.object(entry, path, `an inline ${kind} or {${refField}: name}`);
  if (obj === undefined) return undefined;
  if (obj[refField] === undefined) return { value: obj, path };
  const ref = r.text(obj[refField], join(path, refField), `the name of a ${kind} document`);
  if (ref === undefined) return undefined;
  const found = documents.get(ref);
  const names = [...documents.keys()].filter((k): k is string => typeof k === 'string');
  if (found === undefined) return r.fail(join(path, refField), ref, `the name of a ${kind} document of the same file (${names.length === 0 ? `it has none: cmk-sim reads references within the file, or the ${kind} inline` : names.join(', ')})`);
  return { value: found.value as Obj, path: found.path };
}

function readObjective(r: Reader, value: unknown, path: string): number | undefined {
  const objectives = r.list(value, path, 'a list with one objective: {target} or {targetPercent}');
  if (objectives === undefined) return undefined;
  if (objectives.length !== 1) return r.failText(path, `${objectives.length} objectives`, 'one objective: cmk-sim measures one target');
  const objective = r.object(objectives[0], `${path}[0]`, 'an objective: {target} or {targetPercent}');
  if (objective === undefined) return undefined;
  const { target, targetPercent } = objective;
  if ((target === undefined) === (targetPercent === undefined)) return r.fail(`${path}[0]`, objective, 'either target (0 to 1) or targetPercent (0 to 100), one of the two');
  if (target !== undefined) return r.number(target, `${path}[0].target`, (n) => n > 0 && n < 1, 'a number above 0 and below 1, e.g. 0.999');
  const percent = r.number(targetPercent, `${path}[0].targetPercent`, (n) => n > 0 && n < 100, 'a percentage above 0 and below 100, e.g. 99.9');
  return percent === undefined ? undefined : fraction(percent);
}

function readTimeWindow(r: Reader, value: unknown, path: string): number | undefined {
  const windows = r.list(value, path, 'a list with one time window: {duration, isRolling}');
  if (windows === undefined) return undefined;
  if (windows.length !== 1) return r.failText(path, `${windows.length} time windows`, 'one time window (OpenSLO accepts exactly one)');
  const window = r.object(windows[0], `${path}[0]`, 'a time window: {duration, isRolling} or {duration, calendar}');
  if (window === undefined) return undefined;
  return r.shorthand(window.duration, `${path}[0].duration`, true);
}

function readCondition(r: Reader, condition: Obj, path: string): BurnRateAlert | undefined {
  const metadata = condition.metadata === undefined ? undefined : r.object(condition.metadata, join(path, 'metadata'), 'the metadata: name');
  const spec = r.object(condition.spec, join(path, 'spec'), 'the alert condition spec: severity, condition');
  if (spec === undefined) return undefined;
  const at = join(path, 'spec.condition');
  const c = r.object(spec.condition, at, 'a condition: {kind: burnrate, op, threshold, lookbackWindow, alertAfter}');
  if (c === undefined) return undefined;
  if (typeof c.kind !== 'string' || c.kind.toLowerCase() !== 'burnrate') r.fail(join(at, 'kind'), c.kind, 'burnrate (the only kind of alert condition OpenSLO v1 defines)');
  const op = c.op === undefined ? 'gte' : c.op === 'gt' || c.op === 'gte' ? c.op : r.fail(join(at, 'op'), c.op, 'gt or gte: a burn-rate alert fires when the budget burns at least that fast');
  const threshold = r.number(c.threshold, join(at, 'threshold'), (n) => n > 0, 'a burn rate above 0, e.g. 14.4');
  const lookbackMs = r.shorthand(c.lookbackWindow, join(at, 'lookbackWindow'), true);
  const forMs = c.alertAfter === undefined ? 0 : r.shorthand(c.alertAfter, join(at, 'alertAfter'), false);
  if (op === undefined || threshold === undefined || lookbackMs === undefined || forMs === undefined) return undefined;
  const conditionName = typeof metadata?.name === 'string' ? `${metadata.name}: ` : '';
  return { name: `${conditionName}${threshold}x over ${c.lookbackWindow as string}${forMs > 0 ? ` for ${c.alertAfter as string}` : ''}`, factor: threshold, op, longWindowMs: lookbackMs, shortWindowMs: null, forMs };
}

// ---- helpers ----------------------------------------------------------------

/** 99.9 -> 0.999, not 0.9990000000000001: a percentage as the fraction it is written as. */
function fraction(percent: number): number {
  return Number((percent / 100).toPrecision(15));
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(base: string, field: string): string {
  return base === '' ? field : `${base}.${field}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
