"""`uv run python -m bench.load [--duration 60] [--users 40] [--rate 200]`: the four services under a billing-ops
team's day while the ad platforms stream deliveries.

1. checks every service answers (exit 2 if one does not) and finds real ids to work on (issued invoices and their
   lines, contracts, accounts, products, disputes, credits, memos, exceptions);
2. measures the raw baseline (bench/load/raw.py, `--baseline-s`): the same users and pacing against a bare ASGI
   app reading an invoice with one asyncpg statement, the least a read costs on this machine in this run;
3. runs locust headless (library API) with the mix of bench/load/locustfile.py, each user starting requests at
   random times of its own (independent people, not a team firing in step) so the team asks `--rate` requests a
   second in total;
4. once every user is running, starts the delivery publisher (bench/load/publisher.py, its own process)
   streaming CampaignDelivered to ads.delivery.v1 at `--deliveries-per-s`, so ingestion competes for the same
   cores; after `--warmup` seconds of both (a running system's steady state: warm connection pools and caches,
   ingestion under way), resets the statistics and measures over `--duration` seconds;
5. prints per endpoint: requests, req/s, p50, p99, max (ms) and errors (%), the totals, the deliveries published
   and ingested during the window, CPU per process, the comparison with the raw baseline, and PASS/FAIL
   against the target (--rate req/s, p99 < --p99-ms, no errors).

With `--bill-run N`, a month-end issue run of N contracts (bench/load/bill_run.py: its own database on the same
PostgreSQL server, executed by an invoice-svc worker process at background priority) starts after the first window,
and a second window of `--duration` seconds measures the same load while the run executes: the APIs' p50 and p99
without and with it are printed side by side.

The exit status is 0 whether the target is met or not (it is a benchmark); 2 when the system is unreachable.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

import gevent
import locust
import requests
from locust.env import Environment
from locust.log import setup_logging

from bench.load import cpu, locustfile
from bench.load.fixtures import Unreachable, check_reachable, discover, service_urls
from bench.load.report import Row, Target, snapshot, table, verdict
from mediabill_common.testing.ports import free_port


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0, help="measured window in seconds (default 60)")
    parser.add_argument("--users", type=int, default=40, help="simulated people (default 40; one is the billing "
                                                              "manager previewing bill runs)")
    parser.add_argument("--rate", type=float, default=200.0, help="total requests per second (default 200)")
    parser.add_argument("--p99-ms", type=float, default=100.0, help="target p99 latency (default 100)")
    parser.add_argument("--deliveries-per-s", type=float, default=1000.0,
                        help="CampaignDelivered published per second meanwhile (default 1000; 0: none)")
    parser.add_argument("--warmup", type=float, default=15.0,
                        help="seconds of load (requests and deliveries) before measuring (default 15)")
    parser.add_argument("--baseline-s", type=float, default=20.0,
                        help="seconds of the raw baseline (bench/load/raw.py) measured first (default 20; 0: none)")
    parser.add_argument("--bill-run", type=int, default=0, metavar="CONTRACTS",
                        help="measure a second window while an issue run of this many contracts executes (e.g. "
                             "100000; seeding it first takes minutes; 0: none, the default)")
    parser.add_argument("--trace", metavar="FILE", default=None,
                        help="also write every measured request to FILE as CSV (seconds into the window, endpoint, "
                             "milliseconds, error), to see when slow requests happen")
    return parser.parse_args(argv)


class Publisher:
    """The delivery publisher subprocess: prepared, started on cue, its JSON result read at the end."""

    def __init__(self, rate: float, warmup: float, duration: float) -> None:
        self.proc = None
        if rate > 0:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bench.load.publisher", "--rate", str(rate), "--warmup", str(warmup),
                 "--duration", str(duration)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
            ready = self.proc.stdout.readline().strip()
            if not ready.startswith("READY"):
                self.proc.kill()
                raise Unreachable(f"the delivery publisher did not start: {ready or 'no output'}")
            print(f"delivery publisher: {ready.removeprefix('READY ')}, {rate:.0f} events/s", flush=True)

    def go(self) -> None:
        if self.proc:
            self.proc.stdin.write("go\n")
            self.proc.stdin.flush()

    def result(self) -> dict | None:
        if not self.proc:
            return None
        out, _ = self.proc.communicate(timeout=180)
        line = next((ln for ln in out.splitlines() if ln.startswith("RESULT ")), None)
        return json.loads(line.removeprefix("RESULT ")) if line else None


class Trace:
    """Every request of the measured window, kept in memory and written as CSV at the end (`--trace`)."""

    def __init__(self, env: Environment) -> None:
        self.started: float | None = None
        self.rows: list[tuple[float, float, str, float, str]] = []
        env.events.request.add_listener(self._on_request)

    def _on_request(self, request_type, name, response_time, exception=None, **_kwargs) -> None:
        if self.started is not None:
            at = time.perf_counter() - self.started - response_time / 1000
            epoch = time.time() - response_time / 1000  # to line requests up with other tools' timestamps
            self.rows.append((at, epoch, f"{request_type} {name}", response_time,
                              repr(exception) if exception else ""))

    def write(self, path: str) -> None:
        with open(path, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["start_s", "start_unix_s", "endpoint", "ms", "error"])
            writer.writerows((f"{at:.3f}", f"{epoch:.3f}", name, f"{ms:.1f}", error)
                             for at, epoch, name, ms, error in self.rows)


class BillRun:
    """The month-end issue run subprocess (bench/load/bill_run.py): seeded first, started and stopped on cue."""

    WARMUP_S = 10.0  # from the request to the run's chunks: snapshot, its groups, the first reads

    def __init__(self, contracts: int) -> None:
        self.proc = None
        if contracts > 0:
            print(f"bill run: seeding {contracts:,} contracts (takes minutes)", flush=True)
            self.proc = subprocess.Popen([sys.executable, "-m", "bench.load.bill_run", "--contracts", str(contracts)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                         env=os.environ.copy())
            ready = self._until_ready()
            if not ready.startswith("READY"):
                self.proc.kill()
                raise Unreachable(f"the bill run did not get ready: {ready or 'no output'}")
            print(f"bill run: {ready.removeprefix('READY ')}", flush=True)

    def _until_ready(self) -> str:
        """The subprocess's READY line; the seeding's progress lines before it are passed on; the last line read
        when it ends without one."""
        line = ""
        for raw in self.proc.stdout:
            line = raw.strip()
            if line.startswith("READY"):
                return line
            print(f"bill run: {line}", flush=True)
        return line

    def signal(self) -> None:
        """Start the run (first call), stop waiting for it (second)."""
        if self.proc:
            self.proc.stdin.write("go\n")
            self.proc.stdin.flush()

    def result(self) -> dict | None:
        if not self.proc:
            return None
        out, _ = self.proc.communicate(timeout=180)
        line = next((ln for ln in out.splitlines() if ln.startswith("RESULT ")), None)
        return json.loads(line.removeprefix("RESULT ")) if line else None


@dataclass
class Window:
    seconds: float
    load: float
    measured: tuple
    cpu: tuple


def _run(args: argparse.Namespace, env: Environment, publisher: Publisher, trace: Trace | None = None,
         bill_run: BillRun | None = None) -> list[Window]:
    """Ramps up, warms up, resets the statistics and measures; returns the window, the load average seen and the
    statistics as they stood when the window closed -- and, with a bill run, a second window while it runs."""
    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    while runner.user_count < args.users:
        gevent.sleep(0.1)
    publisher.go()  # deliveries stream through the warm-up too: the window measures the steady state
    gevent.sleep(args.warmup)
    windows = [_measure(args, env, trace)]
    if bill_run is not None and bill_run.proc is not None:
        bill_run.signal()
        gevent.sleep(BillRun.WARMUP_S)
        windows.append(_measure(args, env, None))
        bill_run.signal()
    runner.stop()
    return windows


def _measure(args: argparse.Namespace, env: Environment, trace: Trace | None) -> Window:
    env.stats.reset_all()
    started, cpu_before = time.perf_counter(), cpu.sample()
    if trace is not None:
        trace.started = started
    gevent.sleep(args.duration)
    window = time.perf_counter() - started
    if trace is not None:
        trace.started = None
    return Window(window, os.getloadavg()[0], snapshot(env.stats), (cpu_before, cpu.sample()))


@dataclass(frozen=True)
class Baseline:
    total: Row
    window: float
    server_cpu_s: float
    postgres_cpu_s: float

    def cpu_ms_per_request(self) -> tuple[float, float]:
        n = max(self.total.requests, 1)
        return 1000 * self.server_cpu_s / n, 1000 * self.postgres_cpu_s / n


def _baseline(args: argparse.Namespace, invoice_ids: list[str]) -> Baseline:
    """The same users at the same pacing against bench/load/raw.py (no deliveries streaming)."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.load.raw", "--port", str(port)], env=os.environ.copy())
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{url}/raw/invoices/{invoice_ids[0]}", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            gevent.sleep(0.2)
        else:
            raise Unreachable(f"the raw baseline server on port {port} did not answer")
        reader = type("RawBaselineReader", (locustfile.RawReader,), {
            "abstract": False, "host": url, "invoice_ids": invoice_ids,
            "wait_time": locustfile.random_throughput(args.rate / args.users)})
        env = Environment(user_classes=[reader])
        runner = env.create_local_runner()
        runner.start(args.users, spawn_rate=args.users)
        while runner.user_count < args.users:
            gevent.sleep(0.1)
        gevent.sleep(3)
        env.stats.reset_all()
        started, server_before, pg_before = time.perf_counter(), cpu.seconds_of(server.pid), cpu.sample()
        gevent.sleep(args.baseline_s)
        window = time.perf_counter() - started
        _, total, _ = snapshot(env.stats)
        server_cpu, pg_after = cpu.seconds_of(server.pid) - server_before, cpu.sample()
        runner.stop()
        pg_cpu = (pg_after.get("postgres", 0) - pg_before.get("postgres", 0)) / cpu.TICK
        return Baseline(total, window, server_cpu, pg_cpu)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _api_cpu_s(before: dict[str, int], after: dict[str, int]) -> tuple[float, float]:
    """CPU seconds of the four API processes, and of PostgreSQL (which also serves ingestion)."""
    def used(name: str) -> float:
        return (after.get(name, 0) - before.get(name, 0)) / cpu.TICK

    return sum(used(name) for name in after if name.endswith("-api")), used("postgres")


