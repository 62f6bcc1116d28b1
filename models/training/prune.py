"""Channel pruning of a trained residual net into a narrower one of the same depth (warm start).

    /usr/bin/python3 models/training/prune.py --run models/runs/r-xs-kd --arch r-2xs --out models/runs/r-2xs-init

Keeps, in every stage, the channels with the largest BatchNorm scales (|gamma|, summed over the
BatchNorms that write the channel), and slices every weight to them. The result is a checkpoint
(`best.pt`) for `train.py --init`, which then fine-tunes it, best with `--teacher` (distillation).
Only for the r-* nets with one residual block per stage, to narrower widths; a stage of the new
arch with 0 blocks drops that stage's block (its shortcut carries the signal alone).
"""
from __future__ import annotations

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from net import ARCHS, ExpressionNet  # noqa: E402


def keep(scores: torch.Tensor, n: int) -> torch.Tensor:
    return scores.topk(n).indices.sort().values


def channel_sets(sd: dict[str, torch.Tensor], arch: str) -> tuple[dict[str, tuple[torch.Tensor, torch.Tensor]], dict[str, str]]:
    """For each conv of the new net (by state-dict prefix): the input and output channels to keep,
    and where its weights come from in the old net (a stage with 0 blocks drops the old block)."""
    stem, stages = ARCHS[arch]
    assert all(blocks in (0, 1) for _, blocks in stages), "at most one residual block per stage"
    g = lambda key: sd[key].abs()  # noqa: E731
    sets: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    source: dict[str, str] = {}
    prev = keep(g("features.0.1.weight"), stem)
    sets["features.0.0"], source["features.0"] = (torch.arange(1), prev), "features.0"
    new = 1
    for k, (width, blocks) in enumerate(stages):
        down, res = f"features.{2 * k + 1}", f"features.{2 * k + 2}"  # the old net: one block per stage
        # The stage's channels are written by the strided conv and by the block's second conv (the Add).
        out = keep(g(f"{down}.1.weight") + g(f"{res}.b.1.weight"), width)
        sets[f"features.{new}.0"], source[f"features.{new}"] = (prev, out), down
        new += 1
        if blocks:
            inner = keep(g(f"{res}.a.1.weight"), width)
            sets[f"features.{new}.a.0"] = (out, inner)
            sets[f"features.{new}.b.0"] = (inner, out)
            source[f"features.{new}"] = res
            new += 1
        prev = out
    sets["head"], source["head"] = (prev, torch.arange(sd["head.weight"].shape[0])), "head"
    return sets, source


def prune(sd: dict[str, torch.Tensor], arch: str) -> dict[str, torch.Tensor]:
    sets, source = channel_sets(sd, arch)
    out = {}
    for key in ExpressionNet(arch).state_dict():
        module = key.split(".")[0] if key.startswith("head") else ".".join(key.split(".")[:2])
        w = sd[source[module] + key[len(module):]]
        owner, leaf = key.rsplit(".", 1)
        if owner in sets:  # a conv or the head: slice outputs (dim 0) and inputs (dim 1)
            cin, cout = sets[owner]
            out[key] = w[cout][:, cin] if w.dim() > 1 else w[cout]
        elif owner.endswith(".1") and owner[:-2] + ".0" in sets:  # the BatchNorm after a conv
            out[key] = w if leaf == "num_batches_tracked" else w[sets[owner[:-2] + ".0"][1]]
        else:
            out[key] = w
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True, help="training run with the trained best.pt")
    ap.add_argument("--arch", required=True, help="the narrower arch (net.py ARCHS)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    ck = torch.load(os.path.join(args.run, "best.pt"))
    sd = prune(ck["ema"], args.arch)
    ExpressionNet(args.arch).load_state_dict(sd)  # shapes check
    os.makedirs(args.out, exist_ok=True)
    torch.save({"ema": sd, "arch": args.arch, "from": args.run}, os.path.join(args.out, "best.pt"))
    print(os.path.join(args.out, "best.pt"))


if __name__ == "__main__":
    main()
