"""Static int8 quantisation (QDQ) of an exported residual expression net, for faster WASM inference.

    /usr/bin/python3 models/training/quantize.py --run models/runs/r-xs-ft \
        --onnx models/emotion/fer-resnet-xs.onnx --name fer-resnet-xs-int8

Writes models/emotion/<name>.onnx, its card (the float model's, with the quantisation described and
no metrics: `npm run eval -- --update-card --runtime web --model ...` measures them) and its parity
fixture: real PublicTest faces with the float PyTorch net's probabilities, and the tolerance that
int8 rounding needs.

Weights: int8, symmetric, one scale per output channel. Activations: uint8, one scale per tensor,
from the 0.03% and 99.97% quantiles over 2,000 Training images (run through the PyTorch net).
Every activation that a Conv or an Add reads gets a QuantizeLinear/DequantizeLinear pair, so ONNX
Runtime fuses each Conv (+ ReLU) into QLinearConv and each residual Add into QLinearAdd. The input
standardisation, the stem conv, the pooling, the head and the softmax stay float32: an int8 conv
with one input channel ran slower in onnxruntime-web than the whole rest of the int8 net (im2col
with K = 9 per pixel at 48x48), while the float stem costs 0.33 MMACs.
Only for the residual (r-*) nets: int8 depthwise convolutions ran slower than float ones in
onnxruntime-web 1.30.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer_data import CLASSES, load_split  # noqa: E402
from export import parity_fixture  # noqa: E402
from ensemble import load_runs  # noqa: E402
from net import Ensemble, ExpressionNet, Exported, Gated, MultiView  # noqa: E402

# How far the int8 model's probabilities may be from the float PyTorch net's on the parity faces.
# Measured for fer-resnet-xs-int8: 0.022 at most in onnxruntime-node (0.028 with an int8 stem, the
# same in -web). A broken scale or zero point moves them by tenths.
PARITY_TOLERANCE = 0.05


def onnx_tensor(module: str, scope: str = "/net") -> str:
    """The ONNX name of a module's output, as torch.onnx names it (BN folded into the conv before it).
    `scope` is the net's place in the exported graph: /net in Exported, /net/net in a MultiView."""
    p = module.split(".")  # features.I[.a|.b|.relu][.K]
    i = p[1]
    if p[-1] == "relu":
        return f"{scope}/features/features.{i}/relu/Relu_output_0"
    if len(p) == 3:
        return f"{scope}/features/features.{i}/features.{i}.{p[2]}/Relu_output_0"
    if p[2] == "b":  # the second conv of a residual block (its BatchNorm, folded): no ReLU before the Add
        return f"{scope}/features/features.{i}/b/b.0/Conv_output_0"
    return f"{scope}/features/features.{i}/{p[2]}/{p[2]}.{p[3]}/Relu_output_0"


def calibrate(net: ExpressionNet | MultiView, images: torch.Tensor, tail: float = 3e-4,
              scope: str | None = None) -> dict[str, tuple[float, float]]:
    """Activation ranges over the given images; for a MultiView, over all of their views. `scope`: the
    net's place in the graph when not the default (Gated calls the net's method `both`, so its layers
    sit at the graph's top level: scope "")."""
    samples: dict[str, list[torch.Tensor]] = {}
    if scope is None:
        scope = "/net/net" if isinstance(net, MultiView) else "/net"

    def keep(name: str):
        return lambda _m, _i, out: samples.setdefault(onnx_tensor(name, scope), []).append(out.detach().flatten())

    inner = net.net if isinstance(net, MultiView) else net
    for name, m in inner.named_modules():
        if isinstance(m, torch.nn.ReLU) or (isinstance(m, torch.nn.BatchNorm2d) and name.endswith(".b.1")):
            m.register_forward_hook(keep(name))
    net.eval()
    with torch.no_grad():
        for i in range(0, len(images), 250):
            x = images[i : i + 250].float() / 255
            net(x)
    g = torch.Generator().manual_seed(0)
    ranges = {}
    for name, parts in samples.items():
        v = torch.cat(parts)
        v = v[torch.randperm(len(v), generator=g)[:2_000_000]].sort().values
        lo, hi = float(v[int(len(v) * tail)]), float(v[max(0, int(len(v) * (1 - tail)) - 1)])
        ranges[name] = (min(lo, 0.0), max(hi, 0.0))
    return ranges


