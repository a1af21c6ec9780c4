"""A case's start (issue 19 item 4, CPU per step) answers with the document it has just created
as its transaction holds it: the document's row and its parts (files, recipients, signature
evidence) are not read back. A new document's collections are known empty (documents.create),
and the case holds its document through the transaction (cases.start_case), so the answer's view
(queries.case_view) reads none of them; the answer is the same as a later GET of the case."""

from __future__ import annotations

import re

from engine.core.platform import Platform
from tests.conftest import Api
from tests.flows import DRAFT
from tests.test_request_costs import INCOMING, statements

READ_BACK = ("documents", "document_files", "recipients", "signature_evidence")


def _from(seen: list[str], table: str) -> int:
    return len([s for s in seen if s.lstrip().startswith("SELECT") and re.search(rf"\bFROM {table}\b", s)])


def test_a_start_answers_with_its_new_document_without_reading_it_back(api: Api, platform: Platform) -> None:
    starts = {"btl_clerk": {"process": "btl_incoming", "data": {**INCOMING, "number_symbol": "5/SYT-NVY"}},
              "btl_spec_khnv": {"process": "btl_outgoing", "data": DRAFT}}
    for user, body in starts.items():
        api.token(user)
        with statements(platform) as seen:
            r = api.post(user, "/api/v1/cases", body)
        assert r.status_code == 201, r.get_json()
        assert {t: _from(seen, t) for t in READ_BACK} == dict.fromkeys(READ_BACK, 0), seen
        answer = r.get_json()
        again = api.get(user, f"/api/v1/cases/{answer['id']}").get_json()
        assert answer["document"] == again["document"] and answer["document"]["subject"]
        assert answer["open_tasks"] == again["open_tasks"]
