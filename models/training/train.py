"""Trains VoxLab's default speaker-embedding model: a compact ECAPA-TDNN (C=256) with AAM-softmax.

  python3 models/training/train.py train --data models/training/work/data --run models/training/work/run --steps 3000
  python3 models/training/train.py export --run models/training/work/run --out models/training/work/export
  python3 models/training/train.py pack --data models/training/work/data --out models/training/work/packed

`train` reads the cache written by prepare-data.ts, resumes from <run>/checkpoint.pt when present, logs
to stdout and <run>/train.log and checkpoints every --checkpoint-every steps. `export` writes a
SpeechBrain-layout folder (embedding_model.ckpt + hyperparams.yaml) for `voxlab model import`. `pack`
keeps the unperturbed utterances, quantised to uint8 (0.5 dB steps), to carry the data to
another machine in under 64 MB. Needs only torch and numpy.
"""
import argparse
import json
import math
import os
import random
import shutil
import time

import numpy as np
import torch
import torch.nn.functional as F

from ecapa import ECAPA_TDNN

HERE = os.path.dirname(os.path.abspath(__file__))
BINS = 80
QUANT_LO, QUANT_STEP = -64.0, 0.5  # uint8 packing: x = LO + STEP * q covers [-64, 63.5] dB


# ---------------------------------------------------------------------------------------------- data

def load_cache(data_dir):
    """The features as one [frames, 80] array (float32, or uint8 when packed) and the index."""
    with open(os.path.join(data_dir, "index.json")) as f:
        index = json.load(f)
    packed = index.get("packed", False)
    name, dtype = ("features.u8", np.uint8) if packed else ("features.f32", np.float32)
    feats = np.fromfile(os.path.join(data_dir, name), dtype=dtype).reshape(-1, BINS)
    assert feats.shape[0] == index["frames"], f"{data_dir}: {feats.shape[0]} frames, index says {index['frames']}"
    return feats, index


def pack(args):
    feats, index = load_cache(args.data)
    keep = [u for u in index["utterances"] if u["speed"] == 1]
    os.makedirs(args.out, exist_ok=True)
    offset = 0
    with open(os.path.join(args.out, "features.u8"), "wb") as f:
        for u in keep:
            x = feats[u["offset"]:u["offset"] + u["frames"]]
            f.write(np.clip(np.round((x - QUANT_LO) / QUANT_STEP), 0, 255).astype(np.uint8).tobytes())
            u["offset"], offset = offset, offset + u["frames"]
    with open(os.path.join(args.out, "index.json"), "w") as f:
        json.dump({**index, "packed": True, "frames": offset, "utterances": keep}, f)
    print(f"packed {len(keep)} utterances, {offset} frames into {args.out}")


class Crops:
    """Random fixed-length crops drawn speaker-balanced from the cached features, on `device`."""

    def __init__(self, feats, utterances, device):
        packed = feats.dtype == np.uint8
        self.feats = torch.from_numpy(np.ascontiguousarray(feats)).to(device)
        self.dequantise = (lambda q: QUANT_LO + QUANT_STEP * q.float()) if packed else (lambda x: x)
        speakers = sorted({u["speaker"] for u in utterances})
        self.speaker_ids = {s: i for i, s in enumerate(speakers)}
        self.by_speaker = [[] for _ in speakers]
        for u in utterances:
            self.by_speaker[self.speaker_ids[u["speaker"]]].append((u["offset"], u["frames"]))
        self.device = device

    def batch(self, rng, size, frames):
        """[size, frames, 80] mean-normalised crops and their speaker labels. Utterances shorter than
        `frames` wrap around (1 s clips at 1.1x speed are 91 frames)."""
        labels = [rng.randrange(len(self.by_speaker)) for _ in range(size)]
        offsets, lengths, starts = [], [], []
        for label in labels:
            offset, length = rng.choice(self.by_speaker[label])
            offsets.append(offset)
            lengths.append(length)
            starts.append(rng.randrange(max(length - frames, 0) + 1))
        t = torch.arange(frames, device=self.device)
        as_tensor = lambda v: torch.tensor(v, device=self.device).unsqueeze(1)
        rows = as_tensor(offsets) + (as_tensor(starts) + t) % as_tensor(lengths)
        x = self.dequantise(self.feats[rows])
        return x, torch.tensor(labels, device=self.device)


def add_babble(x, noise, snr_db):
    """Mixes `noise` crops into `x` at the given SNRs in the power domain (the features are dB)."""
    px, pn = 10 ** (x / 10), 10 ** (noise / 10)
    gain = px.mean(dim=(1, 2)) / (pn.mean(dim=(1, 2)) * 10 ** (snr_db / 10))
    return 10 * torch.log10(px + gain[:, None, None] * pn)


