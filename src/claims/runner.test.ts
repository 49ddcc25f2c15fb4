import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Claim } from './claim.ts';
import { brokenFisherControl, throwingCheckControl } from './controls.ts';
import { counterexampleFile, loadCounterexample } from './counterexampleStore.ts';
import { plainCase } from './plainCase.ts';
import { parseReplaySpec, replayCase } from './replay.ts';
import { runClaim } from './runner.ts';

// Fixture claims over one integer n ∈ [0, 1000]: they do not depend on the registry.
const base = { source: 'xu2025' as const, assumptions: ['fixture'], defaultRuns: 100, cases: () => fc.integer({ min: 0, max: 1000 }) };
/** Holds: n² ≥ 0 (closed form, error 0). */
const holding: Claim<number> = { ...base, id: 'xu2025.fixture.holds', statement: 'n² ≥ 0', expected: 'holds', check: (n) => ({ holds: n * n >= 0, maxError: 0, tolerance: 1e-9 }) };
/** Expected refuted, and is: "n < 100" fails; shrinks to n = 100. */
const refuted: Claim<number> = {
  ...base, id: 'xu2025.fixture.refuted', statement: 'n < 100', expected: 'refuted',
  check: (n) => ({ holds: n < 100, maxError: n / 100, tolerance: 1, quantities: { n, bound: 100 } }),
};
/** Expected to hold but broken: shrinks to n = 100. */
const broken: Claim<number> = { ...refuted, id: 'xu2025.fixture.broken', expected: 'holds' };
/** Expected refuted but true: COUNTEREXAMPLE of the "no counterexample found" kind. */
const refutedButTrue: Claim<number> = { ...holding, id: 'xu2025.fixture.refuted-but-true', expected: 'refuted' };
/** Throws for n ≥ 500 and fails (without throwing) for n ≥ 10: a throw must shrink among throws. */
const throwsLate: Claim<number> = {
  ...base, id: 'xu2025.fixture.throws', statement: 'throws for n ≥ 500', expected: 'holds',
  check: (n) => {
    if (n >= 500) throw new RangeError(`n too large: ${n}\nsecond line of the message`);
    return { holds: true, maxError: 0, tolerance: 1 };
  },
};
/** Monte Carlo-like evidence: z grows with n. */
const zClaim: Claim<number> = { ...base, id: 'xu2025.fixture.z', statement: 'z', expected: 'holds', check: (n) => ({ holds: true, z: -n / 1000, zCritical: 5, samples: 10 }) };

const tmp = () => mkdtempSync(join(tmpdir(), 'scorecheck-runner-'));

describe('runClaim verdicts', () => {
  it('holds: every case checked, worst error and z kept as pairs, samples summed', () => {
    const r = runClaim(holding, { seed: 1, counterexampleDir: null });
    expect(r.verdict).toBe('holds');
    expect(r.cases).toBe(100);
    expect(r.evidence).toMatchObject({ runs: 100, maxError: 0, tolerance: 1e-9 });
    const z = runClaim(zClaim, { seed: 1, numRuns: 50, counterexampleDir: null });
    expect(z.evidence.runs).toBe(50);
    expect(z.evidence.samples).toBe(500);
    expect(z.evidence.zCritical).toBe(5);
    expect(Math.abs(z.evidence.z!)).toBeGreaterThan(0);
  });

  it('refuted as expected: the counterexample is shrunk (n = 100) and recorded as evidence', () => {
    const r = runClaim(refuted, { seed: 7, counterexampleDir: null });
    expect(r.verdict).toBe('refuted-as-expected');
    expect(r.counterexample).toMatchObject({ kind: 'fails', case: 100, quantities: { n: 100, bound: 100 }, maxError: 1, tolerance: 1 });
  });

  it('COUNTEREXAMPLE for a broken holds-claim, with the replay path; and for a refuted claim that holds', () => {
    const r = runClaim(broken, { seed: 7, counterexampleDir: null });
    expect(r.verdict).toBe('counterexample');
    expect(r.reason).toMatch(/expected to hold/);
    expect(r.counterexample!.case).toBe(100);
    const t = runClaim(refutedButTrue, { seed: 7, counterexampleDir: null });
    expect(t.verdict).toBe('counterexample');
    expect(t.reason).toMatch(/no counterexample in 100 cases/);
    expect(t.counterexample).toBeUndefined();
  });

  it('a throwing check is an error (not a crash), shrunk among throwing cases, first line only', () => {
    const r = runClaim(throwsLate, { seed: 3, counterexampleDir: null });
    expect(r.verdict).toBe('error');
    expect(r.counterexample).toMatchObject({ kind: 'throws', case: 500, error: 'RangeError: n too large: 500' });
    expect(r.reason).not.toMatch(/second line/);
  });

  it('a throwing case generator is an error', () => {
    const bad: Claim<number> = { ...holding, id: 'xu2025.fixture.bad-arb', cases: () => { throw new Error('no arbitrary'); } };
    const r = runClaim(bad, { seed: 1, counterexampleDir: null });
    expect(r.verdict).toBe('error');
    expect(r.reason).toBe('cases(): Error: no arbitrary');
  });

  it('an outcome that holds with a NaN error is an error (never a silent NaN)', () => {
    const nan: Claim<number> = { ...holding, id: 'xu2025.fixture.nan', check: () => ({ holds: true, maxError: NaN, tolerance: 1 }) };
    expect(runClaim(nan, { seed: 1, counterexampleDir: null }).verdict).toBe('error');
  });

  it('negative controls: the broken closed form is a COUNTEREXAMPLE at d = 1, the throwing check an error at d = 3', () => {
    const b = runClaim(brokenFisherControl, { seed: 11, counterexampleDir: null });
    expect(b.verdict).toBe('counterexample');
    expect((b.counterexample!.case as { d: number }).d).toBe(1);
    const t = runClaim(throwingCheckControl, { seed: 11, counterexampleDir: null });
    expect(t.verdict).toBe('error');
    expect((t.counterexample!.case as { d: number }).d).toBe(3);
  });
});

