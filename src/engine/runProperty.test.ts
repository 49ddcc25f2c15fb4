import fc from 'fast-check';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { valuesOf } from './choices/choiceSource.ts';
import { generateCase } from './choices/generateCase.ts';
import { FalseAlarmPlan } from './falseAlarmPlan.ts';
import { limitMargin } from './outcome.ts';
import type { Property } from './property.ts';
import { runProperty, splitBudget } from './runProperty.ts';
import { DirectoryStore } from './store/directoryStore.ts';
import { LayeredStore, MemoryStore, ReadOnlyStore } from './store/exampleStore.ts';
import { verdictOf } from './verdict.ts';

const plan = (id: string, runs = 100, perCase = 0) => new FalseAlarmPlan(1e-6, [{ id, assertionsPerCase: perCase, runs }]);

function prop<C>(over: Partial<Property<C>> & Pick<Property<C>, 'id' | 'cases' | 'check'>): Property<C> {
  return { statement: over.id, expected: 'holds', defaultRuns: 100, assertionsPerCase: 0, ...over };
}

describe('choice sequences', () => {
  const arb = fc.record({ d: fc.integer({ min: 1, max: 6 }), x: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { maxLength: 5 }), k: fc.constantFrom('a', 'b', 'c') });

  it('replaying the recorded choices rebuilds the case exactly (every fresh rule)', () => {
    for (const fresh of [{ kind: 'random', seed: 's' }, { kind: 'corner', corner: 'max' }, { kind: 'corner-mix', seed: 'm' }, { kind: 'simplest' }] as const) {
      const g = generateCase(arb, [], fresh);
      const r = generateCase(arb, valuesOf(g.choices), { kind: 'simplest' });
      expect(r.value).toEqual(g.value);
    }
  });

  it('corners are the ends of every range; simplest is the value nearest 0', () => {
    expect(generateCase(arb, [], { kind: 'corner', corner: 'min' }).value).toEqual({ d: 1, x: [], k: 'a' });
    const max = generateCase(arb, [], { kind: 'corner', corner: 'max' }).value;
    expect(max.d).toBe(6);
    expect(max.x).toEqual([10, 10, 10, 10, 10]);
    expect(max.k).toBe('c');
    expect(generateCase(arb, [], { kind: 'simplest' }).value).toEqual({ d: 1, x: [], k: 'a' });
  });

  it('a filter that rejects a corner still terminates', () => {
    const g = generateCase(fc.integer({ min: 0, max: 10 }).filter((v) => v !== 0), [], { kind: 'corner', corner: 'min' });
    expect(g.value).not.toBe(0);
  });
});

