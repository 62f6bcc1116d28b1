"""Unit tests of the training code (data targets, network, pruning, BatchNorm folding, card text).

Run by `npm test` through python.test.mjs (skipped where /usr/bin/python3 has no torch), or alone:
    /usr/bin/python3 -m unittest discover -s models/training/test -v
"""
from __future__ import annotations

import inspect
import json
import math
import os
import sys
import unittest

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from augment import BACKGROUND_SCALE, SHIFT, augment, settings, similarity  # noqa: E402
from engine_framing import CROP, crop_geometry, engine_crops, load_engine_crops  # noqa: E402
from export import fuse_batchnorm, training_card  # noqa: E402
from face_verifier import VerifierNet, augment as augment_verifier, bar_keeping, faceness, frame as frame_as_found, is_dev, patches  # noqa: E402
from fer_data import Split, dev_mask, soft_targets, training_rows  # noqa: E402
from net import VIEW_SCALES, ExpressionNet, MultiView, count_macs  # noqa: E402
from prune import keep, prune  # noqa: E402
from strength import NEUTRAL, mean_neutral, vary_strength  # noqa: E402
from views import view  # noqa: E402

EMOTION = os.path.join(HERE, "..", "..", "emotion")


def randomise_batchnorm(net: torch.nn.Module, seed: int) -> None:
    """Untrained BatchNorms are identities; random ones make folding and pruning checks bite."""
    g = torch.Generator().manual_seed(seed)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = torch.rand(n, generator=g) * 2 - 0.5
            m.bias.data = torch.randn(n, generator=g) * 0.1
            m.running_mean = torch.randn(n, generator=g) * 0.1
            m.running_var = torch.rand(n, generator=g) + 0.5


class SoftTargets(unittest.TestCase):
    def split(self) -> Split:
        dist = torch.tensor([[0.0, 0, 0, 0.8, 0, 0.2, 0], [0, 0, 0, 0, 0, 0, 0]])  # row 2: no FER+ votes
        return Split(torch.zeros(2, 1, 48, 48, dtype=torch.uint8), torch.tensor([3, 4]),
                     torch.tensor([3, 255]), dist, torch.tensor([False, False]))

    def test_blend_and_fallback(self):
        t = soft_targets(self.split(), 0.7)
        self.assertTrue(torch.allclose(t.sum(1), torch.ones(2)))
        self.assertAlmostEqual(t[0, 3].item(), 0.7 * 0.8 + 0.3)
        self.assertAlmostEqual(t[0, 5].item(), 0.7 * 0.2)
        self.assertTrue(torch.equal(t[1], torch.nn.functional.one_hot(torch.tensor(4), 7).float()))

    def test_weight_zero_is_the_original_label(self):
        t = soft_targets(self.split(), 0.0)
        self.assertTrue(torch.equal(t.argmax(1), torch.tensor([3, 4])))
        self.assertEqual(t.max().item(), 1.0)


class Network(unittest.TestCase):
    def test_shipped_cards_match_their_arch(self):
        """The parameter and MAC counts in each shipped card are those of the arch it names."""
        cards = [f for f in os.listdir(EMOTION) if f.endswith(".json") and not f.endswith(".parity.json")]
        self.assertGreater(len(cards), 0)
        for name in cards:
            with open(os.path.join(EMOTION, name)) as f:
                arch = json.load(f)["architecture"]
            net = ExpressionNet(arch["name"], orig_head="heads" in arch)
            self.assertEqual(sum(p.numel() for p in net.parameters()), arch["parameters"], name)
            views = arch.get("views", {}).get("count", 1)  # a multi-view graph runs the net once per view
            self.assertAlmostEqual(count_macs(net) * views / 1e6, arch["mmacs"], delta=0.01 * views, msg=name)

    def test_multi_view_matches_grid_sample(self):
        """MultiView's matrix-product views are the zoomed and mirrored images that F.grid_sample
        (bilinear, border padding) gives, and its output is the mean of the net's logits over them."""
        net = ExpressionNet("r-2xs-s").eval()
        mv = MultiView(net).eval()
        x = torch.rand(3, 1, 48, 48)
        views = [view(x, s, 0.0, 0.0, flip) for s in VIEW_SCALES for flip in (1.0, -1.0)]
        self.assertEqual(mv.views, len(views))
        got = mv.rows @ x.reshape(1, 3, 48, 48) @ mv.cols
        self.assertLess((got - torch.stack(views)[:, :, 0]).abs().max().item(), 1e-5)
        with torch.no_grad():
            want = torch.stack([net(v) for v in views]).mean(0)
            self.assertTrue(torch.allclose(mv(x), want, atol=1e-5))

    def test_output_and_per_image_standardisation(self):
        net = ExpressionNet("r-2xs-s").eval()
        x = torch.rand(3, 1, 48, 48)
        y = net(x)
        self.assertEqual(tuple(y.shape), (3, 7))
        # The graph standardises each image, so exposure and contrast changes do not move the output.
        self.assertTrue(torch.allclose(net(x * 0.5 + 0.2), y, atol=1e-3))


