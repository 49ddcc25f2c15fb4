import { ScorecheckError } from '../errors.ts';
import { SCORECHECK_VERSION } from '../version.ts';
import { biasCommand } from './biasCommand.ts';
import { checkCommand } from './checkCommand.ts';
import { claimsCommand } from './claimsCommand.ts';
import { type CliIO, line, processIO } from './io.ts';
import { mergeCommand } from './mergeCommand.ts';
import { replayCommand } from './replayCommand.ts';
import { UsageError } from './usageError.ts';
import { verifyCommand } from './verifyCommand.ts';

export const MAIN_HELP = `Usage: scorecheck <command> [options]

Property-based verification of diffusion-model objectives against closed-form
Gaussian oracles.

Commands
  verify            verify every seed claim (or a selection); reports; exit 0/1/2
  claims            list the claims registry
  replay FILE       replay a saved counterexample exactly
  merge A.json …    join shard reports from verify --shard i/n --json
  bias SPEC.json    C_t, input-bias term and SDS collapse diagnostics for your setting
  check …           check your own implementation against the Gaussian oracles

Run 'scorecheck <command> --help' for a command's options (docs/cli.md).
Exit codes: 0 as expected, 1 an unexpected verdict, 2 bad usage or input.
`;

type Command = (argv: readonly string[], io: CliIO) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  verify: verifyCommand,
  claims: claimsCommand,
  replay: replayCommand,
  merge: mergeCommand,
  bias: biasCommand,
  check: checkCommand,
};

/**
 * The `scorecheck` command. Returns the exit code: 0 every verdict as expected,
 * 1 an unexpected verdict, 2 bad usage or input (one line on stderr, no stack
 * trace; SCORECHECK_DEBUG=1 shows stacks of internal errors).
 */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) {
    io.stderr.write(MAIN_HELP);
    return 2;
  }
  if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
    if (cmd === 'help' && rest[0] && COMMANDS[rest[0]]) return COMMANDS[rest[0]](['--help'], io);
    io.stdout.write(MAIN_HELP);
    return 0;
  }
  if (cmd === '--version' || cmd === '-V') {
    io.stdout.write(line(SCORECHECK_VERSION));
    return 0;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    io.stderr.write(line(`scorecheck: unknown command "${cmd}" (commands: ${Object.keys(COMMANDS).join(', ')}; scorecheck --help)`));
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (e) {
    if (e instanceof ScorecheckError) {
      io.stderr.write(line(`scorecheck ${cmd}: ${e.message}`));
      return 2;
    }
    const err = e as Error;
    io.stderr.write(line(`scorecheck ${cmd}: internal error: ${err?.message ?? String(e)}${io.env.SCORECHECK_DEBUG ? '' : ' (SCORECHECK_DEBUG=1 shows the stack)'}`));
    if (io.env.SCORECHECK_DEBUG && err?.stack) io.stderr.write(line(err.stack));
    return 2;
  }
}

export { UsageError };
