import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Writes `text` to `file` atomically: into a temporary file beside it, flushed, then
 * renamed over the target — a reader (or a run interrupted half-way) sees the old file
 * or the new one, never a truncated one. Creates missing parent folders.
 */
export function writeFileAtomic(file: string, text: string): void {
  makeParents(file);
  const tmp = join(dirname(resolve(file)), `.${basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * mkdir -p for the file's folder, one level at a time (Node's recursive mkdir can spin
 * on pseudo file systems such as /proc; this fails fast instead).
 */
export function makeParents(file: string): void {
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