class BatchNormFolding(unittest.TestCase):
    def test_fused_net_gives_the_same_logits(self):
        torch.manual_seed(0)
        net = ExpressionNet("r-2xs-s")
        randomise_batchnorm(net, 1)
        net.eval()
        x = torch.rand(4, 1, 48, 48)
        before = net(x)
        fuse_batchnorm(net)
        self.assertFalse(any(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules()))
        self.assertTrue(torch.allclose(net(x), before, atol=1e-4))


class Pruning(unittest.TestCase):
    def test_keeps_the_largest_batchnorm_scales(self):
        torch.manual_seed(0)
        big = ExpressionNet("r-xs")
        randomise_batchnorm(big, 2)
        sd = big.state_dict()
        small = prune(sd, "r-2xs-s")
        ExpressionNet("r-2xs-s").load_state_dict(small)  # every shape fits the narrower arch
        # First stage (24 -> 16 channels): the strided conv keeps the outputs with the largest summed
        # |gamma| of the BatchNorms that write them (its own and the dropped block's second one).
        out = keep(sd["features.1.1.weight"].abs() + sd["features.2.b.1.weight"].abs(), 16)
        stem = keep(sd["features.0.1.weight"].abs(), 16)
        self.assertTrue(torch.equal(small["features.1.0.weight"], sd["features.1.0.weight"][out][:, stem]))
        self.assertTrue(torch.equal(small["features.1.1.running_var"], sd["features.1.1.running_var"][out]))
        # r-2xs-s has no first-stage block: its second stage's strided conv is r-xs's features.3.
        self.assertEqual(small["features.2.0.weight"].shape[1], 16)

    def test_keep_is_sorted_top_k(self):
        self.assertEqual(keep(torch.tensor([0.1, 5.0, 0.3, 4.0]), 2).tolist(), [1, 3])


class Quantisation(unittest.TestCase):
    def test_calibration_names_tensors_of_the_exported_graph(self):
        """quantize.py finds every calibrated activation in the exported graph, single- and
        multi-view (where the net sits one scope deeper), and only there."""
        import tempfile

        import onnx

        from export import export_onnx
        from net import Exported
        from quantize import calibrate

        torch.manual_seed(0)
        images = (torch.rand(8, 1, 48, 48) * 255).to(torch.uint8)
        for multi_view in (False, True):
            net = ExpressionNet("r-2xs-s").eval()
            fuse_batchnorm(net)
            model = MultiView(net).eval() if multi_view else net
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "m.onnx")
                export_onnx(Exported(model, 1.0), path)
                outputs = {o for n in onnx.load(path).graph.node for o in n.output}
            ranges = calibrate(model, images)
            self.assertGreater(len(ranges), 5)
            missing = [t for t in ranges if t not in outputs]
            self.assertEqual(missing, [], f"multi_view={multi_view}")

    def test_calibration_names_tensors_of_a_two_head_graph(self):
        """In a Gated graph the net's layers sit at the top level (Gated calls its method `both`)."""
        import tempfile

        import onnx

        from export import export_onnx
        from net import Gated
        from quantize import calibrate

        torch.manual_seed(0)
        images = (torch.rand(8, 1, 48, 48) * 255).to(torch.uint8)
        net = ExpressionNet("r-2xs-s", orig_head=True).eval()
        fuse_batchnorm(net)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.onnx")
            export_onnx(Gated(net, 0.5, 0.8, 0.6, mirror=True), path)
            outputs = {o for n in onnx.load(path).graph.node for o in n.output}
        ranges = calibrate(net, images, scope="")
        self.assertGreater(len(ranges), 5)
        self.assertEqual([t for t in ranges if t not in outputs], [])


