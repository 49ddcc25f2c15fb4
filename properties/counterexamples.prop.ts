import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlClaims } from '../src/claims/controls.ts';
import { loadCounterexample } from '../src/claims/counterexampleStore.ts';
import { allClaims } from '../src/claims/registry.ts';
import { replayAndCheck } from '../src/claims/replay.ts';

/**
 * Every saved counterexample in fixtures/counterexamples/ is replayed exactly
 * (fast-check seed + path) — the regression half of Hypothesis-style replay:
 * - a negative control's or an expected-`refuted` claim's counterexample must
 *   still reproduce (same kind: fails / throws) — it is evidence;
 * - a `holds` claim's counterexample records a bug that was since fixed: the
 *   case must now hold (a still-failing one means the bug is back, or was never fixed).
 * A stale file (the claim's generator changed, so the path now builds another
 * case) is refreshed with `npx scorecheck verify --claim <id>`.
 */
const dir = join(import.meta.dirname, '..', 'fixtures', 'counterexamples');
const files = (() => {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
})();
const known = [...allClaims, ...controlClaims];
const controls = new Set(controlClaims.map((c) => c.id));

describe('saved counterexamples replay', () => {
  it('the negative controls have saved counterexamples (the mechanism is exercised in CI)', () => {
    for (const c of controlClaims) expect(files).toContain(`${c.id}.json`);
  });

  for (const f of files) {
    it(f, () => {
      const saved = loadCounterexample(join(dir, f));
      expect(f).toBe(`${saved.claim}.json`);
      const claim = known.find((c) => c.id === saved.claim);
      expect(claim, `${f}: claim ${saved.claim} is not in the registry (remove the file?)`).toBeDefined();
      const r = replayAndCheck(claim!, saved.seed, saved.path);
      const refresh = `refresh with: npx scorecheck verify --claim ${saved.claim}`;
      expect(r.evaluation, `${f}: cannot rebuild the case (${r.replayed.ok ? '' : r.replayed.error}); ${refresh}`).toBeDefined();
      if (controls.has(claim!.id) || claim!.expected === 'refuted') {
        expect(r.evaluation!.kind, `${f}: the saved counterexample no longer reproduces; ${refresh}`).toBe(saved.kind);
      } else {
        expect(r.evaluation!.kind, `${f}: ${claim!.id} is expected to hold, but its saved counterexample still ${saved.kind}`).toBe('holds');
      }
    });
  }
});
