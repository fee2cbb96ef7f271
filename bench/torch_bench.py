#!/usr/bin/env python3
"""PyTorch side of losskit's benchmark (optional; never a test dependency).

bench/run.mjs runs it right after the JS part when `python3 -c "import torch"` works:

    python3 bench/torch_bench.py --cases CASES.json --out RESULTS.json

and merges the results into its table as the PyTorch-1T / PyTorch-2T columns. Run alone
(`npm run bench:torch`, or with --only mseLoss,klDiv) it measures the default case list and
prints a markdown table.

Each case: the same loss, shape and f32 dtype as the JS bench, inputs drawn from the same
distributions (not the same numbers: timing does not depend on them), PyTorch's default
options except those noted (reduction 'mean' everywhere). Two modes:
  fwd       loss = f(x, ...); loss.item()
  fwd+grad  x.grad = None (zero_grad's default set_to_none); loss = f(x, ...); loss.backward();
            loss.item() — autograd w.r.t. the input only (targets do not require grad)
Timing: time.perf_counter around batches of calls (a batch lasts ~2 ms, or one call when a call
is long), the median over the samples of a measurement; torch.set_num_threads(1) and (2) are
measured in interleaved rounds (the order alternating), each keeping its best round median, as
the JS side does. gc is disabled during a measurement.
"""

import argparse
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
import warnings

import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")  # kl_div's "reduction 'mean' divides by the element count" note
perf = time.perf_counter


# ---- data: the distributions of bench/cases.mjs and cases-more.mjs ----


def _u(shape, g):
    return torch.rand(shape, generator=g)


def _n(shape, g):
    return torch.randn(shape, generator=g)


def regression(shape, g):
    y = _n(shape, g)
    return [y + 1.5 * _n(shape, g), y]


def bce(shape, g):
    return [0.01 + 0.98 * _u(shape, g), _u(shape, g)]


def binary_logits(shape, g):
    return [2 * _n(shape, g), (_u(shape, g) < 0.5).float()]


def kl(shape, g):
    n = math.prod(shape)
    return [torch.log((0.5 + _u(shape, g)) / n), (0.5 + _u(shape, g)) / n]


def poisson(shape, g):
    return [0.5 * _n(shape, g), torch.floor(6 * _u(shape, g))]


def gaussian(shape, g):
    x, y = regression(shape, g)
    return [x, y, 0.5 + _u(shape, g)]


def logits_index(shape, g):
    N, C = shape
    return [2 * _n(shape, g), torch.randint(0, C, (N,), generator=g)]


def logprob_index(shape, g):
    x, t = logits_index(shape, g)
    return [torch.log_softmax(x, 1), t]


def prob_index(shape, g):
    x, t = logits_index(shape, g)
    return [torch.softmax(x, 1), t]


def sigmoid_focal(x, y, alpha=0.25, gamma=2.0):
    # torchvision.ops.sigmoid_focal_loss (torchvision is not required), reduction 'mean'
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = ce * (1 - p_t) ** gamma
    return (alpha * y + (1 - alpha) * (1 - y)) * loss if alpha >= 0 else loss


def focal(x, t, gamma=2.0):
    lp = torch.log_softmax(x, 1).gather(1, t[:, None]).squeeze(1)
    return (-((1 - lp.exp()) ** gamma) * lp).mean()


def signs(shape, g):
    return [1.5 * _n(shape, g), torch.where(_u(shape, g) < 0.5, -1.0, 1.0)]


def ranking(shape, g):
    x1, y = signs(shape, g)
    return [x1, _n(shape, g), y]


def multilabel(shape, g):
    return [2 * _n(shape, g), (_u(shape, g) < 0.5).float()]


def triplet(shape, g):
    a = _n(shape, g)
    return [a, a + _n(shape, g), a + _n(shape, g)]


def cosine(shape, g):
    x1 = _n(shape, g)
    return [x1, 0.6 * x1 + _n(shape, g), torch.ones(shape[0])]


