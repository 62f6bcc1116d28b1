"""The expression CNN: a small residual VGG-style network for 48x48 grayscale faces.

The network normalises each image itself (per-image standardisation inside the graph), so the
exported ONNX model takes plain [0, 1] grayscale pixels and is robust to exposure and contrast,
which differ a lot between webcams and between datasets.
"""
from __future__ import annotations

import torch
from torch import nn


def conv_bn(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class Residual(nn.Module):
    """Two 3x3 convolutions with an identity shortcut (same width, same resolution)."""

    def __init__(self, c: int):
        super().__init__()
        self.a = conv_bn(c, c)
        self.b = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(x + self.b(self.a(x)))


class Separable(nn.Module):
    """Depthwise 3x3 + pointwise 1x1 (MobileNet-style), with a shortcut when the shape is unchanged."""

    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.dw = nn.Sequential(nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin),
                                nn.ReLU(inplace=True))
        self.pw = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.skip = stride == 1 and cin == cout
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.pw(self.dw(x))
        return self.relu(x + y if self.skip else y)


# Separable nets: name -> (stem width, [(width, stride), ...])
SEPARABLE: dict[str, tuple[int, list[tuple[int, int]]]] = {
    "ds-s": (24, [(48, 2), (48, 1), (96, 2), (96, 1), (96, 1), (192, 2), (192, 1), (192, 1), (256, 2), (256, 1)]),
    "ds-m": (32, [(64, 2), (64, 1), (128, 2), (128, 1), (128, 1), (256, 2), (256, 1), (256, 1), (256, 1), (384, 2), (384, 1)]),
}

# name -> (stem width, [(width, residual blocks), ...] one entry per stage; each stage halves resolution)
ARCHS: dict[str, tuple[int, list[tuple[int, int]]]] = {
    "r-xs": (16, [(24, 1), (48, 1), (96, 1), (160, 1)]),
    "r-s": (16, [(32, 1), (64, 1), (128, 1), (192, 1)]),
    # r-xs pruned to about half its MACs (prune.py), for the batch speed target in int8.
    "r-2xs": (16, [(16, 1), (32, 1), (64, 1), (112, 1)]),
    # r-2xs without its first stage's block (the slowest convs per MAC in int8 WASM): the shipped default.
    "r-2xs-s": (16, [(16, 0), (32, 1), (64, 1), (112, 1)]),
    "r-m": (24, [(48, 1), (96, 1), (160, 1), (256, 1)]),
}


