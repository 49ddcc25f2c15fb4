import type { CliIO } from './io.ts';
import { line } from './io.ts';

/** Where `scorecheck check` lives (another module's command; loaded on demand). */
const CHECK_MODULE = '../subject/checkCommand.ts';

/**
 * `scorecheck check …`: delegates to `runCheckCommand(args)` in
 * src/subject/checkCommand.ts. If that module is not in this build, says so
 * in one line and exits 2.
 */
export async function checkCommand(argv: readonly string[], io: CliIO): Promise<number> {
  let mod: { runCheckCommand?: (args: readonly string[]) => Promise<number> };
  try {
    mod = (await import(CHECK_MODULE)) as typeof mod;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes('checkCommand')) {
      io.stderr.write(line('scorecheck check: not available in this build (src/subject/checkCommand.ts is missing)'));
      return 2;
    }
    throw e;
  }
  if (typeof mod.runCheckCommand !== 'function') {
    io.stderr.write(line('scorecheck check: not available in this build (src/subject/checkCommand.ts has no runCheckCommand export)'));
    return 2;
  }
  return mod.runCheckCommand(argv);
}
