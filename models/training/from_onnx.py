"""A shipped ONNX model's weights back in a PyTorch ExpressionNet, as a run folder train.py can start from.

    /usr/bin/python3 models/training/from_onnx.py --onnx models/emotion/fer-resnet-2xs-s-int8.onnx \
        --arch r-2xs-s --out models/runs/from-2xs-s-int8

The training checkpoints are not committed, so a later cycle starts from what ships. export.py folded
every BatchNorm into the conv before it (and quantize.py may have stored the conv weights as int8,
one scale per output channel): the conv weights come back as they are (dequantised), and each
BatchNorm is set so that it reproduces the folded conv's output both in eval mode and, with the batch
statistics of Training images, in training mode: running mean/var = the per-channel statistics of the
conv's output over Training images, weight = their standard deviation, bias = mean + the folded bias.
A net in a MultiView graph (`net.net.` names) works too. Writes <out>/best.pt ({"ema", "arch"}) and
<out>/summary.json (the card's temperature).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer_data import load_split  # noqa: E402
from net import ExpressionNet  # noqa: E402


def onnx_weights(path: str) -> dict[str, np.ndarray]:
    """Every float weight of the graph by its PyTorch name: float16 stored ones cast back, int8 ones dequantised."""
    model = onnx.load(path)
    init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    out = {}
    for name, v in init.items():
        if name.endswith("_fp16"):
            out[name[: -len("_fp16")]] = v.astype(np.float32)
        elif name.endswith("_q"):
            base = name[: -len("_q")]
            scale = init[base + "_scale"].astype(np.float32)
            zero = init[base + "_zero"].astype(np.float32)
            shape = (-1,) + (1,) * (v.ndim - 1) if scale.ndim else ()
            out[base] = (v.astype(np.float32) - zero.reshape(shape)) * scale.reshape(shape)
        elif v.dtype == np.float32 and not name.endswith(("_scale", "_zero")):
            out[name] = v
    prefix = "net.net." if any(k.startswith("net.net.") for k in out) else "net."
    return {k[len(prefix):]: v for k, v in out.items() if k.startswith(prefix)}


@torch.no_grad()
def net_from_onnx(path: str, arch: str, images: torch.Tensor | None) -> ExpressionNet:
    """The ONNX model's net (without its temperature) as an ExpressionNet with live BatchNorms.
    Without `images` the BatchNorms are exact in eval mode only (for inference)."""
    w = onnx_weights(path)
    net = ExpressionNet(arch).eval()
    convs = {n: m for n, m in net.named_modules() if isinstance(m, torch.nn.Conv2d)}
    unused = set(w)
    for name, conv in convs.items():
        conv.weight.copy_(torch.from_numpy(w[name + ".weight"].copy()))
        unused -= {name + ".weight"}
    net.head.weight.copy_(torch.from_numpy(w["head.weight"].copy()))
    net.head.bias.copy_(torch.from_numpy(w["head.bias"].copy()))
    unused -= {"head.weight", "head.bias"}
    # BatchNorms as identities plus the folded bias first, then the conv outputs' statistics.
    bns = {}
    for name in convs:
        bn_name = name[:-1] + str(int(name[-1]) + 1)  # "...0" (conv) -> "...1" (its BatchNorm)
        bn = net.get_submodule(bn_name)
        bias = torch.from_numpy(w[name + ".bias"].copy())
        unused -= {name + ".bias"}
        bn.weight.fill_(1.0)
        bn.bias.copy_(bias)
        bn.running_mean.zero_()
        bn.running_var.fill_(1.0 - bn.eps)
        bns[name] = (bn, bias)
    assert not unused, f"weights of {path} not used: {sorted(unused)}"
    if images is None:
        return net
    sums: dict[str, list] = {}

    def hook(name):
        def f(_m, _i, out):
            s = sums.setdefault(name, [0, 0.0, 0.0])
            y = out.double()
            s[0] += y.shape[0] * y.shape[2] * y.shape[3]
            s[1] += y.sum((0, 2, 3))
            s[2] += (y * y).sum((0, 2, 3))
        return f

    hooks = [conv.register_forward_hook(hook(n)) for n, conv in convs.items()]
    for i in range(0, len(images), 500):
        net(images[i : i + 500].float() / 255)
    for h in hooks:
        h.remove()
    for name, (bn, bias) in bns.items():
        n, s1, s2 = sums[name]
        mean = s1 / n
        var = (s2 / n - mean * mean).clamp_min(1e-6)
        bn.running_mean.copy_(mean.float())
        bn.running_var.copy_(var.float())
        bn.weight.copy_(torch.sqrt(var + bn.eps).float())
        bn.bias.copy_(mean.float() + bias)
    return net


def onnx_temperature(path: str) -> float:
    init = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    return float(1.0 / init["inv_t"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    train = load_split(args.data, "Training")
    g = torch.Generator().manual_seed(0)
    images = train.images[torch.randperm(len(train.images), generator=g)[:4000]]
    net = net_from_onnx(args.onnx, args.arch, images)
    os.makedirs(args.out, exist_ok=True)
    torch.save({"ema": net.state_dict(), "arch": args.arch, "acc": {}}, os.path.join(args.out, "best.pt"))
    # The shipped card's training section travels with the weights (export.py writes it into a new card).
    card = json.load(open(args.onnx.removesuffix(".onnx") + ".json"))
    summary = {"arch": args.arch, "temperature": onnx_temperature(args.onnx), "from_onnx": args.onnx,
               "training": card.get("training")}
    json.dump(summary, open(os.path.join(args.out, "summary.json"), "w"), indent=1)
    print(f"{args.onnx} -> {args.out}/best.pt (temperature {summary['temperature']:.4f})")


if __name__ == "__main__":
    main()
