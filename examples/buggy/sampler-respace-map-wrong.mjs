// BUG: respaced sampling tells the network the position in the respaced sequence
// (n−1, …, 1, 0) instead of the training timestep it stands for (timestep_map[i]).
// Expected: sample.network_time, sample.exact (every sampler on a shortened list).
import { SamplerSubject } from '../sampler-subject.mjs';

class RespaceMapWrong extends SamplerSubject {
  modelTimestep(ts, i) {
    return ts.length - 1 - i;
  }
}

export default new RespaceMapWrong({ name: 'buggy: respaced index given to the network' });
