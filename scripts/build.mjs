#!/usr/bin/env node
// npm run build (also `prepare`): src/ → dist/ with TypeScript's own compiler.
//  1. remove dist/ (a file deleted from src/ must not linger in the package);
//  2. tsc -p tsconfig.build.json: ESM JavaScript + .d.ts, imports rewritten .ts → .js;
//  3. rewrite the relative '.ts' specifiers that tsc keeps in .d.ts files to '.js', so every
//     TypeScript consumer (any moduleResolution, any allowImportingTsExtensions) resolves them;
//  4. write dist/.build-stamp.json with the time the build started: bin/scorecheck.mjs runs
//     dist/ in a source checkout only if nothing under src/ changed after it (docs/package.md).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const started = Date.now();

rmSync(dist, { recursive: true, force: true });
// typescript's exports do not list bin/tsc: find the package by its package.json.
const tsc = join(dirname(createRequire(join(root, 'package.json')).resolve('typescript/package.json')), 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`scripts/build.mjs: tsc failed (exit ${r.status ?? r.signal}); dist/ is incomplete`);
  rmSync(dist, { recursive: true, force: true });
  process.exit(1);
}

// from './x.ts' · import('./x.ts') · export * from '../y/index.ts'  →  .js
const RELATIVE_TS = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g;
let declarations = 0;
let rewritten = 0;
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const file = join(entry.parentPath, entry.name);
  const text = readFileSync(file, 'utf8');
  const out = text.replace(RELATIVE_TS, (_m, head, path, tail) => (rewritten++, `${head}${path}.js${tail}`));
  declarations++;
  if (out !== text) writeFileSync(file, out);
}
if (declarations === 0) {
  console.error('scripts/build.mjs: tsc emitted no .d.ts files');
  process.exit(1);
}
writeFileSync(join(dist, '.build-stamp.json'), `${JSON.stringify({ started, finished: Date.now() })}\n`);
console.log(`scorecheck: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s (${declarations} declaration files, ${rewritten} specifiers .ts → .js)`);
