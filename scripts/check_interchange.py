"""Checks that Betti and PyTorch agree on the same weights, in both directions.

1. PyTorch -> Betti: a nanoGPT-layout model (scripts/nanogpt_mirror.py) with random weights is
   saved as safetensors; `betti eval --config --weights --tokens --logits` scores token
   sequences with it; the losses and logits are compared with PyTorch's.
2. Betti -> PyTorch: a short `betti train` run writes a checkpoint; nanoGPT's
   `load_state_dict(strict=True)` loads its model.safetensors; both score the same sequences.

PyTorch is a reference here, never a dependency. Run from the repository root:
  python3 -m venv .venv-ref && .venv-ref/bin/pip install torch numpy safetensors
  swift build -c release && .venv-ref/bin/python scripts/check_interchange.py
"""
import json, os, subprocess, sys, tempfile

import torch
import torch.nn.functional as F
from safetensors.torch import save_file, load_file

sys.path.insert(0, os.path.dirname(__file__))
from nanogpt_mirror import GPT  # noqa: E402

BETTI = os.environ.get("BETTI", ".build/release/betti")


def betti_eval(config, weights, tokens_file, logits_file):
    out = subprocess.run([BETTI, "eval", "--config", config, "--weights", weights, "--tokens", tokens_file,
                          "--logits", logits_file], check=True, capture_output=True, text=True).stdout
    losses = [float(line.split()[-1]) for line in out.splitlines() if line.startswith("sequence")]
    mean = float([line for line in out.splitlines() if line.startswith("mean loss")][0].split()[-1])
    with open(logits_file) as f:
        return losses, mean, json.load(f)


def torch_scores(model, sequences):
    model.eval()
    losses, logits = [], []
    with torch.no_grad():
        for s in sequences:
            x = torch.tensor([s[:-1]])
            y = torch.tensor([s[1:]])
            lg, loss = model(x, y)
            losses.append(loss.item())
            logits.append(lg[0].reshape(-1))
    total = sum(l * (len(s) - 1) for l, s in zip(losses, sequences))
    return losses, total / sum(len(s) - 1 for s in sequences), logits


def compare(label, betti, reference):
    b_losses, b_mean, b_logits = betti
    t_losses, t_mean, t_logits = reference
    loss_diff = max(abs(a - b) for a, b in zip(b_losses, t_losses))
    logit_diff = max((torch.tensor(a) - b).abs().max().item() for a, b in zip(b_logits, t_logits))
    print(f"{label}: mean loss Betti {b_mean:.6f} PyTorch {t_mean:.6f}; "
          f"max |Δloss| {loss_diff:.2e}, max |Δlogit| {logit_diff:.2e}")
    return loss_diff < 1e-4 and logit_diff < 1e-3


def main():
    torch.manual_seed(0)
    work = tempfile.mkdtemp(prefix="betti-interchange-")
    vocab, context, layers, heads, width = 65, 64, 2, 4, 64
    g = torch.Generator().manual_seed(1)
    sequences = [torch.randint(vocab, (n,), generator=g).tolist() for n in (65, 33, 10)]
    tokens_file = os.path.join(work, "tokens.json")
    with open(tokens_file, "w") as f:
        json.dump(sequences, f)
    ok = True

    # 1. PyTorch -> Betti, with and without biases.
    for bias in (False, True):
        model = GPT(vocab, context, layers, heads, width, bias=bias)
        state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
        weights = os.path.join(work, f"torch_bias{int(bias)}.safetensors")
        save_file(state, weights)
        config = os.path.join(work, f"config_bias{int(bias)}.json")
        with open(config, "w") as f:
            json.dump({"model": {"vocab_size": vocab, "context": context, "width": width, "depth": layers,
                                 "heads": heads, "bias": bias, "activation": "gelu_exact"},
                       # Any task with a vocabulary no larger than the model's; only the model is used.
                       "task": {"kind": "copy", "length": 4, "symbols": 8}}, f)
        betti = betti_eval(config, weights, tokens_file, os.path.join(work, "logits.json"))
        ok &= compare(f"PyTorch -> Betti (bias={bias})", betti, torch_scores(model, sequences))

    # 2. Betti -> PyTorch: train briefly, load the checkpoint into nanoGPT's model.
    text = os.path.join(work, "text.txt")
    with open(text, "w") as f:
        f.write("".join(chr(32 + (i * 7919) % 65) for i in range(20000)))
    runs = os.path.join(work, "runs")
    config = os.path.join(work, "train.json")
    with open(config, "w") as f:
        json.dump({"name": "interchange", "runs_dir": runs,
                   "model": {"context": context, "width": width, "depth": layers, "heads": heads,
                             "bias": False, "activation": "gelu_exact"},
                   "task": {"kind": "char", "path": text},
                   "optimizer": {"lr": 3e-3}, "training": {"steps": 30, "batch_size": 8, "eval_every": 30}}, f)
    subprocess.run([BETTI, "train", config], check=True, capture_output=True)
    with open(os.path.join(runs, "interchange", "checkpoints", "latest")) as f:
        step = f.read().strip()
    weights = os.path.join(runs, "interchange", "checkpoints", step, "model.safetensors")
    state = load_file(weights)
    vocab_trained = state["transformer.wte.weight"].shape[0]
    model = GPT(vocab_trained, context, layers, heads, width, bias=False)
    model.load_state_dict(state, strict=True)
    seqs = [[t % vocab_trained for t in s] for s in sequences]
    with open(tokens_file, "w") as f:
        json.dump(seqs, f)
    eval_config = os.path.join(work, "eval.json")
    with open(eval_config, "w") as f:
        json.dump({"model": {"vocab_size": vocab_trained, "context": context, "width": width, "depth": layers,
                             "heads": heads, "bias": False, "activation": "gelu_exact"},
                   "task": {"kind": "copy", "length": 4, "symbols": 8}}, f)
    betti = betti_eval(eval_config, weights, tokens_file, os.path.join(work, "logits.json"))
    ok &= compare("Betti -> PyTorch (trained 30 steps)", betti, torch_scores(model, seqs))
    print("agreement:", "OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
