"""Soft targets from an ensemble of trained nets, for knowledge distillation (Hinton et al., 2015).

Averages the members' probabilities over each image and its mirror image, on Training (the targets
that `train.py --teacher` blends in) and on PublicTest (to report how good the teacher is). Where every
member has an original-label head (`train.py --orig-head`), that head's averaged probabilities are
written too ("origProbs", for `train.py --orig-teacher-weight`).

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


# What the teacher file calls each head's probabilities and accuracies (train.py reads "probs" and "origProbs").
KEYS = {"ferplus": ("probs", "validationAccuracy", "training"),
        "orig": ("origProbs", "origValidationAccuracy", "origTraining")}


def load_members(runs: list[str]) -> list[torch.nn.Module]:
    return [net_from_checkpoint(torch.load(os.path.join(run, "best.pt"))) for run in runs]


def ensemble_probs(nets: list[torch.nn.Module], images: torch.Tensor, head: str = "ferplus") -> torch.Tensor:
    """The members' mean probabilities of one head (predict(tta=True): each over the image and its mirror)."""
    total = torch.zeros(len(images), 7)
    for net in nets:
        total += torch.softmax(predict(net, images, tta=True, head=head), 1)
    return total / len(nets)


def heads_of(nets: list[torch.nn.Module]) -> list[str]:
    """The heads every member has: the FER+ head, and the original-label head where all have one."""
    return ["ferplus"] + (["orig"] if all(n.orig_head is not None for n in nets) else [])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--runs", nargs="+", required=True, help="run folders, each with a best.pt")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dev", action="store_true", help="report on the dev split (fer_data.dev_mask), not PublicTest")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    nets = load_members(args.runs)
    train = load_split(args.data, "Training")
    if args.dev:
        dev = dev_mask(args.data)
        val_name, val = "the dev split", subset(train, dev)
    else:
        val_name, val = "PublicTest", load_split(args.data, "PublicTest")
    out = {"runs": args.runs, "validation": val_name}
    for head in heads_of(nets):
        probs = ensemble_probs(nets, train.images, head)
        val_probs = probs[dev] if args.dev else ensemble_probs(nets, val.images, head)
        val_acc, train_acc = accuracies(val_probs.log(), val), accuracies(probs.log(), train)
        print(f"teacher's {head} head on {val_name}: FER+ {val_acc['ferplus']:.4f}, original {val_acc['orig']:.4f}, "
              f"original macro recall {val_acc['origMacro']:.4f}; on Training: FER+ {train_acc['ferplus']:.4f}, "
              f"original {train_acc['orig']:.4f}", flush=True)
        probs_key, val_key, train_key = KEYS[head]
        out.update({probs_key: probs, val_key: val_acc, train_key: train_acc})
    torch.save(out, args.out)


if __name__ == "__main__":
    main()
