import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder: the parent of `src/` (run from source) or of `dist/`
 * (installed). Files the package ships (its saved counterexamples, examples) are
 * found from here, never from the user's working directory.
 */
export const PACKAGE_ROOT: string = fileURLToPath(new URL('..', import.meta.url));

/** The package version, written into saved counterexamples and reports. */
export const SCORECHECK_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
})();
