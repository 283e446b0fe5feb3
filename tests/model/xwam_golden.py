#!/usr/bin/env python3
"""Reference outputs of the released X-WAM code for tests/model/XWamReferenceTest.cpp.

Runs the authors' own modules (XWAMModel of modules/wan_model.py, the inference loop of
XWAMRunner.forward in runners/xwam_runner.py with utils/fm_solvers_unipc.py, T5Encoder of
modules/t5.py) read from a git checkout of github.com/sharinka0715/X-WAM given on the command line,
on tiny configurations whose every parameter is pseudo-random (a 32-bit integer hash of the
parameter's sorted-name index and element index: the same formula as hashed_weights() in the C++
test, so the fixture holds no weights), and writes inputs and outputs to
tests/model/fixtures/xwam_reference.{safetensors,json}.

Shims stand in for what the released files import but these tiny float32 runs do not need
(diffusers' config/model mixins, lightning, flash/flex attention: attention here is exact float32
softmax(q·kᵀ/√d)·v, where the released attention() casts q, k, v to bf16 first).

  python3 tests/model/xwam_golden.py /path/to/X-WAM/.git [OUT_DIR]

Needs torch (Debian's python3-torch 1.13 works), numpy and einops.
"""
import inspect
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import types

import torch
import torch.nn as nn

MASK32 = 0xFFFFFFFF


def hashed_uniform(n, seed):
    """n values in [-1, 1) from a 32-bit integer hash of (element index, seed)."""
    h = (torch.arange(n, dtype=torch.int64) * 0x2545F491 + seed) & MASK32
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & MASK32
    h ^= h >> 12
    h = (h * 0x297A2D39) & MASK32
    h ^= h >> 15
    return h.to(torch.float64) / 2.0**31 - 1.0


