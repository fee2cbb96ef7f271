#!/usr/bin/env python3
"""PyTorch parity-fixture generator for losskit.

Usage:
    pip install -r scripts/requirements-fixtures.txt     # torch (CPU is enough), numpy
    python3 scripts/gen_fixtures.py [--out DIR] [family ...]   # default: every family

Writes test/fixtures/<family>.json for each family (regression, classification, margin,
embedding, sequence, detection (needs torchvision), adversarial, segmentation; extremes: the ends of the float range for the implemented families), or
DIR/<family>.json with --out DIR (or the environment variable
LOSSKIT_FIXTURES_OUT=DIR; --out wins), e.g. to inspect a new family before committing. Each case
holds the arguments, options, torch's output and torch autograd's gradients, in float32 and
float64; the schema is documented in scripts/fixtures/common.py and read by test/helpers.ts
and the Rust tests.

Deterministic: fixed seeds (each case's data comes from a torch.Generator seeded by the case
name), CPU only, no network. CI never runs this script: the generated fixtures are committed,
and regenerating them is a deliberate step (re-run, review the diff, commit).
"""
from __future__ import annotations

import collections
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from fixtures import adversarial, classification, detection, embedding, extremes, margin, regression, segmentation, sequence  # noqa: E402
from fixtures.common import write_family  # noqa: E402

FAMILIES = {
    "regression": regression.build,
    "classification": classification.build,
    "margin": margin.build,
    "embedding": embedding.build,
    "detection": detection.build,
    "adversarial": adversarial.build,
    "sequence": sequence.build,
    "segmentation": segmentation.build,
    # the ends of the float range for the families above (read with each family's tests)
    "extremes": extremes.build,
}


def main(argv: list[str]) -> int:
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    out_dir = os.environ.get("LOSSKIT_FIXTURES_OUT") or os.path.join(os.path.dirname(HERE), "test", "fixtures")
    argv = list(argv)
    if "--out" in argv:
        i = argv.index("--out")
        if i + 1 >= len(argv):
            print("--out needs a directory", file=sys.stderr)
            return 2
        out_dir = argv[i + 1]
        del argv[i : i + 2]
    wanted = argv or list(FAMILIES)
    unknown = [f for f in wanted if f not in FAMILIES]
    if unknown:
        print(f"unknown family {unknown}; known: {list(FAMILIES)}", file=sys.stderr)
        return 2
    os.makedirs(out_dir, exist_ok=True)
    for fam in wanted:
        cases = FAMILIES[fam]()
        path = os.path.join(out_dir, f"{fam}.json")
        write_family(path, fam, cases)
        size = os.path.getsize(path)
        counts = collections.Counter(c["loss"] for c in cases)
        print(f"{fam}: {len(cases)} cases, {size / 1e6:.2f} MB -> {os.path.relpath(path)}")
        for loss, n in counts.items():
            print(f"  {loss:32s} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
