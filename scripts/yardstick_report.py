"""Prints the yardstick comparison and draws both validation curves in one SVG.

Usage: yardstick_report.py [--svg OUT_SVG] ROUND_FOLDER...
Each round folder holds pytorch.json, pytorch_wall_ms, betti_wall_ms and yardstick/metrics.csv,
as scripts/yardstick.sh writes them, and nanogpt.log with nanogpt_wall_ms when it also ran
nanoGPT's own train.py (NANOGPT_DIR). With several rounds, each is printed, then the medians of
the wall times, the steps and the per-round wall-time ratios. The SVG shows the last round.
Times "to 1.88" are training seconds (evaluation excluded, as the programs count them).
"""
import argparse, csv, json, os, re, statistics, sys

TARGET = 1.88


def first_reach(points):
    for seconds, loss in points:
        if loss <= TARGET:
            return seconds
    return None


def read_nanogpt_log(path):
    """Validation curve and steady-state ms/step from the log of nanoGPT's train.py.

    train.py prints "step N: train loss …, val loss V" at each evaluation and, with
    --log_interval=1, "iter N: loss …, time Tms" after each step, T covering everything since
    the previous print: for an evaluation step, the evaluation too. Those steps count as the
    median step in the training seconds, so that evaluation is excluded as for the others.
    """
    text = open(path).read()
    evals = [(int(n), float(v)) for n, v in re.findall(r"^step (\d+): train loss [\d.]+, val loss ([\d.]+)", text, re.M)]
    times = {int(n): float(t) / 1e3 for n, t in re.findall(r"^iter (\d+): loss [\d.]+, time ([\d.]+)ms", text, re.M)}
    if not evals or not times:
        sys.exit(f"yardstick_report: {path} has no evaluation or step lines; did train.py run with --log_interval=1?")
    eval_steps = {n for n, _ in evals}
    steady = [t for n, t in times.items() if n > 10 and n not in eval_steps]
    median = statistics.median(steady) if steady else float("nan")
    curve = []
    for step, val in evals:
        seconds = sum(median if n in eval_steps else t for n, t in times.items() if n < step)
        curve.append((step, val, seconds))
    return curve, median * 1e3


def read_round(folder):
    """The figures of one round: curves, wall seconds and steady-state ms/step for both."""
    def need(path):
        if not os.path.exists(path):
            sys.exit(f"yardstick_report: {path} is missing; did that run finish?")
        return path
    t = json.load(open(need(os.path.join(folder, "pytorch.json"))))
    torch_wall = float(open(need(os.path.join(folder, "pytorch_wall_ms"))).read()) / 1e3
    betti_wall = float(open(need(os.path.join(folder, "betti_wall_ms"))).read()) / 1e3
    metrics = list(csv.DictReader(open(need(os.path.join(folder, "yardstick", "metrics.csv")))))
    torch_curve = [(e["iter"], e["val"], e["train_seconds"]) for e in t["evals"]]
    rows = [r for r in metrics if r["val_loss"]]
    betti_curve = [(int(r["step"]), float(r["val_loss"]), float(r["elapsed_s"] or 0)) for r in rows]
    step_times = []
    prev = None
    for r in metrics:
        if r["elapsed_s"]:
            s, e = int(r["step"]), float(r["elapsed_s"])
            if prev and s > prev[0] and s > 20:
                step_times.append((e - prev[1]) / (s - prev[0]))
            prev = (s, e)
    betti_ms = statistics.median(step_times) * 1e3 if step_times else float("nan")
    result = dict(torch_curve=torch_curve, betti_curve=betti_curve, torch_wall=torch_wall,
                  betti_wall=betti_wall, torch_ms=t["ms_per_step"], betti_ms=betti_ms)
    if os.path.exists(os.path.join(folder, "nanogpt_wall_ms")):
        curve, ms = read_nanogpt_log(need(os.path.join(folder, "nanogpt.log")))
        wall = float(open(os.path.join(folder, "nanogpt_wall_ms")).read()) / 1e3
        result.update(nanogpt_curve=curve, nanogpt_ms=ms, nanogpt_wall=wall)
    # The loss over the whole validation split (scripts/nanogpt_mirror.py evaluate), when measured.
    whole = os.path.join(folder, "full_val.jsonl")
    if os.path.exists(whole):
        for line in open(whole):
            entry = json.loads(line)
            if "nanogpt" in entry:
                result["nanogpt_full"] = entry["full_val"]
                result["nanogpt_full_step"] = entry["step"]
            else:
                result["torch_full" if "weights" in entry else "betti_full"] = entry["full_val"]
    return result


