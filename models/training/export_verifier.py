"""Exports a face verifier (face_verifier.py) to the ONNX file the engine runs on small and unsure finds.

The graph takes N x 1 x 48 x 48 grey crops in [0, 1] (the engine's crop: models/face/README.md) and
gives `face`, N probabilities of a face: the sigmoid of the mean logit of each crop and its mirror
image, as `face_verifier.faceness` scores the dev set. The bar the run chose (its summary.json) is
written into the file's metadata (`bar`) and is the engine's FACE_VERIFIER_BAR. Beside it,
`<name>.parity.json`: six FER2013 dev-split images (three faces, three that FER+ calls not a face)
and PyTorch's probabilities for them, which models/eval/test/verifier.test.mjs holds the ONNX file to
(and the bar to the engine's).

    /usr/bin/python3 models/training/export_verifier.py --run models/runs/verifier-17a --out models/face/face-verifier.onnx
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from face_verifier import VerifierNet  # noqa: E402
from fer_data import dev_mask, load_split  # noqa: E402


class Mirrored(nn.Module):
    """The probability of a face from the mean logit of the crop and its mirror image."""

    def __init__(self, net: VerifierNet):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid((self.net(x) + self.net(torch.flip(x, [3]))) / 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", required=True, help="a face_verifier.py --out folder (verifier.pt, summary.json)")
    ap.add_argument("--out", required=True, help="the .onnx file to write")
    ap.add_argument("--data", default="../shared/data/fer2013")
    args = ap.parse_args()
    summary = json.load(open(os.path.join(args.run, "summary.json")))
    net = VerifierNet(summary["args"]["width"])
    net.load_state_dict(torch.load(os.path.join(args.run, "verifier.pt")))
    net.eval()
    model = Mirrored(net).eval()
    x = torch.rand(2, 1, 48, 48)
    torch.onnx.export(model, x, args.out, input_names=["input"], output_names=["face"], opset_version=17,
                      dynamic_axes={"input": {0: "n"}, "face": {0: "n"}}, do_constant_folding=True)
    m = onnx.load(args.out)
    m.producer_name = "emotion-detector face_verifier.py"
    meta = {"bar": f"{summary['bar']:.4f}", "run": os.path.basename(os.path.normpath(args.run)),
            "parameters": str(sum(p.numel() for p in net.parameters()))}
    for k, v in meta.items():
        m.metadata_props.add(key=k, value=v)
    onnx.checker.check_model(m)
    onnx.save(m, args.out)
    train = load_split(args.data, "Training")
    dev = dev_mask(args.data)
    rows = torch.cat([torch.nonzero(dev & ~train.not_a_face)[:3, 0], torch.nonzero(dev & train.not_a_face)[:3, 0]])
    sample = train.images[rows].float() / 255
    with torch.no_grad():
        p = model(sample)
    parity = {"input": [round(v, 6) for v in sample.flatten().tolist()], "shape": list(sample.shape),
              "rows": rows.tolist(), "probabilities": p.tolist(), "bar": float(meta["bar"])}
    with open(args.out.replace(".onnx", ".parity.json"), "w") as f:
        json.dump(parity, f)
    print(json.dumps({**meta, "bytes": os.path.getsize(args.out), "parity": parity["probabilities"]}))


if __name__ == "__main__":
    main()
