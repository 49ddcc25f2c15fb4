import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseHello } from './hello.ts';
import type { Hello, OpName } from './protocol.ts';
import type { Subject, SubjectReply } from './subject.ts';
import { SubjectFatalError, SubjectReplyError } from './subjectError.ts';
import { withTimeout } from './timeout.ts';

/** What a JS subject module exports (default export, or the same names as named exports). */
export interface SubjectModule {
  hello: Hello | (() => Hello | Promise<Hello>);
  [op: string]: unknown;
}

/**
 * An in-process subject: a JS/TS module exporting `hello` and one function per
 * declared op, each taking the protocol's `args` object and returning its `result`
 * (or a Promise of it). A thrown exception is the in-process form of `{id, error}`.
 * The timeout applies to asynchronous work only: a synchronous infinite loop cannot be
 * interrupted in-process (use --cmd for untrusted code).
 */
export class ModuleSubject implements Subject {
  readonly callCounts: Record<string, number> = {};
  private nextId = 1;

  private constructor(
    readonly description: string,
    readonly hello: Hello,
    private readonly impl: Record<string, unknown>,
    private readonly timeoutMs: number,
  ) {}

  static async fromObject(impl: Record<string, unknown>, description: string, timeoutMs = 10_000): Promise<ModuleSubject> {
    const ref = { op: 'hello', requestId: 0 };
    let raw: unknown;
    try {
      raw = typeof impl.hello === 'function' ? await withTimeout(Promise.resolve((impl.hello as () => unknown)()), timeoutMs, ref) : impl.hello;
    } catch (e) {
      if (e instanceof SubjectFatalError) throw e;
      throw new SubjectFatalError('handshake', ref, `hello threw: ${(e as Error)?.message ?? String(e)}`);
    }
    return new ModuleSubject(description, parseHello(raw), impl, timeoutMs);
  }

  static async load(file: string, timeoutMs = 10_000): Promise<ModuleSubject> {
    const ref = { op: 'hello', requestId: 0 };
    let mod: Record<string, unknown>;
    try {
      mod = await importModule(resolve(file));
    } catch (e) {
      throw new SubjectFatalError('crash', ref, `cannot load module ${file}: ${(e as Error)?.message ?? String(e)}`);
    }
    // ESM default export, named exports, or (a TypeScript file compiled as CommonJS) module.exports.default.
    const candidates = [mod.default, (mod.default as Record<string, unknown> | undefined)?.default, mod];
    const impl = (candidates.find((c) => typeof c === 'object' && c !== null && 'hello' in c) ?? (typeof mod.default === 'object' && mod.default !== null ? mod.default : mod)) as Record<string, unknown>;
    return ModuleSubject.fromObject(impl, `module ${file}`, timeoutMs);
  }

  async call(op: OpName, args: unknown): Promise<SubjectReply> {
    const id = this.nextId++;
    this.callCounts[op] = (this.callCounts[op] ?? 0) + 1;
    const ref = { op, requestId: id };
    if (!(op in this.hello.ops)) throw new SubjectFatalError('undeclared', ref, 'the subject did not declare this operation in its hello');
    const fn = this.impl[op];
    if (typeof fn !== 'function') throw new SubjectFatalError('undeclared', ref, `declared in hello but the module exports no function "${op}"`);
    let result: unknown;
    try {
      result = await withTimeout(Promise.resolve().then(() => (fn as (a: unknown) => unknown).call(this.impl, structuredClone(args))), this.timeoutMs, ref);
    } catch (e) {
      if (e instanceof SubjectFatalError) throw e;
      throw new SubjectReplyError(ref, (e as Error)?.message ?? String(e));
    }
    return { id, result };
  }

  async close(): Promise<void> {}
}

/**
 * Imports a subject module. A TypeScript file (.ts, .mts, .cts) that this Node cannot load
 * by itself is loaded through tsx's `tsImport`, which compiles it whatever the nearest
 * package.json says ("type": "module" or not); tsx must then be installed (it is a development
 * dependency of most TypeScript projects) — without it the error says so.
 */
async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (!/\.(c|m)?ts$/.test(file)) return (await import(url)) as Record<string, unknown>;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ERR_UNKNOWN_FILE_EXTENSION' && code !== 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING' && !(e instanceof SyntaxError)) throw e;
  }
  let api: { tsImport: (specifier: string, parent: string) => Promise<unknown> };
  try {
    api = (await import('tsx/esm/api')) as typeof api;
  } catch {
    throw new Error(`this Node (${process.version}) cannot run TypeScript by itself and tsx is not installed: npm install --save-dev tsx, or compile the subject to JavaScript`);
  }
  return (await api.tsImport(url, import.meta.url)) as Record<string, unknown>;
}
