// StrykerJS configuration — run it through `npm run mutate -- <folder>` (bench/mutation/mutate.ts),
// which sets the environment read below. Not part of `npm test` or CI. See bench/README.md.
//
// STRYKER_TARGET   name of the run: the folder under src/ (`theory`), or `<folder>.sample-<n>-<seed>`
// STRYKER_MUTATE   comma-separated mutate patterns (globs, or `file:line:col-line:col` ranges)
// STRYKER_SAMPLE   (optional) JSON file of sampled mutant locations, read by the `sample` ignorer
const target = process.env.STRYKER_TARGET ?? 'all';
const mutate = (process.env.STRYKER_MUTATE ?? 'src/**/*.ts,!src/**/*.test.ts').split(',');
const sampling = Boolean(process.env.STRYKER_SAMPLE);
// STRYKER_IGNORE_STATIC=1 (mutate.ts --ignore-static): skip static mutants (module-level code run at
// import). Each costs a rerun of every related test file (~100 s here: 23 % of diffusion's sampled
// mutants took 58 % of its time); they are then reported as Ignored and left out of the score.
const ignoreStatic = process.env.STRYKER_IGNORE_STATIC === '1';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts', related: true },
  plugins: ['@stryker-mutator/vitest-runner', ...(sampling ? ['./bench/mutation/sampleIgnorer.mjs'] : [])],
  ignorers: sampling ? ['sample'] : [],
  mutate,
  // Only the tests that cover a mutant run against it.
  coverageAnalysis: 'perTest',
  ignoreStatic,
  // Two shared cores: one Stryker worker, the other core left to everyone else.
  concurrency: 1,
  // A mutant's deadline is its tests' dry-run time × 2.5 + 20 s (the machine is shared and often
  // loaded 4× over; a mutant that really loops forever still times out within a minute).
  timeoutFactor: 2.5,
  timeoutMS: 20_000,
  // Results per target under reports/mutation/ (git-ignored, see bench/README.md): a re-run only
  // tests mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile: `reports/mutation/${target}.incremental.json`,
  reporters: ['clear-text', 'progress-append-only', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${target}.json` },
  htmlReporter: { fileName: `reports/mutation/${target}.html` },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0, reportScoreTable: true, reportMutants: false },
  // tsconfig.json has no `extends`/`references` to rewrite in the sandbox, and TypeScript 7 (the
  // native compiler) has no `parseConfigFileTextToJson` for Stryker's rewriter: point it nowhere.
  tsconfigFile: 'stryker-no-tsconfig.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['reports', 'bench/results', 'coverage', 'dist', '.stryker-tmp'],
  thresholds: { high: 90, low: 80, break: null },
};
