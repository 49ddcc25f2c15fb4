import { spawnSync } from 'node:child_process';

/**
 * Runs a JSON-lines subject once over a fixed list of requests (hello first) and returns the
 * answers by id. For tests that pin the oracles against the reference adapters in bulk; the
 * check runner talks to subjects through src/subject's transport instead.
 */
export function runJsonLines(cmd: string[], requests: readonly { op: string; args: unknown }[], timeoutMs = 120_000): Map<number, { result?: unknown; error?: string }> {
  const lines = [{ id: 0, op: 'hello', args: { protocol_version: 2 } }, ...requests.map((r, i) => ({ id: i + 1, ...r }))].map((r) => JSON.stringify(r)).join('\n');
  const out = spawnSync(cmd[0], cmd.slice(1), { input: `${lines}\n`, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 30 });
  if (out.status !== 0) throw new Error(`${cmd.join(' ')} exited ${out.status}: ${out.stderr.slice(-2000)}`);
  const answers = new Map<number, { result?: unknown; error?: string }>();
  for (const line of out.stdout.split('\n')) {
    if (!line.trim()) continue;
    const msg = JSON.parse(line) as { id: number; result?: unknown; error?: string };
    answers.set(msg.id, msg);
  }
  return answers;
}

export const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
