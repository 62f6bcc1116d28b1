"""Training-time augmentation of 48x48 grayscale faces (geometry, exposure, occlusion)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


# A face image pasted on a plain background (background=): shrunk to this range of its side, so that
# the engine's crop, cut around a box that varies by about 17% in size, holds a band of that background.
BACKGROUND_SCALE = (0.78, 1.0)
# The largest shift of an image's centre, as a share of its side, in x and in y (at scale 1).
SHIFT = 0.05
# A face image zoomed in (zoom_in=): enlarged by this range of factors, its forehead, chin and sides cut,
# as in the tight crops of posed lab photos, where the face fills the picture (issue 21, "Strong, posed
# expressions"); FER2013's own framing shows the whole head.
ZOOM_IN_SCALE = (1.15, 1.45)
# A busy ground (textured=): a few soft blobs across the image (levels on a coarse grid of this many
# points a side, smoothly interpolated) with fine noise, like a room behind a small face in a frame.
# At a tenth of a 640x480 frame the engine's crop of a face spans one or two such blobs of a room.
TEXTURE_GRID = (2, 5)
TEXTURE_LEVELS = (0.16, 0.86)
TEXTURE_NOISE = 0.08


def resample(x: torch.Tensor, grid: torch.Tensor, fill: torch.Tensor | float | None = None) -> torch.Tensor:
    """x sampled (bilinear) at `grid`; past its edges, its edges repeated (fill None) or the level `fill`."""
    if fill is None:
        return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    # Zero padding around (x - fill) is padding with `fill` around x.
    return F.grid_sample(x - fill, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + fill


def resample_onto(x: torch.Tensor, grid: torch.Tensor, ground: torch.Tensor) -> torch.Tensor:
    """x sampled (bilinear) at `grid` over `ground` (N x 1 x H x W, in the output's pixels): past x's
    edges the ground shows, blended with x where a pixel straddles its edge."""
    inside = F.grid_sample(torch.ones_like(x), grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + (1 - inside) * ground


def texture(n: int, g: torch.Generator, side: int = 48) -> torch.Tensor:
    """n busy grounds, n x 1 x side x side in [0, 1]: TEXTURE_GRID blobs with TEXTURE_NOISE."""
    out = torch.empty(n, 1, side, side)
    cells = torch.randint(TEXTURE_GRID[0], TEXTURE_GRID[1] + 1, (n,), generator=g)
    lo, hi = TEXTURE_LEVELS
    for i, k in enumerate(cells.tolist()):
        coarse = lo + torch.rand(1, 1, k, k, generator=g) * (hi - lo)
        out[i] = F.interpolate(coarse, size=(side, side), mode="bicubic", align_corners=True)[0]
    noise = (torch.rand(n, 1, side, side, generator=g) * 2 - 1) * TEXTURE_NOISE
    return (out + noise).clamp(0, 1)


def settings(run_args: dict) -> dict:
    """augment()'s keyword arguments for a train.py run, from its options (vars(args), or summary.json's
    "args"; an option a run predates gets its default), so that training and recalibrate.py augment alike."""
    return {"background": run_args.get("background", 0.0), "zoom_in": run_args.get("zoom_in", 0.0),
            "textured": run_args.get("background_texture", 0.0),
            "shrink_to": run_args.get("background_scale", BACKGROUND_SCALE[0]),
            "move": run_args.get("background_move", SHIFT)}


def similarity(cos: torch.Tensor, sin: torch.Tensor, tx: torch.Tensor, ty: torch.Tensor,
                flip: torch.Tensor | None = None) -> torch.Tensor:
    """affine_grid's N x 2 x 3 matrices: a turn and a scale (`cos`, `sin`: the angle's cosine and sine,
    each times the input's step per output step, so above 1 shrinks the image), a shift (`tx`, `ty`, in
    affine_grid's units) and, where `flip` is -1, a mirror image. Shared with face_verifier.augment."""
    fc, fs = (cos, sin) if flip is None else (cos * flip, sin * flip)
    return torch.stack([torch.stack([fc, -sin, tx], 1), torch.stack([fs, cos, ty], 1)], 1)


