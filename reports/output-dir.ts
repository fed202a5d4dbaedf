// Outputs are written atomically: every file goes to a temporary name in
// the output folder and is renamed into place only when the whole run
// succeeded; a failed run removes its temporaries and leaves no half file.

import { existsSync, mkdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class OutputDir {
  private readonly staged: { temp: string; final: string }[] = [];
  private readonly created: boolean;

  constructor(readonly dir: string) {
    this.created = !existsSync(dir);
    mkdirSync(dir, { recursive: true });
  }

  /** A temporary path for a file that a writer streams to; it becomes `name` on commit. */
  stage(name: string): string {
    const temp = join(this.dir, `.${name}.tmp-${process.pid}`);
    this.staged.push({ temp, final: join(this.dir, name) });
    return temp;
  }

  write(name: string, content: string): void {
    writeFileSync(this.stage(name), content);
  }

  /** The final names, in the order they were staged. */
  get names(): string[] {
    return this.staged.map((s) => s.final.slice(this.dir.length + 1));
  }

  commit(): void {
    for (const { temp, final } of this.staged) renameSync(temp, final);
  }

  /** Removes the temporaries, and the folder too when this run made it and left it empty. */
  abort(): void {
    for (const { temp } of this.staged) rmSync(temp, { force: true });
    if (!this.created) return;
    try {
      rmdirSync(this.dir);
    } catch {
      // Not empty: something else is in it, leave it.
    }
  }
}
