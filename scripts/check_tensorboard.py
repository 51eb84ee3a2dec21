"""Checks a Betti run's TensorBoard event file against its metrics.jsonl and probes.jsonl.

Reads each run folder with TensorBoard's own event reader (EventAccumulator) and, unless
--no-serve, also through a real `tensorboard --logdir RUN` server's HTTP API, and compares every
scalar with the run's files: the same (tag, step) pairs, each exactly once, and the same values
as 32-bit floats. The tag of each column and probe row is computed here independently of the
Swift code, from the table in docs/tensorboard.md. Prints a summary; exits 1 on any mismatch.

    scripts/check_tensorboard.sh Runs/quickstart [more run folders]
"""

import argparse
import json
import math
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from tensorboard.backend.event_processing import event_accumulator

METRIC_TAGS = {
    "lr": "lr",
    "train_loss": "loss/train",
    "val_loss": "loss/val",
    "train_eval_loss": "loss/train_eval",
    "train_accuracy": "accuracy/train",
    "val_accuracy": "accuracy/val",
    "train_eval_accuracy": "accuracy/train_eval",
    "grad_norm": "grad_norm/global",
    "grad_clipped": "grad_norm/clipped",
    "tokens_per_s": "progress/tokens_per_s",
    "tokens": "progress/tokens",
    "elapsed_s": "progress/elapsed_s",
    "reg_loss": "topology/loss",
}
FAMILY_PREFIX = {"attention": "attn_", "sphere": "sphere_", "sharpness": "sharpness_", "gradients": "grad_"}


def metric_tag(column):
    if column in METRIC_TAGS:
        return METRIC_TAGS[column]
    if column.startswith("reg_"):
        return "topology/" + column[4:]
    if column.startswith("ph_l"):
        parts = column[4:].split("_", 2)
        if len(parts) == 3 and parts[0].isdigit() and parts[1][:1] == "h" and parts[1][1:].isdigit() and parts[2]:
            return f"topology/L{parts[0]}H{parts[1][1:]}/{parts[2]}"
    return "metrics/" + column


def probe_tag(row):
    if row.get("tensor"):
        tensor = row["tensor"]
        if tensor.startswith("transformer."):
            tensor = tensor[len("transformer."):]
        return f"{row['metric']}/{tensor}"
    location = ""
    if row.get("layer") is not None:
        location = f"L{row['layer']}"
    if row.get("head") is not None:
        location += f"H{row['head']}"
    metric = row["metric"]
    prefix = FAMILY_PREFIX.get(row["family"], "")
    if metric.startswith(prefix):
        metric = metric[len(prefix):]
    return f"{row['family']}/{location}/{metric}" if location else f"{row['family']}/{metric}"


def number(value):
    return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[value] if isinstance(value, str) else float(value)


def float32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0] if math.isfinite(value) else value


def read_lines(path):
    """The complete lines of a JSONL file (a torn last line, as after a crash, is left out)."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return [json.loads(line) for line in text.split("\n")[:-1]]


def expected_scalars(run):
    """{tag: {step: value}} from metrics.jsonl and probes.jsonl, failing on a (tag, step) twice."""
    expected, twice = {}, []

    def put(tag, step, value):
        series = expected.setdefault(tag, {})
        if step in series:
            twice.append((tag, step))
        series[step] = float32(number(value))

    for row in read_lines(os.path.join(run, "metrics.jsonl")):
        for column, value in row.items():
            if column != "step":
                put(metric_tag(column), row["step"], value)
    for row in read_lines(os.path.join(run, "probes.jsonl")):
        put(probe_tag(row), row["step"], row["value"])
    return expected, twice


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def compare(expected, actual, source, problems, limit=20):
    """actual: {tag: [(step, value), ...]}. Appends problems; returns the scalars compared."""
    compared = 0
    for tag in sorted(set(expected) | set(actual)):
        want = expected.get(tag, {})
        got = actual.get(tag, [])
        steps = [step for step, _ in got]
        if len(steps) != len(set(steps)):
            problems.append(f"{source}: {tag} holds a step more than once")
        for step, value in got:
            compared += 1
            if step not in want:
                problems.append(f"{source}: {tag} step {step} = {value} is in no metric or probe file")
            elif not same(want[step], value):
                problems.append(f"{source}: {tag} step {step} = {value!r}, the files say {want[step]!r}")
        for step in sorted(set(want) - set(steps)):
            problems.append(f"{source}: {tag} step {step} = {want[step]!r} is missing")
    del problems[limit * 4 :]
    return compared


def read_with_accumulator(run):
    accumulator = event_accumulator.EventAccumulator(run, size_guidance={event_accumulator.SCALARS: 0})
    accumulator.Reload()
    tags = accumulator.Tags()["scalars"]
    return {tag: [(e.step, e.value) for e in accumulator.Scalars(tag)] for tag in tags}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def read_with_server(run, tensorboard, expected_tags):
    """Starts `tensorboard --logdir run`, waits until it lists every expected tag, reads all."""
    port = free_port()
    server = subprocess.Popen(
        [tensorboard, "--logdir", run, "--host", "127.0.0.1", "--port", str(port), "--reload_interval", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        tags = {}
        while time.time() < deadline:
            try:
                tags = get_json(base + "/data/plugin/scalars/tags").get(".", {})
                if set(tags) >= expected_tags:
                    break
            except OSError:
                pass
            time.sleep(1)
        time.sleep(2)  # a last reload, so that no series is read half-loaded
        actual = {}
        for tag in get_json(base + "/data/plugin/scalars/tags").get(".", {}):
            query = urllib.parse.urlencode({"run": ".", "tag": tag})
            actual[tag] = [(step, value) for _, step, value in get_json(f"{base}/data/plugin/scalars/scalars?{query}")]
        return actual
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", help="run folders (Runs/<name>)")
    parser.add_argument("--no-serve", action="store_true", help="skip the check through a tensorboard server")
    args = parser.parse_args()
    tensorboard = os.path.join(os.path.dirname(sys.executable), "tensorboard")
    failed = False
    for run in args.runs:
        problems = []
        files = sorted(f for f in os.listdir(run) if "tfevents" in f) if os.path.isdir(run) else []
        if not files:
            print(f"{run}: FAIL: no events.out.tfevents.* file (is it a run folder?)")
            failed = True
            continue
        expected, twice = expected_scalars(run)
        problems += [f"files: {tag} step {step} appears twice in metrics.jsonl/probes.jsonl" for tag, step in twice]
        total = sum(len(series) for series in expected.values())
        lines = [f"{run}: {len(files)} event file(s) {', '.join(files)}"]
        lines.append(f"  files:            {len(expected)} tags, {total} scalars (metrics.jsonl + probes.jsonl)")
        compared = compare(expected, read_with_accumulator(run), "EventAccumulator", problems)
        lines.append(f"  EventAccumulator: {compared} scalars read and compared")
        if not args.no_serve:
            actual = read_with_server(run, tensorboard, set(expected))
            compared = compare(expected, actual, "tensorboard server", problems)
            lines.append(f"  tensorboard server (--logdir {run}): {len(actual)} tags, {compared} scalars compared")
        print("\n".join(lines))
        for problem in problems:
            print("  MISMATCH " + problem)
        print(f"  {'FAIL' if problems else 'OK'}: {len(problems)} mismatches")
        failed = failed or bool(problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
