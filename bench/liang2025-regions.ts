/**
 * Region scan for BO-DDNM vs DDNM (Gaussian priors, exact): where does each sampler win,
 * per step (E‖Δ_t‖²), in accumulated mismatch and in final KL? Run: npx tsx bench/liang2025-regions.ts
 */
import fc from 'fast-check';
import type { Gaussian } from '../src/gaussian/gaussian.ts';
import { scaledLinearSchedule } from '../src/diffusion/schedule.ts';
import { inverseProblemCase } from '../src/arbitraries/inverseProblem.ts';
import { mismatchDecomposition } from '../src/theory/mismatch.ts';
import { inverseProblemGeometry, gaussianPosterior } from '../src/theory/inverseProblem.ts';
import { zeroShotAffineGuidance } from '../src/theory/zeroShot.ts';

const arb = fc.tuple(inverseProblemCase({ priorKind: 'gaussian', noise: { positive: true } }), fc.constantFrom(20, 50, 100, 200, 400));
const buckets = new Map<string, { n: number; step: number; kl: number; bias: number }>();
const samples = fc.sample(arb, { numRuns: Number(process.env.RUNS ?? 1500), seed: 42 });
for (const [c, T] of samples) {
  const prior = c.prior as Gaussian;
  const geom = inverseProblemGeometry(c.problem);
  const post = gaussianPosterior(prior, c.problem);
  const s = scaledLinearSchedule(T);
  const dd = mismatchDecomposition(s, post, zeroShotAffineGuidance(geom, prior, post, s, 'ddnm'), 'seed');
  const bo = mismatchDecomposition(s, post, zeroShotAffineGuidance(geom, prior, post, s, 'bo-ddnm'), 'seed');
  const sb = c.problem.sigmaY < 0.03 ? 'σ<0.03' : c.problem.sigmaY < 0.1 ? 'σ<0.1' : c.problem.sigmaY < 0.3 ? 'σ<0.3' : 'σ≥0.3';
  const key = `${sb} T=${T}`;
  const b = buckets.get(key) ?? { n: 0, step: 0, kl: 0, bias: 0 };
  b.n++;
  if (bo.perStepMismatch.some((v, i) => v > dd.perStepMismatch[i] * (1 + 1e-9))) b.step++;
  if (bo.finalKL > dd.finalKL * (1 + 1e-9)) b.kl++;
  if (bo.bias > dd.bias * (1 + 1e-9)) b.bias++;
  buckets.set(key, b);
}
console.log('bucket            n   stepFail  klFail  biasFail   (BO worse than DDNM)');
for (const [k, b] of [...buckets].sort()) console.log(k.padEnd(16), String(b.n).padStart(4), String(b.step).padStart(8), String(b.kl).padStart(8), String(b.bias).padStart(8));
