"""Two-head runs as one net (net.Ensemble), its averaged heads' temperatures fitted on the dev split.

    from ensemble import load_runs
    net, summary = load_runs(["models/runs/dev-xs", "models/runs/dev-xs-b"], data)

One run gives its own net and summary.json unchanged. Several must all be `train.py --dev --orig-head`
runs: their temperatures were fitted on the dev split, and so are the ensemble's (PublicTest is not read).
"""
from __future__ import annotations

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer_data import dev_mask, load_split, subset  # noqa: E402
from net import Ensemble, ExpressionNet, net_from_checkpoint  # noqa: E402
from scoring import fit_temperature, predict  # noqa: E402


def load_run(run: str) -> tuple[ExpressionNet, dict]:
    ck = torch.load(os.path.join(run, "best.pt"))
    return net_from_checkpoint(ck).eval(), json.load(open(os.path.join(run, "summary.json")))


@torch.no_grad()
def load_runs(runs: list[str], data: str) -> tuple[ExpressionNet | Ensemble, dict]:
    """The net of one run, or the Ensemble of several with a summary of its own: "temperature" and
    "temperatureOrig" (fitted on the dev split for the averaged heads), "members" (the runs) and the
    first run's "args", "arch" and "training" figures for the card."""
    if len(runs) == 1:
        return load_run(runs[0])
    loaded = [load_run(r) for r in runs]
    for run, (net, summary) in zip(runs, loaded):
        assert net.orig_head is not None, f"{run}: an ensemble is of two-head runs (train.py --orig-head)"
        assert summary.get("args", {}).get("dev"), f"{run}: an ensemble is of --dev runs (its temperatures are fitted on dev)"
    ens = Ensemble([n for n, _ in loaded], [s["temperature"] for _, s in loaded],
                   [s["temperatureOrig"] for _, s in loaded]).eval()
    val = subset(load_split(data, "Training"), dev_mask(data))
    zf, zo = predict(ens, val.images), predict(ens, val.images, head="orig")
    fp = val.ferplus_labels != 255
    first = loaded[0][1]
    return ens, {**first, "arch": ens.arch, "members": list(runs),
                 "temperature": fit_temperature(zf[fp], val.ferplus_labels[fp].long()),
                 "temperatureOrig": fit_temperature(zo, val.labels.long()),
                 "train_minutes": sum(s.get("train_minutes", 0) for _, s in loaded)}