def boxes(shape, g):
    """Two sets of xyxy boxes (N, 4): corner in [0, 4)², width and height in [0.1, 3)."""
    def one():
        lo = 4 * _u([shape[0], 2], g)
        return torch.cat([lo, lo + 0.1 + 2.9 * _u([shape[0], 2], g)], 1)
    return [one(), one()]


def gan_pair(shape, g):
    return [2 * _n(shape, g), 2 * _n(shape, g)]


def gan_one(shape, g):
    return [2 * _n(shape, g)]


def _bce_vs(x, y):
    # what a PyTorch GAN writes: BCE with logits against a tensor of ones / zeros made per call
    return F.binary_cross_entropy_with_logits(x, torch.full_like(x, y))


# The box losses need torchvision (pip install torchvision): without it their rows have no
# PyTorch column. torchvision has no plain IoU loss: 1 − I/(U + eps) from its own _loss_inter_union.
try:
    from torchvision.ops import complete_box_iou_loss, distance_box_iou_loss, generalized_box_iou_loss
    from torchvision.ops._utils import _loss_inter_union

    def _iou_loss(b1, b2):
        inter, union = _loss_inter_union(b1, b2)
        return (1 - inter / (union + 1e-7)).mean()

    BOX_LOSSES = {
        "boxIouLoss": (boxes, _iou_loss, "1 − I/(U + eps), torchvision's _loss_inter_union, mean (∂ boxes1)"),
        "generalizedBoxIouLoss": (boxes, lambda a, b: generalized_box_iou_loss(a, b, reduction="mean"), "torchvision.ops.generalized_box_iou_loss, mean (∂ boxes1)"),
        "distanceBoxIouLoss": (boxes, lambda a, b: distance_box_iou_loss(a, b, reduction="mean"), "torchvision.ops.distance_box_iou_loss, mean (∂ boxes1)"),
        "completeBoxIouLoss": (boxes, lambda a, b: complete_box_iou_loss(a, b, reduction="mean"), "torchvision.ops.complete_box_iou_loss, mean (∂ boxes1)"),
    }
except ImportError:
    BOX_LOSSES = {}

def ctc(shape, g):
    # shape (T, N, C, S): log_softmax of 2·N(0, 1) logits, labels in [1, C), full lengths, blank 0
    T, N, C, S = shape
    lp = torch.log_softmax(2 * _n((T, N, C), g), 2)
    targets = torch.randint(1, C, (N, S), generator=g)
    return [lp, targets, torch.full((N,), T, dtype=torch.long), torch.full((N,), S, dtype=torch.long)]
def dice_data(shape, g):
    n, c, *spatial = shape
    return [2 * _n(shape, g), torch.randint(0, c, [n, 1, *spatial], generator=g)]


def dice_monai(x, labels):
    """MONAI's DiceLoss(softmax=True, to_onehot_y=True) in torch ops: softmax over the channels,
    one_hot (zeros + scatter_, as monai.networks.utils.one_hot), sums over the spatial dims,
    f = 1 − (2I + 1e-5)/(G + P + 1e-5), mean over (N, C)."""
    p = torch.softmax(x, 1)
    t = torch.zeros_like(x).scatter_(1, labels, 1.0)
    axes = list(range(2, x.dim()))
    inter = torch.sum(t * p, dim=axes)
    den = torch.sum(t, dim=axes) + torch.sum(p, dim=axes)
    return torch.mean(1.0 - (2.0 * inter + 1e-5) / (den + 1e-5))


