/**
 * The suite's false-alarm budget (DESIGN.md: Bonferroni over every Monte Carlo
 * assertion of the suite). The whole suite, run once, raises a false alarm with
 * probability at most SUITE_FALSE_ALARM. Each property family declares how many
 * statistical assertions it makes (runs × assertions per run) in
 * MC_ASSERTION_PLAN; each assertion then gets SUITE_FALSE_ALARM / total.
 */
export const SUITE_FALSE_ALARM = 1e-6;

/**
 * Declared statistical assertions per family. A family that makes more
 * assertions than it declares fails its own guard (see `perAssertionFalseAlarm`).
 * Families register here rather than picking their own α.
 */
export const MC_ASSERTION_PLAN: Readonly<Record<string, number>> = {
  'vincent.mc': 400,
  'inputBias.mc': 400,
  'sds.mc': 200,
  'mixture.mc': 200,
  'densityFormula.mc': 200,
  'mismatch.mc': 200,
  'subject.mc': 2000,
  'verify.mc': 2000,
  'varianceReduction.mc': 400,
  'liyan2024.classifier.mc': 100,
  'mmd.mc': 100,
  'liang2025.mixture.mc': 1000,
  // issue 16 (training side): the bound/gradient/distribution property suites.
  'training.mc': 400,
  // issue 13 (claims13): DreamFusion SDS per-draw gradient, 20 runs × ≤ 12 components
  'sdsDreamFusion.mc': 240,
  // issue 13 (claims13): zero-shot W_bias estimator against the Gaussian closed form, 20 runs
  'zeroShotMixtureBias.mc': 20,
  // issue 19 (flow matching): CFM closed forms against draws (12 + 8 runs) and the Monte Carlo claim's check with its negative control (4)
  'flowMatching.mc': 30,
};

export function totalPlannedAssertions(): number {
  return Object.values(MC_ASSERTION_PLAN).reduce((a, b) => a + b, 0);
}

/** α for one assertion of `family`: SUITE_FALSE_ALARM / (all planned assertions). */
export function perAssertionFalseAlarm(family: string): number {
  if (!(family in MC_ASSERTION_PLAN)) throw new RangeError(`falseAlarmBudget: unknown family "${family}"; add it to MC_ASSERTION_PLAN`);
  return SUITE_FALSE_ALARM / totalPlannedAssertions();
}
