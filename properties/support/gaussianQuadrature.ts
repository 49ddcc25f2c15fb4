/*
 * An independent route to Gaussian expectations for tests: the tensor 3-point Gauss–Hermite rule for
 * g ~ N(0, I_n) (probabilists' weight; Abramowitz & Stegun 25.4.46): nodes 0, ±√3 with weights 2/3, 1/6, 1/6.
 * It integrates every polynomial of degree ≤ 5 in each coordinate exactly, so E q and E q² of any
 * quadratic q(g) (degree 4) are exact up to rounding. Written here from the textbook nodes — not taken
 * from src/numerics — so tests of src have a route that shares no code with it. 3ⁿ nodes: keep n ≤ 9.
 */
const NODES = [0, Math.sqrt(3), -Math.sqrt(3)];
const WEIGHTS = [2 / 3, 1 / 6, 1 / 6];

/** Calls visit(g, w) at every node g (a reused buffer) with its weight w; Σ w = 1. */
export function forEachStandardNormalNode(n: number, visit: (g: Float64Array, w: number) => void): void {
  const idx = new Int32Array(n), g = new Float64Array(n);
  const count = 3 ** n;
  for (let c = 0; c < count; c++) {
    let w = 1;
    for (let i = 0; i < n; i++) {
      g[i] = NODES[idx[i]];
      w *= WEIGHTS[idx[i]];
    }
    visit(g, w);
    for (let i = 0; i < n; i++) {
      if (++idx[i] < 3) break;
      idx[i] = 0;
    }
  }
}

/** E f(g), g ~ N(0, I_n), exact for f of degree ≤ 5 per coordinate. */
export function standardNormalExpectation(n: number, f: (g: Float64Array) => number): number {
  let s = 0;
  forEachStandardNormalNode(n, (g, w) => { s += w * f(g); });
  return s;
}

/** Mean and variance of f(g) by the same rule (exact when f is a polynomial of degree ≤ 2 per coordinate). */
export function standardNormalMoments(n: number, f: (g: Float64Array) => number): { mean: number; secondMoment: number; variance: number } {
  let m = 0, m2 = 0;
  forEachStandardNormalNode(n, (g, w) => {
    const v = f(g);
    m += w * v;
    m2 += w * v * v;
  });
  return { mean: m, secondMoment: m2, variance: m2 - m * m };
}

/**
 * The linear Gaussian regression of a target u on a regressor w, both affine in g ~ N(0, I_n), from their
 * quadrature moments: E u, E w, Cov(u, w) (du×dw row-major), Cov(w) (dw×dw), E‖u‖². For jointly Gaussian
 * (u, w), E[u | w] = E u + Cov(u, w) Cov(w)⁻¹ (w − E w) — the marginal velocity, the conditional score…
 */
export function regressionMoments(n: number, draw: (g: Float64Array) => { u: ArrayLike<number>; w: ArrayLike<number> }) {
  let Eu = new Float64Array(0), Ew = new Float64Array(0), Euw = new Float64Array(0), Eww = new Float64Array(0), uu = 0;
  forEachStandardNormalNode(n, (g, wt) => {
    const { u, w } = draw(g);
    if (Eu.length === 0) {
      Eu = new Float64Array(u.length); Ew = new Float64Array(w.length);
      Euw = new Float64Array(u.length * w.length); Eww = new Float64Array(w.length * w.length);
    }
    for (let i = 0; i < u.length; i++) {
      Eu[i] += wt * u[i];
      uu += wt * u[i] * u[i];
      for (let j = 0; j < w.length; j++) Euw[i * w.length + j] += wt * u[i] * w[j];
    }
    for (let i = 0; i < w.length; i++) {
      Ew[i] += wt * w[i];
      for (let j = 0; j < w.length; j++) Eww[i * w.length + j] += wt * w[i] * w[j];
    }
  });
  const dw = Ew.length;
  return {
    Eu, Ew, secondMomentU: uu,
    covUW: Euw.map((v, idx) => v - Eu[Math.floor(idx / dw)] * Ew[idx % dw]),
    covW: Eww.map((v, idx) => v - Ew[Math.floor(idx / dw)] * Ew[idx % dw]),
  };
}
