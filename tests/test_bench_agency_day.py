"""bench/agency_day.py is not a test, but it must keep running: its day at the smallest scale
(two incoming documents and one outgoing, two clients, SQLite) ends with every check passed."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT


def test_the_agency_day_runs_and_its_checks_pass() -> None:
    result = subprocess.run(
        [sys.executable, "bench/agency_day.py", "--incoming", "2", "--outgoing", "1", "--clients", "2",
         "--databases", "sqlite", "--workers", "1", "--threads", "2", "--probes", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "checks: all cases finished, books gapless, issued documents validly signed, audit intact" in result.stdout
    assert "server CPU per step" in result.stdout and "one request at a time" in result.stdout
    # Every request kind of the day has its CPU, as the server said it (Server-Timing), and a share.
    table = result.stdout.split("p99 ms")[1].split("web CPU per step")[0]
    rows = [line.split() for line in table.splitlines()[1:] if line.strip()]
    assert {row[0] for row in rows} >= {"complete", "inbox", "start", "upload"}, table
    assert all(row[-1].endswith("%") and float(row[-2]) > 0 for row in rows), table
    split = re.search(r"web CPU per step: request threads ([\d.]+) ms \(of which the application, as its responses "
                      r"say, ([\d.]+)\), main threads ([\d.]+), child processes ([\d.]+)", result.stdout)
    assert split, result.stdout[-3000:]
    threads, application, _, children = (float(v) for v in split.groups())
    # /proc counts in ticks of 10 ms, too coarse on so short a day to compare the two closely
    assert threads > 0 and application > 0 and children > 0  # children: the uploads' qpdf and pdftotext
