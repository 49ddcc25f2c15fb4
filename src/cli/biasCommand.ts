import { resolve } from 'node:path';
import { computeBias } from '../bias/compute.ts';
import { biasJson, biasText } from '../report/biasReport.ts';
import { BiasSpecError, loadBiasSpec } from '../bias/spec.ts';
import { ScorecheckError } from '../errors.ts';
import { writeReports } from '../report/writeReports.ts';
import { parseArgs } from './args.ts';
import { type CliIO, line } from './io.ts';
import { UsageError } from './usageError.ts';

export const BIAS_HELP = `Usage: scorecheck bias SPEC.json [--json FILE] [--threads N]

The DSM input-optimization bias for your own setting (docs/bias-spec.md): data
(a covariance, eigenvalues, or samples in a CSV or NumPy .npy file — any d, PSD
and n < d fine), a VP schedule (presets ddpm, stable-diffusion, cosine; kinds
linear, sqrt-linear, linear-rescaled, cosine, alphaBars, betas, diffusers), an
optional regularizer Σ + εI, an optional noisy linear encoder c = B x_0 + b + τξ,
and the training weighting. Prints per timestep (score units):
  C_t            Vincent's constant d/s² − tr(Σ_t⁻¹) (DSM − ESM when θ is trained)
  E‖∇log q(x_t|c)‖²  the input-bias term (tr Σ_t⁻¹ without an encoder)
  gap            DSM − ESM = d/s² − that term, when the input/encoder is optimized
  SDS columns    DSM at the collapse (point mass, the DSM optimum) and at the target,
                 ESM at the collapse, DSM's preference for the collapse, and the
                 score norm E‖∇log q_φ,t‖² at both
then the weighted totals Σ_t λ_t f_t Q_t in the parameterization's units.
With a "flow" section (flow matching: path, times, time_law, weighting, target;
the schedule is then optional) it also prints, per time t of the path, CFM − FM
(the constant; the gap when the encoder is optimized; the velocity-norm gain the
bias rewards), the distillation columns (CFM at the collapse and at the target,
the collapse advantage), β_t² to the DSM columns, and totals under the time law.
  --json FILE    also write the result as JSON ('-' for standard output only)
  --threads N    threads for the Gram matrix (default 2)
  -h, --help     this help
Progress goes to standard error when it is a terminal and the run takes > 1 s.
Exit 0 on success, 2 for a bad spec or data file.
`;

export async function biasCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, { json: { type: 'string' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (o.help) {
    io.stdout.write(BIAS_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('bias needs exactly one spec file (scorecheck bias --help; format: docs/bias-spec.md)');
  let threads: number | undefined;
  if (typeof o.threads === 'string') {
    threads = Number(o.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new UsageError(`--threads must be an integer in [1, 64] (got ${JSON.stringify(o.threads)})`);
  }
  const file = positionals[0];
  const spec = loadBiasSpec(resolve(io.cwd, file), file);
  const progress = io.stderrIsTTY ? terminalProgress(io.stderr) : undefined;
  let result;
  try {
    result = await computeBias(spec.input, { ...(threads ? { threads } : {}), ...(progress ? { onProgress: progress.update } : {}) });
  } catch (e) {
    // A field error (data.cov, encoder.B, …) is about the spec: say which file.
    if (e instanceof ScorecheckError && !(e instanceof BiasSpecError) && /^(data|encoder|regularization|weighting|timesteps)/.test(e.message)) {
      const i = e.message.indexOf(':');
      throw new BiasSpecError(file, e.message.slice(0, i), e.message.slice(i + 1).trim());
    }
    throw e;
  } finally {
    progress?.done();
  }
  const json = () => `${JSON.stringify(biasJson(result, spec), null, 2)}\n`;
  if (o.json === '-') {
    io.stdout.write(json());
    return 0;
  }
  io.stdout.write(line(biasText(result, spec)));
  if (typeof o.json === 'string') {
    const [w] = writeReports([{ kind: 'json', file: resolve(io.cwd, o.json), mode: 'replace', render: json }], io.stdout);
    if (w.error) {
      io.stderr.write(line(`scorecheck bias: ${w.error}`));
      return 2;
    }
    io.stdout.write(line(`json: ${w.file}`));
  }
  return 0;
}

/** One rewritten stderr line, shown once a run has taken more than a second (at most every 100 ms). */
export function terminalProgress(stderr: CliIO['stderr'], clock: () => number = Date.now): { update: (phase: string, done: number, total: number) => void; done: () => void } {
  const start = clock();
  let last = 0, shown = false;
  return {
    update(phase, done, total) {
      const now = clock();
      if (now - start < 1000 || now - last < 100) return;
      last = now;
      shown = true;
      const pct = total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 0;
      stderr.write(`\r\x1b[Kscorecheck bias: ${phase} ${pct}% (${((now - start) / 1000).toFixed(1)} s)`);
    },
    done() {
      if (shown) stderr.write('\r\x1b[K');
    },
  };
}
