"""The crops the engine cuts, cut from FER2013's own 48x48 images (train.py --engine-framing).

`models/eval/engine-framing.mjs` writes where the engine found each face (MediaPipe's box and eyes,
in the image's pixels); this cuts the model card's crop from there exactly as packages/core's
crop.ts does: a square of side CROP["scale"] x max(box width, height), centred on the box, moved by
CROP["offsetY"] x side along the face's vertical, turned so the eyes are level, the image's edge
repeated past its border (as augment.py pads). FER2013's framing varies by about 17% in scale
around MediaPipe's box, so the pipeline shows a net other crops than the originals it learned.
"""
from __future__ import annotations

import json
import math

import torch
import torch.nn.functional as F

# The model card's crop (export.py writes it into every card; the engine reads it from there).
CROP = {"scale": 1.2, "offsetY": -0.07}


def crop_geometry(face: list[float], scale: float = CROP["scale"], offset_y: float = CROP["offsetY"]) -> tuple[float, float, float, float]:
    """crop.ts's cropGeometry: (centre x, centre y, side, angle) from [x, y, w, h, leftEye x, y, rightEye x, y]."""
    x, y, w, h, lx, ly, rx, ry = face
    side = scale * max(w, h)
    dx, dy = lx - rx, ly - ry
    if dx < 0:  # whichever eye is named left, the line from the image-left one to the other
        dx, dy = -dx, -dy
    angle = math.atan2(dy, dx) if (dx > 0 or dy != 0) else 0.0
    shift = offset_y * side
    return x + w / 2 - math.sin(angle) * shift, y + h / 2 + math.cos(angle) * shift, side, angle


def crop_theta(face: list[float], size: int = 48, **crop) -> torch.Tensor:
    """affine_grid's 2x3 matrix (output coordinates -> the image's, both normalised to [-1, 1],
    align_corners=False) that cuts that crop from a `size` x `size` image."""
    cx, cy, side, angle = crop_geometry(face, **crop)
    s, c, si = side / size, math.cos(angle), math.sin(angle)
    return torch.tensor([[c * s, -si * s, 2 * cx / size - 1], [si * s, c * s, 2 * cy / size - 1]], dtype=torch.float32)


def engine_crops(images: torch.Tensor, faces: list[list[float] | None], **crop) -> tuple[torch.Tensor, torch.Tensor]:
    """The engine's crop of each image (N x 1 x S x S uint8) where its face was found, the image
    itself where not; and which were found (N bool)."""
    n, _, size, _ = images.shape
    assert len(faces) == n, f"{len(faces)} framings for {n} images"
    found = torch.tensor([f is not None for f in faces])
    out = images.clone()
    rows = found.nonzero().flatten()
    for i in range(0, len(rows), 1024):
        part = rows[i : i + 1024]
        theta = torch.stack([crop_theta(faces[r], size, **crop) for r in part.tolist()])
        grid = F.affine_grid(theta, [len(part), 1, size, size], align_corners=False)
        x = F.grid_sample(images[part].float(), grid, mode="bilinear", padding_mode="border", align_corners=False)
        out[part] = x.round().clamp(0, 255).to(torch.uint8)
    return out, found


def load_engine_crops(path: str, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """engine_crops() from an engine-framing.mjs file for the same split's `images`."""
    with open(path) as f:
        data = json.load(f)
    assert data["images"] == len(images), f"{path} has {data['images']} images, the split {len(images)}"
    assert data["size"] == images.shape[-1]
    return engine_crops(images, data["faces"])


def both_framings(images: torch.Tensor, framed: torch.Tensor, found: torch.Tensor) -> torch.Tensor:
    """The images a net trained with --engine-framing saw: FER2013's crops and the engine's (where
    found), for its BatchNorm statistics (recalibrate.py)."""
    return torch.cat([images, framed[found]])