# losskit name → (data, loss, what PyTorch runs)
LOSSES = {
    "mseLoss": (regression, F.mse_loss, "F.mse_loss"),
    "l1Loss": (regression, F.l1_loss, "F.l1_loss"),
    "huberLoss": (regression, F.huber_loss, "F.huber_loss (delta=1)"),
    "smoothL1Loss": (regression, F.smooth_l1_loss, "F.smooth_l1_loss (beta=1)"),
    "rmseLoss": (regression, lambda x, y: torch.sqrt(F.mse_loss(x, y)), "sqrt(F.mse_loss)"),
    "maeLoss": (regression, F.l1_loss, "F.l1_loss"),
    "poissonNllLoss": (poisson, F.poisson_nll_loss, "F.poisson_nll_loss (log_input)"),
    "gaussianNllLoss": (gaussian, F.gaussian_nll_loss, "F.gaussian_nll_loss (var tensor)"),
    "binaryCrossEntropy": (bce, F.binary_cross_entropy, "F.binary_cross_entropy"),
    "binaryCrossEntropyWithLogits": (binary_logits, F.binary_cross_entropy_with_logits, "F.binary_cross_entropy_with_logits"),
    "klDiv": (kl, lambda x, y: F.kl_div(x, y, reduction="mean"), "F.kl_div (reduction='mean')"),
    "sigmoidFocalLoss": (binary_logits, lambda x, y: sigmoid_focal(x, y).mean(), "torchvision's sigmoid_focal_loss formula, mean"),
    "crossEntropy": (logits_index, F.cross_entropy, "F.cross_entropy (int64 targets)"),
    "nllLoss": (logprob_index, F.nll_loss, "F.nll_loss"),
    "focalLoss": (logits_index, focal, "log_softmax + gather, (1 − p)²"),
    "marginRankingLoss": (ranking, F.margin_ranking_loss, "F.margin_ranking_loss"),
    "hingeLoss": (signs, lambda x, y: (1 - y * x).clamp_min(0).mean(), "(1 − y·x).clamp_min(0).mean()"),
    "softMarginLoss": (signs, F.soft_margin_loss, "F.soft_margin_loss"),
    "multiMarginLoss": (logits_index, F.multi_margin_loss, "F.multi_margin_loss"),
    "multilabelSoftMarginLoss": (multilabel, F.multilabel_soft_margin_loss, "F.multilabel_soft_margin_loss"),
    "tripletMarginLoss": (triplet, F.triplet_margin_loss, "F.triplet_margin_loss (∂ anchor)"),
    "cosineEmbeddingLoss": (cosine, F.cosine_embedding_loss, "F.cosine_embedding_loss (∂ input1)"),
    **BOX_LOSSES,
    "ganDiscriminatorLoss": (gan_pair, lambda r, f: _bce_vs(r, 1.0) + _bce_vs(f, 0.0), "BCE with logits vs ones + vs zeros (nonsaturating; ∂ real)"),
    "ganGeneratorLoss": (gan_one, lambda f: _bce_vs(f, 1.0), "BCE with logits vs ones (nonsaturating)"),
    "ctcLoss": (ctc, F.ctc_loss, "F.ctc_loss (log_softmax input, (N, S) int64 targets, 'mean'; shape T×N×C×S)"),
    "diceLoss": (dice_data, dice_monai, "MONAI DiceLoss(softmax, to_onehot_y)'s formula in torch ops"),
    "categoricalCrossEntropy": (prob_index, lambda p, t: -torch.clamp(torch.log(p.gather(1, t[:, None])), min=-100).mean(), "−clamp(log p.gather(y), −100).mean()"),
}

ELEMENTWISE = ["mseLoss", "l1Loss", "huberLoss", "smoothL1Loss", "binaryCrossEntropy", "binaryCrossEntropyWithLogits", "klDiv", "poissonNllLoss", "gaussianNllLoss", "sigmoidFocalLoss"]


def plan(n):
    """Rounds and per-measurement budget (ms) by size, as bench/run.mjs passes them."""
    return (3, 10) if n <= 1e3 else (3, 15) if n <= 1e5 else (3, 20) if n <= 2e6 else (2, 30) if n <= 2e7 else (1, 0)


