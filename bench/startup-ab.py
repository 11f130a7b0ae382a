#!/usr/bin/env python3
"""Start-up A/B (B4's question, docs/benchmarks.md "Start-up"): `run --quiet -- true` of two builds,
alternating with `node -e 0`, each against a store a first run created. Prints the median wall and
CPU time (user + system of the process and its children, from getrusage) of each, and the ratios
to `node -e 0`.

Usage: python3 bench/startup-ab.py BEFORE_BIN AFTER_BIN [--starts 20] [--cwd DIR]
(a BIN is a build's bin/exec-track; copy the older build's bin/, dist/ and package.json aside first).
"""
import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time


def timed(argv, env, cwd):
    """Runs argv to its end; returns (wall ms, CPU ms of it and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--cwd", default=tempfile.gettempdir(), help="where the starts run (inside a git repository they read its context)")
    args = parser.parse_args()
    sides = {"before": os.path.abspath(args.before), "after": os.path.abspath(args.after)}
    envs = {name: {**os.environ, "EXEC_TRACK_HOME": tempfile.mkdtemp(prefix="exec-track-ab-")} for name in sides}
    for name, bin_path in sides.items():
        timed(["node", bin_path, "run", "-q", "--", "true"], envs[name], args.cwd)
    samples = {name: ([], []) for name in [*sides, "node -e 0"]}
    for _ in range(args.starts):
        for name, bin_path in sides.items():
            wall, cpu = timed(["node", bin_path, "run", "-q", "--", "true"], envs[name], args.cwd)
            samples[name][0].append(wall)
            samples[name][1].append(cpu)
        wall, cpu = timed(["node", "-e", "0"], os.environ, args.cwd)
        samples["node -e 0"][0].append(wall)
        samples["node -e 0"][1].append(cpu)
    base_wall = statistics.median(samples["node -e 0"][0])
    base_cpu = statistics.median(samples["node -e 0"][1])
    for name, (walls, cpus) in samples.items():
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(f"{name:10} wall {wall:7.1f} ms ({wall / base_wall:.2f}x)   cpu {cpu:7.1f} ms ({cpu / base_cpu:.2f}x)")
    print("load average", " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
