#!/usr/bin/env python3
"""Golden bytes of the released X-WAM policy-server protocol for tests/serve/ServeProtocolTest.cpp.

Reads compute_seed() and resize_and_center_crop_tensor() out of evaluation/policy_server.py of a
git checkout of github.com/sharinka0715/X-WAM given on the command line (only those two functions are
executed: the module itself imports zmq, lightning and the model), and writes to tests/serve/fixtures/:

  request_p{2,3,4,5}.pkl   a request as the released RoboTwin/RoboCasa clients build it (float32 video
                           in [-1, 1], float64 proprios), pickled by Python at that protocol
  request_u8_p4.pkl        the same with a uint8 video
  result_p2.pkl            a result dict of float64 arrays, pickle.dumps(result, protocol=2)
  error_p2.pkl             an error result, pickle.dumps({"error": ...}, protocol=2)
  bad_*.pkl                requests the server must refuse (three views, four channels, NaN proprios,
                           an object array, a forbidden global, a numpy scalar global, no step_id)
  serve_golden.json        what those hold, the seed of a few (env_rank, rollout_id, step_id), and one
                           preprocessed view (float32; the released server casts to bfloat16 first)

  python3 tests/serve/serve_golden.py /path/to/X-WAM/.git [OUT_DIR]            # numpy 1.x + torch
  python3 tests/serve/serve_golden.py /path/to/X-WAM/.git [OUT_DIR] --numpy2   # under numpy 2:
      writes request_np2_p{2,5}.pkl only (numpy 2 spells its globals numpy._core.*)

Needs numpy, and torch for the preprocessing (Debian's python3-torch 1.13 works); torchvision is not
needed: TF.resize / TF.crop are what they call for tensors (F.interpolate without antialias, slicing).
"""
import ast
import json
import os
import pickle
import subprocess
import sys
import types

import numpy as np

VIEWS, HEIGHT, WIDTH = 2, 8, 12
VIDEO_SIZE = [10, 14]  # a model video size (height, width) for the preprocessing fixture


def released_functions(checkout):
    """compute_seed and resize_and_center_crop_tensor from the released policy_server.py."""
    if os.path.isdir(os.path.join(checkout, "evaluation")):
        source = open(os.path.join(checkout, "evaluation", "policy_server.py")).read()
    else:
        source = subprocess.check_output(["git", "-C", checkout, "show", "HEAD:evaluation/policy_server.py"], text=True)
    tree = ast.parse(source)
    wanted = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in ("compute_seed", "resize_and_center_crop_tensor")]
    assert len(wanted) == 2, "policy_server.py no longer defines compute_seed and resize_and_center_crop_tensor"
    namespace = {"hashlib": __import__("hashlib")}
    try:
        import torch
        import torch.nn.functional as F

        def resize(t, size, interpolation=None, antialias=False):
            # torchvision's tensor resize: F.interpolate on a batch, align_corners=False, no antialias here
            assert interpolation == "bilinear" and not antialias
            batch = t.unsqueeze(0) if t.dim() == 3 else t
            out = F.interpolate(batch, size=list(size), mode="bilinear", align_corners=False)
            return out.squeeze(0) if t.dim() == 3 else out

        def crop(img, top, left, h, w):
            return img[..., top:top + h, left:left + w]

        TF = types.SimpleNamespace(resize=resize, crop=crop,
                                   InterpolationMode=types.SimpleNamespace(BILINEAR="bilinear", NEAREST_EXACT="nearest-exact"))
        namespace.update(torch=torch, TF=TF)
    except ImportError:
        pass
    exec(compile(ast.Module(body=wanted, type_ignores=[]), "policy_server.py", "exec"), namespace)
    return namespace["compute_seed"], namespace["resize_and_center_crop_tensor"]


def request_values():
    i = np.arange(VIEWS * HEIGHT * WIDTH * 3)
    pixels = ((i * 37 + 11) % 256).astype(np.uint8).reshape(VIEWS, HEIGHT, WIDTH, 3)
    proprios = np.array([0.1 * k - 0.7 for k in range(16)], dtype=np.float64)
    return pixels, proprios


