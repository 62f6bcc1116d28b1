"""Export a trained checkpoint to ONNX, with the parity fixture and the model card.

    /usr/bin/python3 models/training/export.py --run models/runs/r-s --name fer-resnet-s

With --multi-view the graph averages the net's logits over zoomed and mirrored views of each face
(net.MultiView: test-time augmentation, six times the MACs), and the softmax temperature is fitted
again, on PublicTest, for those averaged logits.

Writes models/emotion/<name>.onnx, models/emotion/<name>.json (the card; measured metrics are
filled in later by `npm run eval -- --update-card`), and models/emotion/<name>.parity.json
(random inputs and the PyTorch probabilities for them, checked by `npm test`).
With --random ARCH it exports an untrained network (for speed benchmarks only).
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
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine_framing import CROP  # noqa: E402
from fer_data import CLASSES, dev_mask, load_split, subset  # noqa: E402
from ensemble import load_runs  # noqa: E402
from net import VIEW_SCALES, ExpressionNet, Exported, Gated, MultiView, count_macs  # noqa: E402
from scoring import fit_temperature, predict  # noqa: E402


def export_onnx(model: torch.nn.Module, path: str) -> None:
    model.eval()
    torch.onnx.export(
        model,
        torch.rand(1, 1, 48, 48),
        path,
        input_names=["input"],
        output_names=["probabilities"],
        dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}},
        opset_version=17,
        do_constant_folding=True,
    )


def fuse_batchnorm(net: nn.Module) -> None:
    """Folds every BatchNorm that follows a Conv2d (in the same Sequential) into the conv, in place."""
    for seq in net.modules():
        if not isinstance(seq, nn.Sequential):
            continue
        for i in range(len(seq) - 1):
            if isinstance(seq[i], nn.Conv2d) and isinstance(seq[i + 1], nn.BatchNorm2d):
                seq[i] = torch.nn.utils.fusion.fuse_conv_bn_eval(seq[i], seq[i + 1])
                seq[i + 1] = nn.Identity()


def round_to_half(net: nn.Module) -> None:
    """Rounds every weight to the nearest float16 value, so storing them as float16 loses nothing."""
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(p.half().float())


def store_weights_as_half(path: str) -> None:
    """Stores float32 initializers that are exactly float16 values as float16, cast back on load.

    Halves the file (the download users wait for); ONNX Runtime folds the Cast nodes away when the
    session is created, so inference runs in float32 exactly as before.
    """
    model = onnx.load(path)
    graph = model.graph
    casts, kept = [], []
    for init in graph.initializer:
        w = numpy_helper.to_array(init)
        half = w.astype(np.float16)
        if w.dtype != np.float32 or w.size < 64 or not np.array_equal(half.astype(np.float32), w):
            kept.append(init)
            continue
        kept.append(numpy_helper.from_array(half, init.name + "_fp16"))
        casts.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], to=onnx.TensorProto.FLOAT,
                                      name=init.name + "_cast"))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def parity_fixture(model: torch.nn.Module, x: torch.Tensor) -> dict:
    """The parity fixture that `npm test` checks the ONNX model against: inputs and PyTorch's probabilities."""
    with torch.no_grad():
        y = model(x)
    return {"shape": list(x.shape), "input": [round(v, 7) for v in x.flatten().tolist()],
            "probabilities": [[round(v, 7) for v in row] for row in y.tolist()]}


SELECTION = {
    "sum": "FER+ majority accuracy + original accuracy",
    "ferplus": "FER+ majority accuracy",
    "orig": "original-label accuracy",
    "ferplus+origmacro": "FER+ majority accuracy + original-label macro recall",
}


