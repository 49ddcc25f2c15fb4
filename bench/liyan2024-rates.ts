/**
 * Li & Yan 2024 — measured rates (closed form, deterministic). Run:
 *   npx tsx bench/liyan2024-rates.ts
 * Prints, against T (scaled-linear β, ᾱ_T ≈ 4e-5 fixed): the expected ELBO gap
 * E[log q − ELBO_T], the distance between the ELBO minimizer and (a) the family NLL
 * minimizer, (b) the T-step sampler's NLL minimizer, and the diffusion classifier's TV
 * distance to Bayes; each with a least-squares log-log exponent over T ≥ 100.
 */
import { scaledLinearSchedule } from '../src/diffusion/schedule.ts';
import { Gaussian } from '../src/gaussian/gaussian.ts';
import { GaussianMixture } from '../src/gaussian/mixture.ts';
import { fitPowerLaw } from '../src/numerics/powerLawFit.ts';
import { expectedElboGap } from '../src/claims/liyan2024/elbo.ts';
import { bayesPosterior, diffusionClassifierPosterior, totalVariation } from '../src/theory/diffusionClassifier.ts';
import { dataMoments, isotropicElboMinimizer, isotropicNllMinimizer, isotropicSamplerNllMinimizer } from '../src/theory/elboFit.ts';

const Ts = [25, 50, 100, 200, 400, 800, 1600, 3200];
const tail = (ys: number[]) => {
  const f = fitPowerLaw(Ts.slice(2), ys.slice(2));
  return `${f.exponent.toFixed(3)} ± ${f.exponentStderr.toFixed(3)}`;
};
const fmt = (ys: number[]) => ys.map((y) => y.toExponential(3)).join('  ');
const m2 = (a: number[]) => ({ rows: 2, cols: 2, data: Float64Array.from(a) });

const g = new Gaussian([0.8, -0.4], m2([1.5, 0.3, 0.3, 0.4]));
const mix = new GaussianMixture([0.3, 0.7], [new Gaussian([1, -2], m2([2, 0.5, 0.5, 0.2])), new Gaussian([-1, 1], m2([0.3, 0, 0, 1]))]);
console.log(`T: ${Ts.join(' ')}\n`);

console.log('1. Expected ELBO gap E[log q − ELBO_T], exact score, d = 2 Gaussian');
for (const [v, p] of [['beta', 'model-marginal'], ['betaTilde', 'model-marginal'], ['beta', 'standard'], ['betaTilde', 'standard']] as const) {
  const gaps = Ts.map((T) => expectedElboGap(g, T, v, p));
  console.log(`  σ²=${v.padEnd(9)} prior=${p.padEnd(14)} ${fmt(gaps)}   exponent ${tail(gaps)}`);
}

console.log('\n2. ELBO minimizer over N(m, vI) vs NLL minimizers (σ² = β_t)');
for (const [name, data] of [['Gaussian', g], ['mixture', mix]] as const) {
  const mom = dataMoments(data);
  const nll = isotropicNllMinimizer(mom);
  for (const prior of ['model-marginal', 'standard'] as const) {
    const toNll: number[] = [], toSampler: number[] = [];
    for (const T of Ts) {
      const s = scaledLinearSchedule(T);
      const f = isotropicElboMinimizer(mom, s, { prior });
      const h = isotropicSamplerNllMinimizer(mom, s, { prior });
      toNll.push(Math.abs(f.variance - nll.variance) / nll.variance + Math.hypot(...f.mean.map((x, i) => x - nll.mean[i])));
      toSampler.push(Math.abs(h.variance - f.variance) / f.variance + Math.hypot(...f.mean.map((x, i) => x - h.mean[i])));
    }
    console.log(`  ${name.padEnd(8)} prior=${prior.padEnd(14)} |θ_ELBO − θ_NLL|:     ${fmt(toNll)}`);
    console.log(`  ${''.padEnd(8)} ${''.padEnd(20)} |θ_ELBO − θ_sampler|: ${fmt(toSampler)}   exponent ${tail(toSampler)}`);
  }
}

console.log('\n3. Diffusion classifier TV(p̂_T, Bayes), two Gaussian classes d = 2, x = (0.2, 0.1)');
const classes = [new Gaussian([0.5, 0], m2([1, 0.2, 0.2, 0.5])), new Gaussian([-0.5, 0.3], m2([0.6, 0, 0, 1.2]))];
const w = [0.4, 0.6], x0 = [0.2, 0.1];
const bayes = bayesPosterior(classes, w, x0);
for (const prior of ['standard', 'model-marginal'] as const) for (const variance of ['beta', 'betaTilde'] as const) {
  const tv = Ts.map((T) => totalVariation(bayes, diffusionClassifierPosterior(classes, w, scaledLinearSchedule(T), x0, { prior, variance })));
  console.log(`  σ²=${variance.padEnd(9)} prior=${prior.padEnd(14)} ${fmt(tv)}   exponent ${tail(tv)}`);
}