def default_cases():
    cases = [{"name": "mseLoss", "shape": [1]}]
    for name in ELEMENTWISE:
        cases += [{"name": name, "shape": [n]} for n in (100, 1000, 100000, 1000000, 4000000)]
    cases += [{"name": "rmseLoss", "shape": [1000000]}, {"name": "maeLoss", "shape": [1000000]}]
    cases += [{"name": "crossEntropy", "shape": s} for s in ([512, 1000], [65536, 10], [4096, 32000])]
    cases += [{"name": n, "shape": [1000000]} for n in ("marginRankingLoss", "hingeLoss", "softMarginLoss")]
    cases += [{"name": n, "shape": [512, 1000]} for n in ("multiMarginLoss", "multilabelSoftMarginLoss")]
    cases += [{"name": n, "shape": [4096, 256]} for n in ("tripletMarginLoss", "cosineEmbeddingLoss")]
    cases += [{"name": n, "shape": [1000000, 4]} for n in BOX_LOSSES]
    cases += [{"name": n, "shape": [1000000]} for n in ("ganDiscriminatorLoss", "ganGeneratorLoss")]
    cases += [{"name": "ctcLoss", "shape": s} for s in ([200, 16, 32, 40], [1000, 8, 100, 200])]
    cases += [{"name": "nllLoss", "shape": [65536, 10]}, {"name": "focalLoss", "shape": [65536, 10]}, {"name": "categoricalCrossEntropy", "shape": [100000, 10]}]
    cases += [{"name": "diceLoss", "shape": [8, 4, 128, 128]}]
    for c in cases:
        c["n"] = math.prod(c["shape"])
        c["key"] = f"{c['name']}|{'x'.join(map(str, c['shape']))}"
        c["rounds"], c["budgetMs"] = plan(c["n"])
    return cases


# ---- timing ----


