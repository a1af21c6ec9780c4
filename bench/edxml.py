"""Benchmark: edXML packages built and parsed per second (issue 15).

Not a test: it prints a table (README "edXML packages"). Run with
``.venv/bin/python bench/edxml.py [--seconds 5]``. One process, one core.

The package is the tests' realistic one (tests/edxml_support.py): a công văn whose file is a
one-page PDF signed by the leader and by the agency (PAdES, through signing.pades.pdfsign) and one
appendix PDF, with full metadata. *Build* writes the package and signs it (XAdES-B-B,
RSA-2048, SHA-256); *parse* is what a receiver does: size limit, hardened parse, XSD
validation, signature verified against the sender's registered certificate, values read,
attachments decoded and their SHA-256 checked. Unsigned build and parse without a trust store
are shown too, to see what the signature costs. ``--appendix-kib N`` replaces the appendix
by N KiB of random bytes, to see how the costs grow with the files (the receiver's default
limits take files up to ~7 MB each).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exchange.edxml import build, parse  # noqa: E402
from tests.edxml_support import realistic_package, sender_key, trust  # noqa: E402


def rate(label: str, work: Callable[[], object], seconds: float) -> float:
    work()  # warm-up: the XSD compiled, modules imported
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        work()
        count += 1
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {count / elapsed:>8.1f} /s {1000 * elapsed / count:>8.2f} ms", flush=True)
    return count / elapsed


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    arguments = argparse.ArgumentParser()
    arguments.add_argument("--seconds", type=float, default=5.0, help="time spent on each measurement")
    arguments.add_argument("--appendix-kib", type=int, default=0, help="an appendix of this size instead")
    options = arguments.parse_args()
    seconds = options.seconds

    package = realistic_package()
    if options.appendix_kib:
        main_file, appendix = package.attachments
        big = replace(appendix, data=os.urandom(options.appendix_kib * 1024))
        package = replace(package, attachments=(main_file, big))
    key = sender_key()
    signed = build(package, key)
    unsigned = build(package)
    sizes = ", ".join(f"{attachment.name} {len(attachment.data):,} B" for attachment in package.attachments)
    print(f"load average before: {load()} ({os.cpu_count()} cores)")
    print(f"package: {sizes}; signed edXML {len(signed):,} B")
    rate("build + sign (XAdES-B-B, RSA-2048)", lambda: build(package, key), seconds)
    rate("parse + verify against the sender's certificate", lambda: parse(signed, trust=trust), seconds)
    rate("build, unsigned", lambda: build(package), seconds)
    rate("parse, no signature check", lambda: parse(unsigned, trust=None), seconds)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
