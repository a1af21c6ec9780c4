"""Benchmark: appends to the audit log from many writers of several agencies on PostgreSQL,
one chain for all (as before migration 0036) against a chain per agency.

Not a test: it prints a table (README "The audit log: a chain per agency"). Run with
``.venv/bin/python bench/audit_chains.py [--threads 8] [--agencies 4] [--seconds 10] [--hold-ms 5]``.

Each writer runs transactions that append one entry and then keep the transaction open for
``--hold-ms`` (the rest of a request's work after its entry: notifications, the answer, the
commit), as the requests of the agency day did. "one chain" sends every writer's entries to one
chain, which is what the single ``audit_head`` row did; "per agency" sends writer i's to agency
i mod ``--agencies``. PostgreSQL is started as the test suite does (tests/pgserver.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from engine.audit import chain as audit  # noqa: E402
from engine.audit import verification  # noqa: E402
from engine.core import schema  # noqa: E402
from engine.core.db import Database  # noqa: E402
from engine.models import Agency  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402


def _run(db: Database, chains: list[int], threads: int, seconds: float, hold: float) -> tuple[int, float]:
    """(appends made, mean seconds per transaction) with writer i on chains[i % len(chains)]."""
    counts = [0] * threads
    spent = [0.0] * threads
    stop = time.monotonic() + seconds

    def writer(i: int) -> None:
        while time.monotonic() < stop:
            began = time.monotonic()
            with db.write() as s:
                audit.append(s, at=datetime.now(UTC), action="bench", payload={"writer": i},
                             agency_id=chains[i % len(chains)])
                time.sleep(hold)
            counts[i] += 1
            spent[i] += time.monotonic() - began

    workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    total = sum(counts)
    return total, sum(spent) / max(total, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--agencies", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--hold-ms", type=float, default=5.0)
    args = parser.parse_args()
    server = PostgresServer()
    server.start()
    try:
        engine = create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text('CREATE DATABASE "bench"'))
        engine.dispose()
        db = Database(server.url("bench"))
        schema.upgrade(db)
        with db.write() as s:
            agencies = [Agency(code=f"a{n}", name=f"Cơ quan {n}", abbreviation=f"A{n}",
                               identifier_code=f"000.00.00.A{n:02}") for n in range(args.agencies)]
            s.add_all(agencies)
            s.flush()
            ids = [a.id for a in agencies]
        print(f"{args.threads} writers, {args.agencies} agencies, {args.seconds:.0f} s each, "
              f"{args.hold_ms:.0f} ms held after the append; PostgreSQL; "
              f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        print(f"{'chains':<12} {'appends/s':>10} {'ms per transaction':>20}")
        for label, chains in (("one chain", ids[:1]), ("per agency", ids)):
            total, mean = _run(db, chains, args.threads, args.seconds, args.hold_ms / 1000)
            print(f"{label:<12} {total / args.seconds:>10.0f} {mean * 1000:>20.1f}")
        with db.read() as s:
            count, findings = verification.verify(s)
        print(f"verify: {count} entries, {len(findings)} findings; "
              f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        db.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