def request(video, proprios):
    return {
        "env_rank": 1,
        "rollout_id": 2,
        "step_id": 3,
        "video": video,
        "proprios": proprios,
        "prompt": ["put the red cube in the bowl"],
        "cfg": 0.0,
    }


def main():
    checkout = sys.argv[1]
    args = [a for a in sys.argv[2:] if not a.startswith("--")]
    out = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
    os.makedirs(out, exist_ok=True)
    pixels, proprios = request_values()
    video = pixels.astype(np.float32) / 127.5 - 1.0  # as robotwin/robocasa clients send it

    def write(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    if "--numpy2" in sys.argv:
        assert np.__version__.startswith("2"), "--numpy2 needs numpy 2"
        for p in (2, 5):
            write(f"request_np2_p{p}.pkl", pickle.dumps(request(video, proprios), protocol=p))
        return

    compute_seed, preprocess = released_functions(checkout)
    for p in (2, 3, 4, 5):
        write(f"request_p{p}.pkl", pickle.dumps(request(video, proprios), protocol=p))
    write("request_u8_p4.pkl", pickle.dumps(request(pixels, proprios), protocol=4))

    result = {
        "proprios": np.array([[0.25 * k - 1.5 + 0.001 * f for k in range(16)] for f in range(2)], dtype=np.float64),
        "actions": np.array([[np.float64(1) / (3 + k + 7 * a) - 0.05 for k in range(7)] for a in range(4)], dtype=np.float64),
    }
    result["actions"][1, 2] = -0.0
    result["actions"][2, 3] = 1e300
    write("result_p2.pkl", pickle.dumps(result, protocol=2))
    error = {"error": "request: key 'video': expected 2 views, got 3 (é)"}
    write("error_p2.pkl", pickle.dumps(error, protocol=2))

    tiny = np.zeros((1, 2, 2, 3), dtype=np.float32)
    bad = {
        "views3": request(np.zeros((3, 2, 2, 3), dtype=np.float32), proprios),
        "rgba": request(np.zeros((2, 2, 2, 4), dtype=np.float32), proprios),
        "nan": request(tiny, np.full(16, np.nan)),
        "objects": request(np.array([[1, "x"]], dtype=object), proprios),
        "scalar": dict(request(tiny, proprios), cfg=np.float64(1.5)),
        "nostep": {k: v for k, v in request(tiny, proprios).items() if k != "step_id"},
    }
    for name, value in bad.items():
        write(f"bad_{name}.pkl", pickle.dumps(value, protocol=4))

    class Exploit:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    write("bad_exploit.pkl", pickle.dumps(dict(request(tiny, proprios), cfg=Exploit()), protocol=4))

    golden = {
        "request": {"env_rank": 1, "rollout_id": 2, "step_id": 3, "shape": [VIEWS, HEIGHT, WIDTH, 3],
                    "pixels": pixels.reshape(-1).tolist(), "proprios": proprios.tolist(),
                    "prompt": "put the red cube in the bowl", "cfg": 0.0},
        "result": {"proprios": result["proprios"].reshape(-1).tolist(), "actions": result["actions"].reshape(-1).tolist(),
                   "proprios_shape": list(result["proprios"].shape), "actions_shape": list(result["actions"].shape)},
        "error": error["error"],
        "seeds": [{"env_rank": e, "rollout_id": r, "step_id": s, "seed": compute_seed(e, r, s)}
                  for e, r, s in [(0, 0, 0), (1, 2, 3), (7, 13, 480), (31, 999, 12345)]],
        "numpy": np.__version__,
    }
    if "torch" in sys.modules:
        import torch
        rgb = torch.from_numpy(video).float().unsqueeze(0).permute(0, 1, 4, 2, 3)  # b v c h w
        pre = preprocess(rgb, VIDEO_SIZE, 0.95)[0].permute(0, 2, 3, 1).contiguous()  # v h w c
        golden["preprocess"] = {"video_size": VIDEO_SIZE, "crop_ratio": 0.95, "values": pre.reshape(-1).tolist()}
    with open(os.path.join(out, "serve_golden.json"), "w") as f:
        json.dump(golden, f)


if __name__ == "__main__":
    main()
