import type { StoredExample } from './storedExample.ts';

/** What a store holds for one key, with any file it could not read. */
export interface Fetched {
  readonly examples: readonly StoredExample[];
  readonly warnings: readonly string[];
}

/**
 * Where counterexamples are kept and replayed from first (Hypothesis' ExampleDatabase):
 * several examples per key (a claim id, or `check/<subject>/<check id>`).
 */
export interface ExampleStore {
  /** For messages: a folder, "memory", or a layered description. */
  readonly description: string;
  readonly writable: boolean;
  fetch(key: string): Fetched;
  /** Adds (or replaces, by choice sequence) an example; returns where it went. */
  save(key: string, example: StoredExample): string;
  /** Removes an example (matched by its choice sequence); a no-op where absent or read-only. */
  delete(key: string, example: StoredExample): void;
}

/** Most examples kept per key: the newest win. */
export const MAX_EXAMPLES_PER_KEY = 8;

/** Identity of an example within a key: its choice sequence. */
export function exampleIdentity(e: Pick<StoredExample, 'choices'>): string {
  return JSON.stringify(e.choices);
}

/** Inserts `example` first, drops an older one with the same choices, keeps at most MAX_EXAMPLES_PER_KEY. */
export function withExample(list: readonly StoredExample[], example: StoredExample): StoredExample[] {
  const id = exampleIdentity(example);
  return [example, ...list.filter((e) => exampleIdentity(e) !== id)].slice(0, MAX_EXAMPLES_PER_KEY);
}

/** An in-memory store (tests; `--no-save` runs that still want replay within a run). */
export class MemoryStore implements ExampleStore {
  readonly description = 'memory';
  readonly writable = true;
  private readonly map = new Map<string, StoredExample[]>();

  fetch(key: string): Fetched {
    return { examples: [...(this.map.get(key) ?? [])], warnings: [] };
  }

  save(key: string, example: StoredExample): string {
    this.map.set(key, withExample(this.map.get(key) ?? [], example));
    return `memory:${key}`;
  }

  delete(key: string, example: StoredExample): void {
    const id = exampleIdentity(example);
    this.map.set(key, (this.map.get(key) ?? []).filter((e) => exampleIdentity(e) !== id));
  }
}

/** A store that only reads (the counterexamples a package ships). */
export class ReadOnlyStore implements ExampleStore {
  readonly writable = false;
  constructor(private readonly inner: ExampleStore) {}

  get description(): string {
    return `${this.inner.description} (read-only)`;
  }

  fetch(key: string): Fetched {
    return this.inner.fetch(key);
  }

  save(): string {
    throw new Error(`${this.description}: cannot save`);
  }

  delete(): void {}
}

/**
 * Several stores read as one (the package's shipped examples, then the user's own);
 * saves go to the first writable store, deletes to every writable one.
 */
export class LayeredStore implements ExampleStore {
  constructor(private readonly layers: readonly ExampleStore[]) {}

  get description(): string {
    return this.layers.map((l) => l.description).join(' + ');
  }

  get writable(): boolean {
    return this.layers.some((l) => l.writable);
  }

  fetch(key: string): Fetched {
    const seen = new Set<string>();
    const examples: StoredExample[] = [];
    const warnings: string[] = [];
    for (const l of this.layers) {
      const f = l.fetch(key);
      warnings.push(...f.warnings);
      for (const e of f.examples) {
        const id = exampleIdentity(e);
        if (!seen.has(id)) {
          seen.add(id);
          examples.push(e);
        }
      }
    }
    return { examples, warnings };
  }

  save(key: string, example: StoredExample): string {
    const w = this.layers.find((l) => l.writable);
    if (!w) throw new Error(`${this.description}: no writable store`);
    return w.save(key, example);
  }

  delete(key: string, example: StoredExample): void {
    for (const l of this.layers) if (l.writable) l.delete(key, example);
  }
}
