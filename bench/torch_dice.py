"""PyTorch side of bench/torch-dice.mjs: a worker that times MONAI's DiceLoss formula (in torch
ops, as bench/torch_bench.py) forward and backward to the input, single-threaded.

Usage: python3 bench/torch_dice.py <prefix> <N> <C> <H> <W> <variant>, reading the logits
(<prefix>.x, raw float32, (N, C, H, W)) and the labels (<prefix>.y, raw int32, (N, 1, H, W))
written by the Node side. Variants: "plain" (p = input, a float one-hot target made once),
"sigmoid" (the same target), "softmax-onehot" (softmax over the channels, the one-hot made in
each call with zeros + scatter_, as MONAI's one_hot). Protocol: bench/torch_worker.py's
("time <budget_ms>" → the median seconds per call; "value" → the loss, for the cross-check).
"""
import sys

import torch
from torch_worker import serve

torch.set_num_threads(1)


def dice(p, t):
    axes = list(range(2, p.dim()))
    inter = torch.sum(t * p, dim=axes)
    den = torch.sum(t, dim=axes) + torch.sum(p, dim=axes)
    return torch.mean(1.0 - (2.0 * inter + 1e-5) / (den + 1e-5))


def main():
    prefix, (n, c, h, w), variant = sys.argv[1], map(int, sys.argv[2:6]), sys.argv[6]
    x = torch.from_file(f"{prefix}.x", size=n * c * h * w, dtype=torch.float32).reshape(n, c, h, w).clone().requires_grad_(True)
    labels = torch.from_file(f"{prefix}.y", size=n * h * w, dtype=torch.int32).reshape(n, 1, h, w).long()
    onehot = torch.zeros(n, c, h, w).scatter_(1, labels, 1.0)
    if variant == "plain":
        loss = lambda: dice(x, onehot)  # noqa: E731
    elif variant == "sigmoid":
        loss = lambda: dice(torch.sigmoid(x), onehot)  # noqa: E731
    else:
        loss = lambda: dice(torch.softmax(x, 1), torch.zeros_like(x).scatter_(1, labels, 1.0))  # noqa: E731

    def call():
        return torch.autograd.grad(loss(), [x])

    serve(loss, call, warmup=2)

if __name__ == "__main__":
    main()
