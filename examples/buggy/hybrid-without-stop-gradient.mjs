// BUG: the hybrid loss L_simple + λ·L_vlb computed with the model output NOT detached in the bound
// term (improved DDPM's frozen_out = cat([model_output.detach(), model_var_values]) written without
// .detach()), so L_vlb also trains the mean. Its value is right; its gradient is not.
// Expected: loss_grad.exact ("matches the hybrid loss WITHOUT the stop-gradient").
import { createTrainingSubject } from '../reference-training.mjs';

export default createTrainingSubject({ name: 'buggy: hybrid loss without stop-gradient', patch(I) { I.stopGradient = false; } });
