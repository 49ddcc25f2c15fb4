import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { presetSpecs } from '../fixtures/bias/presets/generate.ts';

// fixtures/bias/presets/*.json (Xu 2025's applications, MATH.md §13.2–13.4) are what the generator computes
// from src/theory, in the spec format of docs/bias-spec.md.

const ALLOWED = new Set(['data', 'schedule', 'encoder', 'timesteps', 'description']);

describe('bias-calculator presets', () => {
  const specs = presetSpecs();
  test('there is a preset for MAR, PerCo and DreamFusion', () => {
    expect(Object.keys(specs).sort()).toEqual(['dreamfusion.json', 'mar.json', 'perco.json']);
  });
  for (const name of ['mar.json', 'perco.json', 'dreamfusion.json']) {
    test(`${name}: the committed file equals the generator's output and uses only the spec's keys`, () => {
      const file = JSON.parse(readFileSync(new URL(`../fixtures/bias/presets/${name}`, import.meta.url), 'utf8'));
      expect(file).toEqual(JSON.parse(JSON.stringify(specs[name])));
      for (const k of Object.keys(file)) expect(ALLOWED.has(k)).toBe(true);
    });
  }
});
