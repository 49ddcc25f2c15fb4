import { parseArgs } from 'node:util';
import { type CheckReport, formatCheckReport, verdictOf, writeCheckReport } from './checkReport.ts';
import { SCHEDULE_CHECK_ID, SUBJECT_CHECKS } from './checks/index.ts';
import { ModuleSubject } from './moduleSubject.ts';
import { ProcessSubject } from './processSubject.ts';
import { OP_NAMES } from './protocol.ts';
import { type CheckResult, runChecks } from './runChecks.ts';
import type { Subject } from './subject.ts';
import { SubjectFatalError } from './subjectError.ts';

export const CHECK_USAGE = `Usage: scorecheck check (--subject FILE.mjs | --cmd "COMMAND") [options]

Checks a diffusion implementation (noising, posterior, loss, sampler step, zero-shot step)
against scorecheck's closed forms. Protocol: docs/protocol.md.

  --subject FILE     a JS/TS module exporting hello and one function per operation (in-process)
  --cmd "COMMAND"    a subprocess speaking newline-delimited JSON on stdin/stdout (any language)
  --timeout MS       per-request timeout in milliseconds (default 10000)
  --runs N           fast-check runs per exact check (default 40; statistical checks ⌈N/10⌉)
  --seed S           fast-check seed (integer, default 20261122): same seed, same cases
  --json FILE        write the JSON report here (default scorecheck-check.json); written even if the subject crashes
  --only ID|OP ...   run only these checks (ids or op names; repeat the flag, or comma-separate)
  -h, --help         this text

Checks: ${[SCHEDULE_CHECK_ID, ...SUBJECT_CHECKS.map((c) => c.id)].join(', ')}
Exit: 0 all declared checks pass, 1 a check failed, 2 bad usage or the subject misbehaved.`;

export interface CheckCommandIo {
  out(s: string): void;
  err(s: string): void;
}

const defaultIo: CheckCommandIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

function positiveInt(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: must be an integer ≥ ${min} (got ${JSON.stringify(v)})`);
  return n;
}

class UsageError extends Error {}

function quote(s: string): string {
  return /^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `scorecheck check …`: returns the exit code (0 pass, 1 a check failed, 2 bad usage or subject error). */
export async function runCheckCommand(args: readonly string[], io: CheckCommandIo = defaultIo): Promise<number> {
  let opts;
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        subject: { type: 'string' },
        cmd: { type: 'string' },
        timeout: { type: 'string' },
        runs: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'string' },
        only: { type: 'string', multiple: true },
      },
    });
    if (values.help) {
      io.out(`${CHECK_USAGE}\n`);
      return 0;
    }
    if (positionals.length > 0 && !values.only) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if ((values.subject === undefined) === (values.cmd === undefined)) throw new UsageError('give exactly one of --subject FILE or --cmd "COMMAND"');
    const only = [...(values.only ?? []), ...positionals].flatMap((o) => o.split(',')).map((o) => o.trim()).filter(Boolean);
    const known = new Set<string>([SCHEDULE_CHECK_ID, ...SUBJECT_CHECKS.map((c) => c.id), ...OP_NAMES]);
    for (const o of only) if (!known.has(o)) throw new UsageError(`--only: unknown check or op ${JSON.stringify(o)}; known: ${[...known].join(', ')}`);
    const seed = values.seed === undefined ? 20261122 : Number(values.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed: must be an integer (got ${JSON.stringify(values.seed)})`);
    const runs = positiveInt('runs', values.runs, 40, 1);
    opts = {
      subject: values.subject,
      cmd: values.cmd,
      timeoutMs: positiveInt('timeout', values.timeout, 10_000, 1),
      runs,
      statisticalRuns: Math.max(1, Math.ceil(runs / 10)),
      seed,
      json: values.json ?? 'scorecheck-check.json',
      only,
    };
  } catch (e) {
    io.err(`scorecheck check: ${(e as Error).message}\n\n${CHECK_USAGE}\n`);
    return 2;
  }

  const started = Date.now();
  const spec = opts.cmd !== undefined ? `--cmd ${quote(opts.cmd)}` : `--subject ${quote(opts.subject as string)}`;
  let subject: Subject | undefined;
  let checks: CheckResult[] = [];
  let fatal: string | undefined;
  try {
    subject = opts.cmd !== undefined ? await ProcessSubject.start(opts.cmd, opts.timeoutMs) : await ModuleSubject.load(opts.subject as string, opts.timeoutMs);
    checks = await runChecks(subject, { runs: opts.runs, statisticalRuns: opts.statisticalRuns, seed: opts.seed, only: opts.only });
  } catch (e) {
    fatal = e instanceof SubjectFatalError ? e.message : `internal error: ${(e as Error)?.stack ?? String(e)}`;
  } finally {
    await subject?.close().catch(() => undefined);
  }
  const { verdict, exitCode } = verdictOf(checks, fatal);
  const report: CheckReport = {
    format: 'scorecheck-check-report/1',
    subject: { spec, hello: subject?.hello, stderrTail: subject instanceof ProcessSubject ? subject.stderr || undefined : undefined },
    settings: { seed: opts.seed, runs: opts.runs, statisticalRuns: opts.statisticalRuns, timeoutMs: opts.timeoutMs, only: opts.only.length ? opts.only : undefined },
    verdict,
    exitCode,
    fatal,
    checks,
    callsPerOp: { ...(subject?.callCounts ?? {}) },
    durationMs: Date.now() - started,
    replay: `scorecheck check ${spec} --seed ${opts.seed} --runs ${opts.runs}${opts.only.length ? ` --only ${opts.only.join(',')}` : ''}`,
  };
  io.out(`${formatCheckReport(report)}\n`);
  try {
    writeCheckReport(opts.json, report);
    io.out(`report: ${opts.json}\n`);
  } catch (e) {
    io.err(`scorecheck check: cannot write the report ${opts.json}: ${(e as Error).message}\n`);
    return 2;
  }
  return exitCode;
}
