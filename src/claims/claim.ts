import type { Outcome, Quantity } from '../engine/outcome.ts';
import type { CheckEnv, Property } from '../engine/property.ts';
import type { Figure } from '../engine/figure.ts';

/** Which paper a claim comes from. */
export type PaperSource = 'xu2025' | 'liyan2024' | 'liang2025'
  // issue 19: flow matching (Lipman et al. 2023; Tong et al. 2023)
  | 'lipman2023' | 'tong2023';
/** The papers of the registry (what `verify --source` selects from). */
export const CLAIM_SOURCES: readonly PaperSource[] = ['xu2025', 'liyan2024', 'liang2025',
  // issue 19: flow matching
  'lipman2023', 'tong2023'];
/** A claim's source: a paper, or `control` for the runner's deliberately broken self-test claims. */
export type ClaimSource = PaperSource | 'control';

/**
 * `holds`: the statement should hold on every generated case.
 * `refuted`: the statement, read literally, is false (the paper itself says so, or
 * scorecheck shows it); `verify` expects to find — and shrink — a counterexample.
 */
export type ExpectedVerdict = 'holds' | 'refuted';

export type { Quantity };

/** The result of checking a claim on one case: the engine's one comparison type. */
export type CheckOutcome = Outcome;

/**
 * One entry of the claims registry: a Property (src/engine/property.ts) with the paper
 * it comes from, the assumptions under which it is checked, and its figures.
 * Id: `<source>.<family>.<name>`; the family's file is `src/claims/<source>/<family>.ts` (the family
 * spelled exactly as in the id; one family per file; pinned by properties/claimLayout.prop.ts).
 */
export interface Claim<Case = any> extends Property<Case> {
  readonly source: ClaimSource;
  /** Where in the paper (e.g. "Theorem 1", "§4.2"). */
  readonly section?: string;
  /** The assumptions under which it is checked. */
  readonly assumptions: readonly string[];
  /** Figures for the HTML report (computed on built-in defaults). */
  readonly figures?: () => readonly Figure[];
  /** Claims are pure and synchronous. */
  check(c: Case, env: CheckEnv): Outcome;
}
