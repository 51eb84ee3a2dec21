"""A PyTorch mirror of nanoGPT's model.py and train.py, for side-by-side checks with Betti.

Written for Betti's comparisons (a reference only; Betti never depends on PyTorch):
  * the model: nanoGPT's GPT (pre-LN blocks, learned positions, tied head, optional biases,
    exact-erf GELU as nn.GELU(), causal attention through scaled_dot_product_attention),
    nanoGPT's init (normal 0.02, c_proj scaled by 1/sqrt(2 * n_layer));
  * the training loop: AdamW with nanoGPT's parameter groups (every 2-d tensor decays, the
    rest does not), the warmup + cosine schedule of get_lr, gradient clipping, random batches
    of block_size windows, evaluation of eval_iters batches per split every eval_interval.

Usage:
  python nanogpt_mirror.py train --data FILE [--threads 2] [--max-iters 2000] [--seed S]
                                 [--full-val] [--save WEIGHTS.safetensors] [--json OUT]
  python nanogpt_mirror.py evaluate --data FILE (RUN | WEIGHTS.safetensors | ckpt.pt)...
The JSON records per evaluation: iter, train loss, val loss and training seconds so far
(evaluation time excluded), plus ms/step and the total.

The 20-batch estimate of the validation loss has its own noise (about 0.01 here), so two runs'
final estimates can differ by more than their models do. --full-val adds the loss over the whole
validation split (every window of block_size positions, side by side, each position predicted
once) to the JSON; `evaluate` gives the same figure for Betti runs of the same corpus, read from
their latest checkpoint (nanoGPT's tensor names) into this model, for weights that --save
wrote (with the model sizes of the options, as for train), and for the ckpt.pt of nanoGPT's own
train.py (with the sizes it records; the step it was saved at is printed beside the loss, as
train.py saves only when its validation estimate improves).
"""
import argparse, json, math, os, struct, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerNorm(nn.Module):
    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, bias):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
        self.n_head, self.n_embd = n_head, n_embd

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, n_embd, bias):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=bias)

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, bias):
        super().__init__()
        self.ln_1 = LayerNorm(n_embd, bias)
        self.attn = CausalSelfAttention(n_embd, n_head, bias)
        self.ln_2 = LayerNorm(n_embd, bias)
        self.mlp = MLP(n_embd, bias)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer, n_head, n_embd, bias):
        super().__init__()
        self.block_size = block_size
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd),
            wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList([Block(n_embd, n_head, bias) for _ in range(n_layer)]),
            ln_f=LayerNorm(n_embd, bias),
        ))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * n_layer))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long)
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def read_characters(path):
    text = open(path, encoding="utf-8").read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = int(0.9 * len(data))
    return chars, {"train": data[:n], "val": data[n:]}


@torch.no_grad()
def whole_split_loss(model, d, block_size):
    """Mean next-token loss over windows of block_size laid side by side along d."""
    model.eval()
    starts = range(0, len(d) - block_size, block_size)
    total, count = 0.0, 0
    for first in range(0, len(starts), 256):
        chunk = starts[first:first + 256]
        x = torch.stack([d[i:i + block_size] for i in chunk])
        y = torch.stack([d[i + 1:i + 1 + block_size] for i in chunk])
        logits, _ = model(x)
        total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="sum").item()
        count += y.numel()
    model.train()
    return total / count


