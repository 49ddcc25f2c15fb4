import { ScorecheckError } from '../errors.ts';

/** An objective has no minimizer in the searched range: it keeps decreasing toward one end. */
export class NoMinimizerError extends ScorecheckError {
  override name = 'NoMinimizerError';
  constructor(
    readonly field: string,
    /** The end toward which the objective decreases. */
    readonly direction: 'lower' | 'upper',
    readonly reason: string,
  ) {
    super(`${field}: no minimizer: ${reason}`);
  }
}