class Ensembles(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.nets = [ExpressionNet("r-2xs-s", orig_head=True).eval() for _ in range(2)]
        with torch.no_grad():
            for n in self.nets:
                n.orig_head.weight.normal_(0, 0.5)
        self.x = torch.rand(5, 1, 48, 48)

    def test_each_head_averages_the_nets_calibrated_logits(self):
        from net import Ensemble

        e = Ensemble(self.nets, [0.5, 2.0], [0.8, 1.25]).eval()
        with torch.no_grad():
            (f0, o0), (f1, o1) = self.nets[0].both(self.x), self.nets[1].both(self.x)
            zf, zo = e.both(self.x)
            self.assertTrue(torch.allclose(zf, (f0 / 0.5 + f1 / 2.0) / 2, atol=1e-5))
            self.assertTrue(torch.allclose(zo, (o0 / 0.8 + o1 / 1.25) / 2, atol=1e-5))
            self.assertTrue(torch.equal(e(self.x), zf))
        with self.assertRaises(AssertionError):
            Ensemble([ExpressionNet("r-2xs-s")], [1.0], [1.0])  # one head: nothing to gate

    def test_quantisation_finds_every_members_activations(self):
        """Each member sits in its own scope of the exported graph (/nets.I), where calibrate looks."""
        import tempfile

        import onnx

        from export import export_onnx
        from net import Ensemble, Gated
        from quantize import calibrate

        images = (torch.rand(8, 1, 48, 48) * 255).to(torch.uint8)
        for n in self.nets:
            fuse_batchnorm(n)
        e = Ensemble(self.nets, [0.5, 0.6], [0.8, 0.9]).eval()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.onnx")
            export_onnx(Gated(e, 1.0, 1.0, 0.5, mirror=True), path)
            outputs = {o for n in onnx.load(path).graph.node for o in n.output}
        ranges = [calibrate(m, images, scope=f"/nets.{i}") for i, m in enumerate(e.members())]
        self.assertEqual(len(ranges[0]), len(ranges[1]))
        self.assertGreater(len(ranges[0]), 5)
        self.assertEqual(set(ranges[0]) & set(ranges[1]), set())
        self.assertEqual([t for r in ranges for t in r if t not in outputs], [])


class Augmentation(unittest.TestCase):
    def test_similarity_turns_mirrors_and_shifts(self):
        """The matrices both augmentations build: a quarter turn, a mirror image and a shift of one
        pixel (2/48 in affine_grid's units) move pixels as torch.rot90, flip and roll do."""
        x = torch.rand(1, 1, 48, 48)
        one, zero = torch.ones(1), torch.zeros(1)

        def moved(theta):
            grid = F.affine_grid(theta, list(x.shape), align_corners=False)
            return F.grid_sample(x, grid, align_corners=False)
        self.assertTrue(torch.allclose(moved(similarity(one, zero, zero, zero)), x, atol=1e-5))
        self.assertTrue(torch.allclose(moved(similarity(one, zero, zero, zero, -one)), x.flip(3), atol=1e-5))
        self.assertTrue(torch.allclose(moved(similarity(zero, one, zero, zero)), torch.rot90(x, 1, (2, 3)), atol=1e-5))
        shifted = moved(similarity(one, zero, one * 2 / 48, zero))
        self.assertTrue(torch.allclose(shifted[..., :-1], x[..., 1:], atol=1e-5))

    def test_shape_range_and_determinism(self):
        x = torch.rand(8, 1, 48, 48)
        a = augment(x.clone(), torch.Generator().manual_seed(3))
        b = augment(x.clone(), torch.Generator().manual_seed(3))
        self.assertEqual(a.shape, x.shape)
        self.assertTrue(torch.equal(a, b))
        self.assertGreaterEqual(a.min().item(), 0.0)
        self.assertLessEqual(a.max().item(), 1.0)
        self.assertFalse(torch.equal(a, x))

    def test_background_puts_faces_on_a_plain_ground(self):
        """A plain white image stays plain with repeated edges; with background=1 most corners show the
        fill (black or a grey level) around the shrunk image instead."""
        x = torch.ones(64, 1, 48, 48)

        def framed(background: float) -> int:
            y = augment(x.clone(), torch.Generator().manual_seed(5), background)
            face = y.flatten(1).median(1).values  # most pixels are the image's, erasing patches aside
            return int(((y[:, 0, 0, 0] - face).abs() > 0.2).sum())

        self.assertLessEqual(framed(0.0), 2)  # only where a random erasing patch covers the corner
        self.assertGreaterEqual(framed(1.0), 40)
        y = augment(x.clone(), torch.Generator().manual_seed(5), 1.0)
        self.assertGreaterEqual(y.min().item(), 0.0)
        self.assertLessEqual(y.max().item(), 1.0)

    def test_background_texture_puts_faces_on_a_busy_ground(self):
        """With textured=1 the ground around a shrunk plain image varies within each image (a plain one
        is one level); textured=0 draws nothing more, so runs without it augment exactly as before."""
        x = torch.ones(64, 1, 48, 48)

        def ground_spread(textured: float) -> float:
            """The median over images of the median absolute deviation of their ground's pixels (those
            far from the image's own level; robust to the edge's blend and the erasing patches)."""
            y = augment(x.clone(), torch.Generator().manual_seed(5), 1.0, textured=textured)
            face = y.flatten(1).median(1).values
            spreads = []
            for img, level in zip(y[:, 0], face):
                ground = img[(img - level).abs() > 0.2]
                if len(ground) >= 50:
                    spreads.append((ground - ground.median()).abs().median())
            self.assertGreaterEqual(len(spreads), 32)
            return float(torch.stack(spreads).median())

        self.assertTrue(torch.equal(augment(x.clone(), torch.Generator().manual_seed(5), 1.0),
                                    augment(x.clone(), torch.Generator().manual_seed(5), 1.0, textured=0.0)))
        self.assertLess(ground_spread(0.0), 0.01)
        self.assertGreater(ground_spread(1.0), 0.05)
        y = augment(x.clone(), torch.Generator().manual_seed(5), 1.0, textured=1.0)
        self.assertGreaterEqual(y.min().item(), 0.0)
        self.assertLessEqual(y.max().item(), 1.0)

    def test_background_scale_shrinks_the_face_further(self):
        """shrink_to lowers the smallest share of its side a background image is shrunk to: the same draws
        give each image a scale no larger, so a white image (a face) covers less of its crop (the ground
        is darker than it and exposure keeps that order); the default is BACKGROUND_SCALE's lower end."""
        x = torch.ones(64, 1, 48, 48)

        def face_area(shrink_to: float) -> float:
            y = augment(x.clone(), torch.Generator().manual_seed(9), 1.0, shrink_to=shrink_to)
            # The face's level is each image's largest (erasing patches aside: the same in every call).
            top = y.flatten(1).max(1).values[:, None, None, None]
            return float((y >= top - 1e-4).float().mean())

        self.assertTrue(torch.equal(augment(x.clone(), torch.Generator().manual_seed(9), 1.0),
                                    augment(x.clone(), torch.Generator().manual_seed(9), 1.0,
                                            shrink_to=BACKGROUND_SCALE[0])))
        self.assertLess(face_area(0.6), 0.9 * face_area(BACKGROUND_SCALE[0]))
        self.assertGreater(face_area(0.6), 0.4)

    def test_background_move_shifts_the_face_further(self):
        """move stretches a background image's shift (the same draws): a white image (a face) on a darker
        ground lands further from the crop's centre (the median over images); the default is SHIFT, as before."""
        x = torch.ones(64, 1, 48, 48)

        def median_offset(move: float) -> float:
            y = augment(x.clone(), torch.Generator().manual_seed(11), 1.0, shrink_to=0.7, move=move)
            face = (y >= y.flatten(1).max(1).values[:, None, None, None] - 1e-4).float()[:, 0]
            grid = torch.arange(48.0) - 23.5
            area = face.sum((1, 2))
            cx, cy = (face.sum(1) * grid).sum(1) / area, (face.sum(2) * grid).sum(1) / area
            return float(torch.hypot(cx, cy).median())

        self.assertTrue(torch.equal(augment(x.clone(), torch.Generator().manual_seed(11), 1.0),
                                    augment(x.clone(), torch.Generator().manual_seed(11), 1.0, move=SHIFT)))
        self.assertGreater(median_offset(0.15), 2 * median_offset(SHIFT))

    def test_settings_of_a_run_are_augments_arguments(self):
        """augment.settings() names train.py's options as augment() takes them (so a run is recalibrated
        as it was trained), and a run that predates an option gets augment()'s default for it."""
        run = {"background": 0.375, "zoom_in": 0.1, "background_texture": 0.3, "background_scale": 0.65,
               "background_move": 0.1, "lr": 0.01}
        self.assertEqual(settings(run), {"background": 0.375, "zoom_in": 0.1, "textured": 0.3,
                                         "shrink_to": 0.65, "move": 0.1})
        defaults = {k: p.default for k, p in inspect.signature(augment).parameters.items() if k in settings({})}
        self.assertEqual(settings({}), defaults)
        self.assertEqual(len(defaults), 5)

    def test_zoom_in_enlarges_the_face(self):
        """A white square (a face) half the image's side, on black: zoomed in, it covers more of the
        image, by at least 1.15^2 on average (less the erasing patches and rotation); zoom_in=0 draws
        nothing more, so the images are exactly those of a run without it."""
        x = torch.zeros(64, 1, 48, 48)
        x[:, :, 12:36, 12:36] = 1

        def area(zoom_in: float) -> float:
            y = augment(x.clone(), torch.Generator().manual_seed(7), zoom_in=zoom_in)
            return float((y > 0.5).float().mean())

        self.assertTrue(torch.equal(augment(x.clone(), torch.Generator().manual_seed(7)),
                                    augment(x.clone(), torch.Generator().manual_seed(7), zoom_in=0.0)))
        self.assertGreater(area(1.0), 1.25 * area(0.0))


class ExpressionStrength(unittest.TestCase):
    def test_caricatures_against_the_mean_neutral_face(self):
        """A weaker face moves towards the mean neutral face and its targets towards neutral; a stronger one
        away from it (its departures from neutral larger) and its targets towards its original label;
        share 0 changes nothing."""
        g = torch.Generator().manual_seed(3)
        images = torch.randint(0, 256, (40, 48, 48), generator=g, dtype=torch.uint8)
        votes = torch.zeros(40, 7)
        votes[:20, NEUTRAL] = 1
        votes[20:, 0] = 1
        mean = mean_neutral(images, votes)
        self.assertTrue(torch.allclose(mean, images[:20].float().mean(0) / 255))
        x = torch.full((8, 1, 48, 48), 0.5)
        x[:, :, 10:20, 10:20] = 0.9  # brows raised against a flat neutral mean of 0.5
        flat = torch.full((1, 48, 48), 0.5)
        targets = torch.full((8, 7), 1 / 7)
        labels = torch.zeros(8, dtype=torch.long)
        same, [t] = vary_strength(x, [targets], labels, flat, 0.0, torch.Generator().manual_seed(1))
        self.assertTrue(torch.equal(same, x) and torch.equal(t, targets))
        out, [t] = vary_strength(x, [targets], labels, flat, 1.0, torch.Generator().manual_seed(1))
        s = (out[:, 0, 15, 15] - 0.5) / 0.4  # the strength factor each image got
        self.assertTrue(((s >= 0.6 - 1e-5) & (s <= 1.5 + 1e-5)).all())
        self.assertTrue((s < 1).any() and (s > 1).any())
        self.assertTrue(torch.allclose(out[:, 0, 30, 30], torch.full((8,), 0.5)))  # neutral stays neutral
        self.assertTrue(torch.allclose(t.sum(1), torch.ones(8)))
        weaker, stronger = s < 1, s > 1
        self.assertTrue((t[weaker, NEUTRAL] > 1 / 7).all() and (t[stronger, 0] > 1 / 7).all())
        self.assertTrue(torch.allclose(t[weaker, NEUTRAL], 1 / 7 + (1 - s[weaker]) * 6 / 7, atol=1e-5))


def has_pil() -> bool:
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True


class FaceVerifier(unittest.TestCase):
    @unittest.skipUnless(has_pil(), "needs PIL (python3-pil) to read photographs")
    def test_patches_split_by_photograph(self):
        """Every patch of a photograph lands on its side of the split (is_dev), pixel-identical copies
        count once, and the same seed gives the same patches."""
        import tempfile
        import numpy as np
        from PIL import Image
        with tempfile.TemporaryDirectory() as d:
            files = []
            for k in range(40):  # both sides hold some with near certainty (each one in four is dev)
                f = os.path.join(d, f"p{k}.png")
                Image.fromarray(np.full((60, 80), 5 * k + 10, np.uint8)).save(f)
                files.append(f)
            Image.fromarray(np.full((60, 80), 10, np.uint8)).save(os.path.join(d, "copy.png"))  # a copy of p0
            files.append(os.path.join(d, "copy.png"))
            out = patches(files, 5, seed=1)
            again = patches(files, 5, seed=1)
            dev = [f for f in files[:40] if is_dev(f)]
            self.assertTrue(0 < len(dev) < 40)
            self.assertEqual(out["dev"].shape, (5 * len(dev), 48, 48))
            self.assertEqual(len(out["train"]) + len(out["dev"]), 5 * 40)  # the copy added nothing
            self.assertEqual(sorted(set(out["dev"][:, 0, 0].tolist())), sorted(5 * int(os.path.basename(f)[1:-4]) + 10 for f in dev))
            self.assertTrue(all(np.array_equal(out[k], again[k]) for k in out))

    def test_net_augmentation_and_bar(self):
        """One logit per image, mirror-averaged probabilities in [0, 1] that do not depend on the side a
        face looks to; augmentation keeps shape and range; the bar keeps the asked share."""
        torch.manual_seed(0)
        net = VerifierNet(4)
        x = torch.rand(6, 1, 48, 48)
        self.assertEqual(net(x).shape, (6,))
        p = faceness(net, x)
        self.assertTrue(((p >= 0) & (p <= 1)).all())
        self.assertTrue(torch.allclose(p, faceness(net, x.flip(3)), atol=1e-6))
        a = augment_verifier(x, torch.Generator().manual_seed(2))
        self.assertEqual(a.shape, x.shape)
        self.assertTrue(a.min() >= 0 and a.max() <= 1 and not torch.equal(a, x))
        scores = torch.arange(1000).float() / 1000
        bar = bar_keeping(scores, 0.998)
        self.assertAlmostEqual(float((scores >= bar).float().mean()), 0.998, places=6)

    def test_framed_as_the_engine_frames_a_find(self):
        """A face stays centred (its middle under the crop's centre); a moved face never is; a patch may
        sit anywhere, its ground in view; values stay in [0, 1]."""
        n = 600
        x = torch.full((n, 1, 48, 48), 0.5)
        x[:, :, 16:32, 16:32] = 1.0  # the image's middle
        kind = torch.arange(n) % 3
        grounds = torch.full((4, 1, 48, 48), 0.2)
        out = frame_as_found(x, kind, grounds, torch.Generator().manual_seed(4))
        centre = out[:, 0, 23:25, 23:25].amin((1, 2))
        self.assertTrue((centre[kind == 0] > 0.99).all())
        self.assertTrue((centre[kind == 2] < 0.99).all())
        self.assertTrue((out >= 0).all() and (out <= 1).all())
        off_image = (out[kind == 1] < 0.45).flatten(1).any(1)  # black, textured or dark-grey ground in view
        self.assertTrue(0.2 < float(off_image.float().mean()) < 1)


class CardTrainingSection(unittest.TestCase):
    def summary(self, **args) -> dict:
        base = {"arch": "r-xs", "ferplus_weight": 0.7, "select": "sum", "lr": 0.01, "seed": 0, "epochs": 10,
                "threads": 1, "time_limit_min": 5.0, "out": "models/runs/x", "init": None, "teacher": None,
                "teacher_weight": 0.5}
        return {"arch": "r-xs", "args": {**base, **args}, "history": [{}] * 3, "train_minutes": 4.96,
                "best": {"score": 1.5}}

    def test_labels_only(self):
        c = training_card(self.summary())
        self.assertEqual(c["targets"], "soft: 0.7 x FER+ vote distribution + 0.3 x original FER2013 one-hot label")
        self.assertIn("(FER+ majority accuracy + original accuracy)", c["selection"])
        self.assertNotIn("BatchNorm", c["selection"])
        self.assertEqual((c["epochs"], c["minutes"]), (3, 5.0))
        self.assertNotIn("--teacher", c["command"])
        self.assertIn("--arch r-xs", c["command"])

    def test_teacher_on_original_labels(self):
        s = self.summary(ferplus_weight=0.0, teacher="t.pt", teacher_weight=0.7, select="orig", init="a/best.pt")
        s["best"]["bnRecalibrated"] = {}
        c = training_card(s)
        self.assertEqual(c["targets"], "soft: 0.3 x (the original FER2013 one-hot label) + 0.7 x the "
                                       "probabilities of a teacher ensemble (t.pt)")
        self.assertIn("(original-label accuracy), its BatchNorm statistics recomputed", c["selection"])
        for flag in ("--teacher t.pt", "--teacher-weight 0.7", "--select orig", "--init a/best.pt", "--ferplus-weight 0.0"):
            self.assertIn(flag, c["command"])


class DevSplit(unittest.TestCase):
    def test_duplicates_on_one_side_and_no_publictest_image(self):
        import tempfile

        import numpy as np

        from fer_data import DEV_MODULUS, pixel_key

        g = np.random.default_rng(0)
        train = g.integers(0, 256, (300, 48, 48), dtype=np.uint8)
        train[200:] = train[:100]  # 100 duplicate pairs
        dev_rows = [i for i in range(200) if pixel_key(train[i]) % DEV_MODULUS == 0]
        self.assertTrue(5 < len(dev_rows) < 45, dev_rows)
        test = np.concatenate([train[dev_rows[:1]], g.integers(0, 256, (5, 48, 48), dtype=np.uint8)])
        with tempfile.TemporaryDirectory() as d:
            train.tofile(os.path.join(d, "Training-images.u8"))
            test.tofile(os.path.join(d, "PublicTest-images.u8"))
            mask = dev_mask(d).numpy()
        self.assertTrue((mask[:100] == mask[200:]).all(), "a duplicate group falls on one side")
        self.assertFalse(mask[dev_rows[0]], "a PublicTest image is never in the dev split")
        self.assertEqual(sorted(np.flatnonzero(mask[:200]).tolist()), dev_rows[1:])

    def test_the_real_split(self):
        """The same figures as models/eval/test/protocol.test.mjs asserts for the Node side."""
        data = os.environ.get("FER2013_DIR", os.path.join(HERE, "..", "..", "..", "..", "shared", "data", "fer2013"))
        if not os.path.exists(os.path.join(data, "Training-images.u8")):
            self.skipTest(f"no FER2013 in {data}")
        mask = dev_mask(data)
        self.assertEqual(int(mask.sum()), 2633)
        self.assertEqual(mask.nonzero().flatten()[:5].tolist(), [17, 33, 42, 47, 52])

        # What train.py, recalibrate.py and gate.py train on and are judged by (fer_data.training_rows).
        train, keep, val = training_rows(data, dev=True)
        self.assertTrue(torch.equal(val.images, train.images[mask]), "judged on the dev split")
        self.assertFalse((keep & mask).any(), "no dev row trains")
        self.assertFalse((keep & train.not_a_face).any(), "no row FER+ calls not a face trains")
        self.assertEqual(int(keep.sum()), int((~mask & ~train.not_a_face).sum()))
        _, keep_all, test = training_rows(data, dev=False)
        self.assertTrue(torch.equal(keep_all, ~train.not_a_face), "without --dev every face trains")
        self.assertEqual(len(test.images), 3589, "and PublicTest judges")


class FromOnnx(unittest.TestCase):
    def test_shipped_graph_back_in_pytorch(self):
        """A folded, float16-stored export (and its int8 quantisation) comes back as a net that gives the
        same probabilities in eval mode and, on the images its BatchNorms were set from, in training mode."""
        import tempfile

        from export import export_onnx, round_to_half, store_weights_as_half
        from from_onnx import net_from_onnx, onnx_temperature
        from net import Exported
        from quantize import calibrate, quantize

        torch.manual_seed(0)
        net = ExpressionNet("r-2xs-s")
        randomise_batchnorm(net, 3)
        net.eval()
        images = (torch.rand(64, 1, 48, 48) * 255).to(torch.uint8)
        x = images.float() / 255
        fused = ExpressionNet("r-2xs-s")
        fused.load_state_dict(net.state_dict())
        fused.eval()
        fuse_batchnorm(fused)
        round_to_half(fused)
        want = torch.softmax(fused(x) / 0.7, 1)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.onnx")
            export_onnx(Exported(fused, 0.7), path)
            store_weights_as_half(path)
            back = net_from_onnx(path, "r-2xs-s", images)
            self.assertAlmostEqual(onnx_temperature(path), 0.7, places=5)
            with torch.no_grad():
                self.assertTrue(torch.allclose(torch.softmax(back.eval()(x) / 0.7, 1), want, atol=1e-5))
                back.train()
                back.dropout.eval()  # BatchNorms on batch statistics, no dropout
                self.assertTrue(torch.allclose(torch.softmax(back(x) / 0.7, 1), want, atol=1e-3))
            q = os.path.join(d, "q.onnx")
            quantize(path, q, calibrate(fused, images))
            back = net_from_onnx(q, "r-2xs-s", None).eval()
            with torch.no_grad():
                self.assertLess((torch.softmax(back(x) / 0.7, 1) - want).abs().max().item(), 0.05)


class ClassOffsets(unittest.TestCase):
    def test_offsets_reweight_the_probabilities(self):
        """softmax(z / T + b) is the plain model's probabilities times exp(b), renormalised."""
        from net import Exported

        torch.manual_seed(0)
        net = ExpressionNet("r-2xs-s").eval()
        b = torch.tensor([0.5, 0, 1.0, 0, 0, 0, -0.2])
        x = torch.rand(3, 1, 48, 48)
        with torch.no_grad():
            plain = Exported(net, 0.6).eval()(x)
            shifted = Exported(net, 0.6, b.tolist()).eval()(x)
        want = plain * b.exp()
        self.assertTrue(torch.allclose(shifted, want / want.sum(1, keepdim=True), atol=1e-6))
        self.assertNotIn("offsets", Exported(net, 0.6, [0.0] * 7).state_dict())


class TwoHeads(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.net = ExpressionNet("r-2xs-s", orig_head=True).eval()
        with torch.no_grad():
            self.net.orig_head.weight.normal_(0, 0.5)
        self.x = torch.rand(5, 1, 48, 48)
        with torch.no_grad():
            self.zf, self.zo = self.net.both(self.x)

    def test_heads_share_the_features(self):
        """forward() is the FER+ head; both() adds the original-label head on the same features."""
        with torch.no_grad():
            self.assertTrue(torch.equal(self.net(self.x), self.zf))
        self.assertFalse(torch.allclose(self.zf, self.zo))
        self.assertNotIn("orig_head.weight", ExpressionNet("r-2xs-s").state_dict())

    def test_gate_mixes_by_the_ferplus_heads_confidence(self):
        """Gate 0: the FER+ head's calibrated probabilities; above 1: the original-label head's;
        between: their mixture weighted by sigmoid(sharpness x (gate - top FER+ probability))."""
        from net import Gated

        p = torch.softmax(self.zf / 0.5, 1)
        q = torch.softmax(self.zo / 0.8, 1)
        with torch.no_grad():
            low = Gated(self.net, 0.5, 0.8, 0.0, sharpness=1e4)(self.x)
            high = Gated(self.net, 0.5, 0.8, 1.5, sharpness=1e4)(self.x)
            mid = Gated(self.net, 0.5, 0.8, 0.4)(self.x)
        self.assertTrue(torch.allclose(low, p, atol=1e-6))
        self.assertTrue(torch.allclose(high, q, atol=1e-6))
        w = torch.sigmoid(20 * (0.4 - p.max(1, keepdim=True).values))
        self.assertTrue(torch.allclose(mid, (1 - w) * p + w * q, atol=1e-6))
        self.assertTrue(torch.allclose(mid.sum(1), torch.ones(5), atol=1e-5))

    def test_mirror_averages_each_heads_logits(self):
        from net import Gated

        with torch.no_grad():
            zf2, zo2 = self.net.both(self.x.flip(3))
            got = Gated(self.net, 0.5, 0.8, 1.5, sharpness=1e4, mirror=True)(self.x)
        self.assertTrue(torch.allclose(got, torch.softmax((self.zo + zo2) / 2 / 0.8, 1), atol=1e-6))

    def test_offsets_reweight_the_mixture(self):
        from net import Gated

        b = torch.tensor([0.5, 0, 1.0, 0, 0, 0, 0])
        with torch.no_grad():
            plain = Gated(self.net, 0.5, 0.8, 0.6)(self.x)
            shifted = Gated(self.net, 0.5, 0.8, 0.6, offsets=b.tolist())(self.x)
        want = plain * b.exp()
        self.assertTrue(torch.allclose(shifted, want / want.sum(1, keepdim=True), atol=1e-5))


class LogitAdjustment(unittest.TestCase):
    def test_log_prior_is_each_class_share(self):
        from balance import log_prior

        got = log_prior(torch.tensor([0, 0, 0, 1, 2, 2, 3, 4, 5, 6]))
        self.assertTrue(torch.allclose(got.exp(), torch.tensor([0.3, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1])))
        with self.assertRaises(AssertionError):
            log_prior(torch.tensor([0, 1, 2]))

    def test_the_adjusted_loss_leaves_the_prior_out_of_the_logits(self):
        """With nothing to see, a head trained plainly learns the prior (the common class always wins);
        trained on the adjusted logits it learns equal logits, and posthoc() of the plain head agrees."""
        import torch.nn.functional as F
        from balance import adjusted, log_prior, posthoc

        labels = torch.tensor([0] * 60 + [1] * 5 + [2] * 10 + [3] * 10 + [4] * 5 + [5] * 5 + [6] * 5)
        prior = log_prior(labels)

        def fit(tau: float) -> torch.Tensor:
            bias = torch.zeros(7, requires_grad=True)
            opt = torch.optim.LBFGS([bias], lr=0.5, max_iter=200)

            def closure():
                opt.zero_grad()
                loss = F.cross_entropy(adjusted(bias.expand(len(labels), 7), prior, tau), labels)
                loss.backward()
                return loss

            opt.step(closure)
            return bias.detach() - bias.detach().mean()

        plain, balanced = fit(0.0), fit(1.0)
        self.assertTrue(torch.allclose(plain, prior - prior.mean(), atol=1e-3))
        self.assertEqual(plain.argmax().item(), 0)
        self.assertLess(balanced.abs().max().item(), 1e-3)
        after = posthoc(plain, prior, 1.0)
        self.assertLess((after - after.mean()).abs().max().item(), 1e-3)


class GateSweep(unittest.TestCase):
    def test_all_targets_takes_the_most_ferplus_where_every_recall_target_holds(self):
        from gate import all_targets

        def g(ferplus, macro, angry, fear):
            return {"ferplus": ferplus, "origMacro": macro, "angry": angry, "fear": fear, "angry_offset": 0, "fear_offset": 0}

        rows = [{"gate": 0.0, "grid": [g(0.90, 0.61, 0.70, 0.40), g(0.89, 0.65, 0.59, 0.40)]},
                {"gate": 0.5, "grid": [g(0.85, 0.63, 0.61, 0.31), g(0.84, 0.66, 0.65, 0.35), g(0.88, 0.64, 0.62, 0.29)]}]
        self.assertEqual(all_targets(rows), {"gate": 0.5, **g(0.85, 0.63, 0.61, 0.31)})
        self.assertIsNone(all_targets(rows[:1]))


class Teacher(unittest.TestCase):
    def test_each_head_averaged_over_members_and_mirrors(self):
        from scoring import predict
        from teacher import ensemble_probs, heads_of
        torch.manual_seed(0)
        two = [ExpressionNet("r-2xs-s", orig_head=True) for _ in range(2)]
        for n in two:
            randomise_batchnorm(n, 1)
        x = torch.randint(0, 256, (5, 1, 48, 48), dtype=torch.uint8)
        self.assertEqual(heads_of(two), ["ferplus", "orig"])
        self.assertEqual(heads_of(two + [ExpressionNet("r-2xs-s")]), ["ferplus"])
        for head in ("ferplus", "orig"):
            want = sum(torch.softmax(predict(n, x, tta=True, head=head), 1) for n in two) / 2
            self.assertTrue(torch.allclose(ensemble_probs(two, x, head), want, atol=1e-6))
        self.assertFalse(torch.allclose(ensemble_probs(two, x, "orig"), ensemble_probs(two, x), atol=1e-3))


class SessionStop(unittest.TestCase):
    def test_stops_where_another_epoch_would_pass_the_limit(self):
        from train import next_epoch_past
        self.assertFalse(next_epoch_past(session_s=50 * 60, epoch_s=9 * 60, limit_min=60))
        self.assertTrue(next_epoch_past(session_s=50 * 60, epoch_s=11 * 60, limit_min=60))
        self.assertFalse(next_epoch_past(session_s=1e9, epoch_s=1e9, limit_min=0))  # 0: no limit


class EngineFraming(unittest.TestCase):
    """engine_framing.py cuts crop.ts's crop from a 48x48 image."""

    @staticmethod
    def whole_image() -> list[float]:
        # The box whose crop is the image itself: side 1.2 x 40 = 48, centred once moved by offsetY.
        w = 48 / CROP["scale"]
        cy = 24 - CROP["offsetY"] * 48
        return [24 - w / 2, cy - w / 2, w, w, 34.0, 20.0, 14.0, 20.0]

    def test_the_crop_of_the_whole_image_is_the_image(self) -> None:
        g = torch.Generator().manual_seed(0)
        images = torch.randint(0, 256, (2, 1, 48, 48), generator=g, dtype=torch.uint8)
        out, found = engine_crops(images, [self.whole_image(), None])
        self.assertEqual(found.tolist(), [True, False])
        self.assertLessEqual((out[0].int() - images[0].int()).abs().max().item(), 1)
        self.assertTrue(torch.equal(out[1], images[1]))

    def test_a_box_further_right_moves_the_face_left_in_the_crop(self) -> None:
        image = torch.zeros(1, 1, 48, 48, dtype=torch.uint8)
        image[..., 30:] = 200  # a bright band from column 30
        face = self.whole_image()
        face[0] += 6  # the box 6 px to the right: the band starts 6 px earlier in the crop
        out, _ = engine_crops(image, [face])
        row = out[0, 0, 24].int()
        self.assertLess(row[22].item(), 30)
        self.assertGreater(row[25].item(), 170)

    def test_geometry_as_crop_ts(self) -> None:
        # Eyes on a line rising 30 degrees to the image-left eye (angle -30 degrees), named either way.
        lx, ly = 30.0, 20.0
        rx, ry = lx - 10 * math.cos(math.radians(30)), ly + 10 * math.sin(math.radians(30))
        box = [10.0, 12.0, 20.0, 24.0]
        cx, cy, side, angle = crop_geometry(box + [lx, ly, rx, ry], scale=1.2, offset_y=-0.1)
        self.assertAlmostEqual(side, 1.2 * 24)
        self.assertAlmostEqual(math.degrees(angle), -30, places=4)
        shift = -0.1 * side
        self.assertAlmostEqual(cx, 20 - math.sin(angle) * shift)
        self.assertAlmostEqual(cy, 24 + math.cos(angle) * shift)
        self.assertEqual(crop_geometry(box + [rx, ry, lx, ly], scale=1.2, offset_y=-0.1), (cx, cy, side, angle))

    def test_a_framing_file_for_another_split_is_refused(self) -> None:
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump({"images": 3, "size": 48, "faces": [None, None, None]}, f)
            f.flush()
            with self.assertRaisesRegex(AssertionError, "3 images, the split 2"):
                load_engine_crops(f.name, torch.zeros(2, 1, 48, 48, dtype=torch.uint8))


if __name__ == "__main__":
    unittest.main()
