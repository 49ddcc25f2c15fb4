// bin/entry.mjs: which code `scorecheck` runs (docs/package.md). A source checkout runs dist/
// only while nothing under src/ changed after the build started; an installed package
// always runs dist/.
import { fc, test } from '@fast-check/vitest';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseEntry, type EntryFacts, inspect, STAMP } from '../bin/entry.mjs';

const T0 = 1_700_000_000; // seconds
const yes = () => true;

/** A package root with src/cli/main.ts, dist/cli/main.js and (unless `started` is null) a build stamp. */
function fakeRoot(started: number | null): string {
  const root = mkdtempSync(join(tmpdir(), 'scorecheck-entry-'));
  mkdirSync(join(root, 'src/cli'), { recursive: true });
  mkdirSync(join(root, 'dist/cli'), { recursive: true });
  writeFileSync(join(root, 'src/cli/main.ts'), '');
  writeFileSync(join(root, 'dist/cli/main.js'), '');
  if (started !== null) writeFileSync(join(root, 'dist', STAMP), JSON.stringify({ started: started * 1000, finished: started * 1000 + 500 }));
  for (const p of ['src/cli/main.ts', 'src/cli', 'src']) utimesSync(join(root, p), T0, T0);
  return root;
}

describe('bin/entry.mjs: dist/ or src/', () => {
  test.prop([fc.array(fc.record({ dir: fc.constantFrom('', 'a', 'a/b', 'cli'), name: fc.constantFrom('x.ts', 'y.ts', 'z.test.ts'), age: fc.integer({ min: -50, max: 50 }) }), { maxLength: 6 }), fc.integer({ min: -60, max: 60 })], { numRuns: 40 })(
    'dist/ is fresh exactly when no file or folder under src/ changed after the build started',
    (files, buildAt) => {
      const started = T0 + buildAt;
      const root = fakeRoot(started);
      try {
        // A path drawn twice keeps its last time (seed 18 drew a/b/z.test.ts at ages 1 then 0: the model took the max).
        const finalTime = new Map<string, number>();
        for (const f of files) {
          mkdirSync(join(root, 'src', f.dir), { recursive: true });
          writeFileSync(join(root, 'src', f.dir, f.name), '');
          utimesSync(join(root, 'src', f.dir, f.name), T0 + f.age, T0 + f.age);
          finalTime.set(join(f.dir, f.name), T0 + f.age);
        }
        const newest = Math.max(T0, ...finalTime.values());
        // Folders keep T0 (their entries changed when the files were written; set them back).
        for (const d of ['', 'a', 'a/b', 'cli']) {
          try {
            utimesSync(join(root, 'src', d), T0, T0);
          } catch {
            // folder not generated this run
          }
        }
        expect(inspect(root, yes).distFresh).toBe(newest <= started);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  );

  it('adding, deleting or renaming a file after the build makes dist/ stale (its folder changed)', () => {
    for (const change of ['add', 'delete', 'rename'] as const) {
      const root = fakeRoot(T0 + 10);
      try {
        writeFileSync(join(root, 'src/cli/old.ts'), '');
        for (const p of ['src/cli/old.ts', 'src/cli']) utimesSync(join(root, p), T0, T0);
        expect(inspect(root, yes).distFresh).toBe(true);
        if (change === 'add') writeFileSync(join(root, 'src/cli/new.ts'), '');
        if (change === 'delete') rmSync(join(root, 'src/cli/old.ts'));
        if (change === 'rename') renameSync(join(root, 'src/cli/old.ts'), join(root, 'src/cli/new.ts'));
        if (change !== 'add') expect(statSync(join(root, 'src/cli/main.ts')).mtimeMs).toBe(T0 * 1000); // no file got newer
        expect(inspect(root, yes).distFresh, change).toBe(false);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  });

  it('no stamp, or a malformed one: stale', () => {
    const root = fakeRoot(null);
    try {
      expect(inspect(root, yes).distFresh).toBe(false);
      writeFileSync(join(root, 'dist', STAMP), '{"started":"yesterday"}');
      expect(inspect(root, yes).distFresh).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('an installed package (no src/) runs dist/ and never asks for tsx', () => {
    const root = fakeRoot(T0 + 10);
    try {
      rmSync(join(root, 'src'), { recursive: true });
      let asked = false;
      const facts = inspect(root, () => ((asked = true), true));
      expect(facts).toEqual({ hasSource: false, hasDist: true, distFresh: false, tsxAvailable: false });
      expect(asked).toBe(false);
      expect(chooseEntry(facts, undefined)).toEqual({ run: 'dist', why: 'installed package' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the decision table', () => {
    const f = (hasSource: boolean, hasDist: boolean, distFresh: boolean, tsxAvailable: boolean): EntryFacts => ({ hasSource, hasDist, distFresh, tsxAvailable });
    expect(chooseEntry(f(true, true, true, true), undefined).run).toBe('dist');
    expect(chooseEntry(f(true, true, false, true), undefined).run).toBe('source');
    expect(chooseEntry(f(true, false, false, true), undefined).run).toBe('source');
    const stale = chooseEntry(f(true, true, false, false), undefined);
    expect(stale.run).toBe('dist');
    expect('warning' in stale && stale.warning).toMatch(/stale dist\/.*npm run build/);
    expect(chooseEntry(f(true, false, false, false), undefined)).toMatchObject({ run: 'error', why: expect.stringMatching(/no dist\/.*tsx/) });
    expect(chooseEntry(f(false, false, false, false), undefined).run).toBe('error');
    // SCORECHECK_FROM forces a side, or says why it cannot.
    expect(chooseEntry(f(true, true, true, true), 'source').run).toBe('source');
    expect(chooseEntry(f(true, true, false, true), 'dist').run).toBe('dist');
    expect(chooseEntry(f(true, true, true, false), 'source')).toMatchObject({ run: 'error', why: expect.stringMatching(/needs tsx/) });
    expect(chooseEntry(f(false, true, false, false), 'source')).toMatchObject({ run: 'error', why: expect.stringMatching(/no src\//) });
    expect(chooseEntry(f(true, false, false, true), 'dist')).toMatchObject({ run: 'error', why: expect.stringMatching(/no dist\//) });
    expect(chooseEntry(f(true, true, true, true), 'fast')).toMatchObject({ run: 'error', why: expect.stringMatching(/"source" or "dist" \(got "fast"\)/) });
  });
});