describe('runProperty', () => {
  it('splits the budget: deterministic corners first, a declared share targeted', () => {
    expect(splitBudget(100)).toEqual({ corner: 20, random: 50, target: 30 });
    expect(splitBudget(1)).toEqual({ corner: 1, random: 0, target: 0 });
    expect(splitBudget(20)).toEqual({ corner: 5, random: 9, target: 6 });
  });

  it('finds a corner failure at once and shrinks a random one to the boundary', async () => {
    const atMost = prop({ id: 't.at-most', cases: () => fc.integer({ min: 0, max: 1_000_000 }), check: (x: number) => ({ holds: x <= 1234, maxError: x, tolerance: 1234 }) });
    const r = await runProperty(atMost, { seed: 1, falseAlarm: plan(atMost.id) });
    expect(r.finding).toBe('fails');
    expect(r.counterexample!.case).toBe(1235);
    expect(r.counterexample!.first?.maxError).toBeGreaterThan(1235); // the unshrunk error is kept beside the shrunk one
  });

  it('the targeted search finds a needle that random cases miss (negative control: no target share)', async () => {
    // Fails only on [700000, 700050] of 0..1e6; the margin rises towards it.
    const needle = prop({
      id: 't.needle', defaultRuns: 200,
      cases: () => fc.integer({ min: 0, max: 1_000_000 }),
      check: (x: number) => ({ holds: !(x >= 700_000 && x <= 700_050), margin: x >= 700_000 && x <= 700_050 ? 1 : -Math.abs(x - 700_025) / 1e6 }),
    });
    let found = 0, foundWithout = 0;
    for (let seed = 1; seed <= 10; seed++) {
      if ((await runProperty(needle, { seed, falseAlarm: plan(needle.id, 200) })).finding === 'fails') found++;
      if ((await runProperty(needle, { seed, falseAlarm: plan(needle.id, 200), shares: { corner: 0.2, target: 0 } })).finding === 'fails') foundWithout++;
    }
    expect(found).toBeGreaterThanOrEqual(9);
    expect(foundWithout).toBeLessThanOrEqual(2);
  });

  it('a throwing check is an error with the case; a holds outcome with NaN is a throw, not a pass', async () => {
    const throwing = prop({ id: 't.throws', cases: () => fc.integer({ min: 0, max: 10 }), check: (x: number) => { if (x > 3) throw new RangeError('x > 3'); return { holds: true }; } });
    const r = await runProperty(throwing, { seed: 1, falseAlarm: plan(throwing.id) });
    expect(verdictOf(r)).toBe('error');
    expect(r.counterexample!.case).toBe(4);
    const nan = prop({ id: 't.nan', cases: () => fc.constant(1), check: () => ({ holds: true, maxError: Number.NaN, tolerance: 1 }) });
    expect((await runProperty(nan, { seed: 1, falseAlarm: plan(nan.id) })).finding).toBe('error');
  });

  it('enforces the false-alarm plan: more assertions than declared, or a z from a property that declares none, is an error', async () => {
    const z = (n: number) => prop({ id: 't.z', assertionsPerCase: n, cases: () => fc.integer({ min: 0, max: 5 }), check: () => ({ holds: true, z: 0.1, zCritical: 5, assertions: 2 }) });
    expect((await runProperty(z(1), { seed: 1, falseAlarm: plan('t.z', 100, 1) })).reason).toMatch(/made \d+ statistical assertions, 110 planned/);
    const undeclared = prop({ id: 't.undeclared', cases: () => fc.constant(1), check: () => ({ holds: true, z: 0.1, zCritical: 5 }) });
    expect((await runProperty(undeclared, { seed: 1, falseAlarm: plan('t.undeclared') })).reason).toMatch(/declares assertionsPerCase = 0/);
  });

  it('the per-assertion level follows the runs actually planned', () => {
    const a = new FalseAlarmPlan(1e-6, [{ id: 'a', assertionsPerCase: 1, runs: 20 }]);
    const b = new FalseAlarmPlan(1e-6, [{ id: 'a', assertionsPerCase: 1, runs: 2000 }]);
    expect(a.perAssertion).toBeCloseTo(1e-6 / 30, 15);
    expect(b.perAssertion).toBeCloseTo(1e-6 / 2010, 15);
  });

  it('underpowered Monte Carlo cases make the run inconclusive, never "holds"', async () => {
    const weak = prop({
      id: 't.weak', assertionsPerCase: 1, cases: () => fc.integer({ min: 0, max: 3 }),
      check: () => ({ holds: true, z: 0.5, zCritical: 5, detectable: { absolute: 1, relative: 0.5, power: 0.99, target: 0.1, met: false } }),
    });
    const r = await runProperty(weak, { seed: 1, falseAlarm: plan(weak.id, 100, 1) });
    expect(verdictOf(r)).toBe('inconclusive');
    expect(r.reason).toMatch(/not enough power/);
  });

  it('cases below the check\'s resolution make the run inconclusive with the count and first reason; one that says it fails is an error', async () => {
    const p = prop({
      id: 't.unresolved', cases: () => fc.integer({ min: 0, max: 9 }),
      check: (x: number) => (x === 9 ? { holds: true, maxError: 0, tolerance: 1, unresolved: 'gain 1e-12 within its rounding' } : { holds: true, maxError: 0.1, tolerance: 1 }),
    });
    const r = await runProperty(p, { seed: 1, falseAlarm: plan(p.id) });
    expect(verdictOf(r)).toBe('inconclusive');
    expect(r.reason).toMatch(/below resolution: \d+ of \d+ cases could not be decided \(gain 1e-12 within its rounding\)/);
    const control = prop({ id: 't.resolved', cases: () => fc.integer({ min: 0, max: 8 }), check: () => ({ holds: true, maxError: 0.1, tolerance: 1 }) });
    expect(verdictOf(await runProperty(control, { seed: 1, falseAlarm: plan(control.id) }))).toBe('holds');
    const bad = prop({ id: 't.badUnresolved', cases: () => fc.integer({ min: 0, max: 3 }), check: () => ({ holds: false, maxError: 2, tolerance: 1, unresolved: 'x' }) });
    const rb = await runProperty(bad, { seed: 1, falseAlarm: plan(bad.id) });
    expect(rb.counterexample?.kind ?? rb.finding).toMatch(/throws|error/);
  });

  it('saves a counterexample, replays it first next time, and drops it once it no longer fails', async () => {
    const store = new MemoryStore();
    let limit = 10;
    const p = prop({ id: 't.saved', cases: () => fc.integer({ min: 0, max: 100 }), check: (x: number) => ({ holds: x <= limit, maxError: x, tolerance: limit }) });
    const first = await runProperty(p, { seed: 1, falseAlarm: plan(p.id), store });
    expect(first.counterexample!.case).toBe(11);
    expect(store.fetch(p.id).examples).toHaveLength(1);
    const again = await runProperty(p, { seed: 2, falseAlarm: plan(p.id), store });
    expect(again.counterexample!.foundIn).toBe('saved');
    expect(again.cases).toBe(1);
    limit = 1000; // the bug is fixed
    const fixed = await runProperty(p, { seed: 3, falseAlarm: plan(p.id), store });
    expect(fixed.finding).toBe('holds');
    expect(fixed.storeNotes.join()).toMatch(/no longer fails/);
    expect(store.fetch(p.id).examples).toHaveLength(0);
  });

  it('a saved statistical failure of a "holds" property counts only if fresh draws fail too', async () => {
    const store = new MemoryStore();
    const flaky = prop({
      id: 't.flaky', assertionsPerCase: 1, cases: () => fc.integer({ min: 0, max: 100 }),
      check: (x: number, env) => ({ holds: !(x > 50 && env.replicate === 0), z: x > 50 && env.replicate === 0 ? 9 : 1, zCritical: 6 }),
    });
    await runProperty(flaky, { seed: 1, falseAlarm: plan(flaky.id, 100, 1), store });
    expect(store.fetch(flaky.id).examples).toHaveLength(1);
    const r = await runProperty({ ...flaky, check: (x: number, env) => ({ holds: !(x > 50 && env.replicate === 0) || x > 1000, z: 1, zCritical: 6 }) }, { seed: 2, falseAlarm: plan(flaky.id, 100, 1), store, runs: 3 });
    expect(r.storeNotes.join()).toMatch(/did not fail again on fresh draws/);
  });
});