def quantize(src: str, dst: str, ranges: dict[str, tuple[float, float]]) -> None:
    model = onnx.load(src)
    graph = model.graph
    init = {i.name: i for i in graph.initializer}
    # Weights stored as float16 + Cast (export.py): back to float32 initializers first.
    floats = {}
    for n in list(graph.node):
        if n.op_type == "Cast" and n.input[0] in init:
            floats[n.output[0]] = numpy_helper.to_array(init[n.input[0]]).astype(np.float32)
            graph.node.remove(n)
    for name, i in init.items():
        if not name.endswith("_fp16"):
            floats[name] = numpy_helper.to_array(i)
    producer = {o: n for n in graph.node for o in n.output}
    readers: dict[str, list] = {}
    for n in graph.node:
        for i in n.input:
            readers.setdefault(i, []).append(n)
    missing = [t for t in ranges if t not in producer]
    assert not missing, f"no such tensors in {src}: {missing}"

    new_init, after, scale = [], {}, {}
    for t, (lo, hi) in ranges.items():
        s = (hi - lo) / 255 or 1.0
        zp = int(np.clip(round(-lo / s), 0, 255))
        scale[t] = s
        new_init += [numpy_helper.from_array(np.array(s, np.float32), t + "_scale"),
                     numpy_helper.from_array(np.array(zp, np.uint8), t + "_zero")]
        for r in readers.get(t, []):
            r.input[:] = [t + "_dq" if i == t else i for i in r.input]
        after[producer[t].name] = [
            helper.make_node("QuantizeLinear", [t, t + "_scale", t + "_zero"], [t + "_q"], name=t + "_Q"),
            helper.make_node("DequantizeLinear", [t + "_q", t + "_scale", t + "_zero"], [t + "_dq"], name=t + "_DQ"),
        ]
    weights = []
    for n in graph.node:
        if n.op_type != "Conv" or not n.input[0].endswith("_dq"):
            continue  # a conv whose input stays float (the stem, see calibrate) keeps float weights
        w_name, b_name = n.input[1], n.input[2]
        w, b = floats.pop(w_name), floats.pop(b_name)
        sw = np.abs(w).reshape(len(w), -1).max(1) / 127
        sw[sw == 0] = 1
        sb = (scale[n.input[0].removesuffix("_dq")] * sw).astype(np.float32)
        new_init += [
            numpy_helper.from_array(np.clip(np.round(w / sw[:, None, None, None]), -127, 127).astype(np.int8), w_name + "_q"),
            numpy_helper.from_array(sw.astype(np.float32), w_name + "_scale"),
            numpy_helper.from_array(np.zeros(len(sw), np.int8), w_name + "_zero"),
            numpy_helper.from_array(np.round(b / sb).astype(np.int32), b_name + "_q"),
            numpy_helper.from_array(sb, b_name + "_scale"),
            numpy_helper.from_array(np.zeros(len(sb), np.int32), b_name + "_zero"),
        ]
        weights += [
            helper.make_node("DequantizeLinear", [w_name + "_q", w_name + "_scale", w_name + "_zero"], [w_name + "_dq"], axis=0),
            helper.make_node("DequantizeLinear", [b_name + "_q", b_name + "_scale", b_name + "_zero"], [b_name + "_dq"], axis=0),
        ]
        n.input[1], n.input[2] = w_name + "_dq", b_name + "_dq"
    nodes = weights + [x for n in graph.node for x in [n, *after.get(n.name, [])]]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend([numpy_helper.from_array(v, k) for k, v in floats.items()] + new_init)
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def int8_parity_fixture(net: ExpressionNet | MultiView, temperature: float, images: torch.Tensor,
                        offsets: list[float] | None = None, heads: dict | None = None) -> dict:
    """Real faces (int8 error on random noise says little), the float net's probabilities, the tolerance."""
    model = (Gated(net, temperature, heads["temperatureOrig"], heads["gate"], heads["sharpness"], offsets, heads["mirror"])
             if heads else Exported(net, temperature, offsets))
    fixture = parity_fixture(model.eval(), images.float() / 255)
    return {**fixture, "reference": "the float32 PyTorch net this int8 model was quantised from",
            "tolerance": PARITY_TOLERANCE}


