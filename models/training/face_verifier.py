"""A face / not-a-face verifier for the engine's 48x48 grey crops (a study for issue 21, item 2; not
shipped, the engine does not run it).

BlazeFace short range scores the last small faces it misses like the blobs of a knee or a glass
(README.md, "Faces not found at a fifth and a tenth"), so no bar on its scores finds them without
the blobs. A second opinion on the crop itself: FER2013's Training faces (the dev split left out)
against face-free patches of the photographs of Debian's desktop-background packages (landscapes,
plants, animals, buildings, abstract art; `apt-get install gnome-backgrounds mate-backgrounds
plasma-workspace-wallpapers ukui-wallpapers`), split by photograph into training and dev patches,
and FER+'s not-a-face rows. The sample photos' patches of `npm run eval:non-faces` stay out: they
are its test set. With `--framed`, part of each batch is framed as the engine frames a find (frame():
the image anywhere in the crop, on grey, black, a texture or repeated edge pixels, some darkened),
both kinds alike, so that neither the ground nor a patch's edge tells them apart (models/README.md,
"Framed as the engine frames its finds").

    /usr/bin/python3 models/training/face_verifier.py --out models/runs/verifier-16
    /usr/bin/python3 models/training/face_verifier.py --framed 0.5 --patch-seed 11 --threads 1 --out models/runs/verifier-17a
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from augment import similarity
from fer_data import dev_mask, load_split

WALLPAPER_DIRS = ("/usr/share/backgrounds", "/usr/share/wallpapers")
# A patch's side, as a share of its photograph's shorter side: from about an eye's width in a group
# photo to a head filling a webcam frame.
PATCH_SIDE = (0.03, 0.4)
# One photograph in DEV_SHARE goes to the dev patches (by a hash of its path, so a photograph's patches
# are all on one side).
DEV_SHARE = 4
# The dev faces' share the chosen bar keeps (summary.json "bar").
KEEP_FACES = 0.998


def photographs(dirs: tuple[str, ...] = WALLPAPER_DIRS) -> list[str]:
    """The raster images under `dirs`, sorted (screenshots of the packages' own previews left out)."""
    files = [f for d in dirs for f in glob.glob(os.path.join(d, "**", "*"), recursive=True)]
    return sorted(f for f in files if f.lower().endswith((".jpg", ".jpeg", ".png", ".webp")) and "screenshot" not in f.lower())


def is_dev(path: str) -> bool:
    return int(hashlib.md5(path.encode()).hexdigest(), 16) % DEV_SHARE == 0


def patches(files: list[str], per_image: int, seed: int) -> dict[str, np.ndarray]:
    """`per_image` random square patches of each photograph (pixel-identical copies once), 48x48 grey
    uint8, as {"train": N x 48 x 48, "dev": M x 48 x 48}, split by photograph (is_dev)."""
    from PIL import Image  # only here: the SDK's tests import this module without PIL

    rnd = random.Random(seed)
    out: dict[str, list[np.ndarray]] = {"train": [], "dev": []}
    seen: set[str] = set()
    for f in files:
        try:
            im = Image.open(f).convert("L")
        except OSError:
            continue
        key = hashlib.md5(im.tobytes()).hexdigest()
        if key in seen:
            continue
        seen.add(key)
        if max(im.size) > 1600:
            im.thumbnail((1600, 1600), Image.BILINEAR)
        w, h = im.size
        side = out["dev" if is_dev(f) else "train"]
        for _ in range(per_image):
            s = max(12, int(min(w, h) * rnd.uniform(*PATCH_SIDE)))
            x, y = rnd.randrange(0, w - s + 1), rnd.randrange(0, h - s + 1)
            side.append(np.asarray(im.crop((x, y, x + s, y + s)).resize((48, 48), Image.BILINEAR), np.uint8))
    return {k: np.stack(v) if v else np.zeros((0, 48, 48), np.uint8) for k, v in out.items()}


class VerifierNet(nn.Module):
    """Four blocks of two 3x3 convolutions (width, 2, 4, 4 x width channels), each halving the side;
    the mean over the last map; one logit (face). Input N x 1 x 48 x 48 in [0, 1]."""

    def __init__(self, width: int = 16):
        super().__init__()

        def block(i: int, o: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(),
                                 nn.Conv2d(o, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2))

        w = width
        self.features = nn.Sequential(block(1, w), block(w, 2 * w), block(2 * w, 4 * w), block(4 * w, 4 * w))
        self.fc = nn.Linear(4 * w, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features((x - 0.5) / 0.25).mean((2, 3))).squeeze(1)


def faceness(net: VerifierNet, x: torch.Tensor) -> torch.Tensor:
    """The probability of a face, mean of the logits of the image and its mirror image."""
    net.eval()
    with torch.no_grad():
        out = torch.cat([torch.sigmoid((net(b) + net(b.flip(3))) / 2) for b in x.split(512)]) if len(x) else torch.zeros(0)
    net.train()
    return out


def uniform(g: torch.Generator, lo: float, hi: float, *shape: int) -> torch.Tensor:
    """Values drawn evenly from [lo, hi), `shape` of them, from `g`."""
    return lo + (hi - lo) * torch.rand(*shape, generator=g)


def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Mirror, scale 0.85-1.2, turn up to 0.25 rad, shift up to 10%, contrast and level, blur (3 in 10):
    faces and patches alike, so that none of these tells them apart."""
    n = len(x)
    flip = torch.rand(n, generator=g) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    sc, ang, tx, ty = uniform(g, 0.85, 1.2, n), uniform(g, -0.25, 0.25, n), uniform(g, -0.1, 0.1, n), uniform(g, -0.1, 0.1, n)
    theta = similarity(sc * ang.cos(), sc * ang.sin(), tx, ty)
    x = F.grid_sample(x, F.affine_grid(theta, list(x.shape), align_corners=False), padding_mode="border", align_corners=False)
    m = x.mean((2, 3), keepdim=True)
    x = ((x - m) * uniform(g, 0.6, 1.4, n, 1, 1, 1) + m + uniform(g, -0.2, 0.2, n, 1, 1, 1)).clamp(0, 1)
    blur = torch.rand(n, generator=g) < 0.3
    if blur.any():
        x[blur] = F.interpolate(F.interpolate(x[blur], size=24, mode="bilinear", align_corners=False), size=48, mode="bilinear", align_corners=False)
    return x


def frame(x: torch.Tensor, kind: torch.Tensor, grounds: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """`x` (N x 1 x 48 x 48) as the engine's crop of a find around it may frame it: the image at 0.55-1.3
    of the crop's side, on grey, black, a texture (a random one of `grounds`) or its own edge pixels
    repeated (as crop.ts fills past a frame's edge). Where it sits, by `kind`: 0 (a face) within 7.5%
    of the crop's side of the centre, as the engine's box centres a face; 1 (not a face) anywhere up to
    35% off, as the engine's box may sit on a blob anywhere in a patch, its edge in view; 2 (a face
    moved off the centre, taken as not a face) filling the crop, its centre 0.55-0.9 of its half-side
    away along one axis, so that part of a face shows where a whole one should."""
    n = len(x)
    s = uniform(g, 0.55, 1.3, n)
    reach = torch.where(kind == 0, 0.15, 0.7)
    cx, cy = uniform(g, -1, 1, n) * reach, uniform(g, -1, 1, n) * reach
    moved = kind == 2
    if moved.any():
        m = int(moved.sum())
        s[moved] = uniform(g, 0.9, 1.3, m)
        off = uniform(g, 0.55, 0.9, m) * s[moved] * torch.where(torch.rand(m, generator=g) < 0.5, -1.0, 1.0)
        across = uniform(g, -0.3, 0.3, m) * s[moved]
        along_x = torch.rand(m, generator=g) < 0.5
        cx[moved] = torch.where(along_x, off, across)
        cy[moved] = torch.where(along_x, across, off)
    z = torch.zeros(n)
    theta = torch.stack([torch.stack([1 / s, z, -cx / s], 1), torch.stack([z, 1 / s, -cy / s], 1)], 1)
    grid = F.affine_grid(theta, [n, 1, 48, 48], align_corners=False)
    src = F.grid_sample(x, grid, padding_mode="zeros", align_corners=False)
    edges = F.grid_sample(x, grid, padding_mode="border", align_corners=False)
    inside = F.grid_sample(torch.ones_like(x), grid, padding_mode="zeros", align_corners=False)
    ground_kind = torch.randint(0, 4, (n,), generator=g)[:, None, None, None]
    ground = torch.where(ground_kind == 0, uniform(g, 0.35, 0.65, n, 1, 1, 1), torch.zeros(n, 1, 48, 48))
    ground = torch.where(ground_kind == 2, grounds[torch.randint(0, len(grounds), (n,), generator=g)], ground)
    return torch.where(ground_kind == 3, edges, inside * src + (1 - inside) * ground)


def prepare(x: torch.Tensor, kind: torch.Tensor, grounds: torch.Tensor, framed: float, g: torch.Generator) -> torch.Tensor:
    """A training batch: `framed` of it (and every moved face) framed as the engine may frame it, a
    quarter darkened (gamma 1-2.5, as dark cloth and faces in poor light), then augment()."""
    n = len(x)
    which = ((torch.rand(n, generator=g) < framed) | (kind == 2))[:, None, None, None]
    x = torch.where(which, frame(x, kind, grounds, g), x)
    dark = (torch.rand(n, generator=g) < 0.25)[:, None, None, None]
    x = torch.where(dark, x.clamp(1e-4, 1) ** uniform(g, 1, 2.5, n, 1, 1, 1), x)
    return augment(x, g)


def bar_keeping(scores: torch.Tensor, share: float) -> float:
    """The highest bar that `share` of `scores` reach."""
    return float(scores.sort().values[int((1 - share) * len(scores))])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--out", required=True, help="a folder for verifier.pt and summary.json")
    ap.add_argument("--width", type=int, default=16, help="channels of the first block (default 16)")
    ap.add_argument("--per-image", type=int, default=300, help="patches of each photograph (default 300)")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--patch-seed", type=int, help="where the photographs' patches are cut (default: --seed)")
    ap.add_argument("--framed", type=float, default=0.0,
                    help="share of each batch framed as the engine frames a find (frame(); default 0: every image as it is)")
    ap.add_argument("--moved-faces", type=int, default=0,
                    help="faces moved off the crop's centre, as more not-faces (frame(), kind 2; default 0)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)
    files = photographs()
    if not files:
        raise SystemExit(f"no photographs under {', '.join(WALLPAPER_DIRS)}: apt-get install gnome-backgrounds mate-backgrounds plasma-workspace-wallpapers ukui-wallpapers")
    walls = {k: torch.from_numpy(v.copy()).unsqueeze(1).float() / 255 for k, v in patches(files, args.per_image, args.seed if args.patch_seed is None else args.patch_seed).items()}
    train = load_split(args.data, "Training")
    dev = dev_mask(args.data)
    faces = train.images[~dev & ~train.not_a_face].float() / 255
    not_faces = train.images[~dev & train.not_a_face].float() / 255
    dev_faces = train.images[dev & ~train.not_a_face].float() / 255
    x = torch.cat([faces, not_faces, walls["train"]])
    y = torch.cat([torch.ones(len(faces)), torch.zeros(len(not_faces) + len(walls["train"]))])
    kind = (y == 0).long()
    if args.moved_faces:
        moved = faces[torch.randperm(len(faces), generator=g)[:args.moved_faces]]
        x, y = torch.cat([x, moved]), torch.cat([y, torch.zeros(len(moved))])
        kind = torch.cat([kind, torch.full((len(moved),), 2)])
    framing = args.framed > 0 or args.moved_faces > 0
    if framing:  # the dev patches and faces framed as the engine may frame them, once (the same frames each epoch)
        as_found = lambda images, k: frame(images, torch.full((len(images),), k), walls["train"], torch.Generator().manual_seed(99))  # noqa: E731
        framed_dev_patches, framed_dev_faces = as_found(walls["dev"], 1), as_found(dev_faces, 0)
    print(f"faces {len(faces)}, not-a-face rows {len(not_faces)}, patches {len(walls['train'])} (dev: faces {len(dev_faces)}, patches {len(walls['dev'])})", flush=True)
    net = VerifierNet(args.width)
    batch = 128
    steps = args.epochs * (len(x) // batch)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=steps)
    pos_weight = (len(y) - y.sum()) / y.sum()
    t0 = time.time()
    history = []
    for epoch in range(args.epochs):
        order = torch.randperm(len(x), generator=g)
        total = 0.0
        for i in range(0, len(x) - batch + 1, batch):
            idx = order[i:i + batch]
            batch_x = prepare(x[idx], kind[idx], walls["train"], args.framed, g) if framing else augment(x[idx], g)
            loss = F.binary_cross_entropy_with_logits(net(batch_x), y[idx], pos_weight=pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        bar = bar_keeping(faceness(net, dev_faces), KEEP_FACES)
        passing = float((faceness(net, walls["dev"]) >= bar).float().mean())
        history.append({"epoch": epoch + 1, "loss": total / (len(x) // batch), "bar": bar, "dev_patches_passing": passing})
        framed = ""
        if framing:
            history[-1]["dev_framed_patches_passing"] = float((faceness(net, framed_dev_patches) >= bar).float().mean())
            history[-1]["dev_framed_faces_kept"] = float((faceness(net, framed_dev_faces) >= bar).float().mean())
            framed = f"; framed, dev patches passing {100 * history[-1]['dev_framed_patches_passing']:.2f}%, dev faces kept {100 * history[-1]['dev_framed_faces_kept']:.2f}%"
        print(f"epoch {epoch + 1}: loss {history[-1]['loss']:.4f}, {time.time() - t0:.0f} s; the bar keeping {100 * KEEP_FACES:.1f}% of the dev faces {bar:.3f}, dev patches passing it {100 * passing:.2f}%{framed}", flush=True)
    os.makedirs(args.out, exist_ok=True)
    torch.save(net.state_dict(), os.path.join(args.out, "verifier.pt"))
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump({"args": vars(args), "photographs": len(files), "history": history, "bar": history[-1]["bar"]}, f, indent=1)


if __name__ == "__main__":
    main()
