// Which code `scorecheck` runs: the compiled dist/ or the TypeScript source (docs/package.md).
//
//  - An installed package has no src/: it always runs dist/ (plain Node, no tsx).
//  - A source checkout (src/ present) runs dist/ only while dist/ is fresh — built, by
//    `npm run build` (or `prepare`, i.e. `npm ci`), after the last change anywhere under
//    src/ (files and folders: an added, edited, renamed or deleted file counts) — and
//    otherwise runs src/ through tsx, so a developer never runs stale code.
//  - SCORECHECK_FROM=source or SCORECHECK_FROM=dist forces one or the other.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const STAMP = '.build-stamp.json';

/**
 * The latest modification time (ms) of src/ and everything in it, folders included (a
 * folder's time changes when an entry is added, removed or renamed).
 */
export function newestChange(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** When the build that produced dist/ started (ms), or null if dist/ has no readable stamp. */
export function buildStarted(root) {
  try {
    const stamp = JSON.parse(readFileSync(join(root, 'dist', STAMP), 'utf8'));
    return typeof stamp?.started === 'number' && Number.isFinite(stamp.started) ? stamp.started : null;
  } catch {
    return null;
  }
}

/** The facts the choice depends on, read from the package root `root` (a path). */
export function inspect(root, tsxAvailable) {
  const hasSource = exists(join(root, 'src', 'cli', 'main.ts'));
  const hasDist = exists(join(root, 'dist', 'cli', 'main.js'));
  let distFresh = false;
  if (hasSource && hasDist) {
    const started = buildStarted(root);
    distFresh = started !== null && newestChange(join(root, 'src')) <= started;
  }
  return { hasSource, hasDist, distFresh, tsxAvailable: hasSource && tsxAvailable() };
}

/**
 * The decision: { run: 'dist' | 'source', why, warning? } or { run: 'error', why }.
 * `from` is SCORECHECK_FROM (undefined, 'source' or 'dist').
 */
export function chooseEntry({ hasSource, hasDist, distFresh, tsxAvailable }, from) {
  if (from !== undefined && from !== '' && from !== 'source' && from !== 'dist') {
    return { run: 'error', why: `SCORECHECK_FROM must be "source" or "dist" (got ${JSON.stringify(from)})` };
  }
  if (from === 'dist') return hasDist ? { run: 'dist', why: 'SCORECHECK_FROM=dist' } : { run: 'error', why: 'SCORECHECK_FROM=dist but there is no dist/ (npm run build)' };
  if (from === 'source') {
    if (!hasSource) return { run: 'error', why: 'SCORECHECK_FROM=source but this installed package has no src/' };
    return tsxAvailable ? { run: 'source', why: 'SCORECHECK_FROM=source' } : { run: 'error', why: 'SCORECHECK_FROM=source needs tsx (npm ci installs it)' };
  }
  if (!hasSource) return hasDist ? { run: 'dist', why: 'installed package' } : { run: 'error', why: 'this package has neither dist/ nor src/ (reinstall it)' };
  if (hasDist && distFresh) return { run: 'dist', why: 'dist/ is newer than every change under src/' };
  const stale = hasDist ? 'dist/ is older than a change under src/' : 'there is no dist/';
  if (tsxAvailable) return { run: 'source', why: `${stale}: running src/ through tsx` };
  if (hasDist) return { run: 'dist', why: stale, warning: `${stale} and tsx is not installed: running the stale dist/ (npm run build refreshes it)` };
  return { run: 'error', why: `${stale} and tsx is not installed to run src/ (npm ci, or npm run build)` };
}

function exists(path) {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
