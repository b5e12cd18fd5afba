"""HTTP load on the settlement API: concurrent clients settling claims against a local server on PostgreSQL.

    .venv/bin/python benchmarks/settlement_http_load.py [--clients 100] [--think 1.0] [--servers 1]
        [--client-processes 1] [--requests 3000]
        [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Creates a scratch PostgreSQL database, migrates it, starts ``sanyi serve --workers SERVERS`` on a free
port, logs in an insurance-bureau account for a bearer token, then lets ``--clients`` concurrent clients
(spread over ``--client-processes`` processes, each its own event loop) POST typical 10-line claims to
``/api/settlements`` (2,000 persons, so settlements of one person do contend for its accumulator row)
until ``--requests`` are done. Like locust users, clients join over one mean think time and pause
between requests. Prints throughput, latency percentiles as the clients saw them and as the server
measured them inside the app (its ``Server-Timing`` header), the CPU used per request by the server and
by the clients, and how busy the whole machine was; then stops the server and drops the database. The
clients run on the same machine as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.settlement_throughput import make_claims
from sanyi.bootstrap import build_container
from sanyi.identity.api import Role
from sanyi.infrastructure import migrate
from sanyi.infrastructure.audit import Actor
from sanyi.infrastructure.settings import Settings

SECRET = "load-test-secret-0123456789abcdefghijklmnopqrstuvwxyz"
PASSWORD = "load-test-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and its live descendants (uvicorn's worker processes)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_seconds(pid) + sum(tree_cpu_seconds(int(child)) for child in children)


def machine_busy_jiffies() -> tuple[int, int]:
    """(busy, total) CPU jiffies of the whole machine so far, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def create_database(admin_url: str) -> tuple[str, str]:
    name = f"sanyi_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_records(total: int) -> list[dict[str, object]]:
    records: list[dict[str, object]] = list(make_claims(total, "hangzhou-2020", seed=11))
    for number, record in enumerate(records):
        record["claim_id"] = f"LOAD-{uuid.uuid4().hex[:8]}-{number}"
    return records


def app_milliseconds(response: httpx.Response) -> float | None:
    """The server's own time for the request, from its ``Server-Timing: app;dur=…`` header."""
    timing = response.headers.get("server-timing", "")
    _, found, value = timing.partition("dur=")
    return float(value) if found else None


Outcome = tuple[list[float], list[float], int]  # latencies (s), in-app times (ms), failures


async def run_clients(
    url: str, token: str, clients: int, records: list[dict[str, object]], think: float = 0.0
) -> Outcome:
    queue: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    for record in records:
        queue.put_nowait(record)
    latencies: list[float] = []
    app_times: list[float] = []
    failures = 0
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(session: httpx.AsyncClient) -> None:
        nonlocal failures
        if think:
            # Clients join over one mean think time (locust's spawn rate of clients/think per second),
            # rather than all firing their first request in the same instant.
            await asyncio.sleep(think * random.random())
        while not queue.empty():
            record = queue.get_nowait()
            started = time.perf_counter()
            try:
                response = await session.post("/api/settlements", json=record, headers=headers)
            except httpx.HTTPError:
                failures += 1  # a dropped connection counts as a failure, not a crash of the run
                continue
            latencies.append(time.perf_counter() - started)
            in_app = app_milliseconds(response)
            if in_app is not None:
                app_times.append(in_app)
            if response.status_code != 201:
                failures += 1
            if think:
                # Like a locust user: a pause between requests, uniform in [think/2, 3·think/2].
                await asyncio.sleep(think * (0.5 + random.random()))

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as session:
        await asyncio.gather(*(client(session) for _ in range(clients)))
    return latencies, app_times, failures


def client_process(
    url: str, token: str, clients: int, records: list[dict[str, object]], think: float
) -> Outcome:
    return asyncio.run(run_clients(url, token, clients, records, think))