def augment(x: torch.Tensor, g: torch.Generator, background: float = 0.0, zoom_in: float = 0.0,
            textured: float = 0.0, shrink_to: float = BACKGROUND_SCALE[0],
            move: float = SHIFT) -> torch.Tensor:
    """Batched geometric + photometric augmentation. x: N x 1 x 48 x 48 float in [0, 1].

    `background`: the share of images shrunk onto a plain background (black for a third of them, else a
    random grey level) instead of having their edges repeated. A small face in a user's frame can sit on
    a plain wall, or be a photo on a page, and the engine's crop then reaches past it: the nets had only
    seen repeated edges there, and lost about 8 points of dev FER+ accuracy with a black band of 5% of the
    side (models/README.md, "Training on the engine's crops").

    `textured`: the share of those images whose ground is busy (texture()) rather than plain: on a busy
    surround BlazeFace draws a small face's box larger, so the crop shows a wider band of it, and the
    default lost 1-2 points there through the pipeline (README, "where it stands"). Tried: no gain that
    held (models/README.md, "Busy grounds around shrunk faces"); the band's width costs, not its busyness.

    `shrink_to`: the smallest share of its side a `background` image is shrunk to (uniform from it to 1;
    BACKGROUND_SCALE's lower end by default). The nets lose steeply as a face shrinks in its crop (the
    default's, on a grey band: 90% -0.7, 85% -2.0, 80% -3.6, 75% -7.3), and on a busy surround BlazeFace's
    box, so the crop, grows by 5-15% and more. Tried down to 0.6-0.65: less lost at 75% (-4.5 to -4.7
    instead of -7.3 to -7.8), nothing that held through the pipeline (models/README.md, "More and
    smaller shrinks, and moved").

    `move`: the largest shift of a `background` image's centre, as a share of its side, in x and in y
    (SHIFT, as for the other images, by default): on a busy surround BlazeFace's box moves as well as
    grows, and the nets lose more to both at once (at 80% and moved 9%: -5.3 against -3.6 unmoved).
    Tried at 0.1 with shrink_to 0.65: -3.5 there, nothing that held through the pipeline (models/README.md,
    "More and smaller shrinks, and moved").

    `zoom_in`: the share of the other images enlarged by ZOOM_IN_SCALE instead of the usual +-12%, so
    that the face fills the crop as in tight lab photos."""
    n = x.shape[0]
    angle = (torch.rand(n, generator=g) * 2 - 1) * math.radians(12)
    scale = 1 + (torch.rand(n, generator=g) * 2 - 1) * 0.12
    # In affine_grid's units the image spans 2 and a shift t moves its centre by t * scale / 2 of the side.
    tx = (torch.rand(n, generator=g) * 2 - 1) * 2 * SHIFT
    ty = (torch.rand(n, generator=g) * 2 - 1) * 2 * SHIFT
    flip = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)
    plain = busy = None
    if background > 0:  # no extra draws otherwise: runs without it augment exactly as before
        plain = torch.rand(n, generator=g) < background
        lo, hi = shrink_to, BACKGROUND_SCALE[1]
        scale = torch.where(plain, lo + torch.rand(n, generator=g) * (hi - lo), scale)
        if move != SHIFT:  # the same draws, stretched: a run at the default augments exactly as before
            tx, ty = torch.where(plain, tx * (move / SHIFT), tx), torch.where(plain, ty * (move / SHIFT), ty)
        level = torch.where(torch.rand(n, generator=g) < 1 / 3, 0.0, torch.rand(n, generator=g))
        if textured > 0:  # no extra draws otherwise: runs without it augment exactly as before
            busy = plain & (torch.rand(n, generator=g) < textured)
    if zoom_in > 0:  # no extra draws otherwise, as for background
        tight = torch.rand(n, generator=g) < zoom_in
        if plain is not None:
            tight &= ~plain
        lo, hi = ZOOM_IN_SCALE
        scale = torch.where(tight, lo + torch.rand(n, generator=g) * (hi - lo), scale)
    theta = similarity(torch.cos(angle) / scale, torch.sin(angle) / scale, tx, ty, flip)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    if plain is not None and busy is not None and busy.any():
        ground = level[:, None, None, None].expand_as(x).clone()
        ground[busy] = texture(int(busy.sum()), g, x.shape[-1])
        x = torch.where(plain[:, None, None, None], resample_onto(x, grid, ground), resample(x, grid))
    elif plain is not None and plain.any():
        fill = torch.where(plain, level, 0.0)[:, None, None, None]
        x = torch.where(plain[:, None, None, None], resample(x, grid, fill), resample(x, grid))
    else:
        x = resample(x, grid)
    # Exposure, contrast and gamma, as webcams differ.
    gain = 1 + (torch.rand(n, 1, 1, 1, generator=g) * 2 - 1) * 0.3
    bias = (torch.rand(n, 1, 1, 1, generator=g) * 2 - 1) * 0.15
    gamma = torch.exp((torch.rand(n, 1, 1, 1, generator=g) * 2 - 1) * 0.3)
    x = ((x.clamp(1e-4, 1) ** gamma) * gain + bias).clamp(0, 1)
    # Random erasing: a patch of noise, so no single region (mouth, eyes) is relied on alone.
    erase = torch.rand(n, generator=g) < 0.4
    if erase.any():
        idx = erase.nonzero().flatten()
        for i in idx.tolist():
            h = int(torch.randint(8, 20, (1,), generator=g))
            w = int(torch.randint(8, 20, (1,), generator=g))
            y0 = int(torch.randint(0, 48 - h, (1,), generator=g))
            x0 = int(torch.randint(0, 48 - w, (1,), generator=g))
            x[i, :, y0 : y0 + h, x0 : x0 + w] = torch.rand(1, h, w, generator=g)
    return x
