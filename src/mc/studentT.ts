/**
 * Student's t distribution, exactly: the two-sided tail P(|T_ν| > t) = I_{ν/(ν+t²)}(ν/2, 1/2)
 * (regularized incomplete beta; A&S 26.7.1 with 26.5.27) and its inverse, the two-sided critical
 * value t_{ν, 1−α/2}. Used by the mean test when the standard error is estimated (docs/MATH.md §20.1).
 */

/** ln Γ(x) for x ≥ 1/2 (Lanczos, g = 7, nine terms; relative error ≈ 1e-15). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const y = x - 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(s);
}

/** The continued fraction of I_x(a, b) (modified Lentz; Numerical Recipes 6.4), converging for x < (a + 1)/(a + b + 2). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) return h;
  }
  return h;
}

/** I_x(a, b) given x and 1 − x separately (so neither loses digits to the subtraction). */
function regularizedBeta(a: number, b: number, x: number, oneMinusX: number): number {
  if (x <= 0) return 0;
  if (oneMinusX <= 0) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(oneMinusX);
  return x < (a + 1) / (a + b + 2)
    ? (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a
    : 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, oneMinusX)) / b;
}

function requireDof(dof: number, fn: string): void {
  if (!(dof >= 1) || !Number.isFinite(dof)) throw new RangeError(`${fn}: degrees of freedom must be finite and ≥ 1, got ${dof}`);
}

/** P(|T_ν| > t) for t ≥ 0: I_{ν/(ν+t²)}(ν/2, 1/2). */
export function studentTwoSidedTail(t: number, dof: number): number {
  requireDof(dof, 'studentTwoSidedTail');
  if (!(t >= 0)) throw new RangeError(`studentTwoSidedTail: t must be ≥ 0, got ${t}`);
  if (t === Infinity) return 0;
  const t2 = t * t;
  return regularizedBeta(dof / 2, 0.5, dof / (dof + t2), t2 / (dof + t2));
}

/**
 * t_{ν, 1−α/2}: the t with P(|T_ν| > t) = α, by bisection on the exact tail (relative 1e-13), bracketed
 * below by z_{1−α/2} (a t tail is heavier than the normal's) and above by doubling.
 */
export function studentCritical(falseAlarm: number, dof: number, normalCritical: number): number {
  requireDof(dof, 'studentCritical');
  let lo = normalCritical, hi = 2 * normalCritical;
  while (studentTwoSidedTail(hi, dof) > falseAlarm) { lo = hi; hi *= 2; }
  while (hi - lo > 1e-13 * hi) {
    const mid = 0.5 * (lo + hi);
    if (studentTwoSidedTail(mid, dof) > falseAlarm) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}
