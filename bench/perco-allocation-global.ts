/**
 * Is `dsmOptimalAllocation` (PerCo's DSM-trained rate allocation, MATH.md §13.3) the global optimum?
 * Over seeded random cases wider than the claim's and the property's domains, its N_w is compared with
 * the best of an independent exhaustive search: every allocation on the grid r ∈ (R/N)ℕ^d, Σ r = R
 * (N = 4000, 240, 64 for d = 2, 3, 4). A shortfall means a local optimum was returned; the search
 * sees any shortfall larger than the grid's own loss (about N_w's curvature × (R/N)²).
 *
 *   npx tsx bench/perco-allocation-global.ts [--cases 300] [--seed 1]
 */
import seedrandom from 'seedrandom';
import { vpFromBetas } from '../src/diffusion/schedule.ts';
import { cosineSchedule } from '../src/diffusion/index.ts';
import { allocation, allocationScoreNorm, dsmOptimalAllocation } from '../src/theory/percoRateAllocation.ts';
import { scheduleLevels, uniformTimestepWeights } from '../src/theory/weightedLevels.ts';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const cases = opt('--cases', 300), seed = opt('--seed', 1);
const rng = seedrandom(String(seed));
const sdT = 1000;
const sd = vpFromBetas(Array.from({ length: sdT }, (_, i) => (Math.sqrt(0.00085) + ((Math.sqrt(0.012) - Math.sqrt(0.00085)) * i) / (sdT - 1)) ** 2), 'sd');
const settings = [
  { name: 'cosine T=100', levels: scheduleLevels(cosineSchedule(100)), weights: uniformTimestepWeights(100) },
  { name: 'SD T=1000', levels: scheduleLevels(sd), weights: uniformTimestepWeights(sdT) },
];
const gridSteps: Record<number, number> = { 2: 4000, 3: 240, 4: 64 };

/**
 * The best N_w over the grid, by enumerating it. N_w is separable: N_w(r) = N_w(0) + Σ_i g_i(r_i) with
 * g_i(r) = N_w(r·e_i) − N_w(0), tabulated once per direction.
 */
function exhaustive(d: number, R: number, N: number, value: (r: number[]) => number): number {
  const base = value(Array(d).fill(0));
  const g = Array.from({ length: d }, (_, i) => Float64Array.from({ length: N + 1 }, (_, k) => value(Array.from({ length: d }, (_, j) => (j === i ? (k / N) * R : 0))) - base));
  let best = -Infinity;
  const walk = (i: number, left: number, acc: number): void => {
    if (i === d - 1) { best = Math.max(best, acc + g[i][left]); return; }
    for (let k = 0; k <= left; k++) walk(i + 1, left - k, acc + g[i][k]);
  };
  walk(0, N, 0);
  return base + best;
}

let shortfalls = 0, worst = 0, worstCase = '';
const t0 = performance.now();
for (let c = 0; c < cases; c++) {
  const d = 2 + Math.floor(rng() * 3);
  const lambda = Array.from({ length: d }, () => 10 ** (-3 + 7 * rng()));
  const bits = 0.02 + 5.98 * rng();
  const s = settings[c % settings.length];
  const R = bits * d * Math.LN2;
  const value = (r: number[]) => allocationScoreNorm(allocation(lambda, r), s.levels, s.weights);
  const got = allocationScoreNorm(dsmOptimalAllocation(lambda, R, s.levels, s.weights), s.levels, s.weights);
  const best = exhaustive(d, R, gridSteps[d], value);
  const short = best - got;
  if (short > 1e-12 * Math.max(1, best)) {
    shortfalls++;
    if (short > worst) { worst = short; worstCase = `${s.name}, λ = ${lambda.map((l) => l.toPrecision(4)).join(', ')}, ${bits.toFixed(3)} bit/dim: ${got} against ${best}`; }
  }
}
console.log(`${cases} cases (seed ${seed}, d = 2–4, λ = 10^U(−3, 4), 0.02–6 bit/dim, cosine T=100 and SD T=1000): ${shortfalls} below the exhaustive grid${shortfalls ? `; worst ${worst.toExponential(3)} at ${worstCase}` : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
