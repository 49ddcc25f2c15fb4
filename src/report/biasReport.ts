import { SCORECHECK_VERSION } from '../version.ts';
import { textTable } from './consoleTable.ts';
import { formatMs, formatNumber } from './formatNumber.ts';
import type { BiasResult } from '../bias/compute.ts';
import type { BiasSpec } from '../bias/spec.ts';
import type { WeightedTotal } from '../bias/weighting.ts';
import type { FlowBiasResult, FlowTotal } from '../bias/flowColumns.ts';

const PARAM_TEXT = { eps: 'ε-prediction (‖ε̂ − ε‖², f_t = s²)', x0: 'x₀-prediction (‖x̂₀ − x₀‖², f_t = s⁴/a²)', v: 'v-prediction (‖v̂ − v‖², f_t = s²(a² + s²)²/a²)', score: 'score (‖ŝ − ∇log q‖², f_t = 1)' } as const;

/** Notes the output carries: schedule aliases, the regularizer, the default weighting. */
export function biasNotes(spec: BiasSpec | undefined, r: BiasResult): string[] {
  const notes = [...(spec?.schedule.notes ?? [])];
  if (r.regularization > 0) notes.push(`regularization ε = ${r.regularization}: every number is for Σ + εI, not Σ (the d − rank zero eigenvalues become ε)`);
  if (r.spectrum.clamped > 0) notes.push(`${r.spectrum.clamped} computed eigenvalue${r.spectrum.clamped === 1 ? '' : 's'} of Σ within ±${formatNumber(r.spectrum.rankTolerance, 3)} (rounding: max(n, d)·2⁻⁵²·λ_max) set to exactly 0`);
  if (spec && !spec.weightingGiven) notes.push('weighting not given: totals use ε-prediction with uniform λ_t (DDPM L_simple); set "weighting" for yours');
  return notes;
}

