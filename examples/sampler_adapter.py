#!/usr/bin/env python3
"""A correct scorecheck subject for whole sampling loops, protocol version 2 (docs/protocol.md §8).

    scorecheck check --cmd "python3 examples/sampler_adapter.py"
    scorecheck check --cmd "python3 examples/sampler_adapter.py --config '{\"parameterization\": \"v\"}'"

NumPy only. Each sampler family is written the way the libraries people run write it —
DDPM/DDIM/DDIM-inversion like diffusers' schedulers (previous timestep taken from the list),
Euler/Heun/DPM-Solver++(2M) like k-diffusion's samplers around a VP denoiser wrapper,
flow matching like diffusers' FlowMatchEulerDiscreteScheduler — so the adapter doubles as a
template: replace a sampler function by a call into your own scheduler, keep `Network` (the
supplied network, which records the time values it is called with) and the protocol loop.

Configuration (--config JSON, every key optional): T, schedule ("linear" | "cosine"),
t_base (0 | 1), parameterization, network_time, arrays ("nested" | "base64"), sample_shape,
zero_terminal_snr (bool), samplers (name -> declaration, replacing the default set).
"""
import base64
import json
import math
import sys

import numpy as np

from scorecheck_protocol import serve  # the JSON-lines loop (stdlib), next to this file

# --------------------------------------------------------------------------- arrays on the wire


def decode(a):
    """Nested lists or {dtype, shape, data: base64 little-endian} -> float64 ndarray."""
    if isinstance(a, dict):
        dt = {"float64": "<f8", "float32": "<f4"}[a["dtype"]]
        return np.frombuffer(base64.b64decode(a["data"]), dtype=dt).reshape(a["shape"]).astype(np.float64)
    return np.asarray(a, dtype=np.float64)


def encode(x, binary):
    x = np.ascontiguousarray(x, dtype="<f8")
    if binary:
        return {"dtype": "float64", "shape": list(x.shape), "data": base64.b64encode(x.tobytes()).decode("ascii")}
    return x.tolist()


# --------------------------------------------------------------------------- the supplied network


class Network:
    """f(x, tau) as scorecheck supplies it; x is a batch [B, C, ...]. Records every tau."""

    def __init__(self, spec):
        self.spec = spec
        self.calls = []
        if spec["kind"] == "affine_time":
            self.W = [(decode(spec[k]["mix"]), None if spec[k].get("diag") is None else decode(spec[k]["diag"])) for k in ("W0", "W1")]
            self.b = [decode(spec["b0"]), decode(spec["b1"])]
            var = spec.get("variance")
            self.var = None if var is None else (decode(var["v0"]), decode(var["v1"]))
        elif spec["kind"] == "table":
            self.tau = np.asarray(spec["tau"], dtype=np.float64)
            self.K, self.B, self.mu = decode(spec["K"]), decode(spec["B"]), decode(spec["mu"])
            self.v = None if spec.get("v") is None else np.asarray(spec["v"], dtype=np.float64)
        else:
            raise ValueError("unknown network kind %r" % spec["kind"])

    @staticmethod
    def _mix(M, x):
        return np.einsum("ij,bj...->bi...", M, x)

    def __call__(self, x, tau):
        tau = float(tau)
        self.calls.append(tau)
        if self.spec["kind"] == "affine_time":
            g = math.sin(self.spec["g"]["omega"] * tau + self.spec["g"]["phase"])
            out = self.b[0] + g * self.b[1]
            for (mix, diag), c in zip(self.W, (1.0, g)):
                out = out + c * self._mix(mix, x)
                if diag is not None:
                    out = out + c * diag * x
            variance = None if self.var is None else np.broadcast_to(self.var[0] + g * self.var[1], x.shape)
            return out, variance
        m = int(np.argmin(np.abs(self.tau - tau)))
        if abs(self.tau[m] - tau) > 1e-6 * max(1.0, abs(tau)):
            raise ValueError("network called at tau=%r, not in the table (nearest %r)" % (tau, self.tau[m]))
        out = self._mix(self.K[m], x) + self._mix(self.B[m], self.mu[None])
        return out, None if self.v is None else np.full(x.shape, self.v[m])


