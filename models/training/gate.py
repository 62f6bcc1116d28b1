"""Choose how a two-head run (train.py --orig-head) mixes its heads, on the dev split only.

    /usr/bin/python3 models/training/gate.py --run models/runs/gh-2xs-s [--mirror] [--drop 1]

net.Gated ships the FER+ head's probabilities where that head's top probability is above the gate and
the original-label head's below it; offsets on angry and fear then move the decision thresholds. For
every gate (0 = the FER+ head alone, 1.01 = the original-label head alone) this prints the dev split's
FER+ majority accuracy, the original labels' macro recall and anger and fear recall without offsets,
and the front over the offsets (0 to 2.5 in steps of 0.1, as models/eval/protocol.mjs --curve); then
the pick: the gate and offsets with the most dev macro recall at a dev FER+ accuracy at most --drop
points below the FER+ head alone. PublicTest is never read.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer_data import CLASSES, dev_mask, load_split, subset  # noqa: E402
from net import ExpressionNet, Gated, net_from_checkpoint  # noqa: E402
from scoring import accuracies  # noqa: E402

GATES = [0.0] + [round(0.3 + 0.05 * i, 2) for i in range(14)] + [1.01]
OFFSETS = [round(0.1 * i, 1) for i in range(26)]
ANGRY, FEAR = CLASSES.index("angry"), CLASSES.index("fear")


def figures(scores: torch.Tensor, val) -> dict:
    """scoring.accuracies of the top class of `scores`, with anger and fear recall by name."""
    acc = accuracies(scores, val)
    return {"ferplus": acc["ferplus"], "origMacro": acc["origMacro"], "angry": acc["origRecall"][ANGRY],
            "fear": acc["origRecall"][FEAR], "orig": acc["orig"]}


@torch.no_grad()
def gated_probs(net: ExpressionNet, summary: dict, images: torch.Tensor, gate: float, mirror: bool,
                sharpness: float) -> torch.Tensor:
    model = Gated(net, summary["temperature"], summary["temperatureOrig"], gate, sharpness, mirror=mirror).eval()
    return torch.cat([model(images[i : i + 512].float() / 255) for i in range(0, len(images), 512)])


def sweep(probs: torch.Tensor, val) -> list[dict]:
    """Every offset pair (angry, fear) >= 0 on the grid, with its dev figures."""
    logp = probs.clamp_min(1e-12).log()
    out = []
    for a in OFFSETS:
        for f in OFFSETS:
            z = logp.clone()
            z[:, ANGRY] += a
            z[:, FEAR] += f
            out.append({"angry_offset": a, "fear_offset": f, **figures(z, val)})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--mirror", action="store_true", help="each head's logits averaged over the face and its mirror")
    ap.add_argument("--sharpness", type=float, default=20.0)
    ap.add_argument("--drop", type=float, default=1.0, help="FER+ points the pick may give up, against the FER+ head alone")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", help="write every gate's sweep here")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ck = torch.load(os.path.join(args.run, "best.pt"))
    summary = json.load(open(os.path.join(args.run, "summary.json")))
    net = net_from_checkpoint(ck).eval()
    assert net.orig_head is not None, f"{args.run} has one head (train.py --orig-head trains two)"
    val = subset(load_split(args.data, "Training"), dev_mask(args.data))

    rows, best = [], None
    floor = None
    for gate in GATES:
        probs = gated_probs(net, summary, val.images, gate, args.mirror, args.sharpness)
        plain = figures(probs, val)
        if floor is None:
            floor = plain["ferplus"] - args.drop / 100  # gate 0: the FER+ head alone
        grid = sweep(probs, val)
        rows.append({"gate": gate, "plain": plain, "grid": grid})
        ok = [g for g in grid if g["ferplus"] >= floor]
        pick = max(ok, key=lambda g: (g["origMacro"], g["ferplus"])) if ok else None
        if pick and (best is None or pick["origMacro"] > best["origMacro"]):
            best = {"gate": gate, **pick}
        print(f"gate {gate:4.2f}: plain FER+ {100 * plain['ferplus']:.1f} macro {100 * plain['origMacro']:.1f} "
              f"anger {100 * plain['angry']:.1f} fear {100 * plain['fear']:.1f}"
              + (f" | best within {args.drop} pt: FER+ {100 * pick['ferplus']:.1f} macro {100 * pick['origMacro']:.1f} "
                 f"anger {100 * pick['angry']:.1f} fear {100 * pick['fear']:.1f} (offsets {pick['angry_offset']}, "
                 f"{pick['fear_offset']})" if pick else ""), flush=True)
    print(f"pick (dev, FER+ at least {100 * floor:.1f}%): {json.dumps(best)}")
    if args.json:
        json.dump({"run": args.run, "mirror": args.mirror, "sharpness": args.sharpness, "rows": rows, "pick": best},
                  open(args.json, "w"))


if __name__ == "__main__":
    main()
