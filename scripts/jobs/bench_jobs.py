#!/usr/bin/env python3
"""Submit N asynchronous backtests to a running server and measure the time
from submit (POST /api/backtests) to `completed` (seen by GET /status/<id>).

Two load shapes:
- closed loop (default): CLIENTS clients, each submits a run, polls it to the
  end, then submits the next; with CLIENTS = MAX_CONCURRENT_WORKERS this is
  the latency of one run when a worker is free;
- burst (--burst): all N submitted at once; the latency then includes the
  wait in the queue (about N / workers run times for the last one).

Standard library only. Prints a summary and one JSON line (for scripts).
"""
import argparse
import json
import statistics
import threading
import time
import urllib.error
import urllib.request


def post(base, body):
    req = urllib.request.Request(base + "/api/backtests", data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.status, json.load(resp)


def status(base, run_id):
    with urllib.request.urlopen(f"{base}/status/{run_id}", timeout=60) as resp:
        return json.load(resp)


def wait(base, run_id, poll, timeout):
    deadline = time.monotonic() + timeout
    while True:
        doc = status(base, run_id)
        if doc["status"] in ("completed", "failed"):
            return doc
        if time.monotonic() > deadline:
            raise TimeoutError(f"run {run_id} still {doc['status']} after {timeout}s")
        time.sleep(poll)


def percentile(values, p):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--burst", action="store_true")
    ap.add_argument("--poll", type=float, default=0.02)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--request", default='{"ticker": "GOOG", "rule_type": "RSI"}')
    args = ap.parse_args()

    latencies, failures, lock = [], [], threading.Lock()

    def one(run_index, submitted_at=None, run_id=None):
        t0 = submitted_at if submitted_at is not None else time.monotonic()
        if run_id is None:
            code, doc = post(args.base, args.request)
            if code != 202:
                raise RuntimeError(f"submit {run_index}: HTTP {code} {doc}")
            run_id = doc["run_id"]
        doc = wait(args.base, run_id, args.poll, args.timeout)
        elapsed = time.monotonic() - t0
        with lock:
            if doc["status"] == "completed":
                latencies.append(elapsed)
            else:
                failures.append((run_id, doc.get("error_message")))

    start = time.monotonic()
    if args.burst:
        submitted = []
        sub_lock = threading.Lock()

        def submit(i):
            t0 = time.monotonic()
            code, doc = post(args.base, args.request)
            if code != 202:
                raise RuntimeError(f"submit {i}: HTTP {code} {doc}")
            with sub_lock:
                submitted.append((i, t0, doc["run_id"]))

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(args.n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        pollers = [threading.Thread(target=one, args=(i, t0, rid)) for i, t0, rid in submitted]
        for t in pollers:
            t.start()
        for t in pollers:
            t.join()
    else:
        counter = iter(range(args.n))
        counter_lock = threading.Lock()

        def client():
            while True:
                with counter_lock:
                    i = next(counter, None)
                if i is None:
                    return
                one(i)

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    wall = time.monotonic() - start

    done = len(latencies)
    summary = {
        "n": args.n,
        "shape": "burst" if args.burst else f"closed-loop x{args.clients}",
        "completed": done,
        "failed": len(failures),
        "p50_s": round(statistics.median(latencies), 3) if done else None,
        "p95_s": round(percentile(latencies, 95), 3) if done else None,
        "max_s": round(max(latencies), 3) if done else None,
        "wall_s": round(wall, 2),
        "runs_per_minute": round(done / wall * 60, 1) if wall > 0 else None,
    }
    print(f"runs: {args.n} ({summary['shape']}), completed {done}, failed {len(failures)}")
    if done:
        print(f"submit -> completed: p50 {summary['p50_s']:.3f} s, p95 {summary['p95_s']:.3f} s, "
              f"max {summary['max_s']:.3f} s")
    print(f"wall {summary['wall_s']:.2f} s, {summary['runs_per_minute']} runs/minute")
    for run_id, message in failures[:5]:
        print(f"  failed {run_id}: {message}")
    print(json.dumps(summary))
    return 0 if not failures and done == args.n else 1


if __name__ == "__main__":
    raise SystemExit(main())
