"""Expressions made stronger or weaker: caricatures of a face against the mean neutral face.

Issue 21 ("Strong, posed expressions"): posed lab expressions are stronger than most of FER2013's, and
the FER+ crowd calls mild anger neutral. FER2013's faces are roughly registered, so the mean of its
neutral faces is a neutral face in the same place; a face moved away from it (x' = m + s (x - m),
s > 1) has its features' departures from neutral (brows, mouth, eyes) exaggerated, moved towards it
(s < 1) toned down, as caricatures are made. Identity and lighting move with them, which is what the
rest of the augmentation varies anyway.

Targets follow the strength: a weaker face's targets move towards neutral by (1 - s); a stronger
face's towards its original label by (s - 1), the single annotator's call for the strong expression
(FER+'s crowd split on mild ones). The final BatchNorm statistics (recalibrate.py) are taken on
images of their own strength, as users' faces come.
"""
from __future__ import annotations

import torch

# The strength factor's range: a share of the images made weaker (0.6-1), the rest of that share stronger (1-1.5).
WEAKER = (0.6, 1.0)
STRONGER = (1.0, 1.5)
NEUTRAL = 6  # fer_data.CLASSES.index("neutral")


def mean_neutral(images: torch.Tensor, ferplus_dist: torch.Tensor) -> torch.Tensor:
    """1 x 48 x 48 float in [0, 1]: the mean of the images whose FER+ majority is neutral."""
    neutral = (ferplus_dist.sum(1) > 0) & (ferplus_dist.argmax(1) == NEUTRAL)
    assert neutral.any(), "no neutral faces to average"
    return images[neutral].float().mean(0) / 255


def vary_strength(x: torch.Tensor, targets: list[torch.Tensor], labels: torch.Tensor, mean: torch.Tensor,
                  share: float, g: torch.Generator) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """x: N x 1 x 48 x 48 float in [0, 1], before the geometric augmentation (the mean face is registered
    to FER2013's framing). `share` of the images get a strength factor (half weaker, half stronger);
    each target tensor (N x 7) is moved as the module says. Returns new tensors; inputs are not changed."""
    n = x.shape[0]
    chosen = torch.rand(n, generator=g) < share
    weaker = torch.rand(n, generator=g) < 0.5
    u = torch.rand(n, generator=g)
    s = torch.where(weaker, WEAKER[0] + u * (WEAKER[1] - WEAKER[0]), STRONGER[0] + u * (STRONGER[1] - STRONGER[0]))
    s = torch.where(chosen, s, torch.ones(n))
    out = (mean + s[:, None, None, None] * (x - mean)).clamp(0, 1)
    neutral = torch.nn.functional.one_hot(torch.full((n,), NEUTRAL), 7).float()
    original = torch.nn.functional.one_hot(labels, 7).float()
    toward = torch.where((s < 1)[:, None], neutral, original)
    w = (s - 1).abs()[:, None]
    return out, [(1 - w) * t + w * toward for t in targets]
