import { InvalidArgumentError } from '../../errors.ts';
import type { SamplerRequest } from './samplerProgram.ts';
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
