"""BatchNorm recalibration: recompute the BN statistics for the EMA weights that ship.

    /usr/bin/python3 models/training/recalibrate.py --run models/runs/r-2xs-kd

During training the EMA net evaluates with the live net's BN running statistics (the last few
batches', momentum 0.1), which do not belong to the averaged weights; small nets show it as a
PublicTest accuracy that jumps by a point from epoch to epoch even at a tiny learning rate. This
recomputes exact statistics (a cumulative average, as SWA's `update_bn` does) over 12,800
augmented Training images, the distribution the weights were trained on, then refits the softmax
temperature. `train.py` does this at the end of every run; this script applies it to an existing
run (its `best.pt` is kept as `best-raw.pt`, once).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from augment import augment, settings  # noqa: E402
from engine_framing import both_framings, load_engine_crops  # noqa: E402
from fer_data import training_rows  # noqa: E402
from net import ExpressionNet, net_from_checkpoint  # noqa: E402
from scoring import accuracies, fit_temperature, predict  # noqa: E402

IMAGES = 12_800


@torch.no_grad()
def recalibrate_bn(net: ExpressionNet, images: torch.Tensor, seed: int = 0, count: int = IMAGES,
                   augmentation: dict | None = None) -> None:
    """Sets every BatchNorm's running mean and variance to their average over augmented images
    (`augmentation`: augment()'s keyword arguments, augment.settings() of the run; None: its defaults)."""
    bns = [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    momenta = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over all batches
    g = torch.Generator().manual_seed(seed)
    pick = torch.randperm(len(images), generator=g)[:count]
    net.train()
    for i in range(0, len(pick), 256):
        net(augment(images[pick[i : i + 256]].float() / 255, g, **(augmentation or {})))
    for m, momentum in zip(bns, momenta):
        m.momentum = momentum
    net.eval()


def recalibrate_run(run: str, train_images: torch.Tensor, val, count: int = IMAGES,
                    augmentation: dict | None = None) -> tuple[dict, dict, float, dict | None]:
    """Recalibrates a run's selected checkpoint (kept as best-raw.pt) into best.pt.

    Returns its accuracies on `val` before and after, the softmax temperature fitted after on the
    FER+ majority labels, and for a two-head net its original-label head's: {"temperature" (fitted
    on the original labels), "acc" (its original-label figures)}, else None."""
    best, raw = os.path.join(run, "best.pt"), os.path.join(run, "best-raw.pt")
    if not os.path.exists(raw):
        shutil.copy(best, raw)
    ck = torch.load(raw)
    net = net_from_checkpoint(ck)
    recalibrate_bn(net, train_images, count=count, augmentation=augmentation)  # as the run was trained
    logits = predict(net, val.images)
    after = accuracies(logits, val)
    torch.save({**ck, "ema": net.state_dict(), "acc": after, "bnRecalibrated": True}, best)
    fp = val.ferplus_labels != 255
    orig = None
    if net.orig_head is not None:
        orig_logits = predict(net, val.images, head="orig")
        acc = accuracies(orig_logits, val)
        orig = {"temperature": fit_temperature(orig_logits, val.labels.long()),
                "acc": {k: acc[k] for k in ("orig", "origMacro", "origRecall")}}
    return ck["acc"], after, fit_temperature(logits[fp], val.ferplus_labels[fp]), orig


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--run", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dev", action="store_true",
                    help="a train.py --dev run: statistics from Training without the dev split, temperatures fitted on it")
    ap.add_argument("--from-last", action="store_true",
                    help="take the run's last epoch (last.pt's EMA weights) as its selection instead of best.pt: for a "
                         "run started from weights that were trained on the dev split, whose first epochs still "
                         "remember it and so win the dev selection")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    train, keep, val = training_rows(args.data, args.dev)
    name = "dev" if args.dev else "PublicTest"
    summary_path = os.path.join(args.run, "summary.json")
    summary = json.load(open(summary_path))
    if args.from_last:
        last = torch.load(os.path.join(args.run, "last.pt"))
        torch.save({"ema": last["ema"], "arch": summary["arch"], "acc": last["history"][-1]},
                   os.path.join(args.run, "best.pt"))
        if os.path.exists(os.path.join(args.run, "best-raw.pt")):
            os.remove(os.path.join(args.run, "best-raw.pt"))
        summary["best"] = {"epoch": last["epoch"], "selectedAs": "the last epoch (--from-last)", **last["history"][-1]}
    images = train.images[keep]
    framing = summary.get("args", {}).get("engine_framing")
    if framing:  # a net trained on both framings gets its statistics from both (train.py does the same)
        crops, found = load_engine_crops(framing, train.images)
        images = both_framings(images, crops[keep], found[keep])
    before, after, temperature, orig = recalibrate_run(args.run, images, val,
                                                       augmentation=settings(summary.get("args", {})))
    summary.update({"temperature": temperature, "bnRecalibration": {"images": IMAGES, "before": before, "after": after}})
    if orig:
        summary["temperatureOrig"], summary["bnRecalibration"]["afterOrigHead"] = orig["temperature"], orig["acc"]
    json.dump(summary, open(summary_path, "w"), indent=1)
    print(f"{args.run}: {name} {before} -> {after}; temperature {temperature:.3f}"
          + (f", original-label head {summary['bnRecalibration']['afterOrigHead']} temperature {summary['temperatureOrig']:.3f}"
             if "temperatureOrig" in summary else ""))


if __name__ == "__main__":
    main()
