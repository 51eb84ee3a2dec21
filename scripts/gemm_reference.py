#!/usr/bin/env python3
"""PyTorch's float32 matrix products on given shapes, timed as `betti bench gemm` times its own.

A reference for side-by-side runs, never a dependency of Betti. `betti bench gemm --config C`
prints the products of one training step of C and, last, this script's command with the same
shapes; run both in the same minutes (the order alternating) and compare the ratios:

    .venv-yardstick/bin/python scripts/gemm_reference.py --threads 1 \
        --shapes 384x128x384:NT*8,384x384x128*8,384x384x128:TN*8

(`scripts/yardstick.sh` makes `.venv-yardstick`; any Python with torch will do.)

Each item of --shapes is MxKxN, op(A) M×K and op(B) K×N, optionally followed by :NN, :NT, :TN
or :TT (A then B: N as stored, T transposed, the way torch.nn.functional.linear passes its
weight) and by *CALLS, the times a step runs it. GFLOPS = 2·M·N·K / median time of one call,
after three warm-up calls, over max(10, 2e9 / flops) timed calls, as Betti measures. With
--cold, as with `betti bench gemm --cold`, each call takes its operands from copies spanning
64 MiB (twice a 32 MiB last-level cache), so that they are no longer in the caches.
"""
import argparse
import re
import statistics
import sys
import time

COLD_SPAN = 64 << 20
ITEM = re.compile(r"^(\d+)x(\d+)x(\d+)(?::(NN|NT|TN|TT))?(?:\*(\d+))?$")


def parse_shapes(text):
    shapes = []
    for item in text.split(","):
        match = ITEM.match(item)
        if not match or min(int(g) for g in match.group(1, 2, 3)) < 1 or int(match.group(5) or 1) < 1:
            raise ValueError(
                f"--shapes takes MxKxN items (positive integers), each optionally with :NN, :NT, "
                f":TN or :TT and *CALLS, separated by commas, e.g. 384x128x384:NT*8; got '{item}'")
        m, k, n = (int(g) for g in match.group(1, 2, 3))
        shapes.append((m, k, n, match.group(4) or "NN", int(match.group(5) or 1)))
    return shapes


def median_seconds(torch, m, k, n, transposes, cold=False):
    generator = torch.Generator().manual_seed(0)
    a = torch.rand((k, m) if transposes[0] == "T" else (m, k), generator=generator) * 2 - 1
    b = torch.rand((n, k) if transposes[1] == "T" else (k, n), generator=generator) * 2 - 1
    copies = max(1, -(-COLD_SPAN // (4 * (m * k + k * n + m * n)))) if cold else 1
    ring = []
    for _ in range(copies):
        a_copy, b_copy = a.clone(), b.clone()
        ring.append((a_copy.t() if transposes[0] == "T" else a_copy,
                     b_copy.t() if transposes[1] == "T" else b_copy, torch.zeros(m, n)))
    for turn in range(3):
        op_a, op_b, c = ring[turn % copies]
        torch.mm(op_a, op_b, out=c)
    times = []
    for turn in range(3, 3 + max(10, int(2e9 / (2 * m * n * k)))):
        op_a, op_b, c = ring[turn % copies]
        start = time.perf_counter()
        torch.mm(op_a, op_b, out=c)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def label(m, k, n, transposes):
    base = f"M={m} K={k} N={n}"
    if transposes == "NN":
        return base
    return base + " A" + ("ᵀ" if transposes[0] == "T" else "") + "B" + (
        "ᵀ" if transposes[1] == "T" else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shapes", required=True, help="MxKxN[:NT|TN|TT][*CALLS],…")
    parser.add_argument("--threads", default="1", help="torch thread counts, e.g. 1,2 (default 1)")
    parser.add_argument("--cold", action="store_true",
                        help="take each call's operands from copies spanning 64 MiB, out of the caches")
    args = parser.parse_args()
    try:
        shapes = parse_shapes(args.shapes)
    except ValueError as error:
        print(f"gemm_reference.py: {error}", file=sys.stderr)
        return 2
    try:
        thread_counts = [int(n) for n in args.threads.split(",")]
        if min(thread_counts) < 1:
            raise ValueError
    except ValueError:
        print(f"gemm_reference.py: --threads takes positive integers separated by commas, e.g. 1,2; "
              f"got '{args.threads}'", file=sys.stderr)
        return 2
    try:
        import torch
    except ImportError:
        print("gemm_reference.py: needs PyTorch (pip install torch; scripts/yardstick.sh makes "
              ".venv-yardstick with it)", file=sys.stderr)
        return 2
    for threads in thread_counts:
        torch.set_num_threads(threads)
        print(f"torch {torch.__version__}, {threads} thread{'' if threads == 1 else 's'}"
              + (", operands out of the caches" if args.cold else ""))
        total_flops, total_seconds = 0, 0.0
        for m, k, n, transposes, calls in shapes:
            seconds = median_seconds(torch, m, k, n, transposes, args.cold)
            flops = 2 * m * n * k
            total_flops += flops * calls
            total_seconds += seconds * calls
            print(f"{label(m, k, n, transposes)}: {flops / seconds / 1e9:7.1f} GFLOPS  "
                  f"×{calls:<3d} {seconds * calls * 1000:6.2f} ms", flush=True)
        print(f"all {len(shapes)} products: {total_flops / 1e9:.2f} GFLOP, "
              f"{total_seconds * 1000:.2f} ms ({total_flops / total_seconds / 1e9:.1f} GFLOPS)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
