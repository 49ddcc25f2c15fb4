#!/usr/bin/env python3
"""BUG: the network was trained on continuous time t = i/T for the i-th of T steps (i = 1..T,
declared network_time "continuous") but the sampler passes j/T with the 0-based index j —
every time value one step early. Expected: sample.network_time, sample.exact (every table-based sampler)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import sampler_adapter as ref  # noqa: E402


class ContinuousOffByOne(ref.SamplerSubject):
    def tau(self, j, sigma, decl):
        if decl.get("network_time", self.network_time) == "continuous":
            return j / self.T
        return super().tau(j, sigma, decl)


if __name__ == "__main__":
    ref.main(ContinuousOffByOne, {"network_time": "continuous", "T": 500})
