import { resolve } from 'node:path';
import { writeReports } from '../report/writeReports.ts';
import { textTable } from '../report/consoleTable.ts';
import { formatNumber } from '../report/formatNumber.ts';
import { parseArgs } from './args.ts';
import { type BiasRow, biasRows } from './bias/biasRows.ts';
import { type BiasSetting, loadBiasSpec } from './bias/biasSpec.ts';
import { type CliIO, line } from './io.ts';
import { UsageError } from './usageError.ts';
import { SCORECHECK_VERSION } from '../version.ts';

export const BIAS_HELP = `Usage: scorecheck bias SPEC.json [--json FILE]

The DSM input-optimization bias for your own setting (docs/bias-spec.md): data
mean and covariance (inline, or estimated from a CSV of samples), a VP schedule
(linear, scaled-linear, cosine or an explicit ᾱ list) and optionally a noisy
linear encoder c = B x_0 + b + τξ. Prints per timestep:
  C_t            Vincent's constant d/s² − tr(Σ_t⁻¹) (DSM − ESM when θ is trained)
  E‖∇log q(x_t|c)‖²  the input-bias term (tr Σ_t⁻¹ without an encoder)
  gap            DSM − ESM = d/s² − that term, when the input/encoder is optimized
  SDS columns    DSM at the collapse (point mass, the DSM optimum) and at the target,
                 ESM at the collapse, and the score norm E‖∇log q_φ,t‖² at both
  --json FILE    also write the table as JSON ('-' for standard output)
  -h, --help     this help
Exit 0 on success, 2 for a bad spec or CSV.
`;

export async function biasCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, { json: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (o.help) {
    io.stdout.write(BIAS_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('bias needs exactly one spec file (scorecheck bias --help; format: docs/bias-spec.md)');
  const setting = loadBiasSpec(resolve(io.cwd, positionals[0]), positionals[0]);
  const rows = biasRows(setting);
  const json = () => `${JSON.stringify(biasJson(setting, rows), null, 2)}\n`;
  if (o.json === '-') {
    io.stdout.write(json());
    return 0;
  }
  io.stdout.write(line(biasText(setting, rows)));
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

/** The console text: the setting, the SDS optima, and the per-timestep table. */
export function biasText(s: BiasSetting, rows: readonly BiasRow[]): string {
  const d = s.data.dim;
  const out: string[] = [];
  const src = s.dataSource.kind === 'inline' ? 'inline mean and covariance' : `estimated from ${s.dataSource.n} samples in ${s.dataSource.file}`;
  out.push(`data: d = ${d}, ${src}; schedule: ${s.schedule.name}; ${s.encoder ? `encoder: k = ${s.encoder.B.rows}, τ = ${formatNumber(s.encoder.tau)}` : 'no encoder (c carries no information: the gap is C_t)'}`);
  out.push(`SDS (frozen exact score of the data as target): DSM-optimal input variance 0 (point mass at μ, every t); ESM-optimal input variance ${formatNumber(rows[0]?.sds.esmOptimalVariance ?? NaN)} per dimension (the target's Σ)`);
  out.push('');
  const f = (x: number) => formatNumber(x, 5);
  out.push(
    textTable(
      ['t', 'ᾱ_t', 'C_t', 'E‖∇log q(x_t|c)‖²', 'gap', 'DSM collapse', 'DSM target', 'ESM collapse', '‖score‖² collapse', '‖score‖² target'],
      rows.map((r) => [String(r.t), f(r.alphaBar), f(r.Ct), f(r.inputBiasTerm), f(r.inputBiasGap), f(r.sds.dsmAtCollapse), f(r.sds.dsmAtTarget), f(r.sds.esmAtCollapse), f(r.sds.scoreNormAtCollapse), f(r.sds.scoreNormAtTarget)]),
    ),
  );
  out.push('');
  out.push(`${rows.length} timestep${rows.length === 1 ? '' : 's'} of ${s.schedule.T}. DSM prefers the collapse at every t by DSM(target) − DSM(collapse) = a²tr(P*²Σ) > 0; the collapsed input's score norm is d/s².`);
  return out.join('\n');
}

export function biasJson(s: BiasSetting, rows: readonly BiasRow[]) {
  return {
    version: 1,
    scorecheckVersion: SCORECHECK_VERSION,
    setting: {
      d: s.data.dim,
      data: { mean: Array.from(s.data.mean), cov: rowsOf(s.data.cov.data, s.data.dim), source: s.dataSource },
      schedule: { name: s.schedule.name, T: s.schedule.T },
      ...(s.encoder ? { encoder: { B: rowsOf(s.encoder.B.data, s.encoder.B.cols), b: Array.from(s.encoder.b), tau: s.encoder.tau } } : {}),
    },
    rows,
  };
}

function rowsOf(data: Float64Array, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < data.length; i += cols) out.push(Array.from(data.subarray(i, i + cols)));
  return out;
}
