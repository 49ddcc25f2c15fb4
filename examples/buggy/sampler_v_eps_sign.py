#!/usr/bin/env python3
"""BUG: with a v-prediction network, ε̂ is recovered as √ᾱ·v − √(1−ᾱ)·x (a sign slip) instead of
√ᾱ·v + √(1−ᾱ)·x; x̂₀ is right, so DDPM is unaffected and every DDIM step is wrong.
Expected: sample.exact (samplers ddim, ddim_eta, ddim_inversion)."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import sampler_adapter as ref  # noqa: E402


class VEpsSign(ref.SamplerSubject):
    def x0_eps(self, out, x, a, param):
        if param != "v":
            return super().x0_eps(out, x, a, param)
        return math.sqrt(a) * x - math.sqrt(1 - a) * out, math.sqrt(a) * out - math.sqrt(1 - a) * x


if __name__ == "__main__":
    ref.main(VEpsSign, {"parameterization": "v"})
