import type { Evaluation } from './evaluate.ts';
import type { Detectable } from './outcome.ts';

/** Cases examined, by the phase that produced them. */
export interface PhaseCounts {
  readonly replayed: number;
  readonly corner: number;
  readonly random: number;
  readonly target: number;
  readonly shrink: number;
}

/** What a run saw over every case it examined (shrink steps excluded). */
export interface Evidence {
  /** Cases checked (replayed, corners, random, targeted). */
  readonly runs: number;
  readonly phases: PhaseCounts;
  /** The largest margin seen (> 0 is a failure), and the comparison of that case. */
  readonly worstMargin?: number;
  readonly maxError?: number;
  readonly tolerance?: number;
  readonly metric?: string;
  /** The Monte Carlo comparison nearest its critical value: |z| and the critical value. */
  readonly z?: number;
  readonly zCritical?: number;
  /** Monte Carlo samples drawn over all cases. */
  readonly samples?: number;
  /**
   * The weakest Monte Carlo comparison: the largest relative discrepancy any case could
   * have missed (at the stated power), with the target every case had to meet.
   */
  readonly detectable?: Detectable;
  /** Cases whose comparison could not reach its detectable target. */
  readonly underpowered?: number;
  /** Cases below what the check can resolve, with the first one's reason (Outcome.unresolved). */
  readonly unresolved?: { readonly cases: number; readonly reason: string };
  /** Statistical assertions made and the false-alarm probability of each. */
  readonly assertions?: number;
  readonly falseAlarm?: number;
  /** Targeted search: proposals evaluated, how many improved a climber, the margin reached. */
  readonly target?: { readonly steps: number; readonly improvements: number; readonly bestMargin: number; readonly startMargin: number };
  /** Shrink evaluations to reach the reported counterexample. */
  readonly shrinks: number;
  readonly note?: string;
}

/** Folds evaluated cases into Evidence. */
export class EvidenceAccumulator {
  private n = { replayed: 0, corner: 0, random: 0, target: 0, shrink: 0 };
  private worst: Evaluation | undefined;
  private zWorst: { z: number; zCritical: number; ratio: number } | undefined;
  private samples = 0;
  private sawSamples = false;
  private weakest: Detectable | undefined;
  private underpowered = 0;
  private unresolvedCases = 0;
  private unresolvedReason = '';

  add(phase: keyof PhaseCounts, e: Evaluation): void {
    this.n[phase]++;
    if (phase === 'shrink') return;
    if (this.worst === undefined || e.margin > this.worst.margin) this.worst = e;
    if (e.kind === 'throws') return;
    const o = e.outcome;
    if (o.z !== undefined && o.zCritical !== undefined && Number.isFinite(o.z) && o.zCritical > 0) {
      const ratio = Math.abs(o.z) / o.zCritical;
      if (!this.zWorst || ratio > this.zWorst.ratio) this.zWorst = { z: o.z, zCritical: o.zCritical, ratio };
    }
    if (o.samples !== undefined && Number.isFinite(o.samples)) {
      this.samples += o.samples;
      this.sawSamples = true;
    }
    if (o.unresolved !== undefined) {
      if (this.unresolvedCases++ === 0) this.unresolvedReason = o.unresolved;
    }
    if (o.detectable) {
      if (!o.detectable.met) this.underpowered++;
      if (!this.weakest || o.detectable.relative > this.weakest.relative) this.weakest = o.detectable;
    }
  }

  get runs(): number {
    return this.n.replayed + this.n.corner + this.n.random + this.n.target;
  }

  get phases(): PhaseCounts {
    return { ...this.n };
  }

  get underpoweredCases(): number {
    return this.underpowered;
  }

  get unresolved(): { cases: number; reason: string } {
    return { cases: this.unresolvedCases, reason: this.unresolvedReason };
  }

  evidence(extra: Partial<Evidence> = {}): Evidence {
    const w = this.worst;
    const o = w && w.kind !== 'throws' ? w.outcome : undefined;
    return {
      runs: this.runs,
      phases: this.phases,
      shrinks: this.n.shrink,
      ...(w ? { worstMargin: w.margin } : {}),
      ...(o?.maxError !== undefined ? { maxError: o.maxError } : {}),
      ...(o?.tolerance !== undefined ? { tolerance: o.tolerance } : {}),
      ...(o?.metric !== undefined ? { metric: o.metric } : {}),
      ...(this.zWorst ? { z: this.zWorst.z, zCritical: this.zWorst.zCritical } : {}),
      ...(this.sawSamples ? { samples: this.samples } : {}),
      ...(this.weakest ? { detectable: this.weakest } : {}),
      ...(this.underpowered > 0 ? { underpowered: this.underpowered } : {}),
      ...(this.unresolvedCases > 0 ? { unresolved: { cases: this.unresolvedCases, reason: this.unresolvedReason } } : {}),
      ...extra,
    };
  }
}