def _print_comparison(base: Baseline, total: Row, apis_s: float, postgres_s: float) -> None:
    raw_server, raw_pg = base.cpu_ms_per_request()
    n = max(total.requests, 1)
    apis_ms, pg_ms = 1000 * apis_s / n, 1000 * postgres_s / n
    print(f"raw baseline (bench/load/raw.py: bare ASGI + asyncpg, one statement, no auth; same users and pacing, "
          f"no deliveries), {base.window:.0f} s: {base.total.rps(base.window):.1f} req/s, p50 "
          f"{base.total.p50_ms:.0f} ms, p99 {base.total.p99_ms:.0f} ms, {base.total.failures} errors; CPU per "
          f"request: server {raw_server:.2f} ms + PostgreSQL {raw_pg:.2f} ms")
    print(f"services against it: CPU per request: 4 APIs {apis_ms:.2f} ms + PostgreSQL {pg_ms:.2f} ms (ingestion's "
          f"share included) = {(apis_ms + pg_ms) / max(raw_server + raw_pg, 1e-9):.1f} x raw; p50 "
          f"{total.p50_ms:.0f} ms vs {base.total.p50_ms:.0f}, p99 {total.p99_ms:.0f} ms vs {base.total.p99_ms:.0f}")


def _print_deliveries(result: dict | None, window: float) -> None:
    if result is None:
        print("deliveries: none published (--deliveries-per-s 0) or the publisher gave no result")
        return
    caught = (f"caught up {result['caught_up_after_s']} s after the window" if result["caught_up_after_s"]
              is not None else "NOT caught up 30 s after the window")
    print(f"deliveries: {result['published']} CampaignDelivered published to ads.delivery.v1 "
          f"({result['published'] / window:.0f}/s, {result['resent']} resent as duplicates); invoice-svc "
          f"(group {result['group']}) ingested {result['ingested_in_window']} during the window "
          f"({result['ingested_in_window'] / window:.0f}/s); backlog {result['lag_before']} before, "
          f"{result['lag_after']} at the end; {caught}")


