import { type Rng, createRng } from '../src/mc/rng.ts';
import {
  type AffineTimeNetwork, type SampleShape, type SamplerOutcome, type SamplerProgram, type SamplerRequest, type SamplerSpec, type StructuredLinear, type TrainingTable,
  loopTolerance, planSampler, runSampler, sampleShape,
} from '../src/diffusion/samplers/index.ts';
import { decodeSampleResult, encodeSampleArgs } from '../src/subject/samplerProtocol.ts';
import type { SamplerHello } from '../src/subject/samplerProtocol.ts';
import { samplerContextFor } from '../src/subject/samplerHello.ts';

/**
 * Seeded inputs for the sampler-oracle tests (the engine's arbitraries build the check's cases;
 * these only feed the tests that pin the oracles against independent implementations).
 */
function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.uniform();
}

function linear(shape: SampleShape, rng: Rng, scale: number, withDiag: boolean): StructuredLinear {
  const mix = Float64Array.from({ length: shape.C * shape.C }, () => uniform(rng, -scale, scale) / Math.sqrt(shape.C));
  return { mix, diag: withDiag ? Float64Array.from({ length: shape.size }, () => uniform(rng, -scale, scale)) : null };
}

/**
 * f(x, τ) = (W₀ + g(τ)W₁)x + b₀ + g(τ)b₁ with ω chosen so one grid step of the program's own τ
 * values turns g by about a radian (MATH.md §5.2).
 */
export function randomAffineTimeNetwork(shape: SampleShape, rng: Rng, taus: readonly number[], variance = false): AffineTimeNetwork {
  const gaps = taus.slice(1).map((t, i) => Math.abs(t - taus[i])).filter((g) => g > 0).sort((a, b) => a - b);
  const typical = gaps.length ? gaps[Math.floor(gaps.length / 2)] : 1;
  const net: AffineTimeNetwork = {
    kind: 'affine_time',
    shape,
    g: { omega: uniform(rng, 0.5, 2) / typical, phase: uniform(rng, 0, 2 * Math.PI) },
    W0: linear(shape, rng, 0.6, rng.uniform() < 0.7),
    W1: linear(shape, rng, 0.4, rng.uniform() < 0.7),
    b0: Float64Array.from({ length: shape.size }, () => uniform(rng, -1, 1)),
    b1: Float64Array.from({ length: shape.size }, () => uniform(rng, -1, 1)),
  };
  if (!variance) return net;
  const v0 = Float64Array.from({ length: shape.size }, () => uniform(rng, -0.5, 0.5));
  const v1 = Float64Array.from({ length: shape.size }, () => uniform(rng, -0.4, 0.4));
  return { ...net, variance: { v0, v1 } };
}

/** x_init (B samples) and the noises the program draws (n × B; undefined on steps without noise). */
export function randomInputs(program: SamplerProgram, shape: SampleShape, rng: Rng, B: number): { xInit: Float64Array[]; noises: (Float64Array[] | undefined)[] } {
  const normal = () => rng.fillNormal(new Float64Array(shape.size));
  const xInit = Array.from({ length: B }, normal);
  const anyNoise = program.noiseSteps.some((u) => u);
  const noises = program.noiseSteps.map(() => (anyNoise ? Array.from({ length: B }, normal) : undefined));
  return { xInit, noises };
}


export interface Planned {
  spec: SamplerSpec;
  name: string;
  n: number;
  shapeDims: number[];
  req: SamplerRequest;
  network: AffineTimeNetwork;
  xInit: Float64Array[];
  noises: (Float64Array[] | undefined)[];
  args: Record<string, unknown>;
  expected: SamplerOutcome[];
  taus: readonly number[];
  calls: number;
}

/** The declaration with the hello's parameterization and network time written into it. */
function resolved(hello: SamplerHello, spec: SamplerSpec, table: TrainingTable): SamplerSpec {
  const ctx = samplerContextFor(hello, spec, table);
  return { ...spec, parameterization: ctx.parameterization, networkTime: ctx.networkTime };
}

