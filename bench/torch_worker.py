"""The request loop of the one-loss PyTorch workers (bench/torch_dice.py, bench/torch_embedding.py).

Protocol (stdin → stdout, one line each): "time <budget_ms>" → the median seconds per call of
`call` over that many milliseconds (after `warmup` calls; at least 5 samples); "value" → the
loss value, without gradients (for the Node side's cross-check).
"""
import statistics
import sys
import time

import torch


def serve(loss, call, warmup):
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "value":
            with torch.no_grad():
                print(repr(loss().item()), flush=True)
            continue
        budget = float(words[1]) / 1e3
        for _ in range(warmup):
            call()
        samples = []
        t0 = time.perf_counter()
        while len(samples) < 5 or time.perf_counter() - t0 < budget:
            s = time.perf_counter()
            call()
            samples.append(time.perf_counter() - s)
        print(repr(statistics.median(samples)), flush=True)
