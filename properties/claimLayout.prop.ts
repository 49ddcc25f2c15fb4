import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { controlClaims } from '../src/claims/control/selftest.ts';
import { allClaims } from '../src/claims/registry.ts';

/**
 * The layout rule (DESIGN.md, issue 12 item 5): a claim's file is found from its id.
 * `<source>.<family>.<name>` is defined in `src/claims/<source>/<family>.ts` — the family spelled
 * exactly as in the id, one family per file, controls under their own source (`control.selftest.*`).
 */
const CLAIMS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'claims');
const ID_PATTERN = /^([a-z][a-z0-9]*)\.([a-zA-Z][a-zA-Z0-9-]*)\.([a-z0-9][a-z0-9-]*)$/;

/** Every claim-shaped `id: 'a.b…'` literal of a file (figure ids have no dots). */
function definedIds(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*id: '([^'.]+\.[^']+)',$/gm)].map((m) => m[1]);
}

function claimFiles(): string[] {
  const out: string[] = [];
  for (const source of readdirSync(CLAIMS_DIR, { withFileTypes: true })) {
    if (!source.isDirectory()) continue;
    for (const f of readdirSync(join(CLAIMS_DIR, source.name))) if (f.endsWith('.ts')) out.push(join(CLAIMS_DIR, source.name, f));
  }
  return out;
}

/** Why a claim (id, source) breaks the layout rule; empty when it follows it. */
function layoutViolations(c: { readonly id: string; readonly source: string }): string[] {
  const m = ID_PATTERN.exec(c.id);
  if (!m) return [`${c.id}: not <source>.<family>.<name>`];
  const [, source, family] = m;
  const out: string[] = [];
  if (c.source !== source) out.push(`${c.id}: source field "${c.source}" is not the id's "${source}"`);
  const file = join(CLAIMS_DIR, source, `${family}.ts`);
  if (!existsSync(file)) out.push(`${c.id}: ${relative(CLAIMS_DIR, file)} missing`);
  else if (!definedIds(file).includes(c.id)) out.push(`${c.id}: not defined in ${relative(CLAIMS_DIR, file)}`);
  return out;
}

describe('claims layout: src/claims/<source>/<family>.ts', () => {
  const claims = [...allClaims, ...controlClaims];

  it('every claim id is <source>.<family>.<name> and its family file exists and defines it', () => {
    expect(claims.flatMap(layoutViolations)).toEqual([]);
  });

  it('one family per file: a file defines only ids of its own source and family, and every id it defines is registered', () => {
    const known = new Set(claims.map((c) => c.id));
    const families = new Set<string>();
    for (const file of claimFiles()) {
      const ids = definedIds(file);
      if (ids.length === 0) continue;
      const source = relative(CLAIMS_DIR, dirname(file));
      const family = file.slice(file.lastIndexOf('/') + 1, -3);
      families.add(`${source}.${family}`);
      for (const id of ids) {
        expect(id.startsWith(`${source}.${family}.`), `${relative(CLAIMS_DIR, file)} defines ${id}`).toBe(true);
        expect(known.has(id), `${id} is defined but neither in the registry nor a control`).toBe(true);
      }
    }
    expect([...families].sort()).toEqual([...new Set(claims.map((c) => c.id.split('.').slice(0, 2).join('.')))].sort());
  });

  it('the rule rejects misplaced claims (negative control)', () => {
    expect(layoutViolations({ id: 'xu2025.vincent.not-here', source: 'xu2025' })).toHaveLength(1);
    expect(layoutViolations({ id: 'xu2025.control.broken-fisher', source: 'xu2025' })[0]).toMatch(/missing/);
    expect(layoutViolations({ id: 'control.selftest.broken-fisher', source: 'xu2025' })[0]).toMatch(/source field/);
    expect(layoutViolations({ id: 'liang2025.zeroShot.null-space', source: 'liang2025' })[0]).toMatch(/missing/);
    expect(layoutViolations({ id: 'vincent-per-timestep', source: 'xu2025' })[0]).toMatch(/not <source>/);
  });
});
