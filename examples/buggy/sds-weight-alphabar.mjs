// BUG: DreamFusion's SDS weight w(t) = σ_t² = 1 − ᾱ_t written as alphas_cumprod[t] (ᾱ_t), which
// weights the nearly clean steps most. Expected: sds_grad.exact.
import { createTrainingSubject } from '../reference-training.mjs';

export default createTrainingSubject({ name: 'buggy: SDS weight ᾱ_t', patch(I) { I.sdsWeight = (k) => I.ac[k]; } });
