#!/usr/bin/env node
// The scorecheck command. An installed package runs the compiled dist/ with plain Node; a
// source checkout runs dist/ while it is fresh and src/ through tsx once anything under src/
// changed after the last build (bin/entry.mjs, docs/package.md). SCORECHECK_FROM=source|dist
// forces one; SCORECHECK_DEBUG=1 says which ran and why.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chooseEntry, inspect } from './entry.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsxAvailable = () => {
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
};
const choice = chooseEntry(inspect(root, tsxAvailable), process.env.SCORECHECK_FROM);
if (choice.run === 'error') {
  process.stderr.write(`scorecheck: ${choice.why}\n`);
  process.exit(2);
}
if (choice.warning) process.stderr.write(`scorecheck: warning: ${choice.warning}\n`);
if (process.env.SCORECHECK_DEBUG) process.stderr.write(`scorecheck: running ${choice.run === 'dist' ? 'dist/' : 'src/'} (${choice.why})\n`);

let main;
if (choice.run === 'source') {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
