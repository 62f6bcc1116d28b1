"""Soft targets from an ensemble of trained nets, for knowledge distillation (Hinton et al., 2015).

Averages the members' probabilities over each image and its mirror image, on Training (the targets
that `train.py --teacher` blends in) and on PublicTest (to report how good the teacher is).

    /usr/bin/python3 models/training/teacher.py --runs models/runs/r-xs-ft models/runs/ds-s-ft2 \
        --out models/runs/teacher.pt
"""
from __future__ import annotations

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer_data import dev_mask, load_split, subset  # noqa: E402
from net import net_from_checkpoint  # noqa: E402
from scoring import accuracies, predict  # noqa: E402


def ensemble_probs(runs: list[str], images: torch.Tensor) -> torch.Tensor:
    total = torch.zeros(len(images), 7)
    for run in runs:
        ck = torch.load(os.path.join(run, "best.pt"))
        net = net_from_checkpoint(ck)
        # predict(tta=True) averages the logits of the image and its mirror.
        total += torch.softmax(predict(net, images, tta=True), 1)
    return total / len(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--runs", nargs="+", required=True, help="run folders, each with a best.pt")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dev", action="store_true", help="report on the dev split (fer_data.dev_mask), not PublicTest")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    train = load_split(args.data, "Training")
    probs = ensemble_probs(args.runs, train.images)
    if args.dev:
        dev = dev_mask(args.data)
        val_name, val, val_probs = "the dev split", subset(train, dev), probs[dev]
    else:
        val_name, val = "PublicTest", load_split(args.data, "PublicTest")
        val_probs = ensemble_probs(args.runs, val.images)
    val_acc = accuracies(val_probs.log(), val)
    print(f"teacher on {val_name}: FER+ {val_acc['ferplus']:.4f}, original {val_acc['orig']:.4f}, "
          f"original macro recall {val_acc['origMacro']:.4f}", flush=True)
    train_acc = accuracies(probs.log(), train)
    print(f"teacher on Training: FER+ {train_acc['ferplus']:.4f}, original {train_acc['orig']:.4f}", flush=True)
    torch.save({"probs": probs, "runs": args.runs, "validation": val_name, "validationAccuracy": val_acc, "training": train_acc}, args.out)


if __name__ == "__main__":
    main()
