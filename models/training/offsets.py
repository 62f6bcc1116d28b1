"""Per-class decision offsets baked into a shipped ONNX model: a new model, same weights.

    /usr/bin/python3 models/training/offsets.py --onnx models/emotion/fer-resnet-2xs-s-int8.onnx \
        --class-offsets angry=0.5,fear=0.8 --name fer-resnet-2xs-s-af-int8

Inserts one Add before the graph's final Softmax, so the model outputs softmax(logits / T + offsets):
the plain model's probabilities times exp(offsets), renormalised. The offsets are decision thresholds
(they move the model along the FER+ / original-label trade-off, models/README.md) and are chosen on
the dev split (`npm run eval:protocol -- --curve`, or tradeoff.py), never on PublicTest. The engine
needs nothing: it runs the graph as any other. The weights are untouched (an int8 model is not
quantised again). Writes <name>.onnx, its card (the source card with `architecture.classOffsets`,
without the source's metrics: measure them with eval / eval:protocol --update-card) and its parity
fixture (the source fixture's probabilities reweighted the same way, which is exact).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer_data import CLASSES  # noqa: E402


def parse_offsets(text: str) -> list[float]:
    given = dict(kv.split("=") for kv in text.split(","))
    unknown = set(given) - set(CLASSES)
    if unknown:
        raise SystemExit(f"--class-offsets: unknown classes {sorted(unknown)} (classes: {CLASSES})")
    return [float(given.get(c, 0)) for c in CLASSES]


def add_offsets(src: str, dst: str, offsets: list[float]) -> None:
    model = onnx.load(src)
    graph = model.graph
    softmax = [n for n in graph.node if n.op_type == "Softmax" and n.output[0] == graph.output[0].name]
    assert len(softmax) == 1, f"{src}: no Softmax writes the output {graph.output[0].name}"
    s = softmax[0]
    assert not any(i.name == "class_offsets" for i in graph.initializer), f"{src} has offsets already"
    graph.initializer.append(numpy_helper.from_array(np.array(offsets, np.float32).reshape(1, -1), "class_offsets"))
    add = helper.make_node("Add", [s.input[0], "class_offsets"], ["offset_logits"], name="class_offsets_Add")
    s.input[0] = "offset_logits"
    nodes = list(graph.node)
    nodes.insert(nodes.index(s), add)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def reweight(probs: list[list[float]], offsets: list[float]) -> list[list[float]]:
    p = np.array(probs, np.float64) * np.exp(np.array(offsets, np.float64))
    return [[round(v, 7) for v in row] for row in (p / p.sum(1, keepdims=True)).tolist()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True, help="a shipped model (its card and parity fixture beside it)")
    ap.add_argument("--class-offsets", required=True, help="CLASS=VALUE,... (classes left out get 0)")
    ap.add_argument("--name", required=True)
    ap.add_argument("--chosen", default="on the dev split", help="how the offsets were chosen, for the card")
    ap.add_argument("--out-dir", default="models/emotion")
    args = ap.parse_args()
    offsets = parse_offsets(args.class_offsets)
    base = args.onnx.removesuffix(".onnx")
    card = json.load(open(base + ".json"))
    fixture = json.load(open(base + ".parity.json"))
    os.makedirs(args.out_dir, exist_ok=True)
    out = os.path.join(args.out_dir, args.name)
    add_offsets(args.onnx, out + ".onnx", offsets)
    fixture["probabilities"] = reweight(fixture["probabilities"], offsets)
    json.dump(fixture, open(out + ".parity.json", "w"))
    source = card["name"]
    for key in ("metrics", "default"):
        card.pop(key, None)
    card.update({"name": args.name, "file": f"{args.name}.onnx"})
    card["architecture"]["classOffsets"] = {
        "values": dict(zip(CLASSES, offsets)),
        "from": f"{source}.onnx (same weights)",
        "note": "Added to the temperature-scaled logits before the softmax (one Add in the graph): decision "
                f"thresholds that make the model name clear anger and fear, chosen {args.chosen}, never on PublicTest.",
        "command": f"/usr/bin/python3 models/training/offsets.py --onnx models/emotion/{source}.onnx "
                   f"--class-offsets {args.class_offsets} --name {args.name}",
    }
    json.dump(card, open(out + ".json", "w"), indent=2)
    print(out + ".onnx")


if __name__ == "__main__":
    main()
