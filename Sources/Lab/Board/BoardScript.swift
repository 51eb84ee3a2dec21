import Foundation

/// `/board.js`: the board's only script. It refreshes the parts of a page marked
/// `data-refresh`, and on a run page polls the run's feed (`RunFeed`) and draws its curves as
/// SVG with the layout of `Chart` (same margins, 1-2-5 ticks, legend column, the report's
/// palette), so the live page looks like the static report. The x axis spans the whole run
/// (0 to `training.steps`), so the curves visibly grow across it.
enum BoardScript {
  static var source: String {
    "const PALETTE = [" + ReportLayout.palette.map { "\"\($0)\"" }.joined(separator: ",") + "];\n"
      + body
  }

  private static let body = #"""
    "use strict";

    function esc(s) {
      return String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
    }

    // Up to 4 significant digits, like the report's tick labels.
    function fmt(x) {
      if (x === 0) return "0";
      const a = Math.abs(x);
      if (a >= 1e-4 && a < 1e6) return String(Number(x.toPrecision(4)));
      return x.toExponential(3).replace(/\.?0+e/, "e");
    }

    function extent(values) {
      if (!values.length) return [0, 1];
      let lo = Infinity, hi = -Infinity;
      for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
      const pad = hi > lo ? 0.05 * (hi - lo) : 0.5;
      return [lo - pad, hi + pad];
    }

