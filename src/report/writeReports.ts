import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** One report to write: its kind (for messages), file and a function producing its text. */
export interface ReportTarget {
  readonly kind: 'json' | 'junit' | 'markdown' | 'html' | string;
  readonly file: string;
  readonly render: () => string;
}

export interface WriteOutcome {
  readonly kind: string;
  readonly file: string;
  /** One-line reason the report was not written. */
  readonly error?: string;
}

/**
 * Writes each report independently: a report that cannot be rendered or
 * written (unwritable path, missing folder that cannot be created) is reported
 * and the others are still written.
 */
export function writeReports(targets: readonly ReportTarget[]): WriteOutcome[] {
  return targets.map((t) => {
    try {
      const text = t.render();
      makeParents(t.file);
      writeFileSync(t.file, text);
      return { kind: t.kind, file: t.file };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied'
        : err.code === 'ENOTDIR' ? 'a parent of the path is not a folder'
        : err.code === 'EISDIR' ? 'the path is a folder'
        : err.code === 'ENOENT' ? 'no such folder'
        : (err.message ?? String(e)).split('\n')[0];
      return { kind: t.kind, file: t.file, error: `cannot write ${t.kind} report to ${t.file}: ${why}` };
    }
  });
}

/**
 * mkdir -p for the file's folder, one level at a time (Node's recursive mkdir
 * can spin on pseudo file systems such as /proc; this fails fast instead).
 */
function makeParents(file: string): void {
  const missing: string[] = [];
  let dir = dirname(resolve(file));
  while (!existsSync(dir)) {
    missing.push(dir);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const m of missing.reverse()) mkdirSync(m);
}
