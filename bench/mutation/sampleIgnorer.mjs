// Stryker ignorer plugin `sample`: keeps only the mutants at sampled AST-node locations.
//
// A sampled run (bench/mutation/mutate.ts --sample) gives Stryker one mutate range per sampled
// mutant (the node's exact location), which already drops every node outside them; but a range
// also includes the node's descendants (a sampled `{ … }` block would bring every mutant of the
// function body). This ignorer ignores any node that is not itself a sampled location and
// contains none, so Stryker runs the sampled mutants (plus the few others at the same node,
// which mutate.ts leaves out of the count). Locations: Babel's (line 1-based, column 0-based).
import fs from 'node:fs';
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const file = process.env.STRYKER_SAMPLE;
/** @type {{ start: { line: number, column: number }, end: { line: number, column: number } }[]} */
const locations = file ? JSON.parse(fs.readFileSync(file, 'utf8')).locations : [];
const key = (loc) => `${loc.start.line}:${loc.start.column}-${loc.end.line}:${loc.end.column}`;
const exact = new Set(locations.map(key));
const before = (a, b) => a.line < b.line || (a.line === b.line && a.column <= b.column);
const contains = (outer, inner) => before(outer.start, inner.start) && before(inner.end, outer.end);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'sample', {
    shouldIgnore(path) {
      const loc = path.node.loc;
      if (!loc) return undefined;
      if (exact.has(key(loc))) return undefined;
      if (locations.some((s) => contains(loc, s))) return undefined;
      return 'not in the sample';
    },
  }),
];
