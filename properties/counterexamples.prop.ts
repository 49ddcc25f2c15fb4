import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlClaims } from '../src/claims/control/selftest.ts';
import { allClaims } from '../src/claims/registry.ts';
import { decodeChoices } from '../src/engine/choices/choiceSource.ts';
import { generateCase } from '../src/engine/choices/generateCase.ts';
import { evaluate } from '../src/engine/evaluate.ts';
import { FalseAlarmPlan, RUN_FALSE_ALARM } from '../src/engine/falseAlarmPlan.ts';
import { plainCase } from '../src/engine/plainCase.ts';
import { readStoreFile } from '../src/engine/store/directoryStore.ts';
import { PACKAGE_STORE_DIR } from '../src/engine/store/defaultStores.ts';

/**
 * Every counterexample the package ships (fixtures/counterexamples/, replayed first by every
 * `verify`) is rebuilt from its choice sequence — the regression half of Hypothesis-style replay:
 * - the rebuilt case must be the one saved (else the file is stale: the generator changed);
 * - a negative control's or an expected-`refuted` claim's counterexample must still fail the same
 *   way — it is evidence;
 * - a `holds` claim's counterexample records a bug since fixed: the case must now hold.
 * Refresh a file with `npx scorecheck verify --claim <id> --store fixtures/counterexamples`.
 */
const files = (() => {
  try {
    return readdirSync(PACKAGE_STORE_DIR).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
})();
const known = [...allClaims, ...controlClaims];
const controls = new Set<string>(controlClaims.map((c) => c.id));
// The level of one assertion in a default `verify` run (the run that saved and replays these).
const env = { falseAlarm: new FalseAlarmPlan(RUN_FALSE_ALARM, allClaims.map((c) => ({ id: c.id, assertionsPerCase: c.assertionsPerCase, runs: c.defaultRuns }))).perAssertion, replicate: 0 };

describe('shipped counterexamples replay', () => {
  it('the negative controls have shipped counterexamples (the mechanism is exercised in CI)', () => {
    for (const c of controlClaims) expect(files).toContain(`${c.id}.json`);
  });

  for (const f of files) {
    it(f, async () => {
      const file = readStoreFile(join(PACKAGE_STORE_DIR, f));
      expect(f).toBe(`${file.key}.json`);
      expect(file.examples.length).toBeGreaterThan(0);
      for (const ex of file.examples) {
        const claim = known.find((c) => c.id === ex.property);
        expect(claim, `${f}: claim ${ex.property} is not in the registry (remove the file?)`).toBeDefined();
        const refresh = `refresh with: npx scorecheck verify --claim ${ex.property} --store fixtures/counterexamples`;
        const g = generateCase(claim!.cases(), decodeChoices(ex.choices), { kind: 'simplest' });
        expect(JSON.stringify(plainCase(claim!, g.value)), `${f}: stale — its choices now build another case; ${refresh}`).toBe(JSON.stringify(ex.case));
        const ev = await evaluate(claim!, g.value, env);
        if (controls.has(claim!.id) || claim!.expected === 'refuted') {
          expect(ev.kind, `${f}: the saved counterexample no longer reproduces; ${refresh}`).toBe(ex.kind);
        } else {
          expect(ev.kind, `${f}: ${claim!.id} is expected to hold, but its saved counterexample still ${ex.kind}`).toBe('holds');
        }
      }
    });
  }
});
