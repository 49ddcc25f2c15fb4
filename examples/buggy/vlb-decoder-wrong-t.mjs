// BUG: the bound's decoder term −log p(x_0|x_1) selected at t == 1 instead of t == 0 (a 1-based
// habit in `th.where((t == 0), decoder_nll, kl)`), so the first step gets a KL and the second the
// decoder likelihood. Expected: vlb_terms.exact.
import { createTrainingSubject } from '../reference-training.mjs';

export default createTrainingSubject({ name: 'buggy: decoder term at the wrong t', patch(I) { I.isDecoderStep = (t) => t === 1; } });