/** The console text: the setting, the table per timestep, the weighted totals and the timings. */
export function biasText(r: BiasResult, spec?: BiasSpec): string {
  const d = r.d;
  const out: string[] = [];
  if (spec?.description) out.push(spec.description);
  let src: string;
  if (r.source) src = `${r.source.n} samples from ${r.source.file} (${r.source.format}${r.source.shape ? `, shape (${r.source.shape.join(', ')})` : ''})`;
  else if (r.route === 'eigenvalues') src = 'eigenvalues given';
  else if (r.n !== undefined) src = `${r.n} samples`;
  else src = 'inline covariance';
  const route = r.route === 'gram-eigen' ? `Gram route (n ≤ d: eigenvalues of the ${r.n}×${r.n} Gram matrix)` : r.route === 'covariance-eigen' ? `covariance route (one ${d}×${d} eigendecomposition)` : 'eigenvalues as given';
  out.push(`data: d = ${d}, ${src}; ${route}; rank ${r.spectrum.rank}${r.spectrum.zeros > 0 || r.spectrum.rank < d ? ` (${d - r.spectrum.rank} zero eigenvalue${d - r.spectrum.rank === 1 ? '' : 's'})` : ''}; tr Σ/d = ${formatNumber(r.spectrum.trace / d)}`);
  out.push(`regularization: ${r.regularization > 0 ? `ε = ${r.regularization} (Σ + εI analysed)` : 'none'}`);
  out.push(`schedule: ${r.schedule.name}${spec ? `, from ${spec.schedule.source}` : ''}`);
  out.push(`encoder: ${r.encoder ? `k = ${r.encoder.k}, τ = ${formatNumber(r.encoder.tau)} (Σ_{x|c} from one more eigendecomposition, of size ${r.posterior!.eigenvalues.length}; no per-timestep dense work)` : 'none (c carries no information: the gap is C_t)'}`);
  out.push(`weighting: ${PARAM_TEXT[r.totals.weighting.parameterization]}, λ_t ${r.totals.weighting.weights}`);
  for (const n of biasNotes(spec, r)) out.push(`note: ${n}`);
  out.push(`SDS (frozen exact score of the data as target): DSM-optimal input variance 0 (point mass at μ, every t); ESM-optimal input variance ${formatNumber(r.rows[0]?.sds.esmOptimalVariance ?? r.spectrum.trace / d)} per dimension (the target's Σ)`);
  out.push('');
  const f = (x: number) => formatNumber(x, 5);
  out.push(
    textTable(
      ['t', 'ᾱ_t', 'C_t', 'E‖∇log q(x_t|c)‖²', 'gap', 'DSM collapse', 'DSM target', 'ESM collapse', 'collapse adv.', '‖score‖² collapse', '‖score‖² target'],
      r.rows.map((x) => [String(x.t), f(x.alphaBar), f(x.Ct), f(x.inputBiasTerm), f(x.inputBiasGap), f(x.sds.dsmAtCollapse), f(x.sds.dsmAtTarget), f(x.sds.esmAtCollapse), f(x.sds.collapseAdvantage), f(x.sds.scoreNormAtCollapse), f(x.sds.scoreNormAtTarget)]),
    ),
  );
  out.push('');
  const T = r.schedule.T;
  out.push(`${r.rows.length} timestep${r.rows.length === 1 ? '' : 's'} of ${T} (score units). DSM prefers the collapse at every t by DSM(target) − DSM(collapse) = a²tr(P*²Σ) ≥ 0 (collapse adv.; 0 only where Σ = 0); the collapsed input's score norm is d/s².`);
  out.push('');
  const p = r.totals.weighting.parameterization;
  const unit = { eps: 'ε-prediction', x0: 'x₀-prediction', v: 'v-prediction', score: 'score' }[p];
  out.push(`Weighted totals over t = 1..${T}: Σ_t λ_t·f_t·Q_t in ${unit} units (Σ_t λ_t = ${formatNumber(r.totals.weightSum, 6)}); per step = total / T (the training loss with t uniform)`);
  const tot = (name: string, w: WeightedTotal) => [name, formatNumber(w.sum, 6), formatNumber(w.perStep, 6)];
  out.push(
    textTable(
      ['quantity', 'total', 'per step'],
      [
        tot('C_t (DSM − ESM, θ trained)', r.totals.Ct),
        tot('input-bias gap (DSM − ESM, input optimized)', r.totals.inputBiasGap),
        tot('input-bias term E‖∇log q(x_t|c)‖²', r.totals.inputBiasTerm),
        tot('d/s² (E‖∇log q(x_t|x_0)‖²)', r.totals.conditionalScoreNorm),
        tot('SDS: DSM at the collapse', r.totals.sds.dsmAtCollapse),
        tot('SDS: DSM at the target (= C_t)', r.totals.sds.dsmAtTarget),
        tot('SDS: collapse advantage', r.totals.sds.collapseAdvantage),
      ],
    ),
  );
  if (r.flow) out.push('', ...flowBiasText(r.flow, r.encoder !== undefined));
  const tm = Object.entries(r.timings).map(([k, v]) => `${k} ${formatMs(v)}`).join(', ');
  out.push('');
  out.push(`time: ${tm}`);
  return out.join('\n');
}

const PATH_TEXT = {
  rectified: 'rectified flow, x_t = (1 − t)x₀ + tε, u = ε − x₀',
  ot: 'Lipman OT path, x_t = t x₀ + (1 − (1 − σ_min)t)ε, u = x₀ − (1 − σ_min)ε',
  icfm: 'Tong I-CFM, x_t = t x₀ + (1 − t)ε + σξ, u = x₀ − ε',
} as const;

