"""Bắc Từ Liêm incoming documents (seed 000: processed every day; PROCEDURES.md §1): the
clerk registers and passes the document to the Director or to the Deputy Director in charge
of the unit concerned, who writes the direction; each unit's head assigns it and the
official handles it. Who holds each task is asserted at every step."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.core.platform import Platform
from engine.models import Document, Position, User, UserPosition
from tests.conftest import Api
from tests.flows import assignees, complete, only_task
from tests.test_ui_inbox import _login
from webui import create_app

INCOMING = {"channel": "electronic", "doc_type": "CV", "subject": "Về việc tổ chức tiêm chủng mở rộng đợt 1 năm 2026",
            "number_symbol": "215/SYT-NVY", "issuer_name": "Sở Y tế Hà Nội", "document_date": "2026-02-27"}


def _start(api: Api) -> dict[str, Any]:
    r = api.post("btl_clerk", "/api/v1/cases", {"process": "btl_incoming", "data": INCOMING})
    assert r.status_code == 201, r.get_json()
    case: dict[str, Any] = r.get_json()
    assert (only_task(case)["task"], assignees(only_task(case))) == ("register", ["btl_clerk"])
    return case


def _holders(case: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return sorted((t["task"], assignees(t)) for t in case["open_tasks"])


def _task(case: dict[str, Any], name: str, user: str) -> dict[str, Any]:
    found = [t for t in case["open_tasks"] if t["task"] == name and user in assignees(t)]
    assert len(found) == 1, (name, user, case["open_tasks"])
    return found[0]


def test_registered_directed_by_the_director_and_handled_by_two_units(api: Api) -> None:
    case = _start(api)
    case = complete(api, "btl_clerk", only_task(case), {"decision": "register", "leader": "director"})
    assert case["document"]["number"] == 1 and case["document"]["status"] == "registered"
    assert _holders(case) == [("direct_director", ["btl_director"])]
    case = complete(api, "btl_director", only_task(case), {
        "main_unit": "KSDB", "main_deadline": "2026-03-06", "co_units": ["TYT1"], "co_deadline": "2026-03-05",
        "note": "Khoa KSDB chủ trì, trạm y tế phối hợp"})
    assert _holders(case) == [("unit_assign", ["btl_head_ksdb"]), ("unit_assign", ["btl_head_tyt1"])]
    case = complete(api, "btl_head_ksdb", _task(case, "unit_assign", "btl_head_ksdb"), {"assignee": "btl_spec_ksdb"})
    case = complete(api, "btl_head_tyt1", _task(case, "unit_assign", "btl_head_tyt1"), {"assignee": "btl_spec_tyt1"})
    assert _holders(case) == [("handle", ["btl_spec_ksdb"]), ("handle", ["btl_spec_tyt1"])]
    case = complete(api, "btl_spec_tyt1", _task(case, "handle", "btl_spec_tyt1"),
                    {"decision": "return", "note": "Không thuộc địa bàn trạm"})
    assert _holders(case) == [("handle", ["btl_spec_ksdb"]), ("unit_assign", ["btl_head_tyt1"])]
    case = complete(api, "btl_head_tyt1", _task(case, "unit_assign", "btl_head_tyt1"), {"assignee": "btl_spec_tyt1"})
    case = complete(api, "btl_spec_tyt1", _task(case, "handle", "btl_spec_tyt1"), {"decision": "finish"})
    case = complete(api, "btl_spec_ksdb", only_task(case), {"decision": "finish", "note": "Đã lập kế hoạch"})
    assert case["status"] == "completed" and case["document"]["status"] == "finished"


def test_registered_for_the_deputy_director_in_charge_of_the_unit(api: Api) -> None:
    case = _start(api)
    r = api.post("btl_clerk", f"/api/v1/tasks/{only_task(case)['id']}/complete",
                 {"data": {"decision": "register"}})
    assert r.status_code == 422 and "leader" in r.get_json()["fields"]  # to whom is not optional
    # KHNV is in the charge of btl_deputy2, who has no certificate: a direction needs none.
    case = complete(api, "btl_clerk", only_task(case),
                    {"decision": "register", "leader": "deputy_director", "lead_unit": "KHNV"})
    assert _holders(case) == [("direct_deputy", ["btl_deputy2"])]
    case = complete(api, "btl_deputy2", only_task(case), {"main_unit": "KHNV", "main_deadline": "2026-03-06"})
    assert _holders(case) == [("unit_assign", ["btl_head_khnv"])]
    case = complete(api, "btl_head_khnv", only_task(case), {"assignee": "btl_spec_khnv"})
    assert _holders(case) == [("handle", ["btl_spec_khnv"])]
    case = complete(api, "btl_spec_khnv", only_task(case), {"decision": "finish"})
    assert case["status"] == "completed"


def test_the_menu_entry_starts_the_incoming_procedure_and_an_agency_without_one_is_told(platform: Platform) -> None:
    """The clerk's "Vào sổ văn bản đến" opens the start of the agency's incoming procedure,
    whose first step registers the document; Đồng Nai has none, and its clerk and
    administrator are told so rather than registering into a dead end."""
    client = create_app(platform).test_client()
    _login(client, "btl_clerk")
    menu = re.search(r'<a href="([^"]+)" data-testid="menu-incoming">', client.get("/inbox").get_data(as_text=True))
    assert menu is not None and menu[1] == "/new/btl_incoming"
    entry = client.get("/documents/incoming/new").get_data(as_text=True)
    assert 'data-procedure="btl_incoming"' in entry and 'data-testid="no-incoming-procedure"' not in entry

    with platform.db.write() as s:  # Đồng Nai's Chánh Văn phòng also administers the platform there
        cvp = s.scalars(select(User).where(User.username == "dn_cvp")).one()
        unit = s.scalars(select(UserPosition.unit_id).where(UserPosition.user_id == cvp.id)).first()
        s.add(UserPosition(user_id=cvp.id, unit_id=unit, position=Position.ADMIN))
    client = create_app(platform).test_client()
    _login(client, "dn_clerk")
    menu = re.search(r'<a href="([^"]+)" data-testid="menu-incoming">', client.get("/inbox").get_data(as_text=True))
    assert menu is not None and menu[1] == "/documents/incoming/new"
    entry = client.get("/documents/incoming/new").get_data(as_text=True)
    assert 'data-testid="no-incoming-procedure"' in entry and "Cơ quan chưa có quy trình xử lý văn bản đến" in entry
    admin = create_app(platform).test_client()
    _login(admin, "dn_cvp")
    assert "Cơ quan chưa có quy trình xử lý văn bản đến" in admin.get("/admin/users").get_data(as_text=True)
    _login(client := create_app(platform).test_client(), "btl_admin")
    assert 'data-testid="no-incoming-procedure"' not in client.get("/admin/users").get_data(as_text=True)


def test_the_desk_form_posted_directly_starts_the_procedure_or_is_refused(api: Api, platform: Platform) -> None:
    """"Vào sổ văn bản đến" posted straight to the desk's form, not through the menu: the entry
    starts the agency's incoming procedure, its first step the clerk's registration, and the
    case goes on to the Director; Đồng Nai, with no incoming procedure, is refused and keeps
    no entry."""
    client = create_app(platform).test_client()
    _login(client, "btl_clerk")
    entry = {**INCOMING, "urgency": "thuong", "secrecy": "thuong", "csrf_token": _csrf(client)}
    r = client.post("/documents/incoming/new", data=entry)
    assert r.status_code == 302 and r.headers["Location"].startswith("/tasks/")
    task = api.get("btl_clerk", "/api/v1/tasks/" + r.headers["Location"].removeprefix("/tasks/")).get_json()
    case = api.get("btl_clerk", f"/api/v1/cases/{task['case_id']}").get_json()
    assert case["process"] == "btl_incoming" and case["document"]["number"] is None
    assert _holders(case) == [("register", ["btl_clerk"])]
    case = complete(api, "btl_clerk", only_task(case), {"decision": "register", "leader": "director"})
    assert case["document"]["number"] == 1 and _holders(case) == [("direct_director", ["btl_director"])]

    _login(client := create_app(platform).test_client(), "dn_clerk")
    r = client.post("/documents/incoming/new", data={**entry, "csrf_token": _csrf(client)})
    assert r.status_code == 409 and "Cơ quan chưa có quy trình xử lý văn bản đến" in r.get_data(as_text=True)
    with platform.db.read() as s:
        assert s.scalar(select(func.count(Document.id)).where(Document.subject == INCOMING["subject"])) == 1


def _csrf(client: FlaskClient) -> str:
    page = client.get("/documents/incoming/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    return token[1]