def mask_bands(x, gen, max_bins=8, max_frames=10):
    """SpecAugment-style: zero (= the mean, after mean norm) one random band and one time span per row."""
    b, t, f = x.shape
    draw = lambda high: torch.randint(0, high, (b, 1), generator=gen).to(x.device)
    f0, fw, t0, tw = draw(f - max_bins), draw(max_bins + 1), draw(t - max_frames), draw(max_frames + 1)
    bins, frames = torch.arange(f, device=x.device), torch.arange(t, device=x.device)
    band = (bins >= f0) & (bins < f0 + fw)        # [b, f]
    span = (frames >= t0) & (frames < t0 + tw)    # [b, t]
    return x.masked_fill(band[:, None, :] | span[:, :, None], 0.0)


def augment(x, crops, rng, gen, args):
    b = x.shape[0]
    noisy = torch.rand(b, generator=gen) < args.noise_prob
    if noisy.any():
        noise, _ = crops.batch(rng, b, x.shape[1])
        snr = torch.empty(b).uniform_(args.snr_min, args.snr_max, generator=gen).to(x.device)
        x = torch.where(noisy.to(x.device)[:, None, None], add_babble(x, noise, snr), x)
    x = x - x.mean(dim=1, keepdim=True)  # crops are sentence-normalised at inference: do the same here
    return mask_bands(x, gen) if args.spec_augment else x


# --------------------------------------------------------------------------------------------- model

class AAMSoftmax(torch.nn.Module):
    """Additive angular margin softmax (ArcFace): logits s*cos(theta + m) for the true class."""

    def __init__(self, dim, classes, margin, scale):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(classes, dim))
        torch.nn.init.xavier_uniform_(self.weight)
        self.margin, self.scale = margin, scale

    def forward(self, emb, labels):
        cos = F.linear(F.normalize(emb), F.normalize(self.weight)).clamp(-1 + 1e-7, 1 - 1e-7)
        target = torch.cos(torch.acos(cos) + self.margin)
        # Past theta = pi - m the margin would raise the cosine again: fall back to CosFace-style there.
        target = torch.where(cos > math.cos(math.pi - self.margin), target, cos - self.margin * math.sin(self.margin))
        onehot = F.one_hot(labels, cos.shape[1]).bool()
        return F.cross_entropy(self.scale * torch.where(onehot, target, cos), labels)


