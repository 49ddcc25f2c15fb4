import { resolve } from 'node:path';
import { replayToken, readReplaySpec } from '../engine/replaySpec.ts';
import { runStore } from '../engine/store/defaultStores.ts';
import { buildReport, resultRow } from '../report/reportModel.ts';
import { ModuleSubject } from '../subject/moduleSubject.ts';
import { ProcessSubject } from '../subject/processSubject.ts';
import { OP_NAMES, type OpName } from '../subject/protocol.ts';
import type { Subject } from '../subject/subject.ts';
import { CHECK_IDS, runSubjectChecks, selectChecks } from '../subject/subjectChecks.ts';
import { SubjectFatalError } from '../subject/subjectError.ts';
import { intOption, parseArgs } from './args.ts';
import { emitReport } from './emitReport.ts';
import { type CliIO, line } from './io.ts';
import { checkReportOptions } from './reportTargets.ts';
import { RUN_HELP, RUN_OPTIONS, interruptSignal, parseRunFlags } from './runFlags.ts';
import { UsageError } from './usageError.ts';

export const CHECK_HELP = `Usage: scorecheck check (--subject FILE | --cmd "COMMAND") [options]

Checks your diffusion implementation (noising, posterior, loss, sampler step,
zero-shot step) against scorecheck's closed forms: replays the subject's saved
counterexamples, then corner cases, random cases and a targeted search, and shrinks
any failure to the smallest case. Protocol: docs/protocol.md.
Exit 0 every run check passes, 1 a check failed or was inconclusive (not enough
statistical power), 2 bad usage, a subject that crashed, hung or broke the protocol,
a required op missing, or nothing checked; 130 interrupted.

Subject
  --subject FILE         a JS/TS module exporting hello and one function per op (in-process;
                         .ts/.mts files load through tsx whatever their package.json says)
  --cmd "COMMAND"        a subprocess speaking newline-delimited JSON on stdin/stdout (any language)
  --timeout MS           per-request timeout in milliseconds (default 10000; the hello gets ≥ 60 s)

Selection
  --only PATTERN…        only these checks: ids, op names, prefixes or globs (repeatable, also A,B)
  --require-ops OP,…     these ops must be declared: a missing one is an error, not a skip
                         (ops: ${OP_NAMES.join(', ')})

${RUN_HELP}
  -h, --help             this help

Checks: ${CHECK_IDS.join(', ')}
`;

const SPEC = {
  subject: { type: 'string' },
  cmd: { type: 'string' },
  timeout: { type: 'string' },
  only: { type: 'string', multiple: true },
  'require-ops': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  ...RUN_OPTIONS,
} as const;

function quote(s: string): string {
  return /^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `scorecheck check …`: one engine, store and report model with `verify`. */
export async function checkCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, SPEC);
  if (o.help) {
    io.stdout.write(CHECK_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (check ids go after --only)`);
  if ((o.subject === undefined) === (o.cmd === undefined)) throw new UsageError('give exactly one of --subject FILE or --cmd "COMMAND"');
  if (typeof o.cmd === 'string' && o.cmd.trim() === '') throw new UsageError('--cmd needs a command to run (got an empty string)');
  const flags = parseRunFlags(o, io);
  const { toStdout } = checkReportOptions(o, io.cwd);
  const timeoutMs = intOption(o.timeout, 'timeout', 1, 3_600_000) ?? 10_000;
  const only = o.only as string[] | undefined;
  const selected = selectChecks(only);
  const requireOps = ((o['require-ops'] as string[] | undefined) ?? []).map((op) => {
    if (!OP_NAMES.includes(op as OpName)) throw new UsageError(`--require-ops: unknown op "${op}" (ops: ${OP_NAMES.join(', ')})`);
    return op as OpName;
  });
  const replay = flags.replay ? readReplaySpec(flags.replay, selected.length === 1 ? selected[0] : undefined) : undefined;
  if (replay) for (const id of replay.keys()) if (!selected.includes(id)) throw new UsageError(`--replay: the file holds a case for ${id}, which is not selected (--only ${id})`);

  const spec = typeof o.cmd === 'string' ? `--cmd ${quote(o.cmd)}` : `--subject ${quote(o.subject as string)}`;
  let subject: Subject | undefined;
  let fatal: string | undefined;
  const { signal, dispose } = interruptSignal(io);
  const progress = io.stderrIsTTY && !toStdout ? io.stderr : undefined;
  let run: Awaited<ReturnType<typeof runSubjectChecks>> | undefined;
  try {
    subject = typeof o.cmd === 'string' ? await ProcessSubject.start(o.cmd, timeoutMs) : await ModuleSubject.load(resolve(io.cwd, o.subject as string), timeoutMs);
    const store = runStore(flags.storeDir, { save: flags.save, includePackage: false });
    run = await runSubjectChecks(subject, {
      seed: flags.seed, store, save: flags.save, replaySaved: flags.replaySaved, bail: flags.bail, signal, requireOps,
      ...(only ? { only } : {}),
      ...(flags.runs !== undefined ? { runs: flags.runs } : {}),
      ...(flags.timeLimitMs !== undefined ? { timeLimitMs: flags.timeLimitMs } : {}),
      ...(replay ? { replay: new Map([...replay].map(([id, cs]) => [id, cs[0]])) } : {}),
      ...(progress ? { onCase: (id, phase, k, n) => progress.write(`\r\x1b[2K${id} · ${phase} ${k + 1}/${n}`) } : {}),
    });
  } catch (e) {
    if (e instanceof SubjectFatalError) fatal = e.message;
    else throw e;
  } finally {
    dispose();
    if (progress) progress.write('\r\x1b[2K');
    await subject?.close().catch(() => undefined);
  }
  const rows = (run?.results ?? []).map(({ run: r, op }) => resultRow(r, 'check', op, r.counterexample ? `npx scorecheck check ${spec} --only ${r.id} --replay ${r.savedTo ?? replayToken(r.counterexample.choices)}` : undefined));
  if (!fatal && rows.length > 0 && rows.every((r) => r.verdict === 'skipped')) {
    fatal = `nothing was checked: ${rows.map((r) => `${r.id} (${r.reason})`).join('; ')}`;
  }
  const plan = run?.plan;
  const report = buildReport(rows, {
    command: 'check', seed: flags.seed,
    selection: { ids: selected },
    falseAlarm: { total: plan?.total ?? 1e-6, perAssertion: plan?.perAssertion ?? 1e-6, planned: plan?.plannedTotal ?? 0, made: plan?.assertionsMade() ?? 0 },
    subject: {
      spec, ...(subject?.hello ? { name: subject.hello.name, hello: subject.hello } : {}),
      ...(subject instanceof ProcessSubject && subject.stderr ? { stderrTail: subject.stderr } : {}),
    },
    ...(fatal ? { fatal } : {}),
    ...(run?.interrupted ? { interrupted: true } : {}),
  });
  if (fatal && subject instanceof ProcessSubject && subject.stderr) io.stderr.write(line(`subject stderr (last lines):\n${subject.stderr.trimEnd().split('\n').slice(-10).join('\n')}`));
  return emitReport(report, o, io, { toStdout, format: flags.format, command: 'check', errorExit: true });
}