describe('saved counterexamples', () => {
  it('are saved with claim, seed, path, case, quantities, version and date; replayed first next time', () => {
    const dir = tmp();
    const first = runClaim(broken, { seed: 7, counterexampleDir: dir });
    expect(first.savedTo).toBe(counterexampleFile(dir, broken.id));
    const saved = loadCounterexample(first.savedTo!);
    expect(saved).toMatchObject({ claim: broken.id, seed: 7, path: first.counterexample!.path, kind: 'fails', case: 100, quantities: { n: 100, bound: 100 } });
    expect(saved.scorecheckVersion).toMatch(/\d+\.\d+\.\d+/);
    expect(Number.isNaN(Date.parse(saved.date))).toBe(false);
    // A different seed would search elsewhere; the saved case is replayed first and wins.
    const again = runClaim(broken, { seed: 12345, counterexampleDir: dir });
    expect(again.verdict).toBe('counterexample');
    expect(again.evidence.replay).toBe('reproduced');
    expect(again.cases).toBe(1);
    expect(again.counterexample).toMatchObject({ seed: 7, path: saved.path, case: 100 });
    expect(again.savedTo).toBeUndefined();
  });

  it('a saved case that no longer fails (bug fixed) is noted and the search runs', () => {
    const dir = tmp();
    runClaim(broken, { seed: 7, counterexampleDir: dir });
    const fixed: Claim<number> = { ...holding, id: broken.id };
    const r = runClaim(fixed, { seed: 7, counterexampleDir: dir });
    expect(r.verdict).toBe('holds');
    expect(r.evidence.replay).toBe('no-longer-fails');
    expect(r.cases).toBe(100);
  });

  it('a malformed saved file is a warning, not a crash', () => {
    const dir = tmp();
    writeFileSync(counterexampleFile(dir, holding.id), '{not json');
    const r = runClaim(holding, { seed: 1, counterexampleDir: dir });
    expect(r.verdict).toBe('holds');
    expect(r.storeWarning).toMatch(/not valid JSON/);
  });

  it('--no-save and --no-replay-saved are honoured', () => {
    const dir = tmp();
    expect(runClaim(broken, { seed: 7, counterexampleDir: dir, save: false }).savedTo).toBeUndefined();
    runClaim(broken, { seed: 7, counterexampleDir: dir });
    const r = runClaim(broken, { seed: 7, counterexampleDir: dir, replaySaved: false });
    expect(r.evidence.replay).toBeUndefined();
    expect(JSON.parse(readFileSync(counterexampleFile(dir, broken.id), 'utf8')).claim).toBe(broken.id);
  });
});

describe('replay', () => {
  it('replayCase rebuilds exactly the shrunk case of the broken control, for many seeds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const r = runClaim(brokenFisherControl, { seed, counterexampleDir: null });
        if (!r.counterexample) return false;
        const rebuilt = replayCase(brokenFisherControl, seed, r.counterexample.path);
        return rebuilt.ok && JSON.stringify(plainCase(brokenFisherControl, rebuilt.case)) === JSON.stringify(r.counterexample.case);
      }),
      { numRuns: 15 },
    );
  });

  it('verify --replay runs exactly one case', () => {
    const r0 = runClaim(broken, { seed: 7, counterexampleDir: null });
    const r = runClaim(broken, { seed: 1, counterexampleDir: null, replay: { seed: 7, path: r0.counterexample!.path } });
    expect(r.verdict).toBe('counterexample');
    expect(r.cases).toBe(1);
    expect(r.counterexample!.case).toBe(100);
  });

  it('an impossible path is an error verdict naming the path', () => {
    const r = runClaim(broken, { seed: 1, counterexampleDir: null, replay: { seed: 7, path: '0:999:999:999' } });
    expect(r.verdict).toBe('error');
    expect(r.reason).toMatch(/cannot replay 7:0:999:999:999/);
  });

  it('parseReplaySpec splits seed:path', () => {
    expect(parseReplaySpec('42:3:0:1')).toEqual({ seed: 42, path: '3:0:1' });
    expect(parseReplaySpec('-5:0')).toEqual({ seed: -5, path: '0' });
    expect(parseReplaySpec('42')).toBeNull();
    expect(parseReplaySpec('a:1')).toBeNull();
  });
});
