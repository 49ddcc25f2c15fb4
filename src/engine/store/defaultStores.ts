import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../../version.ts';
import { DirectoryStore } from './directoryStore.ts';
import { type ExampleStore, LayeredStore, ReadOnlyStore } from './exampleStore.ts';

/** The counterexamples the package ships (replayed by every `verify`, wherever it runs). */
export const PACKAGE_STORE_DIR = join(PACKAGE_ROOT, 'fixtures', 'counterexamples');

/**
 * The user's own store, outside their source tree by default: `$SCORECHECK_STORE`, else
 * `$XDG_CACHE_HOME/scorecheck/counterexamples`, else `~/.cache/scorecheck/counterexamples`.
 */
export function defaultUserStoreDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.SCORECHECK_STORE) return resolve(env.SCORECHECK_STORE);
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cache, 'scorecheck', 'counterexamples');
}

/**
 * The store a run replays from and saves to: the package's shipped examples (read-only,
 * unless `userDir` is that very folder — a maintainer refreshing them) layered over the
 * user's folder (read-only with `save: false`).
 */
export function runStore(userDir: string, opts: { readonly save: boolean; readonly includePackage: boolean }): ExampleStore {
  const user: ExampleStore = opts.save ? new DirectoryStore(userDir) : new ReadOnlyStore(new DirectoryStore(userDir));
  if (!opts.includePackage || resolve(userDir) === resolve(PACKAGE_STORE_DIR)) return user;
  return new LayeredStore([new ReadOnlyStore(new DirectoryStore(PACKAGE_STORE_DIR)), user]);
}
