import { describe, expect, it } from 'vitest';
import { generateCase } from '../../engine/choices/generateCase.ts';
import { readReplaySpec } from '../../engine/replaySpec.ts';
import { flowBiasDirection, flowHigherVelocityNorm } from './biasDirection.ts';

/** The case a printed `choices:` token builds. */
function replayed(token: string) {
  const [replay] = readReplaySpec(token, flowHigherVelocityNorm.id).get(flowHigherVelocityNorm.id) ?? [];
  return generateCase(flowHigherVelocityNorm.cases(), replay?.choices ?? [], { kind: 'simplest' }).value;
}

// Two false alarms of the long false-alarm run (issue 18): the cross-checks used fixed tolerances that
// ill-conditioned encoders exceed by rounding alone.
const illConditionedOptimum = 'choices:WzMsMywzLDAsMCwwLC01OCwzLDAsMCwtOTYsMywwLDAsMCw5LDE5OCwtMjAwLC0yMDAsMCwxMTAsMTAwLC0xOTcsMjAwLDIwMCwzLDAsMCwwLDAsMCwwXQ';
const nearlyNoiselessEncoder = 'choices:WzIsMSwyLDAsMCw1OCwyLDEwMCwxMDAsMSwwLDIsLTEzNywtMTkxLDEsMCwtMTAwLDM0OSwwXQ';

describe('lipman2023.biasDirection: the cross-checks scale with κ(Cov(x, c))', () => {
  it('verify seed 1140: a DSM-optimal encoder with entries ~4e4 — the link error exceeds 1e-9 but not 1e3·ε·κ', () => {
    const c = replayed(illConditionedOptimum);
    const r = flowBiasDirection(c);
    expect(r.kappa).toBeGreaterThan(1e6);
    expect(r.linkError).toBeGreaterThan(1e-9);
    expect(r.linkError).toBeLessThanOrEqual(r.linkTolerance);
    expect(flowHigherVelocityNorm.check(c, { falseAlarm: 1e-6, replicate: 0 }).holds).toBe(true);
  });

  it('τ = 0.1 against Σ = 38·I: a gain ~1e-7 that the two routes agree on within κ times their floors', () => {
    const c = replayed(nearlyNoiselessEncoder);
    const r = flowBiasDirection(c);
    expect(r.direct).toBeGreaterThan(0);
    expect(Math.abs(r.direct - r.gain)).toBeGreaterThan(r.scoreRouteFloor + r.floor); // the fixed floors were too tight
    expect(flowHigherVelocityNorm.check(c, { falseAlarm: 1e-6, replicate: 0 }).holds).toBe(true);
  });

  it('negative control: a well-conditioned case keeps the tight link tolerance 1e-9, and a perturbed gain fails the route agreement', () => {
    const c = replayed('choices:W10'); // the simplest case
    const r = flowBiasDirection(c);
    expect(r.kappa).toBeLessThan(1e3);
    expect(r.linkTolerance).toBe(1e-9);
    expect(r.linkError).toBeLessThan(1e-12);
    const slack = 1e-6 * r.direct + r.kappa * (r.scoreRouteFloor + r.floor);
    expect(slack).toBeLessThan(1e-5 * r.direct); // a 1e-5 relative error in either route would be caught
  });

  it('verify --seed 1969 (the long run): a gain float64 does not decide (score route 1.8e-9, flow route −2.8e-9, κ(Cov(x, c)) = 9e6) is decided in 320-bit arithmetic: it holds', () => {
    const c = replayed('choices:WzMsMywzLDAsMCwwLDk2LDMsMTAwLDEwMCwxMDAsMywwLDAsMCw5LDIwMCwyMDAsMjAwLDIwMCwyMDAsMjAwLDIwMCwyMDAsMjAwLDMsMCwwLDAsLTEwMCw0NjYsMF0');
    const r = flowBiasDirection(c);
    // the float64 routes disagree in sign: what made this case undecidable before the escalation
    expect(Math.sign(r.direct)).not.toBe(Math.sign(r.gain));
    const o = flowHigherVelocityNorm.check(c, { falseAlarm: 1e-6, replicate: 0 }) as { holds: boolean; unresolved?: string; quantities?: Record<string, number> };
    expect(o.holds).toBe(true);
    expect(o.unresolved).toBeUndefined();
    // β_t²·2.2463084665427543e-12 (mpmath, 60 digits, from the definitions — see extendedPrecisionScoreNormGain.test.ts)
    const exact = r.beta2 * 2.2463084665427543e-12;
    expect(Math.abs((o.quantities?.['velocity-norm gain in 320-bit arithmetic'] ?? 0) - exact)).toBeLessThan(1e-12 * exact);
    // the control: an ordinary case is decided by float64 alone (no escalation) and holds.
    const plain = flowHigherVelocityNorm.check(replayed('choices:W10'), { falseAlarm: 1e-6, replicate: 0 }) as { holds: boolean; unresolved?: string; quantities?: Record<string, number> };
    expect(plain.holds).toBe(true);
    expect(plain.quantities?.['velocity-norm gain in 320-bit arithmetic']).toBeUndefined();
  });
});
