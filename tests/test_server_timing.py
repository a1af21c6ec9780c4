"""A response says the web CPU of its request (``Server-Timing: cpu``) only when the settings
ask for it (QLVB_SERVER_TIMING): bench/agency_day.py splits a day's CPU by request kind with it."""

from __future__ import annotations

import re
from dataclasses import replace

from engine.core.config import Settings
from engine.core.platform import Platform
from webui import create_app


def test_the_setting_comes_from_the_environment() -> None:
    assert Settings.from_env({"QLVB_SERVER_TIMING": "1"}).server_timing
    assert not Settings.from_env({}).server_timing


def test_a_request_says_its_cpu_when_asked_and_not_otherwise(platform: Platform) -> None:
    quiet = create_app(platform).test_client()
    assert quiet.get("/login").headers.get("Server-Timing") is None

    timed = create_app(Platform.from_settings(replace(platform.settings, server_timing=True))).test_client()
    said = timed.get("/login").headers.get("Server-Timing", "")
    found = re.fullmatch(r"cpu;dur=(\d+\.\d\d)", said)
    assert found, said
    assert 0 < float(found.group(1)) < 60_000
