"""Signing and verifying from code that already runs an event loop (an async server, or
Playwright's sync API in the browser tests) works like anywhere else."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from signing.pades.pdfsign import sign_leader
from signing.pades.verify import verify_pdf
from signing.pdf.draft import prepare_draft
from tests import signing_support as s


def test_sign_and_verify_inside_a_running_event_loop() -> None:
    async def inside() -> list[tuple[str, bool]]:
        signed = sign_leader(prepare_draft(s.draft()), s.p12_key(s.demo_pki().leader), s.LEADER, s.POSITION,
                             s.AGENCY, s.signature_png(), s.WHEN)
        return [(r.field, r.valid) for r in verify_pdf(signed, [s.demo_pki().root.certificate])]

    # In a fresh thread: a browser test earlier in the session may leave Playwright's loop running
    # in this one, and asyncio.run() refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside()).result() == [("LanhDao", True)]
