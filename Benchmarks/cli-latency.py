#!/usr/bin/env python3
"""CLI latency (issues 3 and 4): wall-clock p50/p99 of whole `docket` processes on seeded stores.

Prepare: build the release docket (swift build -c release --product docket --scratch-path .build-bench-cli),
the tools (cd Benchmarks && swift build -c release --product seed-store --product bare-swift), then seed:
  Benchmarks/.build/release/seed-store --store /tmp/docket-bench-1m --tickets 100000 --events-per-ticket 10
  Benchmarks/.build/release/seed-store --store /tmp/docket-bench-sla-100k --tickets 100000 --events-per-ticket 3
Run: python3 Benchmarks/cli-latency.py
"""
import subprocess, time, os, sys, statistics
import pathlib
ROOT = pathlib.Path(__file__).resolve().parent.parent
B = os.environ.get("DOCKET_BIN", str(ROOT / ".build-bench-cli/release/docket"))
def run(args, store, n, user="tech1"):
    env=dict(os.environ, DOCKET_STORE=store, DOCKET_USER=user)
    subprocess.run([B]+args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm
    ts=[]
    for i in range(n):
        t=time.perf_counter(); r=subprocess.run([B]+args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); ts.append((time.perf_counter()-t)*1000)
        if r.returncode!=0: print("FAIL", args, r.stderr[:200]); break
    ts.sort(); p=lambda q: ts[min(len(ts)-1,int(q*len(ts)))]
    print(f"{' '.join(args)[:60]:60s} n={len(ts)} p50={p(0.5):.1f}ms p99={p(0.99):.1f}ms")
bare = str(ROOT / "Benchmarks/.build/release/bare-swift")
ts=[]
for i in range(100):
    t=time.perf_counter(); subprocess.run([bare],stdout=subprocess.DEVNULL); ts.append((time.perf_counter()-t)*1000)
ts.sort(); print(f"bare swift process start p50={ts[50]:.1f}ms p99={ts[98]:.1f}ms")
run(["--help"], "/tmp/docket-bench-1m", 50)
run(["ticket","open","--client","client01","--subject","Benchmark ticket","--priority","P3"], "/tmp/docket-bench-1m", 100)
run(["queue"], "/tmp/docket-bench-sla-100k", 100)
run(["queue","--json"], "/tmp/docket-bench-sla-100k", 100)
run(["sla"], "/tmp/docket-bench-sla-100k", 100)
run(["sla","--json"], "/tmp/docket-bench-sla-100k", 100)
