"""Writes Tests/TopologyTests/Fixtures/ripser_fixtures.json: Float32 distance matrices and the
H0/H1 diagrams ripser.py returns for them, for the Swift conformance tests (no Python in CI).

    python3 -m venv /work/.venv-ripser && /work/.venv-ripser/bin/pip install numpy ripser
    /work/.venv-ripser/bin/python scripts/make_ripser_fixtures.py

Matrices: Jensen-Shannon distances (base 2) between the rows of random attention matrices:
"soft" (logits standard normal x 2, as bench/ph.py), "sharp" (softmax(q k^T / (8 T)), d = 64,
T = 0.1) and "causal" (T = 0.3 with a causal mask), a matrix with duplicated rows, an all-equal
matrix, and one run with a threshold below the enclosing radius. Every number is written as the
shortest decimal that round-trips in Float32, in space-separated strings (the upper triangle
row by row; diagrams as "birth death" with "inf" for an essential bar). The generators
giotto-ph returns (`return_generators=True`) are stored beside them: for each finite H0 bar its
death edge "i j", for each finite H1 bar its birth and death edges "i j k l" (same diagrams as
ripser.py, same filtration order and youngest-edge rule).
"""
import json, os

import numpy as np
import ripser
import gph
from gph import ripser_parallel

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "TopologyTests", "Fixtures", "ripser_fixtures.json")


def softmax(logits):
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def soft(n, rng):
    return softmax(rng.standard_normal((n, n)) * 2.0)


def temperature(n, rng, t, causal):
    q = rng.standard_normal((n, 64))
    k = rng.standard_normal((n, 64))
    logits = q @ k.T / (8.0 * t)
    if causal:
        logits = np.where(np.tril(np.ones((n, n), dtype=bool)), logits, -np.inf)
    return softmax(logits)


def jsd_matrix(p):
    m = 0.5 * (p[:, None, :] + p[None, :, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_pm = np.where(p[:, None, :] > 0, p[:, None, :] * np.log2(p[:, None, :] / m), 0).sum(-1)
        kl_qm = np.where(p[None, :, :] > 0, p[None, :, :] * np.log2(p[None, :, :] / m), 0).sum(-1)
    d = np.sqrt(np.maximum(0.5 * kl_pm + 0.5 * kl_qm, 0))
    d = 0.5 * (d + d.T)
    np.fill_diagonal(d, 0)
    return d.astype(np.float32)


def f32(x):
    return "inf" if np.isinf(x) else str(np.float32(x))


def entry(name, d, thresh=None):
    n = d.shape[0]
    kwargs = {} if thresh is None else {"thresh": float(thresh)}
    dgms = ripser.ripser(d, maxdim=1, distance_matrix=True, **kwargs)["dgms"]
    iu = np.triu_indices(n, 1)
    g = ripser_parallel(d, metric="precomputed", maxdim=1, return_generators=True, n_threads=1,
                        **kwargs)
    gens0 = [f"{i} {j}" for _, i, j in g["gens"][0]]
    gens1 = [" ".join(str(v) for v in row) for row in g["gens"][1][0]]
    # the generators' edge lengths give back ripser.py's finite bars
    assert sorted(float(d[i, j]) for _, i, j in g["gens"][0]) == sorted(
        float(e) for b, e in dgms[0] if np.isfinite(e)), name
    finite1 = sorted((float(b), float(e)) for b, e in dgms[1] if np.isfinite(e))
    assert sorted((float(d[a, b]), float(d[c, e])) for a, b, c, e in g["gens"][1][0]) == finite1, name
    return {
        "name": name,
        "n": n,
        "threshold": None if thresh is None else f32(thresh),
        "upper": " ".join(f32(x) for x in d[iu]),
        "h0": [f"{f32(b)} {f32(e)}" for b, e in dgms[0]],
        "h1": [f"{f32(b)} {f32(e)}" for b, e in dgms[1]],
        "h0edges": gens0,
        "h1edges": gens1,
    }


def main():
    rng = np.random.default_rng(20261125)
    cases = []
    for n in (8, 16, 64, 128):
        cases.append(entry(f"soft-{n}", jsd_matrix(soft(n, rng))))
    for n in (32, 128):
        cases.append(entry(f"sharp-{n}", jsd_matrix(temperature(n, rng, 0.1, False))))
    for n in (64, 96):
        cases.append(entry(f"causal-{n}", jsd_matrix(temperature(n, rng, 0.3, True))))
    p = soft(40, rng)
    p[10] = p[3]
    p[11] = p[3]
    p[25] = p[7]
    cases.append(entry("duplicates-40", jsd_matrix(p)))
    equal = np.ones((10, 10), dtype=np.float32)
    np.fill_diagonal(equal, 0)
    cases.append(entry("all-equal-10", equal))
    d = jsd_matrix(soft(48, rng))
    t = np.float32(np.quantile(d[np.triu_indices(48, 1)], 0.15))
    cases.append(entry("soft-48-threshold", d, thresh=t))
    with open(OUT, "w") as f:
        json.dump({"generator": "scripts/make_ripser_fixtures.py", "ripser": ripser.__version__,
                   "giotto-ph": gph.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(OUT, os.path.getsize(OUT), "bytes")
    for c in cases:
        print(c["name"], "h0", len(c["h0"]), "h1", len(c["h1"]), "thresh", c["threshold"])


if __name__ == "__main__":
    main()