def training_card(summary: dict) -> dict:
    """The card's "training" section, from the arguments the run recorded in its summary.json."""
    a = summary.get("args", {})
    w = a.get("ferplus_weight", 0.7)
    labels = (f"{w:g} x FER+ vote distribution + {1 - w:g} x original FER2013 one-hot label" if w > 0
              else "the original FER2013 one-hot label")
    if a.get("teacher"):
        t = a["teacher_weight"]
        targets = f"soft: {1 - t:g} x ({labels}) + {t:g} x the probabilities of a teacher ensemble ({a['teacher']})"
    else:
        targets = f"soft: {labels}" if w > 0 else labels
    # Every argument the run recorded, as train.py's flags (the teacher's weight only with a teacher).
    flags = {f"--{k.replace('_', '-')}": v for k, v in a.items()
             if v is not None and not (k == "teacher_weight" and not a.get("teacher"))}
    return {
        "data": "FER2013 Training split (28,709 images; rows that FER+ marks as not-a-face left out)",
        "targets": targets,
        "selection": f"best epoch on {'the dev split of FER2013 Training (fer_data.dev_mask, not trained on)' if a.get('dev') else 'FER2013 PublicTest'} ({SELECTION[a.get('select', 'sum')]})"
                     + (", its BatchNorm statistics recomputed on 12,800 augmented Training images (recalibrate.py)"
                        if "bnRecalibrated" in summary.get("best", {}) else "")
                     + f"; softmax temperature fitted on {'the dev split' if a.get('dev') else 'PublicTest'}",
        "epochs": len(summary.get("history", [])),
        "minutes": round(summary.get("train_minutes", 0), 1),
        "command": "/usr/bin/python3 models/training/train.py "
                   + " ".join(f"{k} {v}" for k, v in flags.items() if v is not None),
    }


