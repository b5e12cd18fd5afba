"""HTTP load on the settlement API: concurrent clients settling claims against a local server on PostgreSQL.

    .venv/bin/python benchmarks/settlement_http_load.py [--clients 100] [--think 1.0] [--servers 1]
        [--requests 3000] [--admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Creates a scratch PostgreSQL database, migrates it, starts ``sanyi serve`` on a free port (one
process, as shipped), logs in an insurance-bureau account for a bearer token, then lets ``--clients``
concurrent clients POST typical 10-line claims to ``/api/settlements`` (2,000 persons, so settlements
of one person do contend for its accumulator row) until ``--requests`` are done. Prints latency
percentiles and throughput, then stops the server and drops the database. The clients run on the same
machine as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
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


async def run_clients(
    urls: list[str], token: str, clients: int, total: int, think: float = 0.0
) -> tuple[list[float], int]:
    records = make_claims(total, "hangzhou-2020", seed=11)
    for number, record in enumerate(records):
        record["claim_id"] = f"LOAD-{uuid.uuid4().hex[:8]}-{number}"
    queue: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    for record in records:
        queue.put_nowait(record)
    latencies: list[float] = []
    failures = 0
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(session: httpx.AsyncClient) -> None:
        nonlocal failures
        while not queue.empty():
            record = queue.get_nowait()
            started = time.perf_counter()
            try:
                response = await session.post("/api/settlements", json=record, headers=headers)
            except httpx.HTTPError:
                failures += 1  # a dropped connection counts as a failure, not a crash of the run
                continue
            latencies.append(time.perf_counter() - started)
            if response.status_code != 201:
                failures += 1
            if think:
                # Like a locust user: a pause between requests, uniform in [think/2, 3·think/2].
                await asyncio.sleep(think * (0.5 + random.random()))

    sessions = [httpx.AsyncClient(base_url=url, limits=limits, timeout=60) for url in urls]
    try:
        await asyncio.gather(*(client(sessions[number % len(sessions)]) for number in range(clients)))
    finally:
        for session in sessions:
            await session.aclose()
    return latencies, failures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause of a client between requests (s)"
    )
    parser.add_argument("--servers", type=int, default=1, help="server processes (sanyi serve --workers)")
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
        urls = []
        port = free_port()
        command = [str(sanyi), "serve", "--port", str(port), "--workers", str(args.servers)]
        servers.append(subprocess.Popen(command, env=env))
        urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        for url in urls:
            while True:
                try:
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start")
                time.sleep(0.2)
        url = urls[0]
        login = httpx.post(url + "/login/token", json={"username": "load.bureau", "password": PASSWORD})
        token = login.json()["access_token"]
        # Warm up (imports, package and knowledge caches, connection pools) before measuring, with as
        # many connections as the run so that every worker process has served requests.
        asyncio.run(run_clients(urls, token, args.clients, max(200, 3 * args.clients)))
        started, server_cpu = time.perf_counter(), sum(tree_cpu_seconds(server.pid) for server in servers)
        latencies, failures = asyncio.run(run_clients(urls, token, args.clients, args.requests, args.think))
        elapsed = time.perf_counter() - started
        server_cpu = sum(tree_cpu_seconds(server.pid) for server in servers) - server_cpu
        ordered = sorted(latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

        print(
            f"{args.clients} concurrent clients (think time {args.think} s) on {args.servers} server "
            f"process(es), {len(latencies):,} "
            "settlements (POST /api/settlements), PostgreSQL"
        )
        print(
            f"throughput {len(latencies) / elapsed:,.0f} settlements/s, failures {failures}, "
            f"server CPU {server_cpu / len(latencies) * 1000:.1f} ms per settlement, load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print(
            f"latency ms: p50 {pct(50):.1f}  p95 {pct(95):.1f}  p99 {pct(99):.1f}  "
            f"mean {statistics.mean(latencies) * 1000:.1f}  max {ordered[-1] * 1000:.1f}"
        )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        drop_database(args.admin_url, name)


if __name__ == "__main__":
    main()
