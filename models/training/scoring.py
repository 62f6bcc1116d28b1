"""PublicTest scoring during training: logits, the two accuracies, and temperature fitting."""
from __future__ import annotations

import torch
import torch.nn.functional as F


@torch.no_grad()
def predict(net: torch.nn.Module, images: torch.Tensor, tta: bool = False, head: str = "ferplus") -> torch.Tensor:
    """Logits of the FER+ head, or with head="orig" of a two-head net's original-label head."""
    net.eval()
    run = net if head == "ferplus" else (lambda v: net.both(v)[1])
    out = []
    for i in range(0, len(images), 512):
        x = images[i : i + 512].float() / 255
        logits = run(x)
        if tta:
            logits = (logits + run(x.flip(3))) / 2
        out.append(logits)
    return torch.cat(out)


def accuracies(logits: torch.Tensor, split) -> dict:
    pred = logits.argmax(1)
    fp = split.ferplus_labels != 255
    recall = [(pred[split.labels == c] == c).float().mean().item() for c in range(logits.shape[1])]
    return {
        "orig": (pred == split.labels).float().mean().item(),
        "ferplus": (pred[fp] == split.ferplus_labels[fp]).float().mean().item(),
        "origMacro": sum(recall) / len(recall),
        "origRecall": recall,
    }


def selection_score(acc: dict, select: str) -> float:
    """The figure that picks a run's best epoch (train.py --select)."""
    if select == "sum":
        return acc["ferplus"] + acc["orig"]
    if select == "ferplus+origmacro":
        return acc["ferplus"] + acc["origMacro"]
    return acc[select]


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Temperature that minimises the NLL of the given labels (Guo et al., 2017)."""
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=100)

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(logits / log_t.exp(), labels)
        loss.backward()
        return loss

    opt.step(closure)
    return float(log_t.exp())
