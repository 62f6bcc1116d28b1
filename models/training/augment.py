"""Training-time augmentation of 48x48 grayscale faces (geometry, exposure, occlusion)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Batched geometric + photometric augmentation. x: N x 1 x 48 x 48 float in [0, 1]."""
    n = x.shape[0]
    angle = (torch.rand(n, generator=g) * 2 - 1) * math.radians(12)
    scale = 1 + (torch.rand(n, generator=g) * 2 - 1) * 0.12
    tx = (torch.rand(n, generator=g) * 2 - 1) * 0.10
    ty = (torch.rand(n, generator=g) * 2 - 1) * 0.10
    flip = torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos * flip, -sin, tx], 1), torch.stack([sin * flip, cos, ty], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
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
