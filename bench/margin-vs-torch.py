#!/usr/bin/env python3
"""losskit vs PyTorch (CPU, 1 thread) on the margin family: forward + every gradient, f32.

    python3 bench/margin-vs-torch.py [rounds=5] [samples=15]     # after `node scripts/build.mjs`

The data are generated here (fixed seed) and handed to a Node worker
(bench/margin-vs-torch-worker.mjs) as raw float32 / int32 files, so both see identical inputs.
Each round measures every case in both implementations, alternating which goes first; a
measurement is the median of `samples` timed calls after 3 warm-up calls. Reported: each side's
best round median and the ratio torch ÷ losskit (> 1: losskit is faster).

PyTorch: one call builds the graph and takes torch.autograd.grad of the 'mean' loss w.r.t.
every differentiable input. losskit: `withGrad` on wasm tensors with every gradient written
`into` wasm tensors (zero copy), reduction 'mean'.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
SAMPLES = int(sys.argv[2]) if len(sys.argv) > 2 else 15
g = torch.Generator().manual_seed(0)


def signs(n):
    return torch.where(torch.rand(n, generator=g) < 0.5, -1.0, 1.0)


def multilabel_targets(n, c, k=5):
    t = torch.full((n, c), -1, dtype=torch.int32)
    for r in range(n):
        t[r, :k] = torch.randperm(c, generator=g)[:k].to(torch.int32)
    return t


M = 10**6
N, C = 512, 1000
# name: (tensors in argument order, differentiable argument indices, shapes, torch call)
CASES = {
    "marginRankingLoss": ([torch.randn(M, generator=g), torch.randn(M, generator=g), signs(M)], [0, 1],
                          lambda a: F.margin_ranking_loss(a[0], a[1], a[2])),
    "hingeLoss": ([1.5 * torch.randn(M, generator=g), signs(M)], [0, 1], lambda a: (1.0 - a[1] * a[0]).clamp_min(0).mean()),
    "hingeEmbeddingLoss": ([2 * torch.rand(M, generator=g), signs(M)], [0], lambda a: F.hinge_embedding_loss(a[0], a[1])),
    "softMarginLoss": ([1.5 * torch.randn(M, generator=g), signs(M)], [0], lambda a: F.soft_margin_loss(a[0], a[1])),
    "multiMarginLoss": ([torch.randn(N, C, generator=g), torch.randint(0, C, (N,), generator=g, dtype=torch.int32)], [0],
                        lambda a: F.multi_margin_loss(a[0], a[1].long())),
    "multilabelMarginLoss": ([torch.randn(N, C, generator=g), multilabel_targets(N, C)], [0],
                             lambda a: F.multilabel_margin_loss(a[0], a[1].long())),
    "multilabelSoftMarginLoss": ([2 * torch.randn(N, C, generator=g), (torch.rand(N, C, generator=g) < 0.4).float()], [0, 1],
                                 lambda a: F.multilabel_soft_margin_loss(a[0], a[1])),
}


def torch_case(name):
    tensors, diff, call = CASES[name]
    # For multilabelMarginLoss the int target is converted once, outside the timing.
    args = [t.clone() for t in tensors]
    if name in ("multiMarginLoss", "multilabelMarginLoss"):
        args[1] = args[1].long()
        call = {"multiMarginLoss": lambda a: F.multi_margin_loss(a[0], a[1]),
                "multilabelMarginLoss": lambda a: F.multilabel_margin_loss(a[0], a[1])}[name]
    for i in diff:
        args[i].requires_grad_(True)
    wrt = [args[i] for i in diff]

    def run():
        loss = call(args)
        grads = torch.autograd.grad(loss, wrt)
        return loss.item(), grads

    return run


def timed(fn, samples):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(samples):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main():
    tmp = tempfile.mkdtemp(prefix="losskit-vs-torch-")
    spec = {}
    for name, (tensors, diff, _) in CASES.items():
        files = []
        for k, t in enumerate(tensors):
            path = os.path.join(tmp, f"{name}-{k}.bin")
            t.contiguous().numpy().tofile(path)
            files.append({"path": path, "shape": list(t.shape), "dtype": "i32" if t.dtype == torch.int32 else "f32"})
        spec[name] = {"files": files, "diff": diff}
    worker = subprocess.Popen(["node", os.path.join(HERE, "margin-vs-torch-worker.mjs")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(msg):
        worker.stdin.write(json.dumps(msg) + "\n")
        worker.stdin.flush()
        return json.loads(worker.stdout.readline())

    ask({"setup": spec})
    # Agreement first: loss values and every gradient, losskit vs torch.
    checks = {}
    for name in CASES:
        loss, grads = torch_case(name)()
        got = ask({"check": name})
        rel = abs(got["loss"] - loss) / max(abs(loss), 1e-30)
        grel = max(float((torch.tensor(got["grads"][k]).reshape(gr.shape) - gr).abs().max() / gr.abs().max().clamp_min(1e-30))
                   for k, gr in enumerate(grads))
        checks[name] = (rel, grel)
    runs = {name: torch_case(name) for name in CASES}
    best = {name: {"torch": float("inf"), "losskit": float("inf")} for name in CASES}
    load0 = os.getloadavg()
    for r in range(ROUNDS):
        for name in CASES:
            order = ["torch", "losskit"] if r % 2 == 0 else ["losskit", "torch"]
            for who in order:
                t = timed(runs[name], SAMPLES) if who == "torch" else ask({"time": name, "samples": SAMPLES})["median"]
                best[name][who] = min(best[name][who], t)
        print(f"round {r + 1}/{ROUNDS} done", file=sys.stderr)
    worker.stdin.close()
    worker.wait()
    fmt = lambda s: f"{s * 1e3:.2f} ms" if s >= 1e-3 else f"{s * 1e6:.0f} µs"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread; f32; forward + every gradient, reduction 'mean'; "
          f"best of {ROUNDS} interleaved rounds of the median of {SAMPLES} calls; load average {load0[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end\n")
    print("| loss | size | gradients | PyTorch | losskit (zero-copy) | PyTorch ÷ losskit | loss rel. diff | max grad diff / max grad |")
    print("|---|---|---|--:|--:|--:|--:|--:|")
    for name, (tensors, diff, _) in CASES.items():
        size = "×".join(map(str, tensors[0].shape)) if tensors[0].dim() > 1 else "1e6"
        names = ["input1", "input2"] if name == "marginRankingLoss" else ["input", "target"]
        b = best[name]
        print(f"| {name} | {size} | {', '.join(names[i] for i in diff)} | {fmt(b['torch'])} | {fmt(b['losskit'])} | "
              f"{b['torch'] / b['losskit']:.2f}× | {checks[name][0]:.1e} | {checks[name][1]:.1e} |")


if __name__ == "__main__":
    main()