def get_lr(it, lr, min_lr, warmup, decay_iters):
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    if it > decay_iters:
        return min_lr
    ratio = (it - warmup) / (decay_iters - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


def train(args):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    chars, splits = read_characters(args.data)

    def get_batch(split):
        d = splits[split]
        ix = torch.randint(len(d) - args.block_size, (args.batch_size,))
        x = torch.stack([d[i:i + args.block_size] for i in ix])
        y = torch.stack([d[i + 1:i + 1 + args.block_size] for i in ix])
        return x, y

    model = GPT(len(chars), args.block_size, args.n_layer, args.n_head, args.n_embd, bias=False)
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.99))

    @torch.no_grad()
    def estimate_loss():
        model.eval()
        out = {}
        for split in ("train", "val"):
            losses = torch.zeros(args.eval_iters)
            for k in range(args.eval_iters):
                x, y = get_batch(split)
                losses[k] = model(x, y)[1].item()
            out[split] = losses.mean().item()
        model.train()
        return out

    evals, step_times, train_seconds = [], [], 0.0
    wall_start = time.perf_counter()
    for it in range(args.max_iters + 1):
        lr = get_lr(it, args.lr, args.min_lr, args.warmup, args.max_iters)
        for g in opt.param_groups:
            g["lr"] = lr
        # Also at the last step, as Betti evaluates it, so that both final figures are of one step.
        if it % args.eval_interval == 0 or it == args.max_iters:
            losses = estimate_loss()
            evals.append(dict(iter=it, train=losses["train"], val=losses["val"], train_seconds=train_seconds))
            print(f"iter {it}: train {losses['train']:.4f}, val {losses['val']:.4f}, {train_seconds:.1f} s", flush=True)
        if it == args.max_iters:
            break
        t0 = time.perf_counter()
        x, y = get_batch("train")
        _, loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        dt = time.perf_counter() - t0
        train_seconds += dt
        step_times.append(dt)
    steady = sorted(step_times[10:])[len(step_times[10:]) // 2] if len(step_times) > 20 else float("nan")
    result = dict(evals=evals, ms_per_step=steady * 1e3, wall_seconds=time.perf_counter() - wall_start,
                  torch=torch.__version__, threads=args.threads)
    if args.save:
        write_safetensors(args.save, model.state_dict())
    if args.full_val:
        result["full_val"] = whole_split_loss(model, splits["val"], args.block_size)
        print(f"whole validation split: {result['full_val']:.4f}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return result


def read_safetensors(path):
    with open(path, "rb") as f:
        header_size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_size))
        body = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {entry['dtype']}, expected F32")
        start, end = entry["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(body[start:end]), dtype=torch.float32).reshape(entry["shape"])
    return tensors


def write_safetensors(path, state):
    """The float32 tensors of `state` in the safetensors format (the tied weight under both names)."""
    header, offset, blobs = {}, 0, []
    for name, tensor in state.items():
        blob = tensor.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = dict(dtype="F32", shape=list(tensor.shape), data_offsets=[offset, offset + len(blob)])
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_nanogpt_checkpoint(path):
    """The weights, model sizes and step of a ckpt.pt that nanoGPT's train.py saved."""
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except OSError as error:
        sys.exit(f"nanogpt_mirror.py evaluate: cannot read {path} ({error.strerror})")
    except Exception as error:
        sys.exit(f"nanogpt_mirror.py evaluate: {path} is not a checkpoint of nanoGPT's train.py "
                 f"(torch.load: {type(error).__name__}: {error})")
    if not isinstance(checkpoint, dict) or not {"model", "model_args", "iter_num"} <= checkpoint.keys():
        sys.exit(f"nanogpt_mirror.py evaluate: {path} is not a checkpoint of nanoGPT's train.py "
                 f"(it needs model, model_args and iter_num)")
    sizes = checkpoint["model_args"]
    if sizes.get("bias"):
        sys.exit(f"nanogpt_mirror.py evaluate: {path} was trained with biases; this model has none")
    # A compiled model's names carry a prefix; the causal-mask buffer of PyTorch < 2 is no weight.
    weights = {name.removeprefix("_orig_mod."): tensor for name, tensor in checkpoint["model"].items()
               if not name.endswith(".attn.bias")}
    return weights, sizes, checkpoint["iter_num"]


def evaluate(args):
    """The whole-validation-split loss of each Betti run's latest checkpoint, of each weights
    file that --save wrote, and of each ckpt.pt of nanoGPT's train.py, in this model."""
    chars, splits = read_characters(args.data)

    def score(weights, source, block_size, n_layer, n_head, n_embd):
        model = GPT(len(chars), block_size, n_layer, n_head, n_embd, bias=False)
        load_into(model, weights, source, len(chars), args.data)
        return whole_split_loss(model, splits["val"], block_size)

    for run in args.runs:
        if run.endswith(".pt"):
            weights, sizes, step = read_nanogpt_checkpoint(run)
            loss = score(weights, run, sizes["block_size"], sizes["n_layer"], sizes["n_head"], sizes["n_embd"])
            print(json.dumps(dict(nanogpt=run, step=step, full_val=loss)), flush=True)
            continue
        if run.endswith(".safetensors"):
            try:
                weights = read_safetensors(run)
            except OSError as error:
                sys.exit(f"nanogpt_mirror.py evaluate: cannot read {run} ({error.strerror})")
            loss = score(weights, run, args.block_size, args.n_layer, args.n_head, args.n_embd)
            print(json.dumps(dict(weights=run, full_val=loss)), flush=True)
            continue
        try:
            with open(os.path.join(run, "config.json")) as f:
                config = json.load(f)
            with open(os.path.join(run, "checkpoints", "latest")) as f:
                step = f.read().strip()
        except OSError as error:
            sys.exit(f"nanogpt_mirror.py evaluate: {run} is not a Betti run with a checkpoint "
                     f"({error.strerror}: {error.filename}); pass run folders such as Runs/shakespeare_char")
        m = config["model"]
        expected = dict(bias=False, tied_head=True, norm="pre", positional="learned",
                        activation="gelu_exact", attention="causal", qk_norm=False)
        differing = {k: m.get(k) for k, v in expected.items() if m.get(k) != v}
        if config["task"]["kind"] != "char" or differing or m["mlp_ratio"] != 4:
            sys.exit(f"nanogpt_mirror.py evaluate: {run} is not nanoGPT's model on a character task "
                     f"(differs in {differing or 'task or mlp_ratio'}); only such runs can be read into it")
        weights = read_safetensors(os.path.join(run, "checkpoints", step, "model.safetensors"))
        loss = score(weights, f"{run}/checkpoints/{step}", m["context"], m["depth"], m["heads"], m["width"])
        print(json.dumps(dict(run=run, checkpoint=step, seed=config.get("seed"), full_val=loss)), flush=True)


def load_into(model, weights, source, characters, data):
    vocabulary = weights.get("transformer.wte.weight", torch.empty(0, 0)).shape[0]
    if vocabulary != characters:
        sys.exit(f"nanogpt_mirror.py evaluate: {source} has a vocabulary of {vocabulary} characters, "
                 f"{data} one of {characters}; pass the corpus it was trained on")
    try:
        missing, unexpected = model.load_state_dict(weights, strict=False)
    except RuntimeError as error:
        first = next((line.strip() for line in str(error).splitlines() if "mismatch" in line), str(error))
        sys.exit(f"nanogpt_mirror.py evaluate: {source} does not fit the model ({first}); pass the "
                 f"sizes it was trained with (--block-size, --n-layer, --n-head, --n-embd)")
    if missing or unexpected:
        sys.exit(f"nanogpt_mirror.py evaluate: {source} does not fit the model "
                 f"(missing {missing}, unexpected {unexpected})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["train", "evaluate"])
    ap.add_argument("runs", nargs="*",
                    help="evaluate: Betti run folders, --save weights files or nanoGPT ckpt.pt files")
    ap.add_argument("--data", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--max-iters", type=int, default=2000)
    ap.add_argument("--eval-interval", type=int, default=250)
    ap.add_argument("--eval-iters", type=int, default=20)
    ap.add_argument("--block-size", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=12)
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--n-embd", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--min-lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--full-val", action="store_true",
                    help="train: also the loss over the whole validation split, at the end")
    ap.add_argument("--save", help="train: write the final weights there (safetensors)")
    ap.add_argument("--json")
    args = ap.parse_intermixed_args()
    if args.command == "evaluate":
        if not args.runs:
            ap.error("evaluate takes one or more Betti run folders, weights files or nanoGPT ckpt.pt files")
        torch.set_num_threads(args.threads)
        evaluate(args)
    else:
        if args.runs:
            ap.error("train takes no run folders (did you mean evaluate?)")
        train(args)


if __name__ == "__main__":
    main()