def _print_bill_run_window(during: Window, without: Row, run: dict | None) -> None:
    rows, total, errors = during.measured
    print(f"\nthe same load while an issue run executes ({during.seconds:.0f} s, load average "
          f"{during.load:.2f}):\n{table(rows, total, during.seconds)}")
    if errors:
        print("errors:\n" + "\n".join(errors))
    apis_s, postgres_s = _api_cpu_s(*during.cpu)
    print(f"bill run: {run}" if run else "bill run: no result")
    print(f"APIs without the bill run: p50 {without.p50_ms:.0f} ms, p99 {without.p99_ms:.0f} ms, "
          f"{without.failures} errors; with it: p50 {total.p50_ms:.0f} ms, p99 {total.p99_ms:.0f} ms, "
          f"{total.failures} errors (4 APIs {apis_s:.1f} CPU-s, PostgreSQL {postgres_s:.1f} CPU-s in the window)")
    print(cpu.report(*during.cpu, during.seconds))


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    setup_logging("WARNING")
    urls = service_urls()
    try:
        check_reachable(urls)
    except Unreachable as exc:
        print(f"system unreachable: {exc} (start it with ./mediabill up)", file=sys.stderr)
        return 2
    fixtures = discover(urls)
    print(f"fixtures: {len(fixtures.invoice_ids)} issued invoices ({len(fixtures.disputable)} disputable lines), "
          f"{len(fixtures.contracts)} contracts, {len(fixtures.accounts)} accounts, {len(fixtures.products)} products, "
          f"{len(fixtures.dispute_ids)} disputes, {len(fixtures.adjustment_ids)} adjustments, "
          f"{len(fixtures.memo_ids)} memos, {len(fixtures.exception_ids)} exceptions; period {fixtures.period}",
          flush=True)
    if not fixtures.invoice_ids or not fixtures.disputable:
        print("no issued invoice to work on: load the demo first (./mediabill up)", file=sys.stderr)
        return 2
    analysts = args.users - locustfile.BillingManager.fixed_count
    locustfile.Team.fixtures, locustfile.Team.analysts = fixtures, analysts
    locustfile.BillingAnalyst.wait_time = locustfile.random_throughput(args.rate / analysts)
    try:
        bill_run = BillRun(args.bill_run)
        # With a bill run, deliveries stream through both windows and the run's warm-up between them.
        publishing_s = args.duration * 2 + BillRun.WARMUP_S if bill_run.proc else args.duration
        publisher = Publisher(args.deliveries_per_s, args.warmup, publishing_s)
    except Unreachable as exc:
        print(f"system unreachable: {exc}", file=sys.stderr)
        return 2
    baseline = None
    if args.baseline_s > 0:
        print(f"raw baseline: {args.users} users, {args.rate:.0f} req/s, {args.baseline_s:.0f} s", flush=True)
        try:
            baseline = _baseline(args, fixtures.invoice_ids)
        except Unreachable as exc:
            print(f"raw baseline not measured: {exc}", file=sys.stderr)
    env = Environment(user_classes=[locustfile.BillingAnalyst, locustfile.BillingManager], events=locust.events)
    print(f"load: {args.users} users, {args.rate:.0f} req/s, {args.warmup:.0f} s warm-up, {args.duration:.0f} s "
          f"measured; load average before {os.getloadavg()[0]:.2f}", flush=True)
    trace = Trace(env) if args.trace else None
    windows = _run(args, env, publisher, trace, bill_run)
    first = windows[0]
    window, load, (rows, total, errors), (cpu_before, cpu_after) = \
        first.seconds, first.load, first.measured, first.cpu
    if trace is not None:
        trace.write(args.trace)
    print()
    print(table(rows, total, window))
    if errors:
        print("\nerrors:\n" + "\n".join(errors))
    print()
    _print_deliveries(publisher.result(), sum(w.seconds for w in windows) + BillRun.WARMUP_S * (len(windows) - 1))
    if len(windows) > 1:
        _print_bill_run_window(windows[1], total, bill_run.result())
    passed, misses = verdict(total, window, Target(rps=args.rate, p99_ms=args.p99_ms))
    print(cpu.report(cpu_before, cpu_after, window))
    if baseline is not None:
        _print_comparison(baseline, total, *_api_cpu_s(cpu_before, cpu_after))
    print(f"window {window:.1f} s, 1-min load average at the end {load:.2f} on {os.cpu_count()} CPUs")
    print(f"target {args.rate:.0f} req/s, p99 < {args.p99_ms:.0f} ms, 0 errors: "
          f"{'PASS' if passed else 'FAIL (' + '; '.join(misses) + ')'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
