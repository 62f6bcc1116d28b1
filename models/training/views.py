"""Test-time augmentation study: PublicTest accuracy of trained nets over sets of views of each face.

    /usr/bin/python3 models/training/views.py --runs models/runs/r-xs-orig-kd models/runs/r-xs-orig

For each run and each view set (one view; + mirror; shifts, zooms, or both, each also mirrored)
prints the original-label and FER+ majority accuracy of the views' mean probabilities, then the
same for all the runs together. The views are resampled with F.grid_sample (bilinear, edge pixels
repeated), as net.MultiView does with matrix products; the shipped multi-view graph averages
logits instead of probabilities, which moves the figures by a few faces.
"""
from __future__ import annotations

import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fer_data import load_split  # noqa: E402
from net import VIEW_SCALES, ExpressionNet, net_from_checkpoint  # noqa: E402
from scoring import accuracies  # noqa: E402

# (zoom, shift x, shift y) in grid_sample's [-1, 1] units (0.06 = 1.44 px at 48 px); each also mirrored.
SHIFTS = [(1.0, 0.0, 0.0), (1.0, 0.06, 0.0), (1.0, -0.06, 0.0), (1.0, 0.0, 0.06), (1.0, 0.0, -0.06)]
ZOOMS = [(s, 0.0, 0.0) for s in VIEW_SCALES]
BOTH = ZOOMS + [(1.0, 0.05, 0.0), (1.0, -0.05, 0.0), (1.0, 0.0, 0.05), (1.0, 0.0, -0.05),
                (1.05, 0.03, 0.03), (1.05, -0.03, -0.03)]
VIEW_SETS = {
    "one view": [(1.0, 0.0, 0.0, 1.0)],
    "+ mirror": [(1.0, 0.0, 0.0, 1.0), (1.0, 0.0, 0.0, -1.0)],
    "5 shifts x mirror": [(*v, f) for f in (1.0, -1.0) for v in SHIFTS],
    "3 zooms x mirror": [(*v, f) for f in (1.0, -1.0) for v in ZOOMS],
    "9 zooms and shifts x mirror": [(*v, f) for f in (1.0, -1.0) for v in BOTH],
}


def view(x: torch.Tensor, scale: float, tx: float, ty: float, flip: float) -> torch.Tensor:
    theta = torch.tensor([[flip / scale, 0.0, tx], [0.0, 1 / scale, ty]]).expand(len(x), 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


@torch.no_grad()
def view_probs(net: ExpressionNet, images: torch.Tensor, views: list[tuple[float, float, float, float]]) -> torch.Tensor:
    net.eval()
    out = []
    for i in range(0, len(images), 512):
        x = images[i : i + 512].float() / 255
        out.append(sum(torch.softmax(net(view(x, *v)), 1) for v in views) / len(views))
    return torch.cat(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--runs", nargs="+", required=True, help="run folders, each with a best.pt")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    val = load_split(args.data, "PublicTest")
    total = {name: 0 for name in VIEW_SETS}
    print(f"{'run':24s} {'views':28s} original  FER+")
    for run in args.runs:
        ck = torch.load(os.path.join(run, "best.pt"))
        net = net_from_checkpoint(ck)
        for name, views in VIEW_SETS.items():
            p = view_probs(net, val.images, views)
            total[name] = total[name] + p
            a = accuracies(p.log(), val)
            print(f"{os.path.basename(run):24s} {name:28s} {a['orig']:.4f}    {a['ferplus']:.4f}", flush=True)
    if len(args.runs) > 1:
        for name in VIEW_SETS:
            a = accuracies((total[name] / len(args.runs)).log(), val)
            print(f"{'all together':24s} {name:28s} {a['orig']:.4f}    {a['ferplus']:.4f}")


if __name__ == "__main__":
    main()
