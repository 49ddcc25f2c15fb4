import type { CaseEvaluation } from './evaluateCase.ts';
import type { Evidence } from './verdict.ts';

/**
 * Folds checked cases into the `Evidence` a report shows: the worst
 * closed-form comparison (the case closest to — or furthest past — its limit,
 * by the scale-free margin (maxError − tolerance)/|tolerance|, which also ranks
 * signed measures such as a fitted exponent ≤ −1 correctly; a plain ratio
 * would call exponent −2 "worse" than −1.1), the worst Monte Carlo comparison (largest |z|, with its critical
 * value), total samples and the number of cases.
 */
export class EvidenceAccumulator {
  runs = 0;
  private maxError: number | undefined;
  private tolerance: number | undefined;
  private metric: string | undefined;
  private errorMargin = -Infinity;
  private z: number | undefined;
  private zCritical: number | undefined;
  private samples = 0;
  private sawSamples = false;

  add(e: CaseEvaluation): void {
    this.runs++;
    if (e.kind === 'throws') return;
    const o = e.outcome;
    if (o.maxError !== undefined && !Number.isNaN(o.maxError)) {
      const margin = o.tolerance !== undefined && o.tolerance !== 0 ? (o.maxError - o.tolerance) / Math.abs(o.tolerance) : o.maxError;
      if (margin > this.errorMargin) {
        this.errorMargin = margin;
        this.maxError = o.maxError;
        this.tolerance = o.tolerance;
        this.metric = o.metric;
      }
    }
    if (o.z !== undefined && !Number.isNaN(o.z)) {
      const ratio = o.zCritical !== undefined && o.zCritical > 0 ? Math.abs(o.z) / o.zCritical : Math.abs(o.z);
      const cur = this.z === undefined ? -Infinity : this.zCritical !== undefined && this.zCritical > 0 ? Math.abs(this.z) / this.zCritical : Math.abs(this.z);
      if (ratio > cur) {
        this.z = o.z;
        this.zCritical = o.zCritical;
      }
    }
    if (o.samples !== undefined && Number.isFinite(o.samples)) {
      this.samples += o.samples;
      this.sawSamples = true;
    }
  }

  evidence(extra: Partial<Evidence> = {}): Evidence {
    return {
      runs: this.runs,
      shrinks: 0,
      ...(this.maxError !== undefined ? { maxError: this.maxError } : {}),
      ...(this.tolerance !== undefined ? { tolerance: this.tolerance } : {}),
      ...(this.metric !== undefined ? { metric: this.metric } : {}),
      ...(this.z !== undefined ? { z: this.z } : {}),
      ...(this.zCritical !== undefined ? { zCritical: this.zCritical } : {}),
      ...(this.sawSamples ? { samples: this.samples } : {}),
      ...extra,
    };
  }
}