@torch.no_grad()
def multi_view_temperature(net: MultiView, data: str, select: str, dev: bool = False) -> float:
    """Temperature for the multi-view logits, fitted on PublicTest's (with `dev`, the dev split's) labels
    of the run's selection rule: the original labels for a run selected on them, the FER+ majority
    otherwise (as train.py)."""
    if dev:
        val = subset(load_split(data, "Training"), dev_mask(data))
    else:
        val = load_split(data, "PublicTest")
    logits = predict(net, val.images)
    if select == "orig":
        return fit_temperature(logits, val.labels.long())
    fp = val.ferplus_labels != 255
    return fit_temperature(logits[fp], val.ferplus_labels[fp].long())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", nargs="+", help="training output folder (best.pt, summary.json); several two-head --dev "
                                             "runs make one ensemble (net.Ensemble, with --gate)")
    ap.add_argument("--random", help="export an untrained net of this arch instead")
    ap.add_argument("--name", required=True)
    ap.add_argument("--out-dir", default="models/emotion")
    ap.add_argument("--multi-view", action="store_true",
                    help="average the logits of %d zoomed and mirrored views inside the graph" % (2 * len(VIEW_SCALES)))
    ap.add_argument("--view-scales", default=",".join(str(s) for s in VIEW_SCALES),
                    help="with --multi-view: the zooms, each also mirrored (1 = the face and its mirror only)")
    ap.add_argument("--dev", action="store_true",
                    help="fit --multi-view's temperature on the dev split (fer_data.dev_mask), not PublicTest")
    ap.add_argument("--class-offsets",
                    help="offsets added to the scaled logits before the softmax, as CLASS=VALUE,... (e.g. "
                         "angry=0.5,fear=0.8; chosen on the dev split with models/eval/protocol.mjs)")
    ap.add_argument("--gate", type=float,
                    help="a two-head run (train.py --orig-head): the FER+ head's top probability below which the "
                         "original-label head takes over (net.Gated; chosen on the dev split with gate.py)")
    ap.add_argument("--sharpness", type=float, default=20.0, help="with --gate: how sharply the heads hand over")
    ap.add_argument("--mirror", action="store_true", help="with --gate: average each head over the face and its mirror")
    ap.add_argument("--data", default="../shared/data/fer2013", help="FER2013 folder (for --multi-view's temperature)")
    args = ap.parse_args()
    offsets = None
    if args.class_offsets:
        given = dict(kv.split("=") for kv in args.class_offsets.split(","))
        assert set(given) <= set(CLASSES), f"--class-offsets: classes are {CLASSES}"
        offsets = [float(given.get(c, 0)) for c in CLASSES]
    scales = tuple(float(v) for v in args.view_scales.split(","))
    os.makedirs(args.out_dir, exist_ok=True)

    if args.random:
        net, temperature, summary = ExpressionNet(args.random), 1.0, {}
    else:
        net, summary = load_runs(args.run, args.data)
        temperature = summary["temperature"]
    runs = " ".join(os.path.relpath(r) for r in args.run or [])
    two_heads = getattr(net, "orig_head", True) is not None  # an Ensemble is of two-head nets
    assert (args.gate is not None) == two_heads, "--gate is for (and needed by) two-head runs"
    assert args.gate is None or not args.multi_view, "--gate takes --mirror, not --multi-view"
    params = sum(p.numel() for p in net.parameters())
    mmacs = round(count_macs(net) / 1e6, 2)
    net.eval()
    fuse_batchnorm(net)
    round_to_half(net)
    views = None
    if args.multi_view:
        net = MultiView(net, scales).eval()
        views = net.views
        mmacs = round(mmacs * views, 2)
        temperature = multi_view_temperature(net, args.data, summary.get("args", {}).get("select", "sum"), args.dev)
    heads = None
    if args.gate is not None:
        heads = {"gate": args.gate, "sharpness": args.sharpness, "mirror": args.mirror,
                 "temperatureOrig": round(summary["temperatureOrig"], 4)}
        model = Gated(net, temperature, summary["temperatureOrig"], args.gate, args.sharpness, offsets,
                      args.mirror).eval()
        if args.mirror:
            views, scales, mmacs = 2, (1.0,), round(mmacs * 2, 2)
    else:
        model = Exported(net, temperature, offsets).eval()
    onnx_path = os.path.join(args.out_dir, f"{args.name}.onnx")
    export_onnx(model, onnx_path)
    store_weights_as_half(onnx_path)

    if args.random:
        print(onnx_path)
        return

    # Parity fixture: random inputs plus two real-looking ones (a flat grey and a gradient).
    g = torch.Generator().manual_seed(1234)
    x = torch.rand(4, 1, 48, 48, generator=g)
    x[2] = 0.5
    x[3] = torch.linspace(0, 1, 48).view(1, 1, 48).expand(1, 48, 48)
    json.dump(parity_fixture(model, x), open(os.path.join(args.out_dir, f"{args.name}.parity.json"), "w"))

    card_path = os.path.join(args.out_dir, f"{args.name}.json")
    card = json.load(open(card_path)) if os.path.exists(card_path) else {}
    card.update({
        "name": args.name,
        "task": "facial-expression-classification",
        "file": f"{args.name}.onnx",
        "format": "onnx",
        "opset": 17,
        "input": {
            "name": "input",
            "layout": "NCHW",
            "dtype": "float32",
            "width": 48,
            "height": 48,
            "channels": 1,
            "colorSpace": "grayscale",
            "grayscaleWeights": [0.299, 0.587, 0.114],
            "normalization": {"scale": 1 / 255, "mean": [0.0], "std": [1.0]},
            "note": "Pixels in [0, 1]. The graph standardises each image itself (zero mean, unit variance).",
        },
        "crop": {
            "reference": "face-box",
            "align": "eyes",
            "scale": CROP["scale"],
            "offsetY": CROP["offsetY"],
            "note": "Square crop centred on the detector's box, side = scale x max(box width, height), "
                    "shifted down by offsetY x side (up when negative), rotated so the eyes are level: "
                    "FER2013's framing, as measured against MediaPipe's box on Training faces "
                    "(npm run eval:pipeline -- --split Training).",
        },
        "output": {"name": "probabilities", "kind": "probabilities", "labels": CLASSES},
        "architecture": {"name": summary.get("arch"), "parameters": params,
                         "mmacs": mmacs, "weights": "float16 (cast to float32 on load)",
                         "temperature": round(temperature, 4)},
        # A run rebuilt from a shipped model (from_onnx.py) carries that model's training section.
        "training": summary.get("training") or training_card(summary),
    })
    if heads:
        card["architecture"]["heads"] = {
            **heads,
            "note": "Two heads on the same features: one trained on the FER+ votes, one on the original FER2013 "
                    "labels. The output is the FER+ head's calibrated probabilities, mixed towards the "
                    "original-label head's (its own temperature, temperatureOrig) by the weight "
                    "sigmoid(sharpness x (gate - the FER+ head's top probability)): where the crowd's head is "
                    "unsure, the single annotator's strong calls (anger, fear) decide. The gate was chosen on "
                    "the dev split (gate.py)" + ("; each head's logits are averaged over the face and its mirror" if args.mirror else "") + ".",
            "command": f"/usr/bin/python3 models/training/export.py --run {runs} --name {args.name} "
                       f"--gate {args.gate:g}" + (f" --sharpness {args.sharpness:g}" if args.sharpness != 20 else "")
                       + (" --mirror" if args.mirror else "") + (f" --class-offsets {args.class_offsets}" if offsets else ""),
        }
    else:
        card["architecture"].pop("heads", None)
    if "members" in summary:
        card["architecture"]["ensemble"] = {
            "members": len(summary["members"]),
            "note": "Nets trained apart on the same data, run side by side in one graph: each head's logits, divided "
                    "by that net's own temperature, are averaged over the nets (net.Ensemble); the temperatures above "
                    "are fitted on the dev split for those averages. parameters and mmacs count every net.",
        }
        card["training"] = {"ensemble": [training_card(json.load(open(os.path.join(r, "summary.json"))))
                                         for r in summary["members"]],
                            "minutes": round(summary["train_minutes"], 1)}
    else:
        card["architecture"].pop("ensemble", None)
    if offsets:
        card["architecture"]["classOffsets"] = {
            "values": dict(zip(CLASSES, offsets)),
            "note": "Added to the temperature-scaled logits before the softmax (in the graph): decision thresholds "
                    "that make the model name clear anger and fear, chosen on the dev split "
                    "(models/eval/protocol.mjs --curve), never on PublicTest.",
            "command": f"--class-offsets {args.class_offsets}",
        }
    else:
        card["architecture"].pop("classOffsets", None)
    card.update({
        "terms": "FER2013 (Goodfellow et al., 2013, Kaggle ICML 2013 challenge) has no stated licence and is "
                 "commonly used for research; the FER+ votes (Barsoum et al., 2016) are MIT-licensed by Microsoft. "
                 "Review these terms before commercial use of this model.",
        "intendedUse": [
            "Live, on-device estimation of the facial expression shown by a face (angry, disgust, fear, happy, "
            "sad, surprise, neutral), e.g. for user-facing feedback, accessibility aids, media annotation and "
            "research prototypes, with the user's knowledge.",
        ],
        "limitations": [
            "A facial expression is not a feeling: the model reads the configuration of a face, not what a person "
            "feels, intends or is. Do not use it to infer emotions, personality, honesty, health or intent, and "
            "never for decisions about people (hiring, education, policing, insurance, credit).",
            "Trained on FER2013: 48x48 grayscale web images, mostly posed or exaggerated expressions of adults, "
            "with unknown and unbalanced demographics (ages, skin tones, cultures). Accuracy is lower on "
            "subtle, spontaneous expressions, children, the elderly, and under-represented groups; it has not "
            "been audited for bias.",
            "'disgust' has few training examples (about 1.5% of FER2013) and the lowest recall; 'fear' and "
            "'sad' are often confused with each other and with 'neutral'.",
            "Needs a roughly frontal face of at least about 40 pixels; profiles, occlusion (masks, hands), "
            "strong blur and extreme lighting degrade it.",
            "Probabilities are calibrated on FER2013 PublicTest (temperature scaling); on other data they are "
            "less reliable.",
        ],
    })
    if summary.get("args", {}).get("ferplus_weight", 0.7) == 0:
        card["limitations"].append(
            "Trained to reproduce the original FER2013 labels, each one annotator's call, for comparison with the "
            "FER2013 literature: where ten FER+ annotators overrule that label (about a third of the faces) it "
            "follows the single annotator, so it agrees with the FER+ majority far less often than the default "
            "model does. Use the default model for anything but that comparison.")
    if views and heads:
        card["architecture"]["views"] = {
            "count": views, "scales": list(scales), "mirrored": True,
            "note": "The face and its mirror in one batch inside the graph (each head's logits averaged); the engine "
                    "then ignores flipAverage. mmacs counts both views.",
        }
    elif views:
        card["limitations"].append(
            f"Runs the net on {views} views of each face, so it takes {views} times as long as the same net on one "
            "view: meant for photos and offline evaluation, not for many faces in live video.")
        card["architecture"]["views"] = {
            "count": views, "scales": list(scales), "mirrored": True,
            "note": f"Test-time augmentation inside the graph: the logits of {views} views of each face (zoomed "
                    f"by each scale about the centre, as is and mirrored) are averaged, then divided by the "
                    f"temperature (fitted again for the averaged logits{' on the dev split' if args.dev else ''}). "
                    f"mmacs counts all {views} views.",
            "command": f"/usr/bin/python3 models/training/export.py --run {runs} --name {args.name} --multi-view"
                       + (f" --view-scales {args.view_scales}" if scales != VIEW_SCALES else "")
                       + (" --dev" if args.dev else "")
                       + (f" --class-offsets {args.class_offsets}" if offsets else ""),
        }
    else:
        card["architecture"].pop("views", None)
    json.dump(card, open(card_path, "w"), indent=2)
    print(onnx_path, card_path)


if __name__ == "__main__":
    main()