export function plan(hello: SamplerHello, table: TrainingTable, seed: number, STEPS: readonly number[], SHAPES: readonly number[][]): Planned[] {
  const rng = createRng(`sampler-oracle-${seed}`);
  const out: Planned[] = [];
  for (const [name, declared] of Object.entries(hello.samplers)) {
    const spec = resolved(hello, declared, table);
    for (const n of STEPS) {
      if (n > table.T) continue;
      for (const dims of SHAPES) {
        const shape = sampleShape(dims);
        const spacing = 'spacing' in spec ? spec.spacing : 'sigmas' in spec && spec.sigmas.kind === 'table' ? spec.sigmas.spacing : undefined;
        if (spacing?.kind === 'respace_ddim' && Math.ceil(table.T / Math.ceil(table.T / n)) !== n) continue;
        const timesteps = spacing?.kind === 'explicit' ? randomList(rng, table, n) : undefined;
        const eta = spec.family === 'ddim' && spec.eta === 'request' ? [0, 1, rng.uniform()][n % 3] : undefined;
        const req = { numInferenceSteps: n, timesteps, eta };
        const ctx = samplerContextFor(hello, spec, table);
        let program;
        try {
          program = planSampler(spec, ctx, req);
        } catch {
          continue; // a request the declaration cannot run (e.g. σ-space on a zero-SNR table)
        }
        const network = randomAffineTimeNetwork(shape, rng, program.taus, spec.family === 'ddpm' && spec.variance === 'learned_range');
        const { xInit, noises } = randomInputs(program, shape, rng, 2);
        const expected = xInit.map((x, b) => runSampler(program, network, x, noises.map((z) => z?.[b])));
        const args = encodeSampleArgs({ sampler: name, numInferenceSteps: n, timesteps, eta, shape, xInit, noises: noises[0] ? (noises as Float64Array[][]) : undefined, network }, hello.binaryArrays);
        out.push({ spec, name, n, shapeDims: dims, req, network, xInit, noises, args, expected, taus: program.taus, calls: program.taus.length });
      }
    }
  }
  return out;
}

function randomList(rng: ReturnType<typeof createRng>, table: TrainingTable, n: number): number[] {
  const picks = new Set<number>([table.T - 1]);
  while (picks.size < n) picks.add(Math.floor(rng.uniform() * table.T));
  return [...picks].sort((a, b) => b - a).map((j) => j + table.tBase);
}

/** The oracle's answers to the same inputs under another declaration (undefined: it cannot run them). */
export function expectUnder(p: Planned, spec: SamplerSpec, table: TrainingTable, hello: SamplerHello): Float64Array[] | undefined {
  try {
    const program = planSampler(spec, samplerContextFor(hello, spec, table), p.req);
    const noises = program.noiseSteps.map((used, i) => (used ? (p.noises[i] ?? p.xInit.map(() => new Float64Array(p.xInit[0].length))) : undefined));
    return p.xInit.map((x, b) => runSampler(program, p.network, x, noises.map((z) => z?.[b])).xFinal);
  } catch {
    return undefined;
  }
}

/** Worst |got − expected| / tolerance over every coordinate of every case (≤ 1 passes). */
export function worstRatio(planned: Planned[], answers: Map<number, { result?: unknown; error?: string }>, offset: number): { ratio: number; where: string; errors: string[]; tauMismatch: string[] } {
  let ratio = 0, where = '';
  const errors: string[] = [], tauMismatch: string[] = [];
  planned.forEach((p, k) => {
    const a = answers.get(k + offset);
    const label = `${p.name} n=${p.n} shape=[${p.shapeDims}]`;
    if (!a || a.error !== undefined) {
      errors.push(`${label}: ${a?.error ?? 'no answer'}`);
      return;
    }
    let got;
    try {
      got = decodeSampleResult(a.result, p.expected.length, sampleShape(p.shapeDims));
    } catch (e) {
      errors.push(`${label}: ${(e as Error).message}`);
      return;
    }
    p.expected.forEach((e, b) => {
      for (let i = 0; i < e.xFinal.length; i++) {
        const r = Math.abs(got.xFinal[b][i] - e.xFinal[i]) / loopTolerance(e, i, 1e-9);
        if (r > ratio) {
          ratio = r;
          where = `${label} sample ${b} coordinate ${i}: got ${got.xFinal[b][i]}, expected ${e.xFinal[i]}`;
        }
      }
    });
    const tau = got.tau ? Array.from(got.tau) : [];
    if (tau.length !== p.taus.length || tau.some((t, i) => Math.abs(t - p.taus[i]) > 1e-12 * Math.max(1, Math.abs(p.taus[i])))) {
      tauMismatch.push(`${label}: τ [${tau.slice(0, 4)}…] (${tau.length} calls) vs [${p.taus.slice(0, 4)}…] (${p.taus.length})`);
    }
  });
  return { ratio, where, errors, tauMismatch };
}