    // About `count` round values (1, 2 or 5 × 10^k apart) inside [lo, hi].
    function ticks(lo, hi, count = 5) {
      const raw = (hi - lo) / count;
      if (!(raw > 0) || !isFinite(raw)) return [lo];
      const power = Math.pow(10, Math.floor(Math.log10(raw)));
      const step = [1, 2, 5, 10].map(m => m * power).find(s => s >= raw) || 10 * power;
      const out = [];
      for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) {
        out.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
      }
      return out;
    }

    // At most `limit` points, evenly spread, the last one kept.
    function thin(points, limit = 1500) {
      if (points.length <= limit) return points;
      const out = [];
      for (let k = 0; k < limit; k++) out.push(points[Math.floor(k * (points.length - 1) / (limit - 1))]);
      return out;
    }

    // A tick label with as many decimals as the tick spacing needs, so that close ticks on a
    // narrow range never print alike.
    function tickLabel(t, ticks) {
      const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 0;
      if (t === 0 || !(step >= 1e-4) || Math.abs(t) >= 1e6) return fmt(t);
      return t.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
    }

    // A chart as an SVG string: {title, xLabel, yLabel, width, height, xDomain, yDomain,
    // series: [{label, color, points: [[x, y], ...]}]}; the legend, when there are two or more
    // series, is a column right of the plot.
    function chart(spec) {
      const W = spec.width || 530, H = spec.height || 280;
      // One line needs no legend: the title names it.
      const labels = spec.series.length > 1 ? spec.series.map(s => s.label) : [];
      const legendWidth = 24 + 6.4 * Math.max(0, ...labels.map(l => l.length));
      const right = labels.length ? 20 + legendWidth : 20;
      const left = 64, top = spec.title ? 34 : 16, bottom = 46;
      const finite = spec.series.flatMap(s => s.points).filter(p => isFinite(p[0]) && isFinite(p[1]));
      const xd = spec.xDomain || extent(finite.map(p => p[0]));
      let yd = spec.yDomain || extent(finite.map(p => p[1]));
      if (yd[0] === yd[1]) yd = [yd[0] - 0.5, yd[1] + 0.5];
      const x = v => left + (v - xd[0]) / ((xd[1] - xd[0]) || 1) * (W - right - left);
      const y = v => (H - bottom) + (v - yd[0]) / (yd[1] - yd[0]) * (top - (H - bottom));
      const r = n => Math.round(n * 100) / 100;
      const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
        `<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`];
      const text = (s, tx, ty, size, anchor, extra = "") =>
        out.push(`<text x="${r(tx)}" y="${r(ty)}" font-size="${size}" text-anchor="${anchor}" fill="black"${extra}>${esc(s)}</text>`);
      if (spec.title) text(spec.title, W / 2, 20, 14, "middle");
      out.push(`<rect x="${left}" y="${top}" width="${r(W - left - right)}" height="${r(H - top - bottom)}" fill="none" stroke="#444"/>`);
      const xt = ticks(Math.min(...xd), Math.max(...xd)), yt = ticks(Math.min(...yd), Math.max(...yd));
      for (const t of xt) {
        out.push(`<line x1="${r(x(t))}" y1="${H - bottom}" x2="${r(x(t))}" y2="${H - bottom + 4}" stroke="#444" stroke-width="1"/>`);
        text(tickLabel(t, xt), x(t), H - bottom + 16, 10, "middle");
      }
      for (const t of yt) {
        out.push(`<line x1="${left - 4}" y1="${r(y(t))}" x2="${left}" y2="${r(y(t))}" stroke="#444" stroke-width="1"/>`);
        text(tickLabel(t, yt), left - 6, y(t) + 3, 10, "end");
      }
      if (spec.xLabel) text(spec.xLabel, (left + W - right) / 2, H - 10, 11, "middle");
      if (spec.yLabel) {
        const cy = (top + H - bottom) / 2;
        text(spec.yLabel, 15, cy, 11, "middle", ` transform="rotate(-90 15 ${r(cy)})"`);
      }
      for (const s of spec.series) {
        // A missing (non-finite) value breaks the line rather than dropping it to an edge.
        let run = [];
        const flush = () => {
          if (run.length === 1) out.push(`<circle cx="${run[0][0]}" cy="${run[0][1]}" r="2" fill="${s.color}"/>`);
          else if (run.length > 1) out.push(`<polyline points="${run.map(p => p.join(",")).join(" ")}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
          run = [];
        };
        for (const p of s.points) {
          if (isFinite(p[0]) && isFinite(p[1])) run.push([r(x(p[0])), r(y(p[1]))]); else flush();
        }
        flush();
        if (s.points.length <= 60) {
          for (const p of s.points) {
            if (isFinite(p[0]) && isFinite(p[1])) out.push(`<circle cx="${r(x(p[0]))}" cy="${r(y(p[1]))}" r="2.5" fill="${s.color}" fill-opacity="0.8"/>`);
          }
        }
      }
      const lx = W - right + 12;
      if (labels.length) spec.series.forEach((s, k) => {
        const ly = top + 14 + k * 16;
        out.push(`<rect x="${r(lx)}" y="${ly - 9}" width="10" height="10" fill="${s.color}"/>`);
        text(s.label, lx + 15, ly, 11, "start");
      });
      out.push("</svg>");
      return out.join("\n");
    }

    // ---- Parts of a page that refresh themselves (index tables, sweep table) ----

    function refreshParts() {
      for (const part of document.querySelectorAll("[data-refresh]")) {
        fetch(part.dataset.refresh, {cache: "no-store"})
          .then(r => r.ok ? r.text() : Promise.reject(r.status))
          .then(html => { if (part.innerHTML !== html) part.innerHTML = html; })
          .catch(() => {});
      }
    }
    if (document.querySelector("[data-refresh]")) setInterval(refreshParts, 3000);

    // ---- The live run page ----

    const METRIC_CHARTS = [
      {id: "loss", title: "Cross-entropy loss", yLabel: "loss (nats per token)", width: 1080, height: 320,
       columns: [["train_loss", "train (batch)"], ["train_eval_loss", "train (eval)"], ["val_loss", "validation"]]},
      {id: "accuracy", title: "Accuracy", yLabel: "accuracy (fraction)", width: 1080, height: 280, yDomain: [0, 1],
       columns: [["train_accuracy", "train (batch)"], ["train_eval_accuracy", "train (eval)"], ["val_accuracy", "validation"]]},
      {id: "lr", title: "Learning rate", yLabel: "lr", columns: [["lr", "lr"]], fromZero: true},
      {id: "grad_norm", title: "Global gradient norm", yLabel: "‖g‖ before clipping", columns: [["grad_norm", "‖g‖"]]},
      {id: "throughput", title: "Throughput", yLabel: "tokens per second", columns: [["tokens_per_s", "tokens/s"]], fromZero: true},
    ];

    // How a probe metric is drawn: title, y label and how locations combine into one line
    // per layer ("mean", "max", "min", or "rss": the root sum of squares, a block's norm).
    const PROBES = {
      attn_entropy_bits: ["Attention entropy", "bits (mean over heads)", "mean"],
      attn_max_logit: ["Largest pre-softmax logit", "logit (max over heads)", "max"],
      curv_discrete_mean: ["Curvature, discrete metric: mean κ", "κ (mean over heads)", "mean"],
      curv_discrete_min: ["Curvature, discrete metric: min κ", "κ (min over heads)", "min"],
      curv_positional_mean: ["Curvature, positional metric: mean κ", "κ (mean over heads)", "mean"],
      curv_positional_min: ["Curvature, positional metric: min κ", "κ (min over heads)", "min"],
      sphere_mean_cosine: ["Token clustering: mean cosine", "cosine", "mean"],
      sphere_tangent_fraction: ["Tangent fraction of each update", "fraction", "mean"],
      sphere_angle: ["Angle moved on the sphere", "radians", "mean"],
      sphere_step_sq: ["Size of each block's update", "‖Δ‖²", "mean"],
      sphere_action: ["Discrete action", "Σ‖Δ‖²", "mean"],
      grad_norm: ["Gradient norm of each block", "‖g‖ (root sum of squares)", "rss"],
      grad_to_weight: ["Gradient to weight", "‖g‖/‖θ‖ (mean over tensors)", "mean"],
      update_ratio: ["Update ratio", "‖Δθ‖/‖θ‖ (mean over tensors)", "mean"],
      residual_grad_norm: ["Gradient reaching the residual stream", "‖∂L/∂h_l‖", "mean"],
      sharpness_top_eigenvalue: ["Sharpness: top Hessian eigenvalue", "λ_max", "mean"],
    };
    // Model-level duplicates of metrics.jsonl columns and power-iteration diagnostics.
    const SKIPPED = new Set(["grad_global_norm", "grad_clipped", "sharpness_iterations",
      "sharpness_relative_change", "sharpness_converged"]);
    const FAMILIES = [["attention", "Attention"], ["sphere", "Sphere geometry"],
      ["gradients", "Gradient flow"], ["sharpness", "Sharpness"]];

    function layerOf(row) {
      if (row.layer !== undefined) return row.layer;
      const m = /\.h\.(\d+)\./.exec(row.tensor || "");
      return m ? Number(m[1]) : null;
    }

    function combine(values, how) {
      const v = values.filter(isFinite);
      if (!v.length) return NaN;
      if (how === "max") return Math.max(...v);
      if (how === "min") return Math.min(...v);
      if (how === "rss") return Math.sqrt(v.reduce((a, b) => a + b * b, 0));
      return v.reduce((a, b) => a + b, 0) / v.length;
    }

    function num(v) {
      if (typeof v === "number") return v;
      return v === "inf" ? Infinity : v === "-inf" ? -Infinity : NaN;
    }

    const run = {metrics: [], probes: [], next: {metrics: 0, probes: 0}, generation: null, info: null};

    function section(id, title, inner) {
      return `<section id="${id}"><h2>${esc(title)}</h2>\n${inner}\n</section>`;
    }

    function row(svgs) { return `<div class="charts">${svgs.join("\n")}</div>`; }

    function render(root) {
      const total = run.info && run.info.total_steps;
      const xDomain = total ? [0, total] : null;
      const parts = [], contents = [];
      const add = (id, title, inner) => { parts.push(section(id, title, inner)); contents.push([id, title]); };

      const training = [], wide = [];
      for (const c of METRIC_CHARTS) {
        const series = [];
        c.columns.forEach(([column, label], k) => {
          const points = thin(run.metrics.filter(r => column in r).map(r => [r.step, num(r[column])]));
          if (points.length) series.push({label, color: PALETTE[k % PALETTE.length], points});
        });
        if (!series.length) continue;
        let yDomain = c.yDomain;
        if (c.fromZero) {
          const peak = Math.max(...series.flatMap(s => s.points.map(p => p[1])).filter(isFinite));
          if (isFinite(peak) && peak > 0) yDomain = [0, peak * 1.05];
        }
        const svg = chart({title: c.title, xLabel: "step", yLabel: c.yLabel, width: c.width || 530,
          height: c.height || 240, xDomain, yDomain, series});
        (c.width ? wide : training).push(svg);
      }
      if (wide.length || training.length) add("training", "Training", wide.map(s => row([s])).join("\n") + row(training));

      const columns = new Set();
      for (const r of run.metrics) for (const k in r) columns.add(k);
      const regularizer = [...columns].filter(k => /^(reg_|ph_)/.test(k)).sort();
      if (regularizer.length) {
        const series = regularizer.map((column, k) => ({label: column, color: PALETTE[k % PALETTE.length],
          points: thin(run.metrics.filter(r => column in r).map(r => [r.step, num(r[column])]))}));
        add("regularizers", "Topological regularizers", row([chart({title: "Regularizer terms (reg_*, ph_*)",
          xLabel: "step", yLabel: "value", width: 1080, height: 320, xDomain, series})]));
      }

      // probe metric -> layer key -> step -> values
      const grouped = new Map(), families = new Map();
      for (const p of run.probes) {
        if (SKIPPED.has(p.metric)) continue;
        families.set(p.metric, p.family);
        if (!grouped.has(p.metric)) grouped.set(p.metric, new Map());
        const layer = layerOf(p);
        const key = layer === null ? (p.tensor ? "other tensors" : "model") : `layer ${layer}`;
        const byLayer = grouped.get(p.metric);
        if (!byLayer.has(key)) byLayer.set(key, new Map());
        const bySteps = byLayer.get(key);
        if (!bySteps.has(p.step)) bySteps.set(p.step, []);
        bySteps.get(p.step).push(num(p.value));
      }
      const known = Object.keys(PROBES);
      const metrics = [...grouped.keys()].sort((a, b) =>
        (known.includes(a) ? known.indexOf(a) : 1e6) - (known.includes(b) ? known.indexOf(b) : 1e6) || a.localeCompare(b));
      for (const [family, title] of FAMILIES) {
        const svgs = [];
        for (const metric of metrics.filter(m => families.get(m) === family)) {
          const [mtitle, yLabel, how] = PROBES[metric] || [metric, metric, "mean"];
          const keys = [...grouped.get(metric).keys()].sort((a, b) =>
            a.localeCompare(b, undefined, {numeric: true}));
          const series = keys.map((key, k) => ({label: key, color: PALETTE[k % PALETTE.length],
            points: thin([...grouped.get(metric).get(key).entries()].sort((a, b) => a[0] - b[0])
              .map(([step, values]) => [step, combine(values, how)]))}));
          svgs.push(chart({title: mtitle, xLabel: "step", yLabel, width: 530, height: 280, xDomain, series}));
        }
        if (svgs.length) add(family, title, row(svgs));
      }
      if (!parts.length) {
        root.innerHTML = `<p class="note">No rows yet: the run writes metrics.jsonl at its first logged step.</p>`;
        return;
      }
      root.innerHTML = parts.join("\n");
      document.getElementById("contents").innerHTML =
        contents.map(([id, title]) => `<li><a href="#${id}">${esc(title)}</a></li>`).join("");
    }

    function showInfo(data) {
      const info = data.run;
      run.info = info;
      document.getElementById("status").innerHTML =
        `<span class="status status-${esc(info.status)}">${esc(info.status)}</span>`;
      document.getElementById("progress").textContent =
        info.total_steps ? `step ${info.step} of ${info.total_steps}` : `step ${info.step}`;
      const age = info.seconds_since_write;
      const updated = document.getElementById("updated");
      if (age === null) updated.textContent = "";
      else {
        const words = age < 120 ? `${Math.round(age)} s` : `${Math.round(age / 60)} min`;
        const stale = info.status === "running" && age > 300;
        updated.className = stale ? "stale" : "";
        updated.textContent = `last write ${words} ago` +
          (stale ? " (no new rows for a while: the process may have stopped)" : "");
      }
      document.getElementById("error").textContent = info.error || "";
      if (data.report) {
        const href = document.getElementById("charts").dataset.report;
        document.getElementById("report").innerHTML =
          `<a href="${esc(href)}">report.html</a> (the static report: gradient heatmaps, persistence diagrams)`;
      }
    }

    async function poll(root) {
      const since = Object.assign({}, run.next);
      let delay = 2000;
      try {
        const response = await fetch(`${root.dataset.feed}?metrics_since=${since.metrics}&probes_since=${since.probes}`,
          {cache: "no-store"});
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
        const data = await response.json();
        if (run.generation !== null && data.generation !== run.generation) {
          // A file was replaced (the run was resumed and truncated): start again.
          Object.assign(run, {metrics: [], probes: [], next: {metrics: 0, probes: 0}, generation: null});
          setTimeout(() => poll(root), 0);
          return;
        }
        run.generation = data.generation;
        run.metrics = run.metrics.filter(r => r.step < since.metrics).concat(data.metrics);
        run.probes = run.probes.filter(r => r.step < since.probes).concat(data.probes);
        run.next = data.next;
        showInfo(data);
        if (data.more) delay = 0;
        else {
          render(root);
          if (data.run.status !== "running") delay = 10000;
        }
      } catch (error) {
        document.getElementById("error").textContent = `cannot reach the board: ${error.message}; retrying`;
        delay = 5000;
      }
      setTimeout(() => poll(root), delay);
    }

    const runRoot = document.getElementById("charts");
    if (runRoot && runRoot.dataset.feed) poll(runRoot);
    """#
}
