"""Logit adjustment (Menon et al., 2021, "Long-tail learning via logit adjustment") for the
original-label head: the classes a single annotator names rarely (disgust 1.5% of Training, fear
14%, anger 14%) are otherwise named less often than they occur, which is what macro recall counts.

Trained with the loss on `logits + tau * log(prior)`, the head's own logits (what ships) estimate
p(y|x) / prior^tau: at tau = 1 their argmax minimises the balanced error, the mean of the per-class
error rates (1 - macro recall). Applied after training instead (`posthoc`), the same shift is taken
off a plainly trained head's logits; the paper finds the loss form the better of the two on
long-tailed data, and gate.py compares both on the dev split.
"""
from __future__ import annotations

import torch


def log_prior(labels: torch.Tensor, classes: int = 7) -> torch.Tensor:
    """Log of each class's share of `labels` (every class is present in FER2013 Training)."""
    counts = torch.bincount(labels.long(), minlength=classes).float()
    assert (counts > 0).all(), f"a class has no rows: {counts.tolist()}"
    return (counts / counts.sum()).log()


def adjusted(logits: torch.Tensor, prior: torch.Tensor, tau: float) -> torch.Tensor:
    """The logits the loss sees during training: the head then learns to leave the prior out."""
    return logits + tau * prior


def posthoc(logits: torch.Tensor, prior: torch.Tensor, tau: float) -> torch.Tensor:
    """A plainly trained head's logits with the prior taken out after training."""
    return logits - tau * prior