def hashed_weights(module, bf16=False):
    """Every parameter, in sorted-name order k, from hashed_uniform(numel, k·1000003 + 12345)."""
    with torch.no_grad():
        for k, (name, p) in enumerate(sorted(module.named_parameters())):
            u = hashed_uniform(p.numel(), (k * 1000003 + 12345) & MASK32).reshape(p.shape)
            leaf = name.rsplit(".", 1)[-1]
            if leaf == "weight" and any(name.endswith(s) for s in ("norm_q.weight", "norm_k.weight", "norm1.weight",
                                                                 "norm2.weight", "norm3.weight", "norm.weight")):
                v = 1.0 + 0.2 * u
            elif leaf == "bias":
                v = 0.1 * u
            elif leaf == "modulation":
                v = 0.5 * u
            else:
                v = u * math.sqrt(3.0 / (p.numel() // p.shape[0]))
            v = v.float()
            if bf16:
                v = v.bfloat16().float()
            p.copy_(v)


def hashed_tensor(shape, seed, scale=1.0):
    return (scale * hashed_uniform(math.prod(shape), seed)).float().reshape(shape)


# ---- the released code, loaded from the checkout with shims for what it does not need here ----

def install_shims():
    def register_to_config(init):
        def wrapped(self, *args, **kwargs):
            bound = inspect.signature(init).bind(self, *args, **kwargs)
            bound.apply_defaults()
            self.config = types.SimpleNamespace(**{k: v for k, v in bound.arguments.items() if k != "self"})
            init(self, *args, **kwargs)
        return wrapped

    class ConfigMixin:
        def register_to_config(self, **kwargs):
            for k, v in kwargs.items():
                setattr(self.config, k, v)

    diffusers = types.ModuleType("diffusers")
    configuration_utils = types.ModuleType("diffusers.configuration_utils")
    configuration_utils.ConfigMixin = ConfigMixin
    configuration_utils.register_to_config = register_to_config
    modeling_utils = types.ModuleType("diffusers.models.modeling_utils")
    modeling_utils.ModelMixin = nn.Module
    scheduling_utils = types.ModuleType("diffusers.schedulers.scheduling_utils")
    scheduling_utils.KarrasDiffusionSchedulers = []
    scheduling_utils.SchedulerMixin = type("SchedulerMixin", (), {})
    scheduling_utils.SchedulerOutput = lambda prev_sample: types.SimpleNamespace(prev_sample=prev_sample)
    utils = types.ModuleType("diffusers.utils")
    utils.deprecate = lambda *a, **k: None
    utils.is_scipy_available = lambda: False
    for name, mod in {"diffusers": diffusers, "diffusers.configuration_utils": configuration_utils,
                      "diffusers.models": types.ModuleType("diffusers.models"),
                      "diffusers.models.modeling_utils": modeling_utils,
                      "diffusers.schedulers": types.ModuleType("diffusers.schedulers"),
                      "diffusers.schedulers.scheduling_utils": scheduling_utils,
                      "diffusers.utils": utils}.items():
        sys.modules[name] = mod

    def attention(q, k, v, causal=False, **_):  # [B, L, H, D] → [B, L, H, D], exact float32
        q, k, v = (t.transpose(1, 2).float() for t in (q, k, v))
        w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
        return (w @ v).transpose(1, 2).contiguous()

    attention_mod = types.ModuleType("modules.attention")
    attention_mod.attention = attention
    sys.modules["modules.attention"] = attention_mod
    tokenizers = types.ModuleType("modules.tokenizers")
    tokenizers.HuggingfaceTokenizer = None
    sys.modules["modules.tokenizers"] = tokenizers
    lightning = types.ModuleType("lightning")

    class LightningModule(nn.Module):
        device = torch.device("cpu")

    lightning.LightningModule = LightningModule
    sys.modules["lightning"] = lightning
    sys.modules["imageio"] = types.ModuleType("imageio")
    sys.modules["imageio.v2"] = types.ModuleType("imageio.v2")
    transformers = types.ModuleType("transformers")
    transformers.get_cosine_schedule_with_warmup = None
    sys.modules["transformers"] = transformers
    for name, attrs in {"modules.vae2_2": ["Wan2_2_VAE"], "utils.utils": ["sample_beta"]}.items():
        mod = types.ModuleType(name)
        for a in attrs:
            setattr(mod, a, None)
        sys.modules[name] = mod


def load_released(git_dir):
    commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    root = tempfile.mkdtemp(prefix="xwam-released-")
    archive = subprocess.run(["git", "--git-dir", git_dir, "archive", "HEAD", "modules/wan_model.py", "modules/t5.py",
                              "utils/fm_solvers_unipc.py", "runners/xwam_runner.py"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", root], input=archive, check=True)
    install_shims()
    torch.cuda.current_device = lambda: "cpu"  # a default argument in t5.py, evaluated at import
    loaded = {}
    for package, name in [("modules", "wan_model"), ("modules", "t5"), ("utils", "fm_solvers_unipc"),
                          ("runners", "xwam_runner")]:
        if package not in sys.modules:
            sys.modules[package] = types.ModuleType(package)
            sys.modules[package].__path__ = [os.path.join(root, package)]
        full = f"{package}.{name}"
        mod = types.ModuleType(full)
        mod.__package__ = package
        path = os.path.join(root, package, name + ".py")
        with open(path) as f:
            exec(compile(f.read(), path, "exec"), mod.__dict__)
        sys.modules[full] = mod
        loaded[name] = mod
    return loaded, commit


# ---- configurations and cases --------------------------------------------------------------------

CONFIGS = {
    # head_dim 32, 2 views, 1 action per frame, 3 latent frames
    "hd32": dict(dim=64, heads=2, ffn=96, layers=3, depth_layers=2, views=2, actions_per_frame=1, latent_frames=3,
                 latent_h=4, latent_w=4, in_dim=8, text_dim=16, text_len=6, freq_dim=32, bf16=False),
    # head_dim 48, 3 views, 2 actions per frame
    "hd48": dict(dim=96, heads=2, ffn=64, layers=3, depth_layers=2, views=3, actions_per_frame=2, latent_frames=2,
                 latent_h=4, latent_w=6, in_dim=8, text_dim=16, text_len=5, freq_dim=32, bf16=False),
    # head_dim 128 (the 5B model's), bf16-exact weights as a released bf16 checkpoint holds them
    "hd128": dict(dim=128, heads=1, ffn=64, layers=2, depth_layers=1, views=2, actions_per_frame=4, latent_frames=2,
                  latent_h=2, latent_w=4, in_dim=4, text_dim=8, text_len=4, freq_dim=16, bf16=True),
}
# (name, video t, action t, state t): asynchronous, actions done, synchronous.
FORWARD_CASES = [("async", 870.0, 556.0, 556.0), ("action_done", 412.0, 0.0, 0.0), ("sync", 733.0, 733.0, 733.0)]
# (name, config, action steps, video steps, cfg): cfg 0 = off, as the released runner.
SAMPLING_RUNS = [("xwam_10_50", "hd32", 10, 50, 0.0), ("xwam_4_12_cfg", "hd48", 4, 12, 2.5)]
# The tiny umT5 of tests/model/TextEncoderTest.cpp (its tokenizer has 100 pieces).
UMT5 = dict(vocab=100, dim=16, dim_attn=16, ffn=32, heads=2, layers=2, buckets=32)


def make_model(wan_model, c):
    model = wan_model.XWAMModel(model_type="ti2v", num_modalities=2, num_views=c["views"], patch_size=(1, 2, 2),
                                text_len=c["text_len"], in_dim=c["in_dim"], dim=c["dim"], ffn_dim=c["ffn"],
                                freq_dim=c["freq_dim"], text_dim=c["text_dim"], action_dim=14,
                                action_num=c["actions_per_frame"], proprio_dim=16, out_dim=c["in_dim"],
                                num_heads=c["heads"], num_layers=c["layers"], num_extra_layers=c["depth_layers"])
    hashed_weights(model, c["bf16"])
    return model.eval()


def sizes(c):
    frames = 1 + 4 * (c["latent_frames"] - 1)  # video frames of a sample
    return dict(V=c["views"], C=c["in_dim"], F=c["latent_frames"], h=c["latent_h"], w=c["latent_w"],
                K=(frames - 1) * c["actions_per_frame"], S=frames)


def released_forward(model, c, video, t_video, t_action, t_state, text, actions, states):
    """One call in the released layout; video and outputs in ours ([B, V, C, F, h, w])."""
    s = sizes(c)
    t = torch.full((1, s["F"]), t_video)
    t[:, 0] = 0
    ta = torch.full((1, s["K"]), t_action)
    tp = torch.full((1, s["S"]), t_state)
    tp[:, 0] = 0
    out_x, out_a, out_p, extras = model(x=video.permute(0, 2, 3, 1, 4, 5), t=t, context=text, actions=actions,
                                        t_actions=ta, proprios=states, t_proprios=tp, cfg=0.0, run_depth=True)
    return out_x.permute(0, 3, 1, 2, 4, 5), out_a, out_p, extras[0].permute(0, 3, 1, 2, 4, 5)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    git_dir = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
    released, commit = load_released(git_dir)
    torch.set_grad_enabled(False)
    tensors, meta = {}, {"released_commit": commit, "configs": CONFIGS, "forward_cases": [], "sampling_runs": [],
                         "umt5": UMT5}

    seed = 777
    for cname, c in CONFIGS.items():
        model = make_model(released["wan_model"], c)
        s = sizes(c)
        for case, tv, ta, tp in FORWARD_CASES:
            key = f"forward.{cname}.{case}"
            seed += 1
            video = hashed_tensor([1, s["V"], s["C"], s["F"], s["h"], s["w"]], seed)
            text = hashed_tensor([1, c["text_len"], c["text_dim"]], seed + 1000)
            actions = hashed_tensor([1, s["K"], 14], seed + 2000)
            states = hashed_tensor([1, s["S"], 16], seed + 3000)
            v, a, p, d = released_forward(model, c, video, tv, ta, tp, text, actions, states)
            tensors.update({f"{key}.in.video": video, f"{key}.in.text": text, f"{key}.in.actions": actions,
                            f"{key}.in.states": states, f"{key}.out.video": v, f"{key}.out.actions": a,
                            f"{key}.out.states": p, f"{key}.out.depth": d})
            meta["forward_cases"].append(dict(key=key, config=cname, t_video=tv, t_action=ta, t_state=tp))

    for run, cname, steps_a, steps_v, cfg in SAMPLING_RUNS:
        c = CONFIGS[cname]
        s = sizes(c)
        model = make_model(released["wan_model"], c)
        key = f"sampling.{run}"
        cond_video = hashed_tensor([1, s["V"], s["C"], 1, s["h"], s["w"]], 5000 + steps_v)
        s0 = hashed_tensor([1, 1, 16], 5100 + steps_v)
        text = hashed_tensor([1, c["text_len"], c["text_dim"]], 5200 + steps_v)
        empty_text = hashed_tensor([1, c["text_len"], c["text_dim"]], 5300 + steps_v)
        # gt latents in the released layout [B, C, T, V, h, w]: frame 0 the condition, the rest unused.
        gt = torch.zeros(1, s["C"], s["F"], s["V"], s["h"], s["w"])
        gt[:, :, 0] = cond_video[:, :, :, 0].permute(0, 2, 1, 3, 4)
        runner = released["xwam_runner"].XWAMRunner.__new__(released["xwam_runner"].XWAMRunner)
        nn.Module.__init__(runner)
        runner.config = types.SimpleNamespace(use_decoupled_inference=True, action_denoise_steps=steps_a,
                                              sample_steps=steps_v, flow_matching_num_train_timesteps=1000,
                                              time_shifting=5.0, use_depth=True)
        runner.run_depth = True
        runner.model = model
        runner.text_encoder = lambda prompts: empty_text.expand(len(prompts), -1, -1)
        runner._prepare_condition = lambda batch: (text, gt, None)
        batch = {"actions": torch.zeros(1, s["K"], 14), "proprios": s0.expand(1, s["S"], 16).clone()}
        noise_seed = 4242 + steps_v
        # The runner's own noise draws for this seed, kept so that the C++ run starts from the same noise.
        gen = torch.Generator().manual_seed(noise_seed)
        noise_video = torch.randn(gt.shape, generator=gen)
        noise_actions = torch.randn(batch["actions"].shape, generator=gen)
        noise_states = torch.randn(batch["proprios"].shape, generator=gen)
        x, a, p, d = runner.forward(batch, seeds=[noise_seed], early_stop=False, cfg=cfg)
        ours = lambda t: t.permute(0, 3, 1, 2, 4, 5)  # [B, C, T, V, h, w] → [B, V, C, T, h, w]
        tensors.update({f"{key}.in.cond_video": cond_video, f"{key}.in.s0": s0, f"{key}.in.text": text,
                        f"{key}.in.empty_text": empty_text,
                        f"{key}.in.noise_video": ours(noise_video)[:, :, :, 1:].contiguous(),
                        f"{key}.in.noise_actions": noise_actions, f"{key}.in.noise_states": noise_states[:, 1:].contiguous(),
                        f"{key}.out.video": ours(x)[:, :, :, 1:].contiguous(), f"{key}.out.actions": a,
                        f"{key}.out.states": p[:, 1:].contiguous(), f"{key}.out.depth": ours(d).contiguous()})
        meta["sampling_runs"].append(dict(key=key, config=cname, steps_action=steps_a, steps_video=steps_v, cfg=cfg))

    # umT5 encoder: every one of the padded rows is returned (X-WAM's T5EncoderModel does not trim).
    u = UMT5
    t5 = released["t5"].T5Encoder(vocab=u["vocab"], dim=u["dim"], dim_attn=u["dim_attn"], dim_ffn=u["ffn"],
                                  num_heads=u["heads"], num_layers=u["layers"], num_buckets=u["buckets"],
                                  shared_pos=False, dropout=0.0).eval()
    hashed_weights(t5)
    ids = torch.zeros(2, 12, dtype=torch.int64)
    mask = torch.zeros(2, 12, dtype=torch.int64)
    for b, n in enumerate([5, 9]):
        ids[b, :n] = (hashed_uniform(n, 6000 + b) * 30 + 33).long()
        ids[b, n - 1] = 1  # </s>
        mask[b, :n] = 1
    tensors.update({"umt5.in.ids": ids, "umt5.in.mask": mask, "umt5.out.context": t5(ids, mask)})

    write_safetensors(os.path.join(out_dir, "xwam_reference.safetensors"), tensors)
    with open(os.path.join(out_dir, "xwam_reference.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(f"wrote {len(tensors)} tensors from X-WAM {commit[:12]} to {out_dir}")


def write_safetensors(path, tensors):
    dtypes = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


if __name__ == "__main__":
    main()