class ExpressionNet(nn.Module):
    def __init__(self, arch: str = "r-s", classes: int = 7, dropout: float = 0.3, orig_head: bool = False):
        super().__init__()
        if arch in SEPARABLE:
            stem, blocks_s = SEPARABLE[arch]
            layers: list[nn.Module] = [conv_bn(1, stem)]
            cin = stem
            for width, stride in blocks_s:
                layers.append(Separable(cin, width, stride))
                cin = width
            stages = []
        else:
            stem, stages = ARCHS[arch]
            layers = [conv_bn(1, stem)]
            cin = stem
        for width, blocks in stages:
            # Strided conv instead of pooling: learns its downsampling and costs a quarter of a full conv.
            layers.append(conv_bn(cin, width, stride=2))
            layers += [Residual(width) for _ in range(blocks)]
            cin = width
        self.features = nn.Sequential(*layers)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(cin, classes)
        # A second head on the same features for the original FER2013 labels (train.py --orig-head):
        # the single annotator's strong calls that the FER+ crowd often softens (Gated says how the two mix).
        self.orig_head = nn.Linear(cin, classes) if orig_head else None
        self.arch = arch

    @staticmethod
    def standardise(x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=(2, 3), keepdim=True)
        var = ((x - mean) ** 2).mean(dim=(2, 3), keepdim=True)
        return (x - mean) / torch.sqrt(var + 1e-4)

    def pooled(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.features(self.standardise(x)).mean(dim=(2, 3)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: N x 1 x 48 x 48 in [0, 1]. Returns logits (of the FER+ head)."""
        return self.head(self.pooled(x))

    def both(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The logits of the FER+ head and of the original-label head, from one pass."""
        f = self.pooled(x)
        return self.head(f), self.orig_head(f)


def resample_matrix(size: int, scale: float, flip: bool = False) -> torch.Tensor:
    """size x size matrix M with M @ v = v zoomed by `scale` about its centre (bilinear, edges
    repeated; mirrored first when `flip`): one axis of F.grid_sample with align_corners=False and
    padding_mode="border", so an axis-aligned view of an image X is M_rows @ X @ M_cols^T."""
    m = torch.zeros(size, size)
    for j in range(size):
        x_out = (2 * j + 1) / size - 1
        x_in = (-x_out if flip else x_out) / scale
        u = min(max(((x_in + 1) * size - 1) / 2, 0.0), size - 1.0)
        i0 = min(int(u), size - 2)
        w = u - i0
        m[j, i0] += 1 - w
        m[j, i0 + 1] += w
    return m


# The views MultiView averages: each zoom, as is and mirrored. Zooming in and out by about 8% matches
# the scale jitter of training (augment.py, +-12%) and the spread of face-detector boxes.
VIEW_SCALES = (1.0, 1.08, 0.93)


class MultiView(nn.Module):
    """Test-time augmentation inside the graph: the net's mean logits over zoomed and mirrored views.

    The views are resampled with two small matrix products per view (see resample_matrix), so the
    exported ONNX graph needs only MatMul, and the engine runs it like any single-view model.
    """

    def __init__(self, net: ExpressionNet, scales: tuple[float, ...] = VIEW_SCALES, size: int = 48):
        super().__init__()
        self.net = net
        rows, cols = [], []
        for s in scales:
            for flip in (False, True):
                rows.append(resample_matrix(size, s))
                cols.append(resample_matrix(size, s, flip).t())
        self.register_buffer("rows", torch.stack(rows).unsqueeze(1))  # K x 1 x H x H
        self.register_buffer("cols", torch.stack(cols).unsqueeze(1))  # K x 1 x W x W
        self.views = len(rows)
        self.arch = net.arch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: N x 1 x H x W in [0, 1]. Returns the mean logits of the views, N x classes."""
        n, _, h, w = x.shape
        v = self.rows @ x.reshape(1, n, h, w) @ self.cols  # K x N x H x W
        logits = self.net(v.reshape(self.views * n, 1, h, w))
        return logits.reshape(self.views, n, -1).mean(0)


class Exported(nn.Module):
    """What ships: logits divided by a fitted temperature, then softmax (calibrated probabilities).

    With `offsets` (one per class), they are added to the scaled logits before the softmax: decision
    thresholds chosen on the dev split (models/eval/protocol.mjs), which move the model along the
    FER+ / original-label trade-off; the graph then has one Add more, and the engine needs nothing."""

    def __init__(self, net: nn.Module, temperature: float, offsets: list[float] | None = None):
        super().__init__()
        self.net = net
        self.register_buffer("inv_t", torch.tensor(1.0 / temperature))
        has = offsets is not None and any(offsets)
        self.register_buffer("offsets", torch.tensor(offsets, dtype=torch.float32) if has else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.net(x) * self.inv_t
        return torch.softmax(z if self.offsets is None else z + self.offsets, dim=1)


def net_from_checkpoint(ck: dict) -> ExpressionNet:
    """The net of a checkpoint ({"arch", "ema"}), with a second head where its weights have one."""
    net = ExpressionNet(ck["arch"], orig_head="orig_head.weight" in ck["ema"])
    net.load_state_dict(ck["ema"])
    return net


class _BothHeads(nn.Module):
    """A two-head net whose forward is `both`: called as a module, each member of an Ensemble gets its own
    scope in the exported graph (/nets.I/...), where quantize.py finds its activations."""

    def __init__(self, net: ExpressionNet):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.net.both(x)


class Ensemble(nn.Module):
    """Several two-head nets as one: each head's logits, divided by that net's own fitted temperature,
    averaged over the nets (`both`, as ExpressionNet.both). Nets trained apart err apart, so the mean
    is right more often than any one of them; Gated then mixes its two heads with temperatures fitted
    for the mean (ensemble.py)."""

    def __init__(self, nets: list[ExpressionNet], t_ferplus: list[float], t_orig: list[float]):
        super().__init__()
        assert nets and all(n.orig_head is not None for n in nets), "an Ensemble is of two-head nets"
        self.nets = nn.ModuleList(_BothHeads(n) for n in nets)
        self.register_buffer("inv_t", torch.tensor([1.0 / t for t in t_ferplus]))
        self.register_buffer("inv_t_orig", torch.tensor([1.0 / t for t in t_orig]))
        self.arch = "+".join(n.arch for n in nets)

    def members(self) -> list[ExpressionNet]:
        return [m.net for m in self.nets]

    def both(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        zf, zo = 0, 0
        for i, net in enumerate(self.nets):
            f, o = net(x)
            zf, zo = zf + f * self.inv_t[i], zo + o * self.inv_t_orig[i]
        return zf / len(self.nets), zo / len(self.nets)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.both(x)[0]


class Gated(nn.Module):
    """What a two-head net ships: the FER+ head's calibrated probabilities where that head is sure,
    the original-label head's where it is not.

    Faces on which the FER+ crowd has no majority are the ones its head is unsure about; the original
    label there costs no FER+ accuracy and names the strong expressions (anger, fear) that the crowd
    splits. The weight of the original-label head is sigmoid(sharpness x (gate - max FER+ probability));
    `offsets` are then added to the mixture's log-probabilities (decision thresholds), as in Exported.
    With `mirror`, each head's logits are first averaged over the face and its mirror."""

    def __init__(self, net: ExpressionNet, t_ferplus: float, t_orig: float, gate: float, sharpness: float = 20.0,
                 offsets: list[float] | None = None, mirror: bool = False):
        super().__init__()
        self.net = net
        self.register_buffer("inv_t", torch.tensor(1.0 / t_ferplus))
        self.register_buffer("inv_t_orig", torch.tensor(1.0 / t_orig))
        self.register_buffer("gate", torch.tensor(float(gate)))
        self.register_buffer("sharpness", torch.tensor(float(sharpness)))
        has = offsets is not None and any(offsets)
        self.register_buffer("offsets", torch.tensor(offsets, dtype=torch.float32) if has else None)
        self.mirror = mirror

    def heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Each head's logits (mirror-averaged with `mirror`), before the temperatures."""
        n = x.shape[0]
        if self.mirror:
            x = torch.cat([x, x.flip(3)])
        zf, zo = self.net.both(x)
        if self.mirror:
            zf, zo = (zf[:n] + zf[n:]) / 2, (zo[:n] + zo[n:]) / 2
        return zf, zo

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mix(*self.heads(x))

    def mix(self, zf: torch.Tensor, zo: torch.Tensor) -> torch.Tensor:
        """The shipped output from the heads' logits."""
        p = torch.softmax(zf * self.inv_t, dim=1)
        q = torch.softmax(zo * self.inv_t_orig, dim=1)
        w = torch.sigmoid(self.sharpness * (self.gate - p.max(dim=1, keepdim=True).values))
        mix = (1 - w) * p + w * q
        if self.offsets is None:
            return mix
        return torch.softmax(torch.log(mix + 1e-12) + self.offsets, dim=1)


def count_macs(net: ExpressionNet, size: int = 48) -> int:
    """Multiply-accumulates of one forward pass (convs and the linear head)."""
    macs = 0
    hooks = []

    def conv_hook(m: nn.Conv2d, _inp, out):
        nonlocal macs
        macs += out.numel() // out.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def lin_hook(m: nn.Linear, _inp, _out):
        nonlocal macs
        macs += m.in_features * m.out_features

    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(lin_hook))
    net.eval()
    with torch.no_grad():
        net(torch.rand(1, 1, size, size))
    for h in hooks:
        h.remove()
    return macs
