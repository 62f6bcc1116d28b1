"""Loading the shared FER2013 + FER+ raw files and building training targets.

Raw layout (see ../shared/data/fer2013/README.md): `<Split>-images.u8` is N x 48 x 48 uint8,
`<Split>-labels.u8` the original label, `<Split>-ferplus-votes.u8` N x 10 crowd votes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch

CLASSES = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]

# FER+ vote columns: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt, unknown, NF.
# Index of each of our 7 classes in those columns.
FERPLUS_COLUMN_OF_CLASS = [4, 5, 6, 1, 3, 2, 0]
NOT_A_FACE_COLUMN = 9


@dataclass
class Split:
    images: torch.Tensor  # N x 1 x 48 x 48 uint8
    labels: torch.Tensor  # N int64, original FER2013 label
    ferplus_labels: torch.Tensor  # N int64, 255 = no majority
    ferplus_dist: torch.Tensor  # N x 7 float32, FER+ votes over our 7 classes (rows sum to 1, or 0 if none)
    not_a_face: torch.Tensor  # N bool, FER+ majority says "not a face"


def load_split(root: str, name: str) -> Split:
    def raw(suffix: str) -> np.ndarray:
        return np.fromfile(os.path.join(root, f"{name}-{suffix}.u8"), np.uint8)

    images = raw("images").reshape(-1, 1, 48, 48)
    labels = raw("labels").astype(np.int64)
    ferplus_labels = raw("ferplus-labels").astype(np.int64)
    votes = raw("ferplus-votes").reshape(-1, 10).astype(np.float32)
    seven = votes[:, FERPLUS_COLUMN_OF_CLASS]
    total = seven.sum(1, keepdims=True)
    dist = np.divide(seven, total, out=np.zeros_like(seven), where=total > 0)
    not_a_face = votes[:, NOT_A_FACE_COLUMN] > votes.sum(1) / 2
    assert len(images) == len(labels) == len(votes)
    return Split(
        torch.from_numpy(images.copy()),
        torch.from_numpy(labels),
        torch.from_numpy(ferplus_labels),
        torch.from_numpy(dist),
        torch.from_numpy(not_a_face),
    )


def soft_targets(split: Split, ferplus_weight: float) -> torch.Tensor:
    """Blend of the FER+ vote distribution and the original one-hot label.

    FER+ votes are the better ground truth (10 annotators); the original label still carries signal
    and is what the other public benchmarks use. Rows without valid FER+ votes fall back to the
    original label alone.
    """
    onehot = torch.nn.functional.one_hot(split.labels, 7).float()
    has_votes = split.ferplus_dist.sum(1, keepdim=True) > 0
    w = torch.where(has_votes, torch.tensor(ferplus_weight), torch.tensor(0.0))
    return w * split.ferplus_dist + (1 - w) * onehot
