import { appendFileSync } from 'node:fs';
import { makeParents, writeFileAtomic } from '../io/atomicWrite.ts';

/** One report to write: its kind (for messages), where, how, and a function producing its text. */
export interface ReportTarget {
  readonly kind: 'json' | 'junit' | 'markdown' | 'html' | string;
  /** A file path, or `-` for standard output. */
  readonly file: string;
  /** `append` adds to the file (a CI step summary); `replace` writes it atomically. */
  readonly mode: 'replace' | 'append';
  readonly render: () => string;
}

export interface WriteOutcome {
  readonly kind: string;
  readonly file: string;
  /** One-line reason the report was not written. */
  readonly error?: string;
}

/**
 * Writes each report independently: atomically (a temporary file renamed over the
 * target, so an interrupted run never leaves half a report), or appended, or to
 * `stdout` for `-`. A report that cannot be rendered or written is reported and the
 * others are still written.
 */
export function writeReports(targets: readonly ReportTarget[], stdout: { write(s: string): unknown }): WriteOutcome[] {
  return targets.map((t) => {
    try {
      const text = t.render();
      if (t.file === '-') stdout.write(text);
      else if (t.mode === 'append') {
        makeParents(t.file);
        appendFileSync(t.file, text);
      } else writeFileAtomic(t.file, text);
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
