#!/usr/bin/env python3
"""Golden numbers for tests/model/VideoVaeTest.cpp, computed with Wan2.2's own vae2_2.py.

Runs Wan2.2's WanVAE_ (read from the Wan2.2 repository at $WAN22_REPO, a git dir) at the tiny and
demo preset sizes with deterministic weights (a sine pattern per parameter, in sorted-name order, the
same formula as the C++ test) on a deterministic video, and prints the numbers the C++ test compares
against. Needs a Python with torch (Debian's python3-torch 1.13 works); einops and
scaled_dot_product_attention are provided by small shims when missing.

  WAN22_REPO=/path/to/Wan2.2/.git /usr/bin/python3 tests/model/vae_golden.py
"""
import math
import os
import subprocess
import sys
import types

import torch
import torch.nn.functional as F


def rearrange(x, pattern, **sizes):
    """Minimal einops.rearrange: named axes, parenthesized groups, no ellipsis."""
    def parse(side):
        groups, cur, depth = [], None, 0
        for tok in side.replace("(", " ( ").replace(")", " ) ").split():
            if tok == "(":
                cur = []
            elif tok == ")":
                groups.append(cur)
                cur = None
            elif cur is not None:
                cur.append(tok)
            else:
                groups.append([tok])
        return groups

    lhs, rhs = (parse(s) for s in pattern.split("->"))
    known = dict(sizes)
    for group, size in zip(lhs, x.shape):
        unknown = [a for a in group if a not in known]
        prod = math.prod(known[a] for a in group if a in known)
        if unknown:
            known[unknown[0]] = size // prod
    elementary = [a for g in lhs for a in g]
    x = x.reshape([known[a] for a in elementary])
    order = [a for g in rhs for a in g]
    x = x.permute([elementary.index(a) for a in order])
    return x.reshape([math.prod(known[a] for a in g) for g in rhs])


def sdpa(q, k, v):
    attn = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    return attn @ v


def load_wan_vae_module():
    repo = os.environ.get("WAN22_REPO", "/work/.mirror/Wan-Video+Wan2.2/repo")
    src = subprocess.run(["git", "-C", repo, "show", "HEAD:wan/modules/vae2_2.py"], check=True,
                         capture_output=True, text=True).stdout
    if "einops" not in sys.modules:
        try:
            import einops  # noqa: F401
        except ImportError:
            sys.modules["einops"] = types.SimpleNamespace(rearrange=rearrange)
    if not hasattr(F, "scaled_dot_product_attention"):
        F.scaled_dot_product_attention = sdpa
    module = types.ModuleType("vae2_2")
    exec(compile(src, "vae2_2.py", "exec"), module.__dict__)
    return module


def set_deterministic_weights(model):
    # Same formula as deterministic_weights() in VideoVaeTest.cpp.
    with torch.no_grad():
        for k, (name, p) in enumerate(sorted(model.named_parameters())):
            v = torch.sin(0.731 * torch.arange(p.numel(), dtype=torch.float64) + 0.1 * k).reshape(p.shape)
            if name.endswith("gamma"):
                v = 1.0 + 0.2 * v
            elif name.endswith("bias"):
                v = 0.1 * v
            else:
                v = v * 1.5 / math.sqrt(p.numel() / p.shape[0])
            p.copy_(v.float())


def video(shape):
    n = math.prod(shape)
    return (0.9 * torch.sin(0.37 * torch.arange(n, dtype=torch.float64))).float().reshape(shape)


def fmt(t):
    return ", ".join(f"{v:.7g}f" for v in t.flatten().tolist())


def main():
    vae = load_wan_vae_module()
    presets = {
        "tiny": dict(dim=8, dec_dim=8, z_dim=4, dim_mult=[1, 1, 1], num_res_blocks=1,
                     temperal_downsample=[True, True], size=16),
        "demo": dict(dim=32, dec_dim=48, z_dim=16, dim_mult=[1, 2, 2, 2], num_res_blocks=1,
                     temperal_downsample=[False, True, True], size=32),
    }
    torch.set_grad_enabled(False)
    for name, c in presets.items():
        size = c.pop("size")
        model = vae.WanVAE_(attn_scales=[], dropout=0.0, **c).eval()
        set_deterministic_weights(model)
        captured = {}
        model.conv1.register_forward_hook(lambda m, i, o: captured.update(stats=o))
        x = video([1, 3, 9, size, size])
        mu = model.encode(x, [0.0, 1.0])
        log_var = captured["stats"].chunk(2, dim=1)[1]
        y = model.decode(mu, [0.0, 1.0]).clamp(-1, 1)
        print(f"// {name}: mu {list(mu.shape)}, decoded {list(y.shape)}")
        # Per (channel, latent frame) means and one weighted checksum per tensor.
        print(f"{name} mu_mean = {{{fmt(mu.mean(dim=(0, 3, 4)))}}};")
        print(f"{name} log_var_mean = {{{fmt(log_var.mean(dim=(0, 3, 4)))}}};")
        print(f"{name} decoded_mean = {{{fmt(y.mean(dim=(0, 3, 4)))}}};")
        print(f"{name} mu_first = {{{fmt(mu.flatten()[:8])}}};")
        print(f"{name} decoded_first = {{{fmt(y.flatten()[:8])}}};")


if __name__ == "__main__":
    main()
