#!/usr/bin/env python3
"""Evaluation (forward-only) throughput of the PyTorch reference networks.

Companion of the training anchor torch_cifar_resnet_bench.py: it imports that
script's network definition (so both measure the same model) and times
model.eval() forward passes under torch.no_grad(). Prints one JSON line like
the anchor does, with eval_step_s and eval_images_per_s.

  /usr/bin/python3 scripts/torch_eval_bench.py --anchor PATH --depth 20 --arch residual
"""
import argparse
import importlib.util
import json
import resource
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--anchor", required=True, help="path of torch_cifar_resnet_bench.py")
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--arch", choices=["plain", "residual"], default="residual")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--steps", type=int, default=8)
    a = p.parse_args()
    spec = importlib.util.spec_from_file_location("anchor", a.anchor)
    anchor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(anchor)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = anchor.CifarNet(a.depth, a.arch == "residual", a.width).eval()
    x = torch.randn(a.batch, 3, 32, 32)
    times = []
    with torch.no_grad():
        for i in range(a.steps + 2):
            t = time.perf_counter()
            model(x)
            if i >= 2:
                times.append(time.perf_counter() - t)
    times.sort()
    step = times[len(times) // 2]
    print(json.dumps({
        "impl": "pytorch-eval-" + torch.__version__,
        "depth": a.depth, "arch": a.arch, "width": a.width, "batch": a.batch,
        "threads": torch.get_num_threads(),
        "eval_step_s": round(step, 4), "eval_images_per_s": round(a.batch / step, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
