/**
 * Typed errors. Every error names the offending field and value so that a
 * caller (or the CLI) can print one clear line; nothing returns a silent NaN.
 */
export class ScorecheckError extends Error {
  override name = 'ScorecheckError';
}

/** An argument is outside its domain: names the field, the value and why. */
export class InvalidArgumentError extends ScorecheckError {
  override name = 'InvalidArgumentError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`${field}: ${reason} (got ${describeValue(value)})`);
  }
}

/** Two arguments that must agree in dimension do not. */
export class DimensionMismatchError extends ScorecheckError {
  override name = 'DimensionMismatchError';
  constructor(
    readonly field: string,
    readonly expected: number | string,
    readonly actual: number | string,
  ) {
    super(`${field}: expected dimension ${expected}, got ${actual}`);
  }
}

/** A matrix that must be symmetric positive definite is not. */
export class NotSPDError extends ScorecheckError {
  override name = 'NotSPDError';
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: matrix is not symmetric positive definite (${detail})`);
  }
}

/** A computation produced a non-finite number where a finite one is required. */
export class NonFiniteError extends ScorecheckError {
  override name = 'NonFiniteError';
  constructor(
    readonly field: string,
    readonly value: number,
  ) {
    super(`${field}: non-finite value ${value}`);
  }
}

export function describeValue(v: unknown): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (v instanceof Float64Array || Array.isArray(v)) {
    const arr = Array.from(v as ArrayLike<unknown>);
    const head = arr.slice(0, 6).map((x) => describeValue(x)).join(', ');
    return `[${head}${arr.length > 6 ? `, … (${arr.length} items)` : ''}]`;
  }
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return String(v);
  }
}
