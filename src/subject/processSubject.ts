import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { parseHello } from './hello.ts';
import { parseLenientJson } from './lenientJson.ts';
import { type Hello, MAX_PROTOCOL_VERSION, type OpName } from './protocol.ts';
import type { Subject, SubjectReply } from './subject.ts';
import { type RequestRef, SubjectFatalError, SubjectReplyError } from './subjectError.ts';

interface Pending {
  readonly ref: RequestRef;
  resolve(r: SubjectReply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

const STDERR_TAIL = 2000;
/** Grace periods when shutting a subject down: EOF on stdin → SIGTERM → SIGKILL. */
const EXIT_GRACE_MS = 500;
const TERM_GRACE_MS = 500;

/**
 * A subject in any language: `cmd` runs through the shell in its own process group,
 * speaking newline-delimited JSON on stdin/stdout (docs/protocol.md). One process
 * serves every check. A crash, a timeout, a non-JSON or unmatched line is fatal: every
 * pending request fails naming its op and id, and the whole process group is killed.
 */
export class ProcessSubject implements Subject {
  readonly callCounts: Record<string, number> = {};
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';
  private stderrTail = '';
  private dead: SubjectFatalError | undefined;
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private readonly killOnExit = () => this.killGroup('SIGKILL');
  hello!: Hello;

  private constructor(
    readonly description: string,
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly timeoutMs: number,
  ) {
    process.on('exit', this.killOnExit);
    this.exitPromise = new Promise((res) => {
      child.on('close', (code, signal) => {
        this.exited = true;
        process.off('exit', this.killOnExit);
        const partial = this.buffer.length > 0 ? `; unterminated partial line ${JSON.stringify(this.buffer.slice(0, 200))}` : '';
        this.fail('crash', `process exited (code ${code}, signal ${signal})${partial}${this.stderrNote()}`);
        res();
      });
    });
    child.on('error', (err) => this.fail('crash', `cannot run: ${err.message}`));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL);
    });
    // A subject that stops reading makes stdin writes fail; the exit/timeout path reports it.
    child.stdin.on('error', () => {});
  }

  /**
   * Starts `cmd` and performs the hello handshake. The hello may take `startupTimeoutMs`
   * (default max(timeoutMs, 60 s): an adapter may import a framework and load weights first);
   * every later request gets `timeoutMs`.
   */
  static async start(cmd: string, timeoutMs = 10_000, startupTimeoutMs = Math.max(timeoutMs, 60_000)): Promise<ProcessSubject> {
    const child = spawn(cmd, { shell: true, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const s = new ProcessSubject(`command ${cmd}`, child, timeoutMs);
    try {
      const { result } = await s.send('hello', { protocol_version: MAX_PROTOCOL_VERSION }, 0, startupTimeoutMs);
      s.hello = parseHello(result);
    } catch (e) {
      await s.close();
      if (e instanceof SubjectReplyError) throw new SubjectFatalError('handshake', e.ref, `hello answered with an error: ${e.reply}`);
      throw e;
    }
    return s;
  }

  /** The child's process id (the process-group leader). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  call(op: OpName, args: unknown): Promise<SubjectReply> {
    const id = this.nextId++;
    this.callCounts[op] = (this.callCounts[op] ?? 0) + 1;
    if (!(op in this.hello.ops)) return Promise.reject(new SubjectFatalError('undeclared', { op, requestId: id }, 'the subject did not declare this operation in its hello'));
    return this.send(op, args, id);
  }

  private send(op: OpName | 'hello', args: unknown, id: number, timeoutMs = this.timeoutMs): Promise<SubjectReply> {
    const ref = { op, requestId: id };
    if (this.dead) return Promise.reject(new SubjectFatalError('not-running', ref, `subject is not running: ${this.dead.message}`));
    return new Promise<SubjectReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail('timeout', `no answer to op "${op}" (request ${id}) within ${timeoutMs} ms${this.partialNote()}${this.stderrNote()}`, id);
      }, timeoutMs);
      this.pending.set(id, { ref, resolve, reject, timer });
      this.child.stdin.write(`${JSON.stringify({ id, op, args })}\n`);
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim() === '') continue;
      this.onLine(line);
      if (this.dead) return;
    }
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = parseLenientJson(line);
    } catch {
      this.fail('protocol', `non-JSON line on stdout (log to stderr instead): ${JSON.stringify(line.slice(0, 200))}`);
      return;
    }
    const m = msg as Record<string, unknown>;
    const id = typeof m === 'object' && m !== null ? m.id : undefined;
    const p = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!p) {
      this.fail('protocol', `line with no matching pending request id: ${JSON.stringify(line.slice(0, 200))}`);
      return;
    }
    const hasError = typeof m.error === 'string' || (m.error !== undefined && m.error !== null);
    // Still pending while it is failed: fail() rejects it as the culprit (removing it first left
    // its promise unsettled and its timer cleared — the check hung forever).
    if (!hasError && !('result' in m)) return this.failOne(p, `response has neither "result" nor "error": ${JSON.stringify(line.slice(0, 200))}`);
    this.pending.delete(id as number);
    clearTimeout(p.timer);
    if (hasError) p.reject(new SubjectReplyError(p.ref, typeof m.error === 'string' ? m.error : JSON.stringify(m.error)));
    else p.resolve({ id: id as number, result: m.result });
  }

  private failOne(p: Pending, detail: string): void {
    this.fail('protocol', detail, p.ref.requestId);
  }

  /** Marks the subject dead, rejects every pending request (naming each), kills the group. */
  private fail(kind: SubjectFatalError['kind'], detail: string, culpritId?: number): void {
    if (this.dead) return;
    const first = culpritId !== undefined ? this.pending.get(culpritId) : this.pending.values().next().value;
    const ref = first?.ref ?? { op: 'none pending', requestId: -1 };
    this.dead = new SubjectFatalError(kind, ref, detail);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(p === first ? this.dead : new SubjectFatalError(kind, p.ref, detail));
    }
    this.pending.clear();
    if (!this.exited) this.killGroup('SIGKILL');
  }

  private partialNote(): string {
    return this.buffer.length > 0 ? `; partial line so far ${JSON.stringify(this.buffer.slice(0, 200))}` : '';
  }

  private stderrNote(): string {
    const t = this.stderrTail.trim();
    return t ? `; stderr tail: ${t.slice(-500)}` : '';
  }

  private killGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || this.exited) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        /* already gone */
      }
    }
  }

  /** EOF on stdin, then SIGTERM, then SIGKILL to the whole process group; resolves when the child has exited. */
  async close(): Promise<void> {
    if (!this.dead) this.dead = new SubjectFatalError('not-running', { op: 'close', requestId: -1 }, 'subject was closed');
    const waitExit = (ms: number) => Promise.race([this.exitPromise, new Promise<void>((r) => setTimeout(r, ms).unref())]);
    if (!this.exited) {
      this.child.stdin.end();
      await waitExit(EXIT_GRACE_MS);
    }
    if (!this.exited) {
      this.killGroup('SIGTERM');
      await waitExit(TERM_GRACE_MS);
    }
    if (!this.exited) {
      this.killGroup('SIGKILL');
      await waitExit(TERM_GRACE_MS);
    }
    // The shell may have exited while grandchildren of the group linger: always sweep the group.
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      /* group empty */
    }
    process.off('exit', this.killOnExit);
  }
}
