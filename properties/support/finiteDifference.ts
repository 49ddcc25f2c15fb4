/** The five-point central difference of f at x along every coordinate: truncation h⁴f⁽⁵⁾/30 (0 for a quadratic f), rounding ~ε|f|/h. */
export function centralDifference(x: Float64Array, f: (x: Float64Array) => number, h: number): Float64Array {
  const at = (i: number, t: number) => {
    const y = Float64Array.from(x);
    y[i] += t;
    return f(y);
  };
  return Float64Array.from(x, (_, i) => (8 * (at(i, h) - at(i, -h)) - (at(i, 2 * h) - at(i, -2 * h))) / (12 * h));
}