# --------------------------------------------------------------------------- the training schedule


def make_alphas_cumprod(T, kind, zero_terminal_snr):
    if kind == "linear":
        betas = np.linspace(1e-4, 0.02, T, dtype=np.float64)
    elif kind == "cosine":
        f = lambda t: math.cos((t / T + 0.008) / 1.008 * math.pi / 2) ** 2
        betas = np.array([min(1 - f(i + 1) / f(i), 0.999) for i in range(T)])
    else:
        raise ValueError(kind)
    ac = np.cumprod(1.0 - betas)
    if zero_terminal_snr:  # Lin et al. 2024, Algorithm 1 (diffusers rescale_zero_terminal_snr)
        s = np.sqrt(ac)
        s0, sT = s[0], s[-1]
        s = (s - sT) * s0 / (s0 - sT)
        ac = s ** 2
    return ac


# --------------------------------------------------------------------------- timesteps


def spaced_timesteps(kind, T, n, offset, variant):
    """diffusers set_timesteps; variant 'ddim' | 'sigma' (linspace not rounded) | 'multistep' (n+1 points)."""
    m = n + 1 if variant == "multistep" else n
    if kind == "linspace":
        ts = np.linspace(0, T - 1, m)
        if variant != "sigma":
            ts = ts.round()
        return ts[::-1][:n].copy()
    if kind == "leading":
        ratio = T // m
        return (np.arange(0, m) * ratio).round()[::-1][:n] + offset
    if kind == "trailing":
        return np.round(np.arange(T, 0, -T / n)) - 1
    raise ValueError(kind)


def space_timesteps(T, section_counts):
    """improved-diffusion respace.space_timesteps."""
    if section_counts.startswith("ddim"):
        want = int(section_counts[len("ddim"):])
        for i in range(1, T):
            if len(range(0, T, i)) == want:
                return set(range(0, T, i))
        raise ValueError("cannot create exactly %d steps with an integer stride" % want)
    counts = [int(x) for x in section_counts.split(",")]
    size_per, extra = T // len(counts), T % len(counts)
    start, steps = 0, []
    for i, count in enumerate(counts):
        size = size_per + (1 if i < extra else 0)
        if size < count:
            raise ValueError("cannot divide section of %d steps into %d" % (size, count))
        stride = 1 if count <= 1 else (size - 1) / (count - 1)
        cur = 0.0
        for _ in range(count):
            steps.append(start + round(cur))
            cur += stride
        start += size
    return set(steps)


def table_timesteps(decl, T, n, t_base, explicit):
    spacing = decl.get("spacing", "leading")
    if spacing == "explicit":
        return np.asarray(explicit, dtype=np.float64) - t_base
    if spacing == "respace":
        return np.array(sorted(space_timesteps(T, str(n)), reverse=True), dtype=np.float64)
    if spacing == "respace_ddim":
        return np.array(sorted(space_timesteps(T, "ddim%d" % n), reverse=True), dtype=np.float64)
    return spaced_timesteps(spacing, T, n, decl.get("steps_offset", 0), "ddim")


# --------------------------------------------------------------------------- the subject


