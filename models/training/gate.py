"""Choose how a two-head run (train.py --orig-head) mixes its heads, on the dev split only.

    /usr/bin/python3 models/training/gate.py --run models/runs/gh-2xs-s [--mirror] [--drop 1]
    /usr/bin/python3 models/training/gate.py --run models/runs/dev-xs models/runs/dev-xs-b --mirror   # an ensemble

net.Gated ships the FER+ head's probabilities where that head's top probability is above the gate and
the original-label head's below it; offsets on angry and fear then move the decision thresholds. For
every gate (0 = the FER+ head alone, 1.01 = the original-label head alone) this prints the dev split's
FER+ majority accuracy, the original labels' macro recall and anger and fear recall without offsets,
and the front over the offsets (0 to 2.5 in steps of 0.1, as models/eval/protocol.mjs --curve); then
the pick: the gate and offsets with the most dev macro recall at a dev FER+ accuracy at most --drop
points below the FER+ head alone; and the most dev FER+ accuracy at which issue 21's three recall
targets hold together. PublicTest is never read.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer_data import CLASSES, training_rows  # noqa: E402
from balance import log_prior, posthoc  # noqa: E402
from ensemble import load_runs  # noqa: E402
from net import Gated  # noqa: E402
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
def head_logits(model: Gated, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each head's logits for every image (mirror-averaged as `model` does): the sweep then only mixes."""
    parts = [model.heads(images[i : i + 512].float() / 255) for i in range(0, len(images), 512)]
    return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])


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


TARGETS = {"angry": 0.60, "fear": 0.30, "origMacro": 0.62}


def all_targets(rows: list[dict]) -> dict | None:
    """The gate and offsets with the most dev FER+ accuracy among those that meet every recall target."""
    ok = [{"gate": r["gate"], **g} for r in rows for g in r["grid"] if all(g[k] >= v for k, v in TARGETS.items())]
    return max(ok, key=lambda g: (g["ferplus"], g["origMacro"])) if ok else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True, nargs="+", help="a two-head run, or several (their ensemble)")
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--mirror", action="store_true", help="each head's logits averaged over the face and its mirror")
    ap.add_argument("--sharpness", type=float, default=20.0)
    ap.add_argument("--drop", type=float, default=1.0, help="FER+ points the pick may give up, against the FER+ head alone")
    ap.add_argument("--floor", type=float, help="instead of --drop: the least dev FER+ accuracy (%%) the pick may have")
    ap.add_argument("--orig-adjust", type=float, default=0.0,
                    help="post-hoc logit adjustment of the original-label head (balance.py): tau x the log of "
                         "the training rows' label shares taken off its logits, as a head trained with "
                         "train.py --orig-head-adjust learns to; for comparing the two on dev")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", help="write every gate's sweep here")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    net, summary = load_runs(args.run, args.data)
    assert getattr(net, "orig_head", True) is not None, f"{args.run[0]} has one head (train.py --orig-head trains two)"
    train, kept, val = training_rows(args.data, dev=True)
    if len(args.run) > 1:
        print(f"ensemble of {len(args.run)}: temperatures fitted on dev {summary['temperature']:.3f} (FER+ head), "
              f"{summary['temperatureOrig']:.3f} (original-label head)", flush=True)
    model = Gated(net, summary["temperature"], summary["temperatureOrig"], 0.0, args.sharpness, mirror=args.mirror).eval()
    zf, zo = head_logits(model, val.images)
    if args.orig_adjust:
        # zo is divided by the head's temperature in mix(); the shift is meant after it.
        zo = posthoc(zo, log_prior(train.labels[kept]) * summary["temperatureOrig"], args.orig_adjust)
        print(f"original-label head adjusted after training, tau {args.orig_adjust}", flush=True)

    rows, best = [], None
    floor = None
    for gate in GATES:
        model.gate.fill_(gate)
        with torch.no_grad():
            probs = model.mix(zf, zo)
        plain = figures(probs, val)
        if floor is None:
            # gate 0: the FER+ head alone
            floor = args.floor / 100 if args.floor is not None else plain["ferplus"] - args.drop / 100
        grid = sweep(probs, val)
        rows.append({"gate": gate, "plain": plain, "grid": grid})
        ok = [g for g in grid if g["ferplus"] >= floor]
        pick = max(ok, key=lambda g: (g["origMacro"], g["ferplus"])) if ok else None
        if pick and (best is None or pick["origMacro"] > best["origMacro"]):
            best = {"gate": gate, **pick}
        print(f"gate {gate:4.2f}: plain FER+ {100 * plain['ferplus']:.1f} macro {100 * plain['origMacro']:.1f} "
              f"anger {100 * plain['angry']:.1f} fear {100 * plain['fear']:.1f}"
              + (f" | best at FER+ >= {100 * floor:.1f}: FER+ {100 * pick['ferplus']:.1f} macro {100 * pick['origMacro']:.1f} "
                 f"anger {100 * pick['angry']:.1f} fear {100 * pick['fear']:.1f} (offsets {pick['angry_offset']}, "
                 f"{pick['fear_offset']})" if pick else ""), flush=True)
    print(f"pick (dev, FER+ at least {100 * floor:.1f}%): {json.dumps(best)}")
    reach = all_targets(rows)
    print("issue 21's three recall targets at once (anger >= 60, fear >= 30, macro >= 62%), the most FER+: "
          + (json.dumps(reach) if reach else "nowhere on the grid"))
    if args.json:
        json.dump({"run": args.run, "temperature": summary["temperature"],
                   "temperatureOrig": summary["temperatureOrig"], "mirror": args.mirror, "origAdjust": args.orig_adjust,
                   "sharpness": args.sharpness, "rows": rows, "pick": best, "allTargets": reach},
                  open(args.json, "w"))


if __name__ == "__main__":
    main()
