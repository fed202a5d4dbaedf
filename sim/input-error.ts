// The one error type for bad user input (scenario files, --param, CLI
// arguments). It carries every problem found, not just the first; the CLI
// prints them and exits with status 2.

export interface Problem {
  /** The file (or "builtin:<name>", or "--param") the problem is in. */
  file: string;
  /** Field path inside it, e.g. "actions[2].for"; "" for the whole file. */
  path: string;
  /** What was found, as the user wrote it. */
  found: string;
  /** What is expected instead. */
  expected: string;
}

/** Marks an InputError whatever copy of this module made it (a lazily imported module may load its own copy). */
const INPUT_ERROR = Symbol.for('cmk-sim/InputError');

export class InputError extends Error {
  readonly problems: readonly Problem[];
  readonly [INPUT_ERROR] = true;

  constructor(problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
    this.problems = problems;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [INPUT_ERROR]?: unknown })[INPUT_ERROR] === true;
  }
}

export function formatProblem(problem: Problem): string {
  const where = problem.path === '' ? problem.file : `${problem.file}: ${problem.path}`;
  return `${where}: found ${problem.found}; expected ${problem.expected}`;
}
