import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomicWrite.ts';
import { SCORECHECK_VERSION } from '../../version.ts';
import { type ExampleStore, type Fetched, exampleIdentity, withExample } from './exampleStore.ts';
import { EXAMPLE_FORMAT, EXAMPLE_FORMAT_VERSION, type StoreFile, type StoredExample, validateStoreFile } from './storedExample.ts';

/** The file holding every example of `key` in `dir`: `<dir>/<key>.json` (a key's `/` are folders). */
export function storeFileOf(dir: string, key: string): string {
  if (!/^[A-Za-z0-9._@+-]+(\/[A-Za-z0-9._@+-]+)*$/.test(key) || key.split('/').some((p) => p === '.' || p === '..')) {
    throw new RangeError(`store key ${JSON.stringify(key)}: only letters, digits, . _ @ + - and / between non-empty parts`);
  }
  return join(dir, `${key}.json`);
}

/** Reads one store file (any path), validated. */
export function readStoreFile(file: string): StoreFile {
  const text = readFileSync(file, 'utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return validateStoreFile(v, file);
}

/**
 * A folder of store files, one per key, each written atomically. A file that cannot be
 * read is reported as a warning and treated as empty (a later save replaces it).
 */
export class DirectoryStore implements ExampleStore {
  readonly writable = true;
  constructor(readonly dir: string) {}

  get description(): string {
    return this.dir;
  }

  fetch(key: string): Fetched {
    const file = storeFileOf(this.dir, key);
    try {
      return { examples: readStoreFile(file).examples, warnings: [] };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { examples: [], warnings: [] };
      return { examples: [], warnings: [`cannot read saved counterexamples ${file}: ${(e as Error).message}`] };
    }
  }

  save(key: string, example: StoredExample): string {
    const file = storeFileOf(this.dir, key);
    const prev = this.fetch(key).examples;
    this.write(file, key, withExample(prev, example));
    return file;
  }

  delete(key: string, example: StoredExample): void {
    const file = storeFileOf(this.dir, key);
    const prev = this.fetch(key).examples;
    const id = exampleIdentity(example);
    const kept = prev.filter((e) => exampleIdentity(e) !== id);
    if (kept.length === prev.length) return;
    if (kept.length === 0) rmSync(file, { force: true });
    else this.write(file, key, kept);
  }

  private write(file: string, key: string, examples: readonly StoredExample[]): void {
    const content: StoreFile & { scorecheckVersion: string } = { format: EXAMPLE_FORMAT, formatVersion: EXAMPLE_FORMAT_VERSION, key, scorecheckVersion: SCORECHECK_VERSION, examples };
    writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`);
  }
}
