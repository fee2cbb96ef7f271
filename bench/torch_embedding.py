"""PyTorch side of bench/torch-embedding.mjs: a worker that times one loss call (forward and
the gradients of every differentiable input) on request, single-threaded.

Usage: python3 bench/torch_embedding.py <prefix> <triplet|cosine> <N> <D>, reading the inputs
from the raw float32 files <prefix>.0, <prefix>.1, … written by the Node side (the same data).
Protocol: bench/torch_worker.py's ("time <budget_ms>" → median seconds per call; "value" → the loss).
"""
import sys

import torch
import torch.nn.functional as F
from torch_worker import serve

torch.set_num_threads(1)


def load(path, shape):
    """A raw little-endian float32 file written by the Node side (both see the same inputs)."""
    size = 1
    for s in shape:
        size *= s
    return torch.from_file(path, size=size, dtype=torch.float32).reshape(shape).clone()


def main():
    prefix, kind, N, D = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if kind == "triplet":
        a, p, n = (load(f"{prefix}.{k}", [N, D]).requires_grad_(True) for k in range(3))
        loss = lambda: F.triplet_margin_loss(a, p, n)  # noqa: E731
        wrt = [a, p, n]
    else:
        x1, x2 = (load(f"{prefix}.{k}", [N, D]).requires_grad_(True) for k in range(2))
        y = load(f"{prefix}.2", [N])
        loss = lambda: F.cosine_embedding_loss(x1, x2, y)  # noqa: E731
        wrt = [x1, x2]

    def call():
        return torch.autograd.grad(loss(), wrt)

    serve(loss, call, warmup=3)

if __name__ == "__main__":
    main()
