/** Where a command writes: injectable so tests can capture output. */
export interface CliIO {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  /** Is stderr a terminal (progress lines only then)? */
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Interrupts a run (tests); without it, verify and check listen for SIGINT themselves. */
  readonly signal?: AbortSignal;
}

let pipeGuard = false;

export function processIO(): CliIO {
  if (!pipeGuard) {
    // `scorecheck … | head -1`: a closed pipe ends the output quietly, not with an EPIPE stack trace.
    pipeGuard = true;
    for (const s of [process.stdout, process.stderr]) {
      s.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw e;
      });
    }
  }
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

export const line = (s: string) => `${s}\n`;
