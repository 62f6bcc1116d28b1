"""Export a trained checkpoint to ONNX, with the parity fixture and the model card.

    /usr/bin/python3 models/training/export.py --run models/runs/r-s --name fer-resnet-s

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

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer_data import CLASSES  # noqa: E402
from net import ExpressionNet, Exported, count_macs  # noqa: E402


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", help="training output folder (best.pt, summary.json)")
    ap.add_argument("--random", help="export an untrained net of this arch instead")
    ap.add_argument("--name", required=True)
    ap.add_argument("--out-dir", default="models/emotion")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    if args.random:
        net, temperature, summary = ExpressionNet(args.random), 1.0, {}
    else:
        ck = torch.load(os.path.join(args.run, "best.pt"))
        summary = json.load(open(os.path.join(args.run, "summary.json")))
        net = ExpressionNet(ck["arch"])
        net.load_state_dict(ck["ema"])
        temperature = summary["temperature"]
    model = Exported(net, temperature).eval()
    onnx_path = os.path.join(args.out_dir, f"{args.name}.onnx")
    export_onnx(model, onnx_path)

    if args.random:
        print(onnx_path)
        return

    # Parity fixture: random inputs plus two real-looking ones (a flat grey and a gradient).
    g = torch.Generator().manual_seed(1234)
    x = torch.rand(4, 1, 48, 48, generator=g)
    x[2] = 0.5
    x[3] = torch.linspace(0, 1, 48).view(1, 1, 48).expand(1, 48, 48)
    with torch.no_grad():
        y = model(x)
    parity = {"shape": list(x.shape), "input": [round(v, 7) for v in x.flatten().tolist()],
              "probabilities": [[round(v, 7) for v in row] for row in y.tolist()]}
    json.dump(parity, open(os.path.join(args.out_dir, f"{args.name}.parity.json"), "w"))

    params = sum(p.numel() for p in net.parameters())
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
            "scale": 1.25,
            "offsetY": 0.05,
            "note": "Square crop centred on the detector's box, side = scale x max(box width, height), "
                    "shifted down by offsetY x side, rotated so the eyes are level: FER2013's framing.",
        },
        "output": {"name": "probabilities", "kind": "probabilities", "labels": CLASSES},
        "architecture": {"name": summary.get("arch"), "parameters": params,
                         "mmacs": round(count_macs(net) / 1e6, 2),
                         "temperature": round(temperature, 4)},
        "training": {
            "data": "FER2013 Training split (28,709 images; rows that FER+ marks as not-a-face left out)",
            "targets": f"soft: {summary.get('args', {}).get('ferplus_weight')} x FER+ vote distribution + "
                       f"(1 - that) x original FER2013 one-hot label",
            "selection": "best epoch on FER2013 PublicTest (FER+ majority accuracy + original accuracy); "
                         "softmax temperature fitted on PublicTest",
            "epochs": len(summary.get("history", [])),
            "minutes": round(summary.get("train_minutes", 0), 1),
            "command": f"/usr/bin/python3 models/training/train.py --arch {summary.get('arch')} "
                       f"--out {args.run}",
        },
    })
    json.dump(card, open(card_path, "w"), indent=2)
    print(onnx_path, card_path)


if __name__ == "__main__":
    main()