def measure(fn, budget_ms, warm):
    """Median seconds per call. A call longer than budget/3 is timed alone (`warm`: the first call counts)."""
    budget = budget_ms / 1e3
    t0 = perf()
    fn()
    first = perf() - t0
    if first > budget / 3:
        if warm:
            return {"s": first, "samples": 1, "batch": 1}
        a = perf()
        fn()
        return {"s": perf() - a, "samples": 1, "batch": 1}
    calls = 1
    warmup = 0.005 if warm else 0.02
    while calls < 2 or perf() - t0 < warmup:
        fn()
        calls += 1
    per = (perf() - t0) / calls
    batch = max(1, min(100000, round(0.002 / max(per, 1e-9))))
    samples = []
    t1 = perf()
    while len(samples) < 5 or (perf() - t1 < budget and len(samples) < 200):
        a = perf()
        for _ in range(batch):
            fn()
        samples.append((perf() - a) / batch)
    samples.sort()
    return {"s": statistics.median(samples), "p25": samples[len(samples) // 4], "p75": samples[(3 * len(samples)) // 4], "samples": len(samples), "batch": batch}


def closures(name, shape):
    make, loss, _ = LOSSES[name]
    g = torch.Generator().manual_seed(math.prod(shape) + 7)
    x, *rest = make(shape, g)
    xg = x.clone().requires_grad_(True)

    def fwd():
        return loss(x, *rest).item()

    def grad():
        xg.grad = None
        v = loss(xg, *rest)
        v.backward()
        return v.item()

    return {"fwd": fwd, "grad": grad}


def run_case(c, threads=(1, 2)):
    fns = closures(c["name"], c["shape"])
    out = {}
    for mode in ("fwd", "grad"):
        best = {}
        if c["budgetMs"] > 0:  # one call each first (huge cases: the first timed call is the only one)
            for t in threads:
                torch.set_num_threads(t)
                fns[mode]()
        gc.collect()
        gc.disable()
        try:
            for r in range(c["rounds"]):
                order = threads if r % 2 == 0 else tuple(reversed(threads))
                for t in order:
                    torch.set_num_threads(t)
                    m = measure(fns[mode], c["budgetMs"], warm=True)
                    key = f"t{t}"
                    prev = best.get(key)
                    rounds = (prev or {}).get("rounds", []) + [m["s"]]
                    best[key] = {**(m if prev is None or m["s"] < prev["s"] else prev), "rounds": rounds}
        finally:
            gc.enable()
        out[mode] = best
    return out


def info():
    return {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "defaultThreads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "parallel": torch.__config__.parallel_info().splitlines()[:6],
        "cpuCapability": getattr(torch.backends.cpu, "get_cpu_capability", lambda: None)(),
        "cores": os.cpu_count(),
        "loadavg": os.getloadavg(),
    }


def fmt(s):
    us = s * 1e6
    return f"{us:.2f}µs" if us < 10 else f"{us:.1f}µs" if us < 100 else f"{us:.0f}µs" if us < 1000 else f"{us / 1e3:.2f}ms" if us < 1e4 else f"{us / 1e3:.1f}ms"


def serve():
    """Answers timing requests from bench/vs-torch.mjs, one JSON line each way: {name, shape,
    mode: 'fwd' | 'grad', threads, budgetMs} → {s: median seconds per call} (or {error}). The
    JS side alternates them with its own measurements, so both see the same CPU speeds."""
    cache = {}
    print(json.dumps({"ready": True, **info()}), flush=True)
    for line in sys.stdin:
        q = json.loads(line)
        try:
            key = (q["name"], tuple(q["shape"]))
            if key not in cache:
                cache[key] = closures(q["name"], q["shape"])
            fn = cache[key][q["mode"]]
            torch.set_num_threads(q.get("threads", 1))
            gc.collect()
            gc.disable()
            try:
                m = measure(fn, q["budgetMs"], warm=False)
            finally:
                gc.enable()
            print(json.dumps({"s": m["s"], "pytorch": LOSSES[q["name"]][2]}), flush=True)
        except Exception as e:  # noqa: BLE001 — report, go on
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)


def main():
    if "--serve" in sys.argv:
        serve()
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", help="JSON file {cases: [{key, name, shape, n, rounds, budgetMs}]} (from run.mjs)")
    ap.add_argument("--out", help="write results JSON here (else print a table)")
    ap.add_argument("--only", help="comma-separated loss names")
    args = ap.parse_args()
    cases = json.load(open(args.cases))["cases"] if args.cases else default_cases()
    if args.only:
        cases = [c for c in cases if c["name"] in args.only.split(",")]
    meta = info()
    t0 = perf()
    results = {}
    for c in cases:
        if c["name"] not in LOSSES:
            results[c["key"]] = {"error": "no PyTorch counterpart in torch_bench.py"}
            continue
        print(f"torch {c['key']} …", file=sys.stderr, flush=True)
        try:
            results[c["key"]] = {**run_case(c), "pytorch": LOSSES[c["name"]][2]}
        except Exception as e:  # noqa: BLE001 — report, go on
            results[c["key"]] = {"error": f"{type(e).__name__}: {e}"}
    meta["loadavgEnd"] = os.getloadavg()
    meta["seconds"] = perf() - t0
    doc = {"info": meta, "units": "seconds per call (best round median)", "results": results}
    if args.out:
        with open(args.out, "w") as f:
            json.dump(doc, f, indent=1)
        return
    print(f"PyTorch {meta['torch']}, Python {meta['python']}; best round median per call; fwd+grad = autograd w.r.t. the input\n")
    print("| case | shape | fwd 1T | fwd 2T | fwd+grad 1T | fwd+grad 2T |\n|:--|:--|--:|--:|--:|--:|")
    for c in cases:
        r = results[c["key"]]
        cell = lambda m, t: fmt(r[m][t]["s"]) if m in r else "—"  # noqa: E731
        print(f"| {c['name']} | {'×'.join(map(str, c['shape']))} | {cell('fwd', 't1')} | {cell('fwd', 't2')} | {cell('grad', 't1')} | {cell('grad', 't2')} |")
    print(f"\n{meta['seconds']:.0f} s")


if __name__ == "__main__":
    main()
