import { InvalidArgumentError } from '../../errors.ts';
import { type Denoiser, type SamplerParameterization, denoiserAt, requireDenoiser } from './denoiser.ts';
import { type SamplerContext, type SamplerProgram, type SamplerRequest, tausAt, vpState } from './samplerProgram.ts';
import type { TableSpacing } from './samplerSpec.ts';
import { type SpacingVariant, explicitTimesteps, respacedTimesteps, spacedTimesteps } from './timestepSpacing.ts';
import type { TrainingTable } from './trainingTable.ts';

/** The descending 0-based training indices a table-based sampler visits for one request (MATH.md §5.1). */
export function tableTimesteps(spacing: TableSpacing, table: TrainingTable, req: SamplerRequest, variant: SpacingVariant): Float64Array {
  const n = req.numInferenceSteps;
  switch (spacing.kind) {
    case 'explicit':
      if (!req.timesteps) throw new InvalidArgumentError('timesteps', undefined, 'spacing "explicit" needs the request to carry timesteps');
      if (req.timesteps.length !== n) throw new InvalidArgumentError('timesteps', req.timesteps, `must hold num_inference_steps = ${n} entries`);
      return explicitTimesteps(req.timesteps, table.T, table.tBase);
    case 'respace':
    case 'respace_ddim': {
      const js = respacedTimesteps(table.T, spacing.kind === 'respace' ? String(n) : `ddim${n}`);
      if (js.length !== n) throw new InvalidArgumentError('num_inference_steps', n, `respacing gives ${js.length} steps`);
      return js;
    }
    default:
      return spacedTimesteps({ kind: spacing.kind, T: table.T, n, stepsOffset: spacing.stepsOffset, variant });
  }
}

/**
 * The fields a table-based VP program shares: the subject's timesteps, the VP levels of the path
 * `ab` (n + 1 values of ᾱ), the network times at the indices `js`, and the level each call's time
 * stands for (ᾱ[j] of its own index).
 */
export function vpPathFields(table: TrainingTable, js: Float64Array, ab: readonly number[], ctx: SamplerContext): Pick<SamplerProgram, 'steps' | 'timesteps' | 'levels' | 'taus' | 'callLevels' | 'order' | 'initScale'> {
  const { taus } = tausAt(ctx, Array.from(js, (j) => ({ index: j, sigma: table.sigma[j] })), table.T);
  return {
    steps: js.length,
    timesteps: Array.from(js, (j) => j + table.tBase),
    levels: ab.map(vpState),
    taus,
    callLevels: Array.from(js, (j) => vpState(table.alphaBar[j])),
    order: 1,
    initScale: 1,
  };
}

/** The denoiser of a VP output at ᾱ, refused by name (the timestep) where it cannot give what the step needs. */
export function vpDenoiser(p: SamplerParameterization, alphaBar: number, sigmaData: number, need: 'x0' | 'both', where: string): Denoiser {
  return requireDenoiser(denoiserAt(p, vpState(alphaBar), sigmaData), need, p, `${where} (ᾱ = ${alphaBar})`);
}