def final_difference(a, b):
    """`a`'s final validation estimate minus `b`'s, and a note when they are of different steps."""
    (step_a, val_a, _), (step_b, val_b, _) = a[-1], b[-1]
    note = "" if step_a == step_b else f" (steps {step_a} and {step_b}: not comparable)"
    return f"{val_a - val_b:+.4f}{note}"


def print_round(r):
    reach_t = first_reach([(c[2], c[1]) for c in r["torch_curve"]])
    reach_b = first_reach([(c[2], c[1]) for c in r["betti_curve"]])
    fmt = lambda x: "never" if x is None else f"{x:.1f} s"
    print(f"{'':10s} {'wall time':>10s} {'ms/step':>9s} {'final val':>10s} {'val ≤ 1.88 at':>14s}")
    print(f"{'PyTorch':10s} {r['torch_wall']:9.1f}s {r['torch_ms']:9.2f} {r['torch_curve'][-1][1]:10.4f} {fmt(reach_t):>14s}")
    if "nanogpt_wall" in r:
        reach_n = first_reach([(c[2], c[1]) for c in r["nanogpt_curve"]])
        print(f"{'nanoGPT':10s} {r['nanogpt_wall']:9.1f}s {r['nanogpt_ms']:9.2f} {r['nanogpt_curve'][-1][1]:10.4f} {fmt(reach_n):>14s}")
    print(f"{'Betti':10s} {r['betti_wall']:9.1f}s {r['betti_ms']:9.2f} {r['betti_curve'][-1][1]:10.4f} {fmt(reach_b):>14s}")
    print(f"wall-time ratio Betti/PyTorch: {r['betti_wall'] / r['torch_wall']:.2f}; "
          f"final val difference: {final_difference(r['betti_curve'], r['torch_curve'])}")
    if "nanogpt_wall" in r:
        print(f"wall-time ratio Betti/nanoGPT train.py: {r['betti_wall'] / r['nanogpt_wall']:.2f}; "
              f"final val difference: {final_difference(r['betti_curve'], r['nanogpt_curve'])}")
    if "torch_full" in r and "betti_full" in r:
        print(f"whole validation split: PyTorch {r['torch_full']:.4f}, Betti {r['betti_full']:.4f}, "
              f"difference {r['betti_full'] - r['torch_full']:+.4f}")
    if "nanogpt_full" in r:
        print(f"whole validation split: nanoGPT train.py's checkpoint (step {r['nanogpt_full_step']}) "
              f"{r['nanogpt_full']:.4f}")


