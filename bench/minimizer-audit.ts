/**
 * Do the one-dimensional minimizers behind verdicts return the global minimum of their objective? Each
 * caller's result is compared with a dense grid over a wider range, on data drawn from the claims' own
 * arbitraries (seeded). A "gap" is a fit whose objective exceeds the grid's best by more than 1e-9
 * relative: a local or window-bound answer. Fits that throw `NoMinimizerError` (the objective decreasing
 * to an end: the T = 1 sampler's NLL as v → 0) are counted apart.
 *  - `isotropicElboMinimizer`, `isotropicSamplerNllMinimizer` (Li & Yan 2024, application 1): T ∈ {1, 2, 5,
 *    50, 200}, both priors; grid over log v ∈ log(tr S/d) ± 8 at the fit's mean.
 *  - `rayMinimizer` (flow distillation, FM and CFM): grid of 3001 ρ over [0.001, 3].
 *  - the cosine s-fit of `diagnoseSchedule` (its own objective `rmsRel`, minimized as it does): cosine tables with s* ∈ [0, 0.2],
 *    exact and float32-rounded, T ∈ {4, 10, 50, 1000}; grid of 4001 s over [0, 0.2].
 *
 *   npx tsx bench/minimizer-audit.ts [--seed 1] [--data 60]
 */
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { mixtureOfDim } from '../src/arbitraries/mixture.ts';
import { gaussianOfDim } from '../src/arbitraries/gaussian.ts';
import { distillationCases } from '../src/claims/lipman2023/distillation.ts';
import { SPD } from '../src/claims/liyan2024/shared.ts';
import { scaledLinearSchedule } from '../src/diffusion/schedule.ts';
import { namedScheduleReference } from '../src/diffusion/scheduleComparison.ts';
import { rmsRel } from '../src/diffusion/scheduleDiagnosis.ts';
import { minimizeScalar } from '../src/numerics/minimize.ts';
import { NoMinimizerError } from '../src/numerics/noMinimizerError.ts';
import { dataMoments, isotropicElboMinimizer, isotropicElboObjective, isotropicNllMinimizer, isotropicSamplerNll, isotropicSamplerNllMinimizer } from '../src/theory/elboFit.ts';
import { distillationCfm, distillationFm, rayInput, rayMinimizer } from '../src/theory/flowDistillation.ts';
import { flowCoefficients } from '../src/theory/flowPath.ts';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const seed = opt('--seed', 1), nData = opt('--data', 60);

interface Tally { fits: number; gaps: number; none: number; worst: number }
const tally = (): Tally => ({ fits: 0, gaps: 0, none: 0, worst: 0 });
const record = (t: Tally, value: number, gridBest: number, what: string) => {
  t.fits++;
  const gap = value - gridBest;
  t.worst = Math.max(t.worst, gap);
  if (gap > 1e-9 * Math.max(1, Math.abs(gridBest))) {
    t.gaps++;
    console.log(`  gap ${gap.toExponential(2)}: ${what}`);
  }
};
const line = (name: string, t: Tally) => console.log(`${name}: ${t.fits} fits, ${t.gaps} gaps (worst ${t.worst.toExponential(2)}), ${t.none} without a minimizer`);

// The isotropic family fits.
const family = { elbo: tally(), samplerNll: tally() };
const datas = fc.sample(fc.integer({ min: 1, max: 2 }).chain((d) => fc.oneof(gaussianOfDim(d, SPD), mixtureOfDim(d, { ...SPD, maxComponents: 3 }))), { numRuns: nData, seed });
for (const data of datas) {
  const mom = dataMoments(data);
  const u0 = Math.log(isotropicNllMinimizer(mom).variance);
  for (const T of [1, 2, 5, 50, 200]) for (const prior of ['model-marginal', 'standard'] as const) {
    const s = scaledLinearSchedule(T);
    for (const [t, fit, objective] of [[family.elbo, isotropicElboMinimizer, isotropicElboObjective], [family.samplerNll, isotropicSamplerNllMinimizer, isotropicSamplerNll]] as const) {
      let r;
      try { r = fit(mom, s, { prior }); } catch (e) { if (!(e instanceof NoMinimizerError)) throw e; t.none++; continue; }
      let best = Infinity;
      for (let i = 0; i <= 2000; i++) best = Math.min(best, objective(mom, s, r.mean, Math.exp(u0 - 8 + (16 * i) / 2000), { prior }));
      record(t, r.objective, best, `T = ${T}, ${prior} prior, μ = [${Array.from(mom.mean).join(', ')}], S = [${Array.from(mom.cov.data).join(', ')}]`);
    }
  }
}
line('isotropicElboMinimizer', family.elbo);
line('isotropicSamplerNllMinimizer', family.samplerNll);

// The flow-distillation ray.
const ray = tally();
for (const c of fc.sample(distillationCases(3), { numRuns: 5 * nData, seed })) {
  const co = flowCoefficients(c.path, c.t);
  for (const objective of [distillationFm, distillationCfm]) {
    const r = rayMinimizer(c.target, co, objective);
    let best = Infinity;
    for (let i = 0; i <= 3000; i++) best = Math.min(best, objective(c.target, rayInput(c.target, 1e-3 + ((3 - 1e-3) * i) / 3000), co));
    record(ray, r.value, best, `${objective.name}, ${JSON.stringify(c.path)}, t = ${c.t}`);
  }
}
line('rayMinimizer', ray);

// The cosine s-fit of the schedule diagnosis (its objective, rmsRel against cosine(s), over s ∈ [0, 0.2]).
const cosine = tally();
const rng = seedrandom(`cosine-${seed}`);
let worstS = 0;
for (const T of [4, 10, 50, 1000]) for (let k = 0; k < nData / 2; k++) {
  const sStar = rng() < 0.2 ? 0 : 0.2 * rng();
  const exact = namedScheduleReference({ kind: 'cosine', T, s: sStar }, 'alpha_bar');
  for (const got of [exact, Float64Array.from(exact, Math.fround)]) {
    const f = (s: number) => rmsRel(got, namedScheduleReference({ kind: 'cosine', T, s }, 'alpha_bar'));
    const fit = minimizeScalar(f, 0, 0.2, 1e-10);
    let best = Infinity;
    for (let i = 0; i <= 4000; i++) best = Math.min(best, f((0.2 * i) / 4000));
    record(cosine, f(fit), best, `T = ${T}, s* = ${sStar}`);
    worstS = Math.max(worstS, Math.abs(fit - sStar));
  }
}
line(`cosine s-fit (worst |fit − s*| ${worstS.toExponential(2)})`, cosine);
