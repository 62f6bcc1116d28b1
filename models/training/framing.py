"""What the engine's framing costs a net: FER+ majority accuracy on FER2013's own crops and on the
crops the engine cuts from the same images (engine_framing.py), the images where the engine found
no face left out of both.

    /usr/bin/python3 models/training/framing.py --run models/runs/R [--run ...] [--split dev|PublicTest]

--split dev (the default): the dev split (fer_data.dev_mask) with models/runs/engine-framing/Training.json;
PublicTest: PublicTest without its copies of Training images, with .../PublicTest.json
(`node models/eval/engine-framing.mjs --split PublicTest`). Also prints how often the two crops get
the same top emotion, and the accuracy on FER2013's crops shrunk to 90% and to 80% of their side
inside a band of repeated edges, of mid-grey, of black and of a busy texture (the same grounds for every net): what
a crop that reaches past a small face on a plain or busy ground costs the net (train.py --background,
--background-texture).
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from augment import resample, resample_onto, texture  # noqa: E402
from engine_framing import load_engine_crops  # noqa: E402
from fer_data import dev_mask, load_split, subset  # noqa: E402
from net import net_from_checkpoint  # noqa: E402
from scoring import predict  # noqa: E402


# 90%: the band a small face's crop shows on a plain ground; 80%: on a busy one, where BlazeFace's
# box is larger (one box in ten 13-24% larger than on grey at a tenth of the frame).
BAND_SCALES = (0.9, 0.8)


def in_band(images: torch.Tensor, fill: float | torch.Tensor | None, scale: float = BAND_SCALES[0]) -> torch.Tensor:
    """uint8 images shrunk to `scale` of their side, the band around them their repeated edges
    (fill None), the level `fill` in [0, 1], or a ground per image (N x 1 x H x W in [0, 1])."""
    x = images.float() / 255
    theta = torch.zeros(len(x), 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = 1 / scale
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    y = resample_onto(x, grid, fill) if isinstance(fill, torch.Tensor) else resample(x, grid, fill)
    return (y * 255).round().clamp(0, 255).to(torch.uint8)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", action="append", required=True, help="a run folder (its best.pt); repeatable")
    ap.add_argument("--split", choices=["dev", "PublicTest"], default="dev")
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--framing", help="engine-framing.mjs's file for the split (default models/runs/engine-framing/<split>.json)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    source = "Training" if args.split == "dev" else "PublicTest"
    split = load_split(args.data, source)
    framing = args.framing or os.path.join(os.path.dirname(__file__), "..", "runs", "engine-framing", f"{source}.json")
    crops, found = load_engine_crops(framing, split.images)
    if args.split == "dev":
        rows = dev_mask(args.data)
    else:
        dup = np.fromfile(os.path.join(args.data, "PublicTest-dup_in_training.u8"), np.uint8)
        assert len(dup) == len(split.images), "PublicTest-dup_in_training.u8 does not match PublicTest"
        rows = torch.from_numpy(dup == 0)
    rows &= found & (split.ferplus_labels != 255)
    truth = split.ferplus_labels[rows]
    original = subset(split, rows).images
    engine = crops[rows]
    print(f"{args.split}: {int(rows.sum())} faces with a FER+ majority that the engine found")
    busy = texture(len(original), torch.Generator().manual_seed(0), original.shape[-1])
    for run in args.run:
        net = net_from_checkpoint(torch.load(os.path.join(run, "best.pt")))
        a, b = predict(net, original).argmax(1), predict(net, engine).argmax(1)
        acc = lambda p: 100 * (p == truth).float().mean().item()  # noqa: E731
        print(f"{run}: FER2013's crops {acc(a):.2f}%, the engine's {acc(b):.2f}% ({acc(b) - acc(a):+.2f}); "
              f"same top emotion {100 * (a == b).float().mean().item():.1f}%")
        for scale in BAND_SCALES:
            bands = {name: acc(predict(net, in_band(original, fill, scale)).argmax(1)) for name, fill in
                     (("repeated edges", None), ("grey", 0.5), ("black", 0.0), ("texture", busy))}
            print(f"{run}: shrunk to {scale:g} in a band of " + ", ".join(
                f"{name} {v:.2f}% ({v - acc(a):+.2f})" for name, v in bands.items()))


if __name__ == "__main__":
    main()