def main():
    ap = argparse.ArgumentParser(description="Prints the yardstick comparison; draws the curves.")
    ap.add_argument("--svg", default="docs/yardstick.svg")
    ap.add_argument("rounds", nargs="+", metavar="ROUND_FOLDER")
    args = ap.parse_args()
    results = [read_round(folder) for folder in args.rounds]
    for i, r in enumerate(results, 1):
        if len(results) > 1:
            print(f"-- round {i} ({'PyTorch' if i % 2 else 'Betti'} first)")
        print_round(r)
    if len(results) > 1:
        med = lambda key: statistics.median(r[key] for r in results)
        ratios = [r["betti_wall"] / r["torch_wall"] for r in results]
        print(f"-- medians over {len(results)} rounds")
        print(f"{'':10s} {'wall time':>10s} {'ms/step':>9s}")
        print(f"{'PyTorch':10s} {med('torch_wall'):9.1f}s {med('torch_ms'):9.2f}")
        with_nanogpt = all("nanogpt_wall" in r for r in results)
        if with_nanogpt:
            print(f"{'nanoGPT':10s} {med('nanogpt_wall'):9.1f}s {med('nanogpt_ms'):9.2f}")
        print(f"{'Betti':10s} {med('betti_wall'):9.1f}s {med('betti_ms'):9.2f}")
        print(f"wall-time ratio Betti/PyTorch: median {statistics.median(ratios):.2f} "
              f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)})")
        if with_nanogpt:
            ratios = [r["betti_wall"] / r["nanogpt_wall"] for r in results]
            print(f"wall-time ratio Betti/nanoGPT train.py: median {statistics.median(ratios):.2f} "
                  f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)})")
        if all("torch_full" in r and "betti_full" in r for r in results):
            nanogpt = (f", nanoGPT train.py median {med('nanogpt_full'):.4f}"
                       if all("nanogpt_full" in r for r in results) else "")
            print(f"whole validation split: PyTorch median {med('torch_full'):.4f}, "
                  f"Betti median {med('betti_full'):.4f}{nanogpt}")
    r = results[-1]
    torch_curve, betti_curve, svg_path = r["torch_curve"], r["betti_curve"], args.svg
    nanogpt_curve = r.get("nanogpt_curve", [])

    # One SVG with both validation curves against the step.
    w, h, m = 640, 400, 60
    steps = max(c[0] for c in torch_curve + betti_curve + nanogpt_curve) or 1
    losses = [c[1] for c in torch_curve + betti_curve + nanogpt_curve]
    lo, hi = min(losses + [TARGET]) - 0.1, max(losses) + 0.1
    x = lambda s: m + (w - 2 * m) * s / steps
    y = lambda v: h - m - (h - 2 * m) * (v - lo) / (hi - lo)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<line x1="{m}" y1="{h - m}" x2="{w - m}" y2="{h - m}" stroke="black"/>',
             f'<line x1="{m}" y1="{m}" x2="{m}" y2="{h - m}" stroke="black"/>']
    for i in range(6):
        s = steps * i / 5
        parts.append(f'<text x="{x(s):.1f}" y="{h - m + 18}" text-anchor="middle">{int(s)}</text>')
        v = lo + (hi - lo) * i / 5
        parts.append(f'<text x="{m - 8}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.2f}</text>')
    parts.append(f'<text x="{w / 2}" y="{h - 15}" text-anchor="middle">step</text>')
    parts.append(f'<text x="18" y="{h / 2}" text-anchor="middle" transform="rotate(-90 18 {h / 2})">validation loss (nats)</text>')
    parts.append(f'<line x1="{m}" y1="{y(TARGET):.1f}" x2="{w - m}" y2="{y(TARGET):.1f}" stroke="#999" stroke-dasharray="4 4"/>')
    parts.append(f'<text x="{w - m}" y="{y(TARGET) - 6:.1f}" text-anchor="end" fill="#666">1.88</text>')
    series = [(torch_curve, "#d62728", "PyTorch (nanoGPT)", "")]
    if nanogpt_curve:
        series = [(torch_curve, "#d62728", "PyTorch mirror", ""),
                  (nanogpt_curve, "#ff7f0e", "nanoGPT train.py", ' stroke-dasharray="6 3"')]
    series.append((betti_curve, "#1f77b4", "Betti", ""))
    for i, (curve, color, label, dash) in enumerate(series):
        pts = " ".join(f"{x(c[0]):.1f},{y(c[1]):.1f}" for c in curve)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        parts.append(f'<text x="{w - m - 150}" y="{m + 10 + 18 * i}" fill="{color}">— {label}</text>')
    parts.append(f'<text x="{w / 2}" y="{m - 20}" text-anchor="middle" font-size="14">nanoGPT baby GPT on tiny Shakespeare: validation loss</text>')
    parts.append("</svg>")
    open(svg_path, "w").write("\n".join(parts) + "\n")
    print(f"curves: {svg_path}")


if __name__ == "__main__":
    main()