describe('figures measured by a check', () => {
  it('travel from the outcome to the run and into the HTML report', async () => {
    const fig = { id: 'kl', title: 'KL against steps', xLabel: 'steps', yLabel: 'KL', logX: true, logY: true, series: [{ name: 'sampler', points: [[10, 0.1], [100, 0.01]] as [number, number][] }] };
    const p = prop({ id: 't.fig', cases: () => fc.integer({ min: 0, max: 3 }), check: () => ({ holds: true, figures: [fig] }) });
    const run = await runProperty(p, { seed: 1, falseAlarm: plan(p.id), runs: 3 });
    expect(run.figures).toEqual([fig]);
    const { htmlReport } = await import('../report/htmlReport.ts');
    const { buildReport, resultRow } = await import('../report/reportModel.ts');
    const html = htmlReport(buildReport([resultRow(run, 'check', 'sample')], { command: 'check', seed: 1, selection: { ids: [p.id] }, falseAlarm: { total: 1e-6, perAssertion: 1e-6, planned: 0, made: 0 } }));
    expect(html).toContain('KL against steps');
    expect(html).toMatch(/<svg/);
  });
});

describe('example stores', () => {
  const example = (choices: number[]) => ({ property: 'p', kind: 'fails' as const, choices, case: choices, outcome: { holds: false }, found: { seed: 1, phase: 'random', date: 'd', scorecheckVersion: 'v' } });

  it('a directory store keeps several examples per key, newest first, written atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorecheck-store-'));
    const s = new DirectoryStore(dir);
    s.save('a.b', example([1]));
    s.save('a.b', example([2]));
    s.save('a.b', example([1]));
    expect(s.fetch('a.b').examples.map((e) => e.choices)).toEqual([[1], [2]]);
    expect(JSON.parse(readFileSync(join(dir, 'a.b.json'), 'utf8')).formatVersion).toBe(2);
    s.delete('a.b', example([2]));
    expect(s.fetch('a.b').examples).toHaveLength(1);
    expect(() => s.save('../escape', example([1]))).toThrow(/store key/);
  });

  it('a layered store reads every layer and writes only to the writable one', () => {
    const shipped = new MemoryStore();
    shipped.save('k', example([7]));
    const user = new MemoryStore();
    const s = new LayeredStore([new ReadOnlyStore(shipped), user]);
    s.save('k', example([8]));
    expect(s.fetch('k').examples.map((e) => e.choices)).toEqual([[7], [8]]);
    s.delete('k', example([7]));
    expect(shipped.fetch('k').examples).toHaveLength(1);
  });
});

describe('margins', () => {
  it('are log10 ratios for errors against a tolerance and relative excesses for signed limits', () => {
    expect(limitMargin(1e-11, 1e-9)).toBeCloseTo(-2);
    expect(limitMargin(2e-9, 1e-9)).toBeCloseTo(Math.log10(2));
    expect(limitMargin(-2, -1)).toBe(-1);
    expect(limitMargin(-0.5, -1)).toBe(0.5);
  });
});