class SamplerSubject:
    def __init__(self, config):
        self.T = config.get("T", 1000)
        self.t_base = config.get("t_base", 0)
        self.param = config.get("parameterization", "eps")
        self.network_time = config.get("network_time", "index")
        self.binary = config.get("arrays", "base64") == "base64"
        self.ac = make_alphas_cumprod(self.T, config.get("schedule", "linear"), config.get("zero_terminal_snr", False))
        self.sigmas = np.sqrt((1 - self.ac) / self.ac) if self.ac[-1] > 0 else None
        self.samplers = config.get("samplers") or default_samplers(config.get("zero_terminal_snr", False))
        self.sample_shape = config.get("sample_shape")  # e.g. [3, 64, 64]: image-scale checks run at it

    # the time value the network is given (docs/protocol.md §8.1)
    def tau(self, j, sigma, decl):
        nt = decl.get("network_time", self.network_time)
        if isinstance(nt, dict):
            if nt["kind"] == "index":
                return nt.get("scale", 1) * (j + self.t_base) + nt.get("offset", 0)
            nt = nt["kind"]
        if nt == "index":
            return j + self.t_base
        if nt == "index_rescaled_1000":
            return (j + self.t_base) * 1000.0 / self.T
        if nt == "continuous":
            return (j + 1) / self.T
        if nt == "sigma":
            return sigma
        if nt == "c_noise":
            return 0.25 * math.log(sigma)
        raise ValueError("network_time %r" % nt)

    def sigma_at(self, j):
        a = self.ac[j]
        return math.sqrt((1 - a) / a) if a > 0 else math.inf

    def param_of(self, decl):
        return decl.get("parameterization", self.param)

    # ---- VP conversions of the network output at alpha_bar = a (diffusers convert_model_output)
    def x0_eps(self, out, x, a, param):
        if param == "eps":
            return (x - math.sqrt(1 - a) * out) / math.sqrt(a), out
        if param == "x0":
            return out, (x - math.sqrt(a) * out) / math.sqrt(1 - a)
        if param == "v":
            return math.sqrt(a) * x - math.sqrt(1 - a) * out, math.sqrt(a) * out + math.sqrt(1 - a) * x
        if param == "score":
            eps = -math.sqrt(1 - a) * out
            return (x - math.sqrt(1 - a) * eps) / math.sqrt(a), eps
        raise ValueError("parameterization %r is not a VP output" % param)

    # ---- DDPM ancestral (improved-diffusion p_sample on the respaced process)
    def ddpm(self, decl, x, n, net, noises, explicit):
        ts = table_timesteps(decl, self.T, n, self.t_base, explicit).astype(int)
        clip = decl.get("clip")
        for i, t in enumerate(ts):
            a = self.ac[t]
            a_prev = self.ac[ts[i + 1]] if i + 1 < len(ts) else 1.0
            beta = 1 - a / a_prev
            out, var_head = net(x, self.tau(t, self.sigma_at(t), decl))
            x0, _ = self.x0_eps(out, x, a, self.param_of(decl))
            if clip:
                x0 = np.clip(x0, -clip.get("range", 1), clip.get("range", 1))
            coef0 = math.sqrt(a_prev) * beta / (1 - a)
            coeft = math.sqrt(1 - beta) * (1 - a_prev) / (1 - a)
            mean = coef0 * x0 + coeft * x
            post_var = beta * (1 - a_prev) / (1 - a)
            if i == len(ts) - 1:  # nonzero_mask: no noise into x_0
                x = mean
                continue
            kind = decl["variance"]
            if kind == "beta_tilde":
                log_var = math.log(post_var)
            elif kind == "beta":
                log_var = math.log(beta)
            else:  # learned_range: frac interpolates log beta_tilde (min) and log beta (max)
                frac = (var_head + 1) / 2
                log_var = frac * math.log(beta) + (1 - frac) * math.log(post_var)
            x = mean + np.exp(0.5 * log_var) * noises[i]
        return x

    # ---- DDIM (diffusers DDIMScheduler.step with prev_timestep from the list)
    def ddim(self, decl, x, n, net, noises, explicit, eta):
        ts = table_timesteps(decl, self.T, n, self.t_base, explicit).astype(int)
        eta = decl.get("eta", 0.0) if decl.get("eta") != "request" else eta
        final = 1.0 if decl.get("final_alpha_cumprod", "one") == "one" else self.ac[0]
        clip = decl.get("clip")
        for i, t in enumerate(ts):
            a = self.ac[t]
            a_prev = self.ac[ts[i + 1]] if i + 1 < len(ts) else final
            out, _ = net(x, self.tau(t, self.sigma_at(t), decl))
            x0, eps = self.x0_eps(out, x, a, self.param_of(decl))
            if clip:
                x0 = np.clip(x0, -clip.get("range", 1), clip.get("range", 1))
                if clip.get("eps_from_clipped"):
                    eps = (x - math.sqrt(a) * x0) / math.sqrt(1 - a)
            std = eta * math.sqrt((1 - a_prev) / (1 - a)) * math.sqrt(1 - a / a_prev)
            x = math.sqrt(a_prev) * x0 + math.sqrt(1 - a_prev - std ** 2) * eps
            if std > 0:
                x = x + std * noises[i]
        return x

    # ---- DDIM inversion (diffusers DDIMInverseScheduler; source level from the list)
    def ddim_inversion(self, decl, x, n, net):
        ts = table_timesteps(decl, self.T, n, self.t_base, None).astype(int)[::-1]
        initial = 1.0 if decl.get("initial_alpha_cumprod", "one") == "one" else self.ac[0]
        for i, t in enumerate(ts):
            a_src = self.ac[ts[i - 1]] if i > 0 else initial
            a_next = self.ac[t]
            out, _ = net(x, self.tau(t, self.sigma_at(t), decl))
            x0, eps = self.x0_eps(out, x, a_src, self.param_of(decl))
            x = math.sqrt(a_next) * x0 + math.sqrt(1 - a_next) * eps
        return x

    # ---- sigma-space samplers (k-diffusion around a VP denoiser wrapper)
    def sigma_grid(self, decl, n, variant):
        """sigmas (n+1, last appended), the timestep each network call uses, and the sigma it stands for."""
        if decl.get("sigmas", "table") == "karras":
            lo = decl.get("sigma_min") or self.sigmas[0]
            hi = decl.get("sigma_max") or self.sigmas[-1]
            rho = decl.get("rho", 7.0)
            ramp = np.linspace(0, 1, n)
            sig = (hi ** (1 / rho) + ramp * (lo ** (1 / rho) - hi ** (1 / rho))) ** rho
            t = np.array([self.sigma_to_t(s) for s in sig])
            net_sig = sig.copy()
            if decl.get("tau_rounding", "round" if decl["family"] == "dpmpp_2m" else "none") == "round":
                t = t.round()
                net_sig = self.sigmas[t.astype(int)]
        else:
            t = spaced_timesteps(decl.get("spacing", "leading"), self.T, n, decl.get("steps_offset", 0), variant)
            sig = np.interp(t, np.arange(len(self.sigmas)), self.sigmas)
            net_sig = sig
        last = 0.0 if decl.get("final_sigma", "zero") == "zero" else self.sigmas[0]
        return np.append(sig, last), t, net_sig

    def sigma_to_t(self, sigma):
        log_sigmas = np.log(self.sigmas)
        log_sigma = np.log(max(sigma, 1e-10))
        dists = log_sigma - log_sigmas[:, None]
        low = np.cumsum(dists >= 0, axis=0).argmax(axis=0).clip(max=len(log_sigmas) - 2)[0]
        w = np.clip((log_sigmas[low] - log_sigma) / (log_sigmas[low] - log_sigmas[low + 1]), 0, 1)
        return (1 - w) * low + w * (low + 1)

    def denoiser(self, net, decl):
        """D(x, sigma) for the sigma-space state x = x0 + sigma*eps (k-diffusion CompVisDenoiser style)."""
        param = self.param_of(decl)
        sd = decl.get("sigma_data", 1.0)

        def D(x, sigma, tau):
            if param == "edm":
                c_in = 1 / math.sqrt(sigma ** 2 + sd ** 2)
                F, _ = net(x * c_in, tau)
                return sd ** 2 / (sigma ** 2 + sd ** 2) * x + sigma * sd / math.sqrt(sigma ** 2 + sd ** 2) * F
            c_in = 1 / math.sqrt(sigma ** 2 + 1)
            out, _ = net(x * c_in, tau)
            if param == "eps":
                return x - sigma * out
            if param == "x0":
                return out
            if param == "v":
                return x / (sigma ** 2 + 1) - sigma / math.sqrt(sigma ** 2 + 1) * out
            if param == "score":
                return x + sigma ** 2 / math.sqrt(sigma ** 2 + 1) * out
            raise ValueError(param)

        return D

    def euler_heun(self, decl, x, n, net, heun):
        sig, t, net_sig = self.sigma_grid(decl, n, "sigma")
        taus = [self.tau(t[i], net_sig[i], decl) for i in range(n)]
        D = self.denoiser(net, decl)
        x = x * (sig[0] if decl.get("init_noise", "sigma_max") == "sigma_max" else math.sqrt(sig[0] ** 2 + 1))
        for i in range(n):
            d = (x - D(x, sig[i], taus[i])) / sig[i]
            dt = sig[i + 1] - sig[i]
            if not heun or sig[i + 1] == 0:
                x = x + d * dt
            else:
                x2 = x + d * dt
                d2 = (x2 - D(x2, sig[i + 1], taus[i + 1])) / sig[i + 1]
                x = x + (d + d2) / 2 * dt
        return x

    def dpmpp_2m(self, decl, x, n, net):
        sig, t, net_sig = self.sigma_grid(decl, n, "multistep")
        taus = [self.tau(t[i], net_sig[i], decl) for i in range(n)]
        D = self.denoiser(net, decl)
        vp = decl.get("state", "vp") == "vp"
        x = x * (math.sqrt(sig[0] ** 2 + 1) if vp else sig[0])  # to x0 + sigma*eps
        lower_final = decl.get("lower_order_final", True) and n < 15
        old = None
        for i in range(n):
            denoised = D(x, sig[i], taus[i])
            h = -math.log(sig[i + 1]) + math.log(sig[i]) if sig[i + 1] > 0 else math.inf
            if old is None or sig[i + 1] == 0 or (i == n - 1 and lower_final):
                x = (sig[i + 1] / sig[i]) * x - math.expm1(-h) * denoised
            else:
                h_last = math.log(sig[i - 1]) - math.log(sig[i])
                r = h_last / h
                dd = (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * old
                x = (sig[i + 1] / sig[i]) * x - math.expm1(-h) * dd
            old = denoised
        return x / math.sqrt(sig[n] ** 2 + 1) if vp else x

    # ---- flow matching (diffusers FlowMatchEuler/HeunDiscreteScheduler)
    def flow(self, decl, x, n, net, heun):
        T, shift = decl.get("num_train_timesteps", 1000), decl.get("shift", 1.0)
        shifted = lambda s: shift * s / (1 + (shift - 1) * s)
        if decl.get("grid", "diffusers") == "diffusers":
            s_max, s_min = shifted(1.0), shifted(1.0 / T)
            sigmas = shifted(np.linspace(s_max * T, s_min * T, n) / T)
        else:
            sigmas = shifted(np.linspace(1, 0, n + 1)[:-1])
        sigmas = np.append(sigmas, 0.0)
        nt = decl.get("network_time", self.network_time if isinstance(self.network_time, dict) else {"kind": "flow", "scale": T})
        scale = nt.get("scale", 1.0)
        for i in range(n):
            dt = sigmas[i + 1] - sigmas[i]
            v, _ = net(x, scale * sigmas[i])
            if not heun or sigmas[i + 1] == 0:
                x = x + dt * v
            else:
                v2, _ = net(x + dt * v, scale * sigmas[i + 1])
                x = x + dt * (v + v2) / 2
        return x

    # ---- protocol ops
    def op_schedule(self, args):
        return {"alpha_bar": self.ac.tolist(), "t_base": self.t_base}

    def op_sample(self, args):
        decl = self.samplers[args["sampler"]]
        fam = decl["family"]
        n = args["num_inference_steps"]
        x = decode(args["x_init"])
        noises = decode(args["noises"]) if args.get("noises") is not None else None
        net = Network(args["network"])
        if fam == "ddpm":
            out = self.ddpm(decl, x, n, net, noises, args.get("timesteps"))
        elif fam == "ddim":
            out = self.ddim(decl, x, n, net, noises, args.get("timesteps"), args.get("eta"))
        elif fam == "ddim_inversion":
            out = self.ddim_inversion(decl, x, n, net)
        elif fam in ("euler", "heun"):
            out = self.euler_heun(decl, x, n, net, fam == "heun")
        elif fam == "dpmpp_2m":
            out = self.dpmpp_2m(decl, x, n, net)
        elif fam in ("flow_euler", "flow_heun"):
            out = self.flow(decl, x, n, net, fam == "flow_heun")
        else:
            raise ValueError(fam)
        return {"x_final": encode(out, self.binary), "tau": net.calls}

    def hello(self):
        return {
            "protocol_version": 2,
            "name": "sampler reference (Python, NumPy)",
            "parameterization": self.param,
            "network_time": self.network_time,
            "arrays": "base64" if self.binary else "nested",
            "precision": "float64",
            **({"sample_shape": self.sample_shape} if self.sample_shape else {}),
            "ops": {"schedule": {}, "sample": {"samplers": self.samplers}},
        }


def default_samplers(zero_terminal_snr=False):
    s = {
        "ddpm": {"family": "ddpm", "variance": "beta_tilde", "spacing": "respace"},
        "ddpm_large": {"family": "ddpm", "variance": "beta", "spacing": "linspace"},
        "ddpm_learned": {"family": "ddpm", "variance": "learned_range", "spacing": "respace_ddim"},
        "ddim": {"family": "ddim", "eta": 0, "spacing": "leading", "steps_offset": 1, "final_alpha_cumprod": "first"},
        "ddim_eta": {"family": "ddim", "eta": "request", "spacing": "trailing"},
        "ddim_inversion": {"family": "ddim_inversion", "spacing": "leading", "steps_offset": 1},
        "euler_karras": {"family": "euler", "sigmas": "karras"},
        "heun": {"family": "heun", "sigmas": "table", "spacing": "linspace"},
        "dpmpp_2m": {"family": "dpmpp_2m", "sigmas": "table", "spacing": "linspace"},
        "dpmpp_2m_karras": {"family": "dpmpp_2m", "sigmas": "karras", "state": "ve"},
        "flow_euler": {"family": "flow_euler", "shift": 3.0, "parameterization": "flow_velocity", "network_time": {"kind": "flow", "scale": 1000}},
        "flow_heun": {"family": "flow_heun", "shift": 1.0, "grid": "uniform", "parameterization": "flow_velocity", "network_time": {"kind": "flow", "scale": 1}},
    }
    if zero_terminal_snr:  # sigma-space samplers need a finite sigma_max; keep the VP families
        s = {k: v for k, v in s.items() if v["family"] in ("ddpm", "ddim")}
        s["ddim"] = {"family": "ddim", "eta": 0, "spacing": "trailing"}
    return s


def main(subject_class=None, config=None):
    config = dict(config or {})
    if "--config" in sys.argv:
        config.update(json.loads(sys.argv[sys.argv.index("--config") + 1]))
    subject = (subject_class or SamplerSubject)(config)
    ops = {"schedule": subject.op_schedule, "sample": subject.op_sample}
    serve(subject.hello(), ops)


if __name__ == "__main__":
    main()
