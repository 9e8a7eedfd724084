#!/usr/bin/env bash
# Measures resx's training and evaluation throughput against PyTorch's on this
# machine: the two are run alternately, several rounds per model, and the table
# gives medians and the resx/PyTorch ratio.
#
#   scripts/bench-vs-pytorch.sh [ROUNDS] [MODELS...]
#
# MODELS are arch-depth pairs (default: residual-20 residual-56 residual-110
# plain-20 plain-56). The train ratio is that of the medians; the column
# beside it gives the lowest and highest ratio of a round's two runs. Needs
# Debian's python3-torch (apt-get install -y python3-torch); PyTorch runs
# with /usr/bin/python3; its evaluation throughput comes from
# scripts/torch_eval_bench.py, which reuses the anchor's network.
# Environment: BATCH (128),
# THREADS (2), STEPS (8), ANCHOR (the PyTorch script; default
# ../shared/anchors/torch_cifar_resnet_bench.py beside the checkout).
# GODEBUG=cpu.avx512f=off and ONEDNN_MAX_CPU_ISA=AVX2 reach both programs
# and make them run their AVX2 code, as on a CPU without AVX-512; the
# Machine line names resx's kernels and PyTorch's cap.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-3}
shift || true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(residual-20 residual-56 residual-110 plain-20 plain-56)
batch=${BATCH:-128}
threads=${THREADS:-2}
steps=${STEPS:-8}
anchor=${ANCHOR:-../shared/anchors/torch_cifar_resnet_bench.py}

if [ ! -f "$anchor" ]; then
	echo "bench-vs-pytorch: PyTorch reference script not found at $anchor (set ANCHOR)" >&2
	exit 2
fi
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	echo "bench-vs-pytorch: /usr/bin/python3 cannot import torch; run: apt-get install -y python3-torch" >&2
	exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/resx" ./cmd/resx
out="$work/results.jsonl"

for ((r = 1; r <= rounds; r++)); do
	for m in "${models[@]}"; do
		arch=${m%-*}
		depth=${m##*-}
		echo "round $r/$rounds: $m" >&2
		"$work/resx" bench --arch "$arch" --depth "$depth" --batch "$batch" --threads "$threads" \
			--steps "$steps" --json >>"$out"
		/usr/bin/python3 "$anchor" --arch "$arch" --depth "$depth" --batch "$batch" --threads "$threads" \
			--steps "$steps" >>"$out"
		/usr/bin/python3 scripts/torch_eval_bench.py --anchor "$anchor" --arch "$arch" --depth "$depth" \
			--batch "$batch" --threads "$threads" --steps "$steps" >>"$out"
	done
done

/usr/bin/python3 - "$out" "$threads" "$batch" <<'PY'
import json, os, statistics, sys, platform
path, threads, batch = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(l) for l in open(path) if l.strip()]
cpu = next((r.get("cpu") for r in rows if r.get("cpu")), platform.processor())
kernels = next((r.get("kernels") for r in rows if r.get("kernels")), "unknown")
isa = os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA")
torch_isa = f", PyTorch's oneDNN capped at {isa}" if isa else ""
def med(rs, k):
    v = [r[k] for r in rs if k in r]
    return statistics.median(v) if v else float("nan")
rounds = max(sum(1 for r in rows if r["impl"] == "resx" and (r["arch"], r["depth"]) == (a, d)) for a, d in {(r["arch"], r["depth"]) for r in rows})
print(f"Machine: {cpu}, {threads} threads, batch {batch}, resx's {kernels} kernels{torch_isa}, medians of {rounds} rounds per model, resx and PyTorch alternating")
print()
print("| model | resx train img/s | PyTorch train img/s | train ratio | train ratio by round | resx eval img/s | PyTorch eval img/s | eval ratio | resx peak RSS MiB | PyTorch peak RSS MiB | resx alloc/step | resx train GFLOP/s |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
keys = []
for r in rows:
    k = (r["arch"], r["depth"])
    if k not in keys:
        keys.append(k)
for arch, depth in keys:
    rx = [r for r in rows if r["arch"] == arch and r["depth"] == depth and r["impl"] == "resx"]
    pt = [r for r in rows if r["arch"] == arch and r["depth"] == depth and r["impl"] != "resx" and not r["impl"].startswith("pytorch-eval")]
    pe = [r for r in rows if r["arch"] == arch and r["depth"] == depth and r["impl"].startswith("pytorch-eval")]
    a, b = med(rx, "images_per_s"), med(pt, "images_per_s")
    ea, eb = med(rx, "eval_images_per_s"), med(pe, "eval_images_per_s")
    # each round measures resx and then PyTorch: the spread of their ratios
    rr = [x["images_per_s"] / y["images_per_s"] for x, y in zip(rx, pt)]
    spread = f"{min(rr):.2f}-{max(rr):.2f}" if rr else "-"
    print(f"| {arch}-{depth} | {a:.0f} | {b:.0f} | {a/b:.2f} | {spread} | {ea:.0f} | {eb:.0f} | {ea/eb:.2f} | "
          f"{med(rx, 'peak_rss_mib'):.0f} | {med(pt, 'peak_rss_mib'):.0f} | "
          f"{med(rx, 'bytes_per_step')/1e6:.2f} MB | {med(rx, 'train_gflops'):.0f} |")
PY