def learning_rate(step, args):
    """Linear warm-up, then cosine decay to 1 % of the peak at --steps."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = min(1.0, (step - args.warmup) / max(1, args.steps - args.warmup))
    return args.lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * progress)))


def equal_error_rate(scores, labels):
    order = np.argsort(-scores)
    labels = labels[order]
    miss = 1 - np.cumsum(labels) / labels.sum()           # targets above the threshold are accepted
    false_alarm = np.cumsum(1 - labels) / (1 - labels).sum()
    i = np.argmin(np.abs(miss - false_alarm))
    return float((miss[i] + false_alarm[i]) / 2)


@torch.no_grad()
def heldout_eer(model, feats, index, device):
    """EER over all pairs of the held-out speech-commands clips (a training monitor only; the reported
    numbers come from VoxLab itself, see validate.ts)."""
    utts = [u for u in index["utterances"] if u["split"] == "heldout" and u["corpus"] == "speech-commands"]
    model.eval()
    embs = []
    for u in utts:
        x = torch.from_numpy(np.asarray(feats[u["offset"]:u["offset"] + u["frames"]], dtype=np.float32))
        if feats.dtype == np.uint8:
            x = QUANT_LO + QUANT_STEP * x
        embs.append(model(x.to(device)[None])[0, 0])
    model.train()
    e = F.normalize(torch.stack(embs)).cpu().numpy()
    speakers = np.array([u["speaker"] for u in utts])
    upper = np.triu_indices(len(utts), k=1)
    return equal_error_rate((e @ e.T)[upper], (speakers[:, None] == speakers[None, :])[upper].astype(np.float64))


def log(run_dir, text):
    print(text, flush=True)
    with open(os.path.join(run_dir, "train.log"), "a") as f:
        f.write(text + "\n")


def train(args):
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    os.makedirs(args.run, exist_ok=True)
    feats, index = load_cache(args.data)
    train_utts = [u for u in index["utterances"] if u["split"] == "train"]
    crops = Crops(feats, train_utts, device)
    torch.manual_seed(args.seed)
    model = ECAPA_TDNN(lin_neurons=args.embedding_dim).to(device)
    loss_fn = AAMSoftmax(args.embedding_dim, len(crops.by_speaker), args.margin, args.scale).to(device)
    params = list(model.parameters()) + list(loss_fn.parameters())
    optimizer = torch.optim.Adam(params, lr=args.lr, weight_decay=args.weight_decay)
    rng, gen, step = random.Random(args.seed), torch.Generator().manual_seed(args.seed), 0

    ckpt_path = os.path.join(args.run, "checkpoint.pt")
    if os.path.exists(ckpt_path):
        ckpt = torch.load(ckpt_path, map_location=device, weights_only=False)
        model.load_state_dict(ckpt["model"])
        loss_fn.load_state_dict(ckpt["classifier"])
        optimizer.load_state_dict(ckpt["optimizer"])
        rng.setstate(ckpt["rng"])
        gen.set_state(ckpt["gen"])
        step = ckpt["step"]
        log(args.run, f"resumed at step {step}")
    else:
        n_params = sum(p.numel() for p in model.parameters())
        log(args.run, f"config {json.dumps(vars(args))}")
        log(args.run, f"{len(train_utts)} training utterances, {len(crops.by_speaker)} speakers, {n_params} parameters")

    def save():
        state = {"model": model.state_dict(), "classifier": loss_fn.state_dict(), "optimizer": optimizer.state_dict(),
                 "rng": rng.getstate(), "gen": gen.get_state(), "step": step, "embedding_dim": args.embedding_dim}
        torch.save(state, ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)

    model.train()
    started, running = time.time(), 0.0
    calibration_start = started
    while step < args.steps:
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, args)
        x, labels = crops.batch(rng, args.batch, args.crop)
        loss = loss_fn(model(augment(x, crops, rng, gen, args))[:, 0], labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
        step += 1
        if args.time_budget and step == args.warmup:
            # Fit the schedule to a wall-clock budget once the speed is known (a fresh run only).
            affordable = int(args.time_budget / ((time.time() - calibration_start) / step)) // 500 * 500
            args.steps = max(step, min(args.steps, affordable))
            log(args.run, f"time budget {args.time_budget} s: training for {args.steps} steps")
        if step % args.log_every == 0:
            rate = (time.time() - started) / args.log_every
            log(args.run, f"step {step} loss {running / args.log_every:.3f} lr {learning_rate(step, args):.2e} {rate:.3f} s/step")
            started, running = time.time(), 0.0
        if step % args.checkpoint_every == 0 or step == args.steps:
            save()
            if args.eval_every and (step % args.eval_every == 0 or step == args.steps):
                log(args.run, f"step {step} held-out speech-commands EER {100 * heldout_eer(model, feats, index, device):.2f} %")
            started = time.time()


# -------------------------------------------------------------------------------------------- export

def export(args):
    ckpt = torch.load(os.path.join(args.run, "checkpoint.pt"), map_location="cpu", weights_only=False)
    os.makedirs(args.out, exist_ok=True)
    state = {k: v.contiguous() for k, v in ckpt["model"].items()}
    torch.save(state, os.path.join(args.out, "embedding_model.ckpt"))  # zip format, as SpeechBrain saves
    with open(os.path.join(HERE, "hyperparams.yaml")) as f:
        yaml = f.read().replace("lin_neurons: 192", f"lin_neurons: {ckpt['embedding_dim']}")
    with open(os.path.join(args.out, "hyperparams.yaml"), "w") as f:
        f.write(yaml)
    shutil.copy(os.path.join(args.run, "train.log"), os.path.join(args.out, "train.log"))
    print(f"exported step {ckpt['step']} to {args.out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", default=os.path.join(HERE, "work", "data"))
    t.add_argument("--run", default=os.path.join(HERE, "work", "run"))
    t.add_argument("--device", default="cpu")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--seed", type=int, default=1234)
    t.add_argument("--steps", type=int, default=3000)
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--crop", type=int, default=100, help="frames per training crop (100 = 1 s)")
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--warmup", type=int, default=200)
    t.add_argument("--weight-decay", type=float, default=2e-5)
    t.add_argument("--embedding-dim", type=int, default=192)
    t.add_argument("--margin", type=float, default=0.2)
    t.add_argument("--scale", type=float, default=30.0)
    t.add_argument("--noise-prob", type=float, default=0.6)
    t.add_argument("--snr-min", type=float, default=0.0)
    t.add_argument("--snr-max", type=float, default=15.0)
    t.add_argument("--spec-augment", type=int, default=1)
    t.add_argument("--time-budget", type=float, default=0, help="seconds: shorten --steps to fit (fresh runs)")
    t.add_argument("--log-every", type=int, default=50)
    t.add_argument("--checkpoint-every", type=int, default=250)
    t.add_argument("--eval-every", type=int, default=500)
    e = sub.add_parser("export")
    e.add_argument("--run", default=os.path.join(HERE, "work", "run"))
    e.add_argument("--out", default=os.path.join(HERE, "work", "export"))
    p = sub.add_parser("pack")
    p.add_argument("--data", default=os.path.join(HERE, "work", "data"))
    p.add_argument("--out", default=os.path.join(HERE, "work", "packed"))
    args = parser.parse_args()
    {"train": train, "export": export, "pack": pack}[args.command](args)


if __name__ == "__main__":
    main()
