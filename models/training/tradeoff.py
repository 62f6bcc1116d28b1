"""The FER+ / original-label trade-off of candidate defaults, on the dev split only (PublicTest is not read).

    /usr/bin/python3 models/training/tradeoff.py --json /tmp/tradeoff.json

Each candidate is a net (or a mix of a FER+ net and the original-label net), seen through some views
(one, the mirror pair, or net.MultiView's six), with offsets added to the log-probabilities of
angry and fear (decision thresholds). For every candidate it prints the Pareto front over a grid of
offsets on the dev split: FER+ majority accuracy against the original labels' macro recall, with
anger and fear recall. The nets are the shipped ONNX models' (from_onnx.py), run in PyTorch float.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer_data import CLASSES, dev_mask, load_split, subset  # noqa: E402
from from_onnx import net_from_onnx, onnx_temperature  # noqa: E402
from net import MultiView  # noqa: E402
from scoring import predict  # noqa: E402

NETS = {  # name -> (ONNX file, arch)
    "2xs-s": ("models/emotion/fer-resnet-2xs-s-int8.onnx", "r-2xs-s"),
    "xs": ("models/emotion/fer-resnet-xs.onnx", "r-xs"),
    "xs-orig": ("models/emotion/fer-resnet-xs-orig-tta-int8.onnx", "r-xs"),
}
VIEWS = {"1": None, "2": (1.0,), "6": (1.0, 1.08, 0.93)}


def figures(pred: torch.Tensor, split) -> dict:
    fp = split.ferplus_labels != 255
    recall = [(pred[split.labels == c] == c).float().mean().item() for c in range(7)]
    return {"ferplus": (pred[fp] == split.ferplus_labels[fp]).float().mean().item(),
            "orig": (pred == split.labels).float().mean().item(),
            "macro": sum(recall) / 7, "recall": recall}


def pareto(points: list[dict]) -> list[dict]:
    """Points not beaten on both FER+ accuracy and macro recall, by FER+ accuracy descending."""
    front, best_macro = [], -1.0
    for p in sorted(points, key=lambda p: (-p["ferplus"], -p["macro"])):
        if p["macro"] > best_macro:
            front.append(p)
            best_macro = p["macro"]
    return front


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--views", default="1,2,6")
    ap.add_argument("--mix", default="0,0.15,0.3,0.45", help="shares of the original-label net in the mix")
    ap.add_argument("--extra", nargs="*", default=[], help="more FER+ nets as NAME=ONNX:ARCH")
    ap.add_argument("--json")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    train = load_split(args.data, "Training")
    dev = subset(train, dev_mask(args.data))
    nets = dict(NETS)
    for e in args.extra:
        name, spec = e.split("=")
        nets[name] = tuple(spec.split(":"))
    logp = {}
    for name, (path, arch) in nets.items():
        net, t = net_from_onnx(path, arch, None), onnx_temperature(path)
        for v in args.views.split(","):
            model = net if VIEWS[v] is None else MultiView(net, VIEWS[v])
            logp[name, v] = torch.log_softmax(predict(model, dev.images) / t, 1)
            f = figures(logp[name, v].argmax(1), dev)
            print(f"{name} x{v}: dev FER+ {f['ferplus']:.4f} orig {f['orig']:.4f} macro {f['macro']:.4f} "
                  f"angry {f['recall'][0]:.3f} fear {f['recall'][2]:.3f}", flush=True)
    grid = [i / 10 for i in range(0, 26)]
    out = {}
    for (name, v), lp in logp.items():
        if name == "xs-orig":
            continue
        for mix in [float(m) for m in args.mix.split(",")]:
            z = (1 - mix) * lp + mix * logp["xs-orig", v]
            points = []
            for ba in grid:
                for bf in grid:
                    b = torch.zeros(7)
                    b[0], b[2] = ba, bf
                    points.append({"angry": ba, "fear": bf, **figures((z + b).argmax(1), dev)})
            key = f"{name} x{v} mix {mix}"
            out[key] = front = pareto(points)
            base = points[0]
            print(f"\n{key}: no offsets FER+ {base['ferplus']:.4f} macro {base['macro']:.4f}; front:")
            for p in front:
                if p["ferplus"] < base["ferplus"] - 0.04:
                    break
                print(f"  FER+ {p['ferplus']:.4f} orig {p['orig']:.4f} macro {p['macro']:.4f} angry {p['recall'][0]:.3f} "
                      f"fear {p['recall'][2]:.3f} (offsets angry {p['angry']}, fear {p['fear']})")
    if args.json:
        json.dump({"classes": CLASSES, "devImages": len(dev.images), "fronts": out}, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
