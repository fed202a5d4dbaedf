// The one duration parser: integer milliseconds from "250ms", "90s", "45m",
// "6h", "2d", "1d6h" or ISO 8601 ("PT45M", "P2D", "P1DT6H", "PT0.5S").

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60 * MS_PER_SECOND;
export const MS_PER_HOUR = 60 * MS_PER_MINUTE;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

export const DURATION_EXPECTED =
  'a duration such as 250ms, 90s, 45m, 6h, 2d, 1d6h or ISO 8601 PT45M / P2D';

const UNIT_MS: Record<string, number> = {
  d: MS_PER_DAY,
  h: MS_PER_HOUR,
  m: MS_PER_MINUTE,
  s: MS_PER_SECOND,
  ms: 1,
};
const COMPACT_ORDER = ['d', 'h', 'm', 's', 'ms'];
const COMPACT_PART = /(\d+)(ms|d|h|m|s)/y;
const ISO = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * The grammar as one regular expression source, for JSON Schema: a little
 * looser than the parser (the order of units, a bare "P" and numbers past
 * 2^53 ms are left to it), never stricter.
 */
export const DURATION_PATTERN = `\\s*(?:(?:\\d+(?:ms|d|h|m|s))+|${ISO.source.slice(1, -1).replace(/\((?!\?)/g, '(?:')})\\s*`;

/** Milliseconds, or undefined when the text is not a duration. */
export function tryParseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return trimmed[0] === 'P' ? parseIso(trimmed) : parseCompact(trimmed);
}

/** Milliseconds; throws an Error saying what was expected. */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new Error(`found "${text}", expected ${DURATION_EXPECTED}`);
  return ms;
}

function parseCompact(text: string): number | undefined {
  let total = 0;
  let lastUnitIndex = -1;
  COMPACT_PART.lastIndex = 0;
  while (COMPACT_PART.lastIndex < text.length) {
    const match = COMPACT_PART.exec(text);
    if (match === null) return undefined;
    const unitIndex = COMPACT_ORDER.indexOf(match[2]!);
    // Units must come largest first and at most once: "1d6h", never "6h1d".
    if (unitIndex <= lastUnitIndex) return undefined;
    lastUnitIndex = unitIndex;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

function parseIso(text: string): number | undefined {
  const match = ISO.exec(text);
  if (match === null || text === 'P' || text.endsWith('T')) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match;
  const total =
    partMs(weeks, 7 * MS_PER_DAY) +
    partMs(days, MS_PER_DAY) +
    partMs(hours, MS_PER_HOUR) +
    partMs(minutes, MS_PER_MINUTE) +
    partMs(seconds, MS_PER_SECOND);
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * A decimal part times its unit, exactly: in floating point 1.001 * 1000 is
 * 1000.9999999999999, so "PT1.001S" would be refused as a fraction of a ms.
 * Fractions are allowed only where they land on a whole millisecond (else NaN).
 */
function partMs(part: string | undefined, unitMs: number): number {
  if (part === undefined) return 0;
  const [whole = '', fraction = ''] = part.split('.');
  const scaledMs = BigInt(whole + fraction) * BigInt(unitMs);
  const scale = 10n ** BigInt(fraction.length);
  return scaledMs % scale === 0n ? Number(scaledMs / scale) : NaN;
}

/** The compact form ("1d6h", "45m", "250ms", "0s"), the inverse of parseDuration. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.abs(ms);
  let text = ms < 0 ? '-' : '';
  for (const unit of COMPACT_ORDER) {
    const size = UNIT_MS[unit]!;
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
