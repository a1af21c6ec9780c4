"""The auditor's services and pages: the case's path on its diagram event by event, the
check of a case's entries in the chain, the case search limited to the auditor's agencies,
the audit dossier (its manifest and entries check out, its export is logged), and the
refusals for anyone else."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import delete, select, update

from engine.audit import auditing, dossier, verification
from engine.audit import chain as audit
from engine.core.clock import VIETNAM, FakeClock
from engine.core.errors import Forbidden
from engine.core.platform import Platform
from engine.design import bpmn_layout
from engine.documents.storage import FileStore
from engine.models import AuditEntry, Delegation, User
from engine.signatures import signatures
from engine.workflow import case_path
from tests.conftest import ROOT, Api
from tests.flows import DRAFT, complete, issue_via_deputy, only_task, start, to_head
from tests.test_ui_inbox import _login
from webui import create_app

BTL_BPMN = (ROOT / "processes" / "bac_tu_liem" / "btl_outgoing.bpmn").read_text(encoding="utf-8")
AT = datetime(2026, 3, 2, 1, 0, tzinfo=VIETNAM)


def _entry(seq: int, action: str, payload: dict[str, Any], task_id: str | None = None) -> AuditEntry:
    return AuditEntry(seq=seq, at=AT, action=action, task_id=task_id, payload=json.dumps(payload),
                      prev_hash="", hash="")


def test_steps_mark_the_path_open_tasks_and_a_return_event_by_event() -> None:
    entries = [
        _entry(1, "case_started", {"path": [["start", "draft"]], "opened": [{"id": "t1", "task": "draft"}]}),
        _entry(2, "file_attached", {"sha256": "a" * 64}),
        _entry(3, "task_completed", {"path": [["draft", "head_review"], ["draft", "head_deadline"]],
                                     "opened": [{"id": "t2", "task": "head_review"}]}, "t1"),
        _entry(4, "task_completed", {"path": [["head_review", "gw_head"], ["gw_head", "draft"]],
                                     "opened": [{"id": "t3", "task": "draft"}]}, "t2"),
        _entry(5, "task_completed", {"path": [["draft", "head_review"]],
                                     "opened": [{"id": "t4", "task": "head_review"}]}, "t3"),
        _entry(6, "task_completed", {"path": [["head_review", "gw_head"], ["gw_head", "director_sign"]],
                                     "opened": [{"id": "t5", "task": "director_sign"}]}, "t4"),
        _entry(7, "task_completed", {"path": [["director_sign", "gw_director"], ["gw_director", "clerk_issue"]],
                                     "opened": [{"id": "t6", "task": "clerk_issue"}]}, "t5"),
        _entry(8, "task_completed", {"path": [["clerk_issue", "gw_clerk"], ["gw_clerk", "end_issued"]]}, "t6"),
    ]
    steps = case_path.steps(BTL_BPMN, entries)
    assert [s["seq"] for s in steps] == list(range(1, 9))
    assert steps[0] == {"seq": 1, "done": ["start"], "flows": ["f_start_draft"], "open": ["draft"],
                        "moved": ["draft", "start"]}
    # A file changes nothing on the diagram.
    assert {k: v for k, v in steps[1].items() if k != "seq"} == {**{k: v for k, v in steps[0].items() if k != "seq"},
                                                                  "moved": []}
    # The boundary timer is waited on, not passed; it has no sequence flow from the task.
    assert steps[2]["open"] == ["head_review"] and "head_deadline" not in steps[2]["done"]
    assert steps[2]["flows"] == ["f_draft_head", "f_start_draft"]
    # The return: the draft is open again, the return flow taken.
    assert steps[3]["open"] == ["draft"] and "f_head_return" in steps[3]["flows"] and "gw_head" in steps[3]["done"]
    assert steps[5]["open"] == ["director_sign"] and "f_head_director" in steps[5]["flows"]
    assert "deputy_review" not in steps[5]["done"] and "f_head_deputy" not in steps[5]["flows"]
    last = steps[-1]
    assert last["open"] == []
    assert {"end_issued", "gw_clerk", "clerk_issue", "director_sign"} <= set(last["done"])
    assert "f_clerk_end" in last["flows"] and "f_clerk_return" not in last["flows"]


def test_steps_follow_a_cancelled_task_and_ignore_unknown_elements() -> None:
    entries = [
        _entry(1, "case_started", {"path": [["start", "draft"]], "opened": [{"id": "t1", "task": "draft"}]}),
        _entry(2, "timer_fired", {"path": [["draft", "not_in_diagram"]], "cancelled": ["t1"]}),
    ]
    steps = case_path.steps(BTL_BPMN, entries)
    assert steps[1]["open"] == [] and steps[1]["moved"] == ["draft"] and "not_in_diagram" not in steps[1]["done"]


def test_a_finished_case_path_from_its_real_log(api: Api, platform: Platform) -> None:
    case = issue_via_deputy(api)
    with platform.db.read() as s:
        entries = audit.case_entries(s, case["id"])
        steps = case_path.steps(BTL_BPMN, entries)
    assert len(steps) == len(entries)
    assert steps[0]["open"] == ["draft"]
    assert steps[-1]["open"] == []
    assert {"deputy_review", "gw_deputy", "clerk_issue", "end_issued"} <= set(steps[-1]["done"])
    assert "director_sign" not in steps[-1]["done"]  # the deputy signed: the Director's step was skipped
    assert {"f_head_deputy", "f_deputy_clerk", "f_clerk_end"} <= set(steps[-1]["flows"])
    opened = [s["open"] for s in steps]
    assert ["deputy_review"] in opened and ["clerk_issue"] in opened


def _bounds(root: etree._Element) -> dict[str, tuple[float, float, float, float]]:
    found = {}
    for shape in root.iter(f"{{{bpmn_layout.BPMNDI}}}BPMNShape"):
        b = shape.find(f"{{{bpmn_layout.DC}}}Bounds")
        assert b is not None
        found[shape.get("bpmnElement", "")] = tuple(float(b.get(k, "")) for k in ("x", "y", "width", "height"))
    return found  # type: ignore[return-value]


def test_a_process_without_a_drawing_gets_swimlanes_and_one_with_keeps_its_own() -> None:
    drawn = bpmn_layout.with_diagram(BTL_BPMN)
    root = etree.fromstring(drawn.encode())
    shape = case_path.diagram(BTL_BPMN)
    boxes = _bounds(root)
    edges = {e.get("bpmnElement") for e in root.iter(f"{{{bpmn_layout.BPMNDI}}}BPMNEdge")}
    assert edges == set(shape.flows.values())
    lanes = {lane.get("id"): [r.text for r in lane] for lane in root.iter(f"{{{bpmn_layout.BPMN}}}lane")}
    nodes = {str(n) for members in lanes.values() for n in members}  # every step of this process is in a lane
    assert len(nodes) == 14 and nodes | {str(lane) for lane in lanes} | {"Participant_btl"} == boxes.keys()
    for lane, members in lanes.items():
        x, y, w, h = boxes[str(lane)]
        for node in members:
            nx, ny, nw, nh = boxes[str(node)]
            assert y <= ny + nh / 2 <= y + h, (lane, node)  # each step in its lane's band
    # Along the path, each step stands right of the one before; the host's timer sits on it.
    assert boxes["start"][0] < boxes["draft"][0] < boxes["head_review"][0] < boxes["gw_head"][0]
    assert boxes["deputy_review"][0] < boxes["clerk_issue"][0] < boxes["end_issued"][0]
    host, timer = boxes["head_review"], boxes["head_deadline"]
    assert host[0] < timer[0] + 18 < host[0] + host[2] and timer[1] + 18 == host[1] + host[3]
    assert bpmn_layout.with_diagram(drawn) == drawn
    drawn_by_hand = (ROOT / "processes" / "quang_ngai" / "qn_outgoing.bpmn").read_text(encoding="utf-8")
    assert bpmn_layout.with_diagram(drawn_by_hand) == drawn_by_hand


def _two_cases(api: Api) -> tuple[int, int]:
    first = start(api)
    other = start(api, data={**DRAFT, "subject": "Báo cáo tình hình dịch bệnh tháng 3"})
    complete(api, "btl_spec_khnv", only_task(first), DRAFT)
    complete(api, "btl_spec_khnv", only_task(other), DRAFT)
    return int(first["id"]), int(other["id"])


@pytest.mark.parametrize("tamper", ["untouched", "altered", "neighbour_deleted", "tail_deleted"])
def test_a_case_entries_are_checked_with_their_links(bare_api: Api, platform: Platform, tamper: str) -> None:
    case_id, other_id = _two_cases(bare_api)
    with platform.db.write() as s:
        mine = audit.case_entries(s, case_id)
        theirs = [e.id for e in audit.case_entries(s, other_id)]
        if tamper == "altered":
            s.execute(update(AuditEntry).where(AuditEntry.id == mine[0].id).values(payload='{"data":{}}'))
        elif tamper == "neighbour_deleted":  # another case's entry, between two of this case's
            between = next(i for i in theirs if mine[0].id < i < mine[-1].id)
            s.execute(delete(AuditEntry).where(AuditEntry.id == between))
        elif tamper == "tail_deleted":
            s.execute(delete(AuditEntry).where(AuditEntry.id == max(theirs)))
    with platform.db.read() as s:
        findings = verification.verify_entries(s, audit.case_entries(s, case_id))
    if tamper == "untouched":
        assert findings == []
    else:
        assert findings, tamper
        if tamper == "altered":
            assert "hash không khớp" in str(findings[0])


def test_the_search_finds_only_the_auditor_agencies_cases(api: Api, platform: Platform, clock: FakeClock) -> None:
    first = start(api)
    clock.advance(timedelta(days=3))
    issued = issue_via_deputy(api)
    with platform.db.read() as s:
        btl = s.scalars(select(User).where(User.username == "btl_auditor")).one()
        qn = s.scalars(select(User).where(User.username == "qn_auditor")).one()
        head = s.scalars(select(User).where(User.username == "btl_head_khnv")).one()

        def ids(who: User, **wanted: str) -> list[int]:
            return [c["id"] for c in auditing.find_cases(s, who, auditing.CaseSearch.parse(wanted), 1, 20)["items"]]

        assert ids(btl) == [issued["id"], first["id"]]
        assert ids(qn) == []
        assert ids(btl, title="tiêm chủng") == [issued["id"], first["id"]]
        assert ids(btl, title="tiem chung mo rong") == [issued["id"], first["id"]]  # folded, in any order
        assert ids(btl, title="sốt xuất huyết") == []
        number = issued["document"]["number_symbol"]
        assert number is not None and ids(btl, number=number) == [issued["id"]]
        assert ids(btl, number=str(issued["id"])) == [issued["id"]]  # the case's number; the document's is 1
        assert ids(btl, number="1") == [issued["id"], first["id"]]
        assert ids(btl, person="Hồng Nhung") == [issued["id"]]  # the deputy acted only in the issued case
        assert ids(btl, person="btl_deputy1") == [issued["id"]]
        assert ids(btl, status="completed") == [issued["id"]]
        assert ids(btl, status="running") == [first["id"]]
        day = clock.now().astimezone(VIETNAM).date()
        assert ids(btl, since=day.isoformat()) == [issued["id"]]
        assert ids(btl, until=(day - timedelta(days=1)).isoformat()) == [first["id"]]
        found = auditing.find_cases(s, btl, auditing.CaseSearch(), 1, 1)
        assert found["total"] == 2 and len(found["items"]) == 1
        with pytest.raises(Forbidden):
            auditing.find_cases(s, head, auditing.CaseSearch(), 1, 20)
        with pytest.raises(Forbidden):
            auditing.auditable_case(s, qn, issued["id"])


def test_the_dossier_manifest_matches_its_files_and_its_entries_verify(api: Api, platform: Platform) -> None:
    case = issue_via_deputy(api)
    store = FileStore(platform.settings.files_dir)
    with platform.db.write() as s:
        auditor = s.scalars(select(User).where(User.username == "btl_auditor")).one()
        name, content = dossier.export(s, auditor, case["id"], store, platform.clock.now())
    assert name == f"ho-so-kiem-tra-{case['id']}.zip"
    archive = zipfile.ZipFile(io.BytesIO(content))
    sums = dict(reversed(line.split("  ", 1)) for line in
                archive.read(dossier.MANIFEST_NAME).decode().splitlines())
    members = set(archive.namelist()) - {dossier.MANIFEST_NAME}
    assert set(sums) == members
    for member, digest in sums.items():
        assert hashlib.sha256(archive.read(member)).hexdigest() == digest, member
    pdfs = [m for m in members if m.startswith("tep/")]
    assert len(pdfs) >= 3  # the upload, the deputy's signed copy and the issued copy
    for member in pdfs:
        assert archive.read(member).startswith(b"%PDF")
    log = json.loads(archive.read(dossier.LOG_NAME))
    entries = log["entries"]
    links = {(n["chain"], n["seq"]): n for n in log["neighbours"]} | {(e["chain"], e["seq"]): e for e in entries}
    for e in entries:
        digest = audit.entry_hash(e["chain"], e["seq"], datetime.fromisoformat(e["at"]), e["actor_id"],
                                  e["on_behalf_of_id"], e["action"], e["case_id"], e["task_id"], e["payload"],
                                  e["prev_hash"])
        assert digest == e["hash"]
        before = links.get((e["chain"], e["seq"] - 1))
        assert e["prev_hash"] == (before["hash"] if before else audit.GENESIS)
    assert log["chain_findings"] == [] and log["missing_files"] == []
    with platform.db.read() as s:
        logged = audit.case_entries(s, case["id"])[-1]
    assert logged.action == "dossier_exported" and logged.actor_id == auditor.id
    assert json.loads(logged.payload)["archive_sha256"] == hashlib.sha256(content).hexdigest()


def _client(platform: Platform, username: str) -> FlaskClient:
    client = create_app(platform).test_client()
    _login(client, username)
    return client


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found[1]


def test_the_pages_for_the_auditor_and_the_refusals(api: Api, platform: Platform) -> None:
    case = issue_via_deputy(api)
    auditor = _client(platform, "btl_auditor")
    listed = auditor.get("/audit/cases").get_data(as_text=True)
    assert f'data-case="{case["id"]}"' in listed and "Kiểm tra hồ sơ" in listed
    page = auditor.get(f"/audit/cases/{case['id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="chain-status"' in html and "Nguyên vẹn" in html and "Khớp" in html
    assert html.count('data-status="valid"') >= 2  # the signed copy and the issued copy
    assert "Lê Thị Hồng Nhung" in html  # the deputy who signed

    bad = auditor.get("/audit/cases?since=2026-13-01&title=ti%C3%AAm")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'data-error-for="since"' in text and 'value="tiêm"' in text

    exported = auditor.post(f"/audit/cases/{case['id']}/dossier", data={"csrf_token": _token(html)})
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(exported.data)).testzip() is None

    other_agency = _client(platform, "qn_auditor")
    assert other_agency.get(f"/audit/cases/{case['id']}").status_code == 403
    assert f'data-case="{case["id"]}"' not in other_agency.get("/audit/cases").get_data(as_text=True)
    other_html = other_agency.get("/audit/cases").get_data(as_text=True)
    refused = other_agency.post(f"/audit/cases/{case['id']}/dossier", data={"csrf_token": _token(other_html)})
    assert refused.status_code == 403
    head = _client(platform, "btl_head_khnv")
    assert head.get("/audit/cases").status_code == 403
    assert head.get(f"/audit/cases/{case['id']}").status_code == 403
    assert "Kiểm tra hồ sơ" not in head.get("/inbox").get_data(as_text=True)
    assert auditor.get("/audit/cases/999999").status_code == 404
    with platform.db.read() as s:
        actions = [e.action for e in audit.case_entries(s, case["id"])]
    assert actions.count("dossier_exported") == 1  # the refused export wrote nothing


def test_the_timeline_says_on_whose_behalf_and_the_search_finds_both(api: Api, platform: Platform) -> None:
    task = to_head(api)
    now = platform.clock.now()
    with platform.db.write() as s:
        ids = {name: uid for name, uid in s.execute(select(User.username, User.id))}
        s.add(Delegation(grantor_id=ids["btl_head_khnv"], delegate_id=ids["btl_office_chief"],
                         starts_on=now.date() - timedelta(days=1), ends_on=now.date() + timedelta(days=1),
                         scope="btl_outgoing", created_at=now))
    case = complete(api, "btl_office_chief", task, {"decision": "approve", "route": "director"})
    store = FileStore(platform.settings.files_dir)
    with platform.db.read() as s:
        auditor = s.get(User, ids["btl_auditor"])
        assert auditor is not None
        keys = signatures.Keys(platform.settings.pki_dir, tuple(platform.settings.trust_roots))
        page = auditing.case_audit(s, auditor, case["id"], store, keys, now)
        row = page["timeline"][-1]
        assert row["actor"]["username"] == "btl_office_chief"
        assert row["on_behalf_of"]["username"] == "btl_head_khnv"
        assert row["data"]["decision"] == "approve"
        for person in ("btl_office_chief", "btl_head_khnv"):
            found = auditing.find_cases(s, auditor, auditing.CaseSearch(person=person), 1, 20)
            assert [c["id"] for c in found["items"]] == [case["id"]]


def test_the_audit_page_shows_an_altered_entry(bare_api: Api, platform: Platform) -> None:
    case_id, _ = _two_cases(bare_api)
    with platform.db.write() as s:
        first = audit.case_entries(s, case_id)[-1]
        s.execute(update(AuditEntry).where(AuditEntry.id == first.id).values(at=first.at + timedelta(hours=1)))
    html = _client(platform, "btl_auditor").get(f"/audit/cases/{case_id}").get_data(as_text=True)
    assert "Phát hiện sai lệch" in html and f"#{first.seq}: nội dung đã bị sửa" in html