/** The flow-matching section (MATH.md §19.9): per-time table in velocity units, then the totals under the time law. */
export function flowBiasText(f: FlowBiasResult, encoder: boolean): string[] {
  const s = f.setting;
  const p = s.path;
  const out: string[] = [];
  out.push(`Flow matching: ${PATH_TEXT[p.kind]}${p.kind === 'ot' ? ` (σ_min = ${p.sigmaMin})` : p.kind === 'icfm' ? ` (σ = ${p.sigma})` : ''}; velocity units`);
  out.push(`  CFM − FM = E tr Cov(u_t | x_t): the θ-independent constant${encoder ? '; with the encoder optimized it is the gap E tr Cov(u_t | x_t, c), and CFM rewards the velocity-norm gain beyond FM' : ''}`);
  out.push('  distillation (the input law optimized against the frozen exact velocity): CFM is linear and increasing in the input variance — its optimum is the collapse; FM\'s is your data');
  const g = (x: number) => formatNumber(x, 5);
  out.push(
    textTable(
      ['t', 'a_t', 's_t', 'C_t', 'gap', 'norm gain', 'CFM collapse', 'CFM target', 'FM collapse', 'collapse adv.', 'β_t² (to DSM)'],
      f.rows.map((x) => [String(x.t), g(x.a), g(x.s), g(x.constant), g(x.inputBiasGap), g(x.velocityNormGain), g(x.distillation.cfmAtCollapse), g(x.distillation.cfmAtTarget), g(x.distillation.fmAtCollapse), g(x.distillation.collapseAdvantage), x.scoreLinkFactor === null ? '—' : g(x.scoreLinkFactor)]),
    ),
  );
  const law = s.law;
  const base = law.base.kind === 'logit_normal' ? `logit-normal(${law.base.loc}, ${law.base.scale})` : law.base.kind === 'mode' ? `mode(${law.base.scale})` : law.base.kind;
  out.push('');
  out.push(`Totals E_t[w(σ_t)·κ_t²·Q_t], t ~ ${base}${law.shift !== 1 ? `, shift ${law.shift}` : ''}${law.discretization ? `, ${law.discretization.table} table of ${law.discretization.numTrainTimesteps}` : ''}; weighting ${s.weighting.kind}; in ${s.target} units (κ_t converts a velocity error)`);
  const tot = (name: string, t: FlowTotal) => [name, t.converged ? formatNumber(t.value, 6) : 'diverges', t.converged ? formatNumber(t.error, 2) : 'the weight is not integrable under the law'];
  out.push(
    textTable(
      ['quantity', 'total', 'quadrature error'],
      [
        tot('C_t (CFM − FM, θ trained)', f.totals.constant),
        tot('gap (CFM − FM, encoder optimized)', f.totals.inputBiasGap),
        tot('velocity-norm gain the bias rewards', f.totals.velocityNormGain),
        tot('distillation: CFM at the collapse', f.totals.cfmAtCollapse),
        tot('distillation: collapse advantage', f.totals.collapseAdvantage),
      ],
    ),
  );
  return out;
}

/** The JSON report (version 2; docs/bias-spec.md). */
export function biasJson(r: BiasResult, spec?: BiasSpec) {
  return {
    version: 2,
    scorecheckVersion: SCORECHECK_VERSION,
    ...(spec?.description ? { description: spec.description } : {}),
    setting: {
      d: r.d,
      ...(r.n !== undefined ? { n: r.n } : {}),
      ...(r.source ? { source: r.source } : spec?.dataSource ? { source: spec.dataSource } : {}),
      route: r.route,
      rank: r.spectrum.rank,
      rankTolerance: r.spectrum.rankTolerance,
      clamped: r.spectrum.clamped,
      regularization: r.regularization,
      schedule: { ...r.schedule, ...(spec ? { source: spec.schedule.source } : {}) },
      ...(r.encoder ? { encoder: r.encoder } : {}),
      weighting: r.totals.weighting,
    },
    notes: biasNotes(spec, r),
    spectrum: { eigenvalues: Array.from(r.spectrum.eigenvalues), zeros: r.spectrum.zeros, zeroValue: r.regularization, trace: r.spectrum.trace },
    ...(r.posterior ? { posterior: { eigenvalues: Array.from(r.posterior.eigenvalues), zeros: r.posterior.zeros, zeroValue: r.regularization, trace: r.posterior.trace } } : {}),
    rows: r.rows,
    totals: r.totals,
    ...(r.flow ? { flow: r.flow } : {}),
    timings: r.timings,
  };
}
