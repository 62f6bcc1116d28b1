"""Train the expression CNN on FER2013 Training (FER+ votes blended with the original labels).

Selects the best epoch on PublicTest, recomputes its BatchNorm statistics (recalibrate.py) and
fits a softmax temperature on PublicTest; export.py then writes the ONNX model.

    /usr/bin/python3 models/training/train.py --data ../shared/data/fer2013 --out models/runs/r-s

Writes <out>/train.log, <out>/last.pt (resumable), <out>/best-raw.pt (the selected epoch),
<out>/best.pt (the same with recalibrated BatchNorm statistics) and <out>/summary.json.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from augment import BACKGROUND_SCALE, SHIFT, augment, settings  # noqa: E402
from balance import adjusted, log_prior  # noqa: E402
from engine_framing import both_framings, load_engine_crops  # noqa: E402
from fer_data import CLASSES, soft_targets, training_rows  # noqa: E402
from net import ExpressionNet, count_macs  # noqa: E402
from recalibrate import recalibrate_run  # noqa: E402
from strength import mean_neutral, vary_strength  # noqa: E402
from scoring import accuracies, predict, selection_score  # noqa: E402


def next_epoch_past(session_s: float, epoch_s: float, limit_min: float) -> bool:
    """Whether another epoch as long as the last one would end past limit_min minutes of this
    invocation (limit_min 0: never)."""
    return limit_min > 0 and session_s + epoch_s > limit_min * 60


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/fer2013")
    ap.add_argument("--out", default="models/runs/default")
    ap.add_argument("--arch", default="r-s")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--ferplus-weight", type=float, default=0.7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--time-limit-min", type=float, default=110,
                    help="wall-time budget; the learning-rate schedule anneals within it")
    ap.add_argument("--stop-after-min", type=float, default=0,
                    help="end this invocation, minutes of wall time, at the last epoch boundary that fits "
                         "(last.pt kept; the same command resumes it, on the same schedule); 0: no limit. "
                         "For a run longer than one session: give --time-limit-min the whole run's budget")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", help="start from these weights (a best.pt), e.g. a second, lower-lr cycle")
    ap.add_argument("--teacher", help="soft targets from teacher.py, blended into the labels (distillation)")
    ap.add_argument("--teacher-weight", type=float, default=0.5,
                    help="share of the teacher in each target; the rest is the FER+/original blend")
    ap.add_argument("--select", choices=["sum", "ferplus", "orig", "ferplus+origmacro"], default="sum",
                    help="accuracy that picks the best epoch: FER+ plus original (default), one label set "
                         "alone (to map the trade-off between the two), or FER+ accuracy plus the original "
                         "labels' macro recall (the two axes of the trade-off curve)")
    ap.add_argument("--dev", action="store_true",
                    help="train on Training without the dev split (fer_data.dev_mask) and choose the epoch, "
                         "the BatchNorm statistics and the temperature on the dev split; PublicTest is not read")
    ap.add_argument("--orig-classes", default="",
                    help="comma-separated classes (e.g. angry,fear) whose rows (by original label) are taught "
                         "--orig-share x the original label + the rest x the FER+ votes, without the teacher")
    ap.add_argument("--orig-share", type=float, default=0.6)
    ap.add_argument("--orig-head", type=float, default=0.0,
                    help="weight of a second head's loss on the original labels (net.Gated mixes the two heads "
                         "in the exported model); 0 = one head. Its targets: --orig-head-votes x the FER+ votes "
                         "+ the rest x the original one-hot label. With --init, it starts as a copy of the FER+ head")
    ap.add_argument("--orig-head-votes", type=float, default=0.1)
    ap.add_argument("--orig-teacher-weight", type=float, default=0.0,
                    help="share of the teacher's original-label head (teacher.py's origProbs, from two-head "
                         "members) in the original-label head's targets; 0 = none")
    ap.add_argument("--orig-head-adjust", type=float, default=0.0,
                    help="logit adjustment of the original-label head's loss (balance.py): tau; 1 = its logits "
                         "estimate what a class-balanced training set would give (macro recall); 0 = plain")
    ap.add_argument("--engine-framing",
                    help="where the engine finds each Training face (models/eval/engine-framing.mjs's file): "
                         "a share of the images is the crop the engine cuts there (engine_framing.py) instead "
                         "of FER2013's own, before the usual augmentation")
    ap.add_argument("--engine-framing-share", type=float, default=0.5,
                    help="chance that an image with an engine framing is shown with it")
    ap.add_argument("--background", type=float, default=0.0,
                    help="share of the training images shrunk onto a plain background (augment.py): faces on a "
                         "plain wall or in a photo, where the engine's crop reaches past the face")
    ap.add_argument("--background-texture", type=float, default=0.0,
                    help="share of the --background images whose ground is busy, soft blobs with fine noise "
                         "(augment.py): a small face in front of a room, where BlazeFace's box is larger")
    ap.add_argument("--background-scale", type=float, default=BACKGROUND_SCALE[0],
                    help="smallest share of its side a --background image is shrunk to, uniform from it to 1 "
                         f"(augment.py; default {BACKGROUND_SCALE[0]}): smaller faces in their crop, as on a busy surround")
    ap.add_argument("--background-move", type=float, default=SHIFT,
                    help="largest shift of a --background image's centre in x and in y, a share of its side "
                         f"(augment.py; default {SHIFT}, as for the other images): BlazeFace's box moves on a busy surround")
    ap.add_argument("--zoom-in", type=float, default=0.0,
                    help="share of the training images enlarged 1.15-1.45x (augment.py): the tight crops of posed "
                         "lab photos, the face filling the picture")
    ap.add_argument("--strength", type=float, default=0.0,
                    help="share of the training images made weaker or stronger (strength.py: caricatures against "
                         "the mean neutral face, targets moved towards neutral or the original label)")
    ap.add_argument("--recalibrate-images", type=int, default=12_800,
                    help="augmented Training images for the final BatchNorm statistics (recalibrate.py)")
    args = ap.parse_args()
    if args.orig_teacher_weight and not (args.orig_head > 0 and args.teacher):
        ap.error("--orig-teacher-weight teaches the original-label head from a teacher's: give --orig-head and --teacher too")
    if args.background_texture > 0 and args.background <= 0:
        ap.error("--background-texture is a share of the --background images: give --background too")
    if not 0.3 <= args.background_scale <= 1:
        ap.error(f"--background-scale is a share of the image's side, 0.3 to 1: got {args.background_scale}")
    if not 0 <= args.background_move <= 0.25:
        ap.error(f"--background-move is a share of the image's side, 0 to 0.25: got {args.background_move}")

    augmentation = settings(vars(args))
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "train.log"), "a", buffering=1)

    def say(msg: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        log.write(line + "\n")

    train, keep, val = training_rows(args.data, args.dev)
    targets = soft_targets(train, args.ferplus_weight)
    if args.teacher:
        teacher = torch.load(args.teacher)
        assert teacher["probs"].shape == targets.shape, "teacher targets are for another split"
        targets = (1 - args.teacher_weight) * targets + args.teacher_weight * teacher["probs"]
    if args.orig_classes:
        # Rows whose original label is one of these classes: the single annotator's strong call is
        # weighted in (FER+ annotators often call mild anger neutral and fear sad), and no teacher,
        # which learned the crowd's habit.
        boosted = torch.isin(train.labels, torch.tensor([CLASSES.index(c) for c in args.orig_classes.split(",")]))
        blend = soft_targets(train, 1 - args.orig_share)
        targets[boosted] = blend[boosted]
        say(f"original label x {args.orig_share} for {int(boosted[keep].sum())} rows of {args.orig_classes}")
    two_heads = args.orig_head > 0
    orig_targets = soft_targets(train, args.orig_head_votes) if two_heads else None
    if args.orig_teacher_weight:
        if "origProbs" not in teacher:
            ap.error(f"--orig-teacher-weight: {args.teacher} is from one-head members (teacher.py writes origProbs "
                     "only where every member has an original-label head)")
        orig_targets = (1 - args.orig_teacher_weight) * orig_targets + args.orig_teacher_weight * teacher["origProbs"]
    orig_targets = orig_targets[keep] if two_heads else None
    orig_prior = log_prior(train.labels[keep]) if two_heads else None
    if args.orig_head_adjust:
        assert two_heads, "--orig-head-adjust is for the original-label head (--orig-head)"
        say(f"original-label head's loss logit-adjusted, tau {args.orig_head_adjust}, "
            f"prior {[round(v, 3) for v in orig_prior.exp().tolist()]}")
    targets = targets[keep]
    images = train.images[keep]
    labels = train.labels[keep]
    neutral_face = mean_neutral(images, train.ferplus_dist[keep]) if args.strength > 0 else None
    say(f"args {vars(args)}; training rows {len(images)} of {len(train.images)}")
    framed = None
    if args.engine_framing:
        crops, found = load_engine_crops(args.engine_framing, train.images)
        framed, found = crops[keep], found[keep]
        say(f"engine framing for {int(found.sum())} of {len(images)} training rows, shown {args.engine_framing_share:.0%} of the time")

    net = ExpressionNet(args.arch, orig_head=two_heads)
    if args.init:
        state = torch.load(args.init)["ema"]
        if two_heads and "orig_head.weight" not in state:
            state = {**state, "orig_head.weight": state["head.weight"], "orig_head.bias": state["head.bias"]}
        net.load_state_dict(state)
        say(f"initialised from {args.init}")
    ema = copy.deepcopy(net)
    for p in ema.parameters():
        p.requires_grad_(False)
    params = sum(p.numel() for p in net.parameters())
    say(f"arch {args.arch}: {params} parameters, {count_macs(net) / 1e6:.1f} M MACs")

    steps_per_epoch = len(images) // args.batch
    total_steps = steps_per_epoch * args.epochs
    opt = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=args.wd)
    budget_s = args.time_limit_min * 60

    def progress(step: int, elapsed: float) -> float:
        # The schedule follows whichever budget runs out first, steps or wall time, so a run on a
        # busy machine still ends with a fully annealed learning rate inside its time budget.
        return min(1.0, max(step / total_steps, elapsed / budget_s))

    def lr_at(p: float) -> float:
        warm = 0.03
        if p < warm:
            return args.lr * (0.1 + 0.9 * p / warm)
        return args.lr * 0.5 * (1 + math.cos(math.pi * (p - warm) / (1 - warm)))
    start_epoch, best, history, elapsed_before = 0, {"score": -1.0}, [], 0.0
    ckpt_path = os.path.join(args.out, "last.pt")
    raw_path = os.path.join(args.out, "best-raw.pt")
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        net.load_state_dict(ck["net"]); ema.load_state_dict(ck["ema"])
        opt.load_state_dict(ck["opt"])
        start_epoch, best, history = ck["epoch"] + 1, ck["best"], ck["history"]
        elapsed_before = ck["elapsed"]
        say(f"resumed at epoch {start_epoch}")

    g = torch.Generator().manual_seed(args.seed + start_epoch)
    session_t0 = time.time()
    t0 = session_t0 - elapsed_before
    step, p = start_epoch * steps_per_epoch, 0.0
    for epoch in range(start_epoch, args.epochs):
        net.train()
        perm = torch.randperm(len(images), generator=g)
        te, seen, loss_sum = time.time(), 0, 0.0
        for s in range(steps_per_epoch):
            idx = perm[s * args.batch : (s + 1) * args.batch]
            batch = images[idx]
            if framed is not None:
                use = found[idx] & (torch.rand(len(idx), generator=g) < args.engine_framing_share)
                batch = torch.where(use[:, None, None, None], framed[idx], batch)
            x, y = batch.float() / 255, targets[idx]
            y_orig = orig_targets[idx] if two_heads else None
            if neutral_face is not None:
                x, varied = vary_strength(x, [y, y_orig] if two_heads else [y], labels[idx], neutral_face,
                                          args.strength, g)
                y, y_orig = varied[0], varied[1] if two_heads else None
            x = augment(x, g, **augmentation)
            if two_heads:
                logits, orig_logits = net.both(x)
                loss = torch.sum(-y * F.log_softmax(logits, 1), 1).mean() + args.orig_head * torch.sum(
                    -y_orig * F.log_softmax(adjusted(orig_logits, orig_prior, args.orig_head_adjust), 1),
                    1).mean()
            else:
                loss = torch.sum(-y * F.log_softmax(net(x), 1), 1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            p = progress(step, time.time() - t0)
            for group in opt.param_groups:
                group["lr"] = lr_at(p)
            # EMA warms up: short early memory, 0.999 later.
            d = min(0.999, (1 + epoch * steps_per_epoch + s) / (10 + epoch * steps_per_epoch + s))
            with torch.no_grad():
                for pe, pn in zip(ema.parameters(), net.parameters()):
                    pe.mul_(d).add_(pn.detach(), alpha=1 - d)
                for be, bn in zip(ema.buffers(), net.buffers()):
                    be.copy_(bn)  # BN statistics follow the live net
            seen += len(idx)
            loss_sum += loss.item() * len(idx)
            if p >= 1.0:
                break  # the budget ran out mid-epoch (a busy machine): score what the schedule ended with
        acc = accuracies(predict(ema, val.images), val)
        if two_heads:
            # The FER+ head is judged on FER+, the original-label head on the original labels.
            acc_orig = accuracies(predict(ema, val.images, head="orig"), val)
            acc = {**acc, "orig": acc_orig["orig"], "origMacro": acc_orig["origMacro"],
                   "origRecall": acc_orig["origRecall"], "ferplusHeadOrigMacro": acc["origMacro"]}
        score = selection_score(acc, args.select)
        rate = seen / (time.time() - te)
        history.append({"epoch": epoch, "loss": loss_sum / seen, **acc, "img_per_s": rate})
        say(
            f"epoch {epoch + 1}/{args.epochs} loss {loss_sum / seen:.4f} "
            f"{'dev' if args.dev else 'val'} ferplus {acc['ferplus']:.4f} orig {acc['orig']:.4f} "
            f"orig macro {acc['origMacro']:.4f} angry {acc['origRecall'][0]:.3f} fear {acc['origRecall'][2]:.3f} ({rate:.0f} img/s, lr {lr_at(p):.4f}, "
            f"progress {p:.2f})"
        )
        if score > best["score"]:
            best = {"score": score, "epoch": epoch, **acc}
            torch.save({"ema": ema.state_dict(), "arch": args.arch, "acc": acc}, os.path.join(args.out, "best.pt"))
            # A best-raw.pt from an earlier finish of this run is stale now; recalibrate_run keeps
            # the new selection as best-raw.pt instead.
            if os.path.exists(raw_path):
                os.remove(raw_path)
        # Written aside and renamed, so that a run stopped while saving still resumes from the epoch before.
        torch.save(
            {"net": net.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(),
             "epoch": epoch, "elapsed": time.time() - t0, "best": best, "history": history},
            ckpt_path + ".tmp",
        )
        os.replace(ckpt_path + ".tmp", ckpt_path)
        if p >= 1.0:
            if step < total_steps:
                say("time budget reached: schedule annealed on wall time, stopping")
            break
        now = time.time()
        if next_epoch_past(now - session_t0, now - te, args.stop_after_min):
            say(f"stopping after epoch {epoch + 1} (--stop-after-min {args.stop_after_min:g}): "
                f"the same command resumes at epoch {epoch + 2}")
            return

    # BN statistics for the EMA weights themselves (recalibrate.py says why): best.pt gets them,
    # best-raw.pt keeps the checkpoint as selected; then the temperature, fitted on PublicTest (the
    # dev split with --dev) against the FER+ majority where present.
    stats_images = images if framed is None else both_framings(images, framed, found)
    _, best["bnRecalibrated"], temperature, orig = recalibrate_run(args.out, stats_images, val, args.recalibrate_images,
                                                                  augmentation)
    extra = {}
    if orig:
        extra["temperatureOrig"] = orig["temperature"]
        best["bnRecalibrated"].update(orig["acc"])
    summary = {"arch": args.arch, "best": best, "temperature": temperature, **extra,
               "train_minutes": (time.time() - t0) / 60, "history": history, "args": vars(args)}
    json.dump(summary, open(os.path.join(args.out, "summary.json"), "w"), indent=1)
    say(f"best epoch {best['epoch'] + 1}: {best}; temperature {temperature:.3f}")


if __name__ == "__main__":
    main()