def run_load(url: str, token: str, clients: int, total: int, think: float, processes: int) -> Outcome:
    """Spread the clients and the claims over ``processes`` client processes (each its own event loop)."""
    records = make_records(total)
    shares = [
        (clients // processes + (n < clients % processes), records[n::processes]) for n in range(processes)
    ]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(client_process, url, token, share, part, think) for share, part in shares]
        outcomes = [future.result() for future in futures]
    return (
        [value for outcome in outcomes for value in outcome[0]],
        [value for outcome in outcomes for value in outcome[1]],
        sum(outcome[2] for outcome in outcomes),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause of a client between requests (s)"
    )
    parser.add_argument("--servers", type=int, default=1, help="server processes (sanyi serve --workers)")
    parser.add_argument(
        "--client-processes", type=int, default=1, help="load-client processes sharing the clients"
    )
    parser.add_argument("--admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    name, database_url = create_database(args.admin_url)
    servers: list[subprocess.Popen[bytes]] = []
    try:
        settings = Settings(env="test", database_url=database_url, secret_key=SECRET)
        container = build_container(settings)
        migrate.upgrade(container.engine)
        container.identity.create_user(Actor.system("load"), "load.bureau", PASSWORD, Role.INSURANCE_BUREAU)
        container.dispose()
        env = {
            **os.environ,
            "SANYI_ENV": "test",
            "SANYI_SECRET_KEY": SECRET,
            "SANYI_DATABASE_URL": database_url,
            "SANYI_LOG_LEVEL": "WARNING",
        }
        sanyi = Path(sys.executable).with_name("sanyi")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [str(sanyi), "serve", "--port", str(port), "--workers", str(args.servers)]
        servers.append(subprocess.Popen(command, env=env))
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        login = httpx.post(url + "/login/token", json={"username": "load.bureau", "password": PASSWORD})
        token = login.json()["access_token"]
        # Warm up (imports, package and knowledge caches, connection pools) before measuring, with as
        # many connections as the run so that every worker process has served requests.
        processes = args.client_processes
        run_load(url, token, args.clients, max(200, 3 * args.clients), 0.0, processes)
        started, server_cpu = time.perf_counter(), sum(tree_cpu_seconds(server.pid) for server in servers)
        busy_before, total_before = machine_busy_jiffies()
        clients_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        latencies, app_times, failures = run_load(
            url, token, args.clients, args.requests, args.think, processes
        )
        elapsed = time.perf_counter() - started
        server_cpu = sum(tree_cpu_seconds(server.pid) for server in servers) - server_cpu
        busy_after, total_after = machine_busy_jiffies()
        machine_busy = (busy_after - busy_before) / max(1, total_after - total_before)
        clients_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the client processes, now reaped
        client_cpu = (clients_after.ru_utime + clients_after.ru_stime) - (
            clients_cpu.ru_utime + clients_cpu.ru_stime
        )
        ordered = sorted(latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

        print(
            f"{args.clients} concurrent clients (think time {args.think} s) on {args.servers} server "
            f"process(es), {processes} client process(es), {len(latencies):,} "
            "settlements (POST /api/settlements), PostgreSQL"
        )
        print(
            f"throughput {len(latencies) / elapsed:,.0f} settlements/s, failures {failures}, "
            f"server CPU {server_cpu / len(latencies) * 1000:.1f} ms per settlement, load-client CPU "
            f"{client_cpu / len(latencies) * 1000:.1f} ms per request, machine CPU busy {machine_busy:.0%}, "
            f"load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print(
            f"latency ms: p50 {pct(50):.1f}  p95 {pct(95):.1f}  p99 {pct(99):.1f}  "
            f"mean {statistics.mean(latencies) * 1000:.1f}  max {ordered[-1] * 1000:.1f}"
        )
        if app_times:
            in_app = sorted(app_times)
            print(
                "inside the app (Server-Timing) ms: "
                + "  ".join(
                    f"p{p} {in_app[min(len(in_app) - 1, int(p / 100 * len(in_app)))]:.1f}"
                    for p in (50, 95, 99)
                )
            )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        drop_database(args.admin_url, name)


if __name__ == "__main__":
    main()
