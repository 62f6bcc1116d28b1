"""Loading the shared FER2013 + FER+ raw files and building training targets.

Raw layout (see ../shared/data/fer2013/README.md): `<Split>-images.u8` is N x 48 x 48 uint8,
`<Split>-labels.u8` the original label, `<Split>-ferplus-votes.u8` N x 10 crowd votes.
"""
from __future__ import annotations

import hashlib
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


# The dev split: one row in DEV_MODULUS of Training, picked by a hash of the pixels, so identical
# images (duplicate groups) always fall on the same side. Training rows whose pixels also occur in
# PublicTest stay on the training side, so dev and PublicTest share no image. models/eval/lib/devsplit.mjs
# computes the same split in Node (a test checks the two agree through the count and a digest).
DEV_MODULUS = 10


def pixel_key(image: np.ndarray) -> int:
    """First 4 bytes of the SHA-256 of an image's raw pixels, as a big-endian unsigned int."""
    return int.from_bytes(hashlib.sha256(np.ascontiguousarray(image, np.uint8).tobytes()).digest()[:4], "big")


def dev_mask(root: str) -> torch.Tensor:
    """Training rows of the dev split (bool, N): chosen by pixel hash, never a PublicTest image."""
    train = np.fromfile(os.path.join(root, "Training-images.u8"), np.uint8).reshape(-1, 48 * 48)
    test = np.fromfile(os.path.join(root, "PublicTest-images.u8"), np.uint8).reshape(-1, 48 * 48)
    in_test = {hashlib.sha256(row.tobytes()).digest() for row in test}
    mask = np.zeros(len(train), bool)
    for i, row in enumerate(train):
        digest = hashlib.sha256(row.tobytes()).digest()
        mask[i] = int.from_bytes(digest[:4], "big") % DEV_MODULUS == 0 and digest not in in_test
    return torch.from_numpy(mask)


def subset(split: Split, rows: torch.Tensor) -> Split:
    return Split(split.images[rows], split.labels[rows], split.ferplus_labels[rows], split.ferplus_dist[rows],
                 split.not_a_face[rows])


def training_rows(root: str, dev: bool) -> tuple[Split, torch.Tensor, Split]:
    """Training, the rows a net trains on, and the split that judges it: with `dev`, Training's faces
    without the dev split and the dev split itself; else all of Training's faces and PublicTest.
    train.py, recalibrate.py and gate.py take their rows from here, so they cannot disagree."""
    train = load_split(root, "Training")
    keep = ~train.not_a_face
    if not dev:
        return train, keep, load_split(root, "PublicTest")
    rows = dev_mask(root)
    return train, keep & ~rows, subset(train, rows)