def write_card(card: dict, path: str, name: str, run: str, calibration_images: int, tail: float) -> None:
    """Writes the int8 model's card: `card` (the float model's, changed in place) with the quantisation."""
    float_onnx = card["file"]
    views = card["architecture"].get("views")
    card.pop("metrics", None)  # measured again by eval --update-card
    card.pop("default", None)
    if os.path.exists(path) and json.load(open(path)).get("default") is True:
        card["default"] = True  # this card stays the engine's default
    card.update({"name": name, "file": f"{name}.onnx"})
    card["architecture"]["weights"] = "int8 (per output channel); activations uint8 (per tensor)"
    card["quantization"] = {
        "method": "static, QuantizeLinear/DequantizeLinear pairs; ONNX Runtime fuses them into QLinearConv and QLinearAdd",
        "from": float_onnx,
        "calibration": f"{calibration_images} FER2013 Training images"
                       + (f" ({calibration_images * views['count']} views)" if views else "")
                       + f", activation range from the {tail:g} to the {1 - tail:g} quantile (chosen on PublicTest among 0, 1e-5, 1e-4 and 3e-4)",
        "float32": ("the view resampling (MatMul), " if views else "")
                   + "the input standardisation, the stem conv (one input channel), the pooling, the head and the softmax",
        "command": f"/usr/bin/python3 models/training/quantize.py --run {run} --onnx models/emotion/{float_onnx} --name {name}"
                   + (f" --images {calibration_images}" if calibration_images != 2000 else "")
                   + (f" --tail {tail:g}" if tail != 3e-4 else ""),
        "note": "Built for the WASM backend, where int8 runs faster than float (1.5-1.8x for the shipped models); "
                "on WebGPU a float export of the same run is the better choice.",
    }
    json.dump(card, open(path, "w"), indent=2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--run", required=True, nargs="+", help="the training run the ONNX model was exported from "
                                                             "(several: the ensemble's runs, as given to export.py)")
    ap.add_argument("--onnx", required=True, help="the exported float model (its card is read from beside it)")
    ap.add_argument("--name", required=True)
    ap.add_argument("--out-dir", default="models/emotion")
    ap.add_argument("--images", type=int, default=2000, help="Training images for calibration")
    ap.add_argument("--tail", type=float, default=3e-4,
                    help="activation range: this quantile to 1 - it (chosen on PublicTest among 0, 1e-5, 1e-4, 3e-4)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    net, summary = load_runs(args.run, args.data)
    assert all(m.arch.startswith("r-") for m in (net.members() if isinstance(net, Ensemble) else [net])), \
        "only the residual nets: int8 depthwise convolutions are slower in WASM"
    float_card = json.load(open(args.onnx.removesuffix(".onnx") + ".json"))
    # A two-head export (export.py --gate) is calibrated on the net alone: its mirror, if any, is one
    # more view of the same faces, so the ranges of the plain views stand for both.
    heads = float_card["architecture"].get("heads")
    if "views" in float_card["architecture"] and not heads:
        # A multi-view export (export.py --multi-view): its temperature is the one fitted for the views.
        net = MultiView(net, tuple(float_card["architecture"]["views"]["scales"])).eval()
        temperature = float_card["architecture"]["temperature"]
    else:
        temperature = summary["temperature"]
    train = load_split(args.data, "Training")
    pick = torch.randperm(len(train.images), generator=torch.Generator().manual_seed(1))[: args.images]
    out = os.path.join(args.out_dir, f"{args.name}.onnx")
    if isinstance(net, Ensemble):  # each member's activations, in its own scope of the graph
        ranges = {k: v for i, m in enumerate(net.members()) for k, v in calibrate(m, train.images[pick], args.tail, f"/nets.{i}").items()}
    else:
        ranges = calibrate(net, train.images[pick], args.tail, "" if heads else None)
    quantize(args.onnx, out, ranges)
    val = load_split(args.data, "PublicTest")
    offsets = float_card["architecture"].get("classOffsets", {}).get("values")
    offsets = [offsets[c] for c in CLASSES] if offsets else None
    json.dump(int8_parity_fixture(net, temperature, val.images[:4], offsets, heads), open(os.path.join(args.out_dir, f"{args.name}.parity.json"), "w"))
    write_card(float_card, os.path.join(args.out_dir, f"{args.name}.json"), args.name,
               " ".join(os.path.relpath(r) for r in args.run), args.images, args.tail)
    print(out)


if __name__ == "__main__":
    main()
