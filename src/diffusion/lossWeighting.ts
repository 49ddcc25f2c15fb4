/*
 * λ_t multiplying ‖network output − target‖² in the network's own parameterization (MATH.md §2;
 * the subject protocol's `loss.weighting`), SNR_t = ᾱ_t/(1 − ᾱ_t):
 *   unit (Ho's L_simple for ε), snr, min_snr = min(SNR, γ), min_snr_over_snr = min(SNR, γ)/SNR
 *   (Min-SNR-γ for ε-prediction), min_snr_over_snr_plus_one = min(SNR, γ)/(SNR + 1) (for v).
 */
export type Weighting =
  | { readonly kind: 'unit' }
  | { readonly kind: 'snr' }
  /** min(SNR_t, γ) */
  | { readonly kind: 'min_snr'; readonly gamma: number }
  /** min(SNR_t, γ)/SNR_t — Min-SNR for ε-prediction */
  | { readonly kind: 'min_snr_over_snr'; readonly gamma: number }
  /** min(SNR_t, γ)/(SNR_t + 1) — Min-SNR for v-prediction */
  | { readonly kind: 'min_snr_over_snr_plus_one'; readonly gamma: number };

/** λ_t of a declared weighting at ᾱ_t. */
export function lossWeight(w: Weighting, alphaBar: number): number {
  const snr = alphaBar / (1 - alphaBar);
  switch (w.kind) {
    case 'unit':
      return 1;
    case 'snr':
      return snr;
    case 'min_snr':
      return Math.min(snr, w.gamma);
    case 'min_snr_over_snr':
      return Math.min(snr, w.gamma) / snr;
    case 'min_snr_over_snr_plus_one':
      return Math.min(snr, w.gamma) / (snr + 1);
  }
}
