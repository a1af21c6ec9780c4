"""Ký số từ xa (issue 16, item 6): a leader signs through a CSC API v1 service and through a
service where they approve on the phone (approve, reject, time out, cancel), against the test
services on 127.0.0.1 (tests/remote_services.py); the signature is verified like any other and
bound to the leader's registered certificate, and the issue gate accepts only that one. The
agency's client secret never reaches the audit log."""

from __future__ import annotations

import base64
import json
import logging
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy import select

from engine import demo
from engine.audit import chain as audit
from engine.core.clock import FakeClock
from engine.core.config import Settings
from engine.core.errors import Conflict, InvalidData
from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import AuditEntry, Case, HumanTask, RemoteRequest, TaskStatus, User, UserCertificate
from engine.org import administration
from engine.remote_signing import flow, providers
from engine.signatures.signatures import Keys
from engine.workflow import replay
from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from signing.remote import approval
from tests import remote_services
from tests.conftest import Api
from tests.flows import complete, only_task, to_director
from webui import create_app


def _account(demo_pki: Path, username: str) -> remote_services.Account:
    key, cert, chain = pkcs12.load_key_and_certificates((demo_pki / "people" / f"{username}.p12").read_bytes(),
                                                        demo.DEMO_PASSWORD.encode())
    assert cert is not None
    return remote_services.Account(key, cert, tuple(chain))  # type: ignore[arg-type]


@pytest.fixture
def services(demo_pki: Path) -> Iterator[remote_services.Services]:
    accounts = {name: _account(demo_pki, name) for name in ("btl_director", "btl_deputy1")}
    with remote_services.running(accounts) as running:
        yield running


@pytest.fixture
def own_platform(platform: Platform, demo_pki: Path, tmp_path: Path) -> Iterator[Platform]:
    """The platform with its own copy of the PKI folder, where the services' secrets are written."""
    keys = tmp_path / "pki"
    shutil.copytree(demo_pki, keys)
    p = Platform.from_settings(Settings(database_url=platform.settings.database_url,
                                        data_dir=platform.settings.data_dir, pki_path=keys), platform.clock)
    yield p
    p.db.dispose()


@pytest.fixture
def remote(own_platform: Platform) -> flow.Remote:
    settings = own_platform.settings
    return flow.Remote(own_platform.db, FileStore(settings.files_dir),
                       Keys(settings.pki_dir, tuple(settings.trust_roots)))


@pytest.fixture
def own_api(own_platform: Platform) -> Iterator[Api]:
    """As the ``api`` fixture: afterwards every case replays from its audit log, and the chain verifies."""
    yield Api(create_app(own_platform).test_client())
    with own_platform.db.read() as session:
        for case_id in session.scalars(select(Case.id)):
            report = replay.replay(session, case_id)
            assert report.matches, (case_id, report.differences)
        _, findings = audit.verify(session)
        assert [f for f in findings if f.kind != audit.TIME] == []


def _user(platform: Platform, username: str) -> User:
    with platform.db.read() as session:
        return session.scalars(select(User).where(User.username == username)).one()


def configure(platform: Platform, remote: flow.Remote, url: str, kind: str, timeout: int = 120) -> int:
    """The Bắc Từ Liêm administrator adds the service."""
    admin = _user(platform, "btl_admin")
    with platform.db.write() as session:
        agency = administration.agency_for(session, admin, "btl")
        row = providers.save(session, remote.keys, admin, agency,
                             {"name": f"Dịch vụ {kind}", "kind": kind, "endpoint": url, "client_id":
                              remote_services.CLIENT_ID, "secret": remote_services.SECRET,
                              "timeout_seconds": str(timeout), "enabled": "on"}, platform.clock.now())
        return row.id


def _sign(remote: flow.Remote, platform: Platform, task: dict[str, Any], provider_id: int,
          account: str = "btl_director", pin: str | None = remote_services.PIN) -> dict[str, Any]:
    director = _user(platform, "btl_director")
    return flow.start(remote, director.id, task["id"], {"decision": "sign"}, provider_id, account, pin,
                      platform.clock.now())


def _check(remote: flow.Remote, platform: Platform, task: dict[str, Any], request_id: str,
           username: str = "btl_director") -> dict[str, Any]:
    return flow.check(remote, _user(platform, username).id, task["id"], request_id, platform.clock.now())


def settled(remote: flow.Remote, platform: Platform, task: dict[str, Any], answer: dict[str, Any],
            username: str = "btl_director") -> dict[str, Any]:
    """The request once the service has answered: a CSC submission runs in the background, and
    the page asks where it stands until then (here: every 50 ms, for up to a minute)."""
    deadline = time.monotonic() + 60
    while answer["state"] == "waiting" and time.monotonic() < deadline:
        time.sleep(0.05)
        answer = _check(remote, platform, task, answer["id"], username)
    return answer


def _case(api: Api, case_id: int, viewer: str = "btl_clerk") -> dict[str, Any]:
    case: dict[str, Any] = api.get(viewer, f"/api/v1/cases/{case_id}").get_json()
    return case


def _main_pdf(api: Api, document_id: int) -> bytes:
    doc = api.get("btl_clerk", f"/api/v1/documents/{document_id}").get_json()
    main = next(f for f in doc["files"] if f["role"] == "main")
    return bytes(api.get("btl_clerk", f"/api/v1/documents/{document_id}/files/{main['id']}").data)


def _task_state(platform: Platform, task_id: str) -> TaskStatus:
    with platform.db.read() as session:
        task = session.get(HumanTask, task_id)
        assert task is not None
        return task.status


def _audit(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.db.read() as session:
        return [json.loads(e.payload) if isinstance(e.payload, str) else e.payload
                for e in session.scalars(select(AuditEntry).where(AuditEntry.action == action))]


def _assert_signed_and_issuable(api: Api, platform: Platform, case: dict[str, Any], roots: list[x509.Certificate]
                                ) -> None:
    case = _case(api, case["id"])
    assert [a["username"] for t in case["open_tasks"] for a in t["assignees"]] == ["btl_clerk"]
    pdf = _main_pdf(api, case["document"]["id"])
    assert [(r.field, r.valid) for r in verify_pdf(pdf, roots)] == [("LanhDao", True)]
    issued = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})
    assert (issued["document"]["status"], issued["document"]["signature_status"]) == ("issued", "valid")
    pdf = _main_pdf(api, case["document"]["id"])
    assert [(r.field, r.valid) for r in verify_pdf(pdf, roots)] == [("LanhDao", True), ("CoQuan", True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, roots)] == [(True, True)] * 2


def _roots(platform: Platform) -> list[x509.Certificate]:
    return [x509.load_pem_x509_certificate(p.read_bytes()) for p in platform.settings.trust_roots]


def test_leader_signs_through_csc(own_api: Api, own_platform: Platform, remote: flow.Remote,
                                  services: remote_services.Services, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    provider = configure(own_platform, remote, services.url, "csc")
    case = to_director(own_api)
    task = only_task(case)
    # A wrong PIN: the service refuses, nothing is signed, the task stays open.
    refused = settled(remote, own_platform, task, _sign(remote, own_platform, task, provider, pin="000000"))
    assert refused["state"] == "failed" and "Mã PIN không đúng" in refused["message"]
    assert _task_state(own_platform, task["id"]) == TaskStatus.OPEN
    done = settled(remote, own_platform, task, _sign(remote, own_platform, task, provider))
    assert done["state"] == "completed", done
    assert _task_state(own_platform, task["id"]) == TaskStatus.COMPLETED
    assert {"/csc/v1/credentials/list", "/csc/v1/credentials/info", "/csc/v1/credentials/authorize",
            "/csc/v1/signatures/signHash"} <= set(services.calls)
    completed = _audit(own_platform, "task_completed")[-1]
    assert completed["signature"]["field"] == "LanhDao"
    requested = _audit(own_platform, "remote_signing_requested")
    assert len(requested) == 2 and requested[-1]["account"] == "btl_director"
    _assert_signed_and_issuable(own_api, own_platform, case, _roots(own_platform))
    with own_platform.db.read() as session:
        everything = json.dumps([e.payload for e in session.scalars(select(AuditEntry))], default=str,
                                ensure_ascii=False)
    assert _audit(own_platform, "remote_provider_saved")[0]["secret_changed"] is True
    assert remote_services.SECRET not in everything and remote_services.PIN not in everything
    assert remote_services.SECRET not in caplog.text and remote_services.PIN not in caplog.text


def test_a_csc_authorization_waiting_for_the_phone_holds_no_request(
        own_api: Api, own_platform: Platform, remote: flow.Remote, services: remote_services.Services) -> None:
    """A CSC service with implicit authorization answers ``credentials/authorize`` only once the
    signer has approved on the phone: the leader's request comes back at once ("waiting") while
    the authorization is still held at the service, and the page's questions find it signed
    after the approval, or refused after a refusal."""
    services.csc_implicit = True
    provider = configure(own_platform, remote, services.url, "csc")
    case = to_director(own_api)
    task = only_task(case)
    body = {"data": {"decision": "sign"}, "provider": provider, "account": "btl_director"}
    for approve in (False, True):
        r = own_api.post("btl_director", f"/api/v1/tasks/{task['id']}/remote-signing", body)
        assert r.status_code == 201, r.get_json()
        answer = r.get_json()
        assert answer["state"] == "waiting", answer  # answered while the service waits for the phone
        assert services.csc_authorizing.wait(timeout=60)
        asked = own_api.post("btl_director", f"/api/v1/tasks/{task['id']}/remote-signing/{answer['id']}/check", {})
        assert asked.status_code == 200 and asked.get_json()["state"] == "waiting"
        services.csc_phone(approve)
        answer = settled(remote, own_platform, task, answer)
        if not approve:
            assert answer["state"] == "failed" and "Người ký từ chối" in answer["message"], answer
            assert _task_state(own_platform, task["id"]) == TaskStatus.OPEN
    assert answer["state"] == "completed", answer
    assert _task_state(own_platform, task["id"]) == TaskStatus.COMPLETED
    _assert_signed_and_issuable(own_api, own_platform, case, _roots(own_platform))


def _waiting(remote: flow.Remote, own_platform: Platform, own_api: Api,
             services: remote_services.Services, timeout: int = 120) -> tuple[dict[str, Any], dict[str, Any], str]:
    provider = configure(own_platform, remote, services.url, "approval", timeout)
    case = to_director(own_api)
    task = only_task(case)
    started = _sign(remote, own_platform, task, provider, pin=None)
    assert started["state"] == "waiting", started
    assert _check(remote, own_platform, task, started["id"])["state"] == "waiting"
    return case, task, started["id"]


def test_leader_approves_on_the_phone(own_api: Api, own_platform: Platform, remote: flow.Remote,
                                      services: remote_services.Services) -> None:
    case, task, request_id = _waiting(remote, own_platform, own_api, services)
    transaction = services.transactions[services.only_transaction()]
    assert "Kế hoạch" in transaction.label or transaction.label  # the phone shows what is signed
    # A second request for the same task while one waits is refused.
    with pytest.raises(Conflict):
        _sign(remote, own_platform, task, _provider_id(own_platform), pin=None)
    services.phone("approve", services.only_transaction())
    assert flow.sweep(remote, own_platform.clock.now()) == 1  # qlvb worker, with no page open
    assert _check(remote, own_platform, task, request_id)["state"] == "completed"
    _assert_signed_and_issuable(own_api, own_platform, case, _roots(own_platform))


def _provider_id(platform: Platform) -> int:
    with platform.db.read() as session:
        return int(session.scalars(select(RemoteRequest.provider_id)).first() or 0)


def test_rejected_on_the_phone_leaves_the_task_open(own_api: Api, own_platform: Platform, remote: flow.Remote,
                                                    services: remote_services.Services) -> None:
    case, task, request_id = _waiting(remote, own_platform, own_api, services)
    services.phone("reject", services.only_transaction())
    ended = _check(remote, own_platform, task, request_id)
    assert ended["state"] == "rejected" and "từ chối" in ended["message"]
    assert _task_state(own_platform, task["id"]) == TaskStatus.OPEN
    assert _case(own_api, case["id"], "btl_director")["document"]["signature_status"] == "none"
    assert _audit(own_platform, "remote_signing_ended")[-1]["state"] == "rejected"
    # The leader may try again.
    again = _sign(remote, own_platform, task, _provider_id(own_platform), pin=None)
    assert again["state"] == "waiting"


def test_not_approved_in_time(own_api: Api, own_platform: Platform, remote: flow.Remote,
                              services: remote_services.Services, clock: FakeClock) -> None:
    _, task, request_id = _waiting(remote, own_platform, own_api, services, timeout=60)
    clock.advance(timedelta(seconds=61))
    ended = _check(remote, own_platform, task, request_id)
    assert ended["state"] == "expired" and ended["message"] == flow.TIMED_OUT
    assert services.transactions[services.only_transaction()].status == "cancelled"
    services.transactions[services.only_transaction()].status = "approved"  # a late approval is not used
    assert _check(remote, own_platform, task, request_id)["state"] == "expired"
    assert _task_state(own_platform, task["id"]) == TaskStatus.OPEN


def test_cancelled_by_the_leader(own_api: Api, own_platform: Platform, remote: flow.Remote,
                                 services: remote_services.Services) -> None:
    _, task, request_id = _waiting(remote, own_platform, own_api, services)
    director = _user(own_platform, "btl_director").id
    deputy = _user(own_platform, "btl_deputy1").id
    with pytest.raises(Exception, match="Không tìm thấy"):  # nobody else's to cancel
        flow.cancel(remote, deputy, task["id"], request_id, own_platform.clock.now())
    assert flow.cancel(remote, director, task["id"], request_id, own_platform.clock.now())["state"] == "cancelled"
    assert services.transactions[services.only_transaction()].status == "cancelled"
    with pytest.raises(Conflict):
        flow.cancel(remote, director, task["id"], request_id, own_platform.clock.now())
    assert _task_state(own_platform, task["id"]) == TaskStatus.OPEN


def test_only_the_leaders_registered_certificate(own_api: Api, own_platform: Platform, remote: flow.Remote,
                                                 services: remote_services.Services) -> None:
    provider = configure(own_platform, remote, services.url, "approval")
    case = to_director(own_api)
    task = only_task(case)
    # The deputy's certificate, at the service under the account typed: refused before anything is sent.
    with pytest.raises(InvalidData, match="không phải của bạn|không được đăng ký|đăng ký"):
        _sign(remote, own_platform, task, provider, account="btl_deputy1", pin=None)
    assert services.transactions == {}
    # Signed with their own; the registration then taken from them: the issue gate refuses.
    started = _sign(remote, own_platform, task, provider, pin=None)
    services.phone("approve", services.only_transaction())
    assert _check(remote, own_platform, task, started["id"])["state"] == "completed"
    deputy = _user(own_platform, "btl_deputy1").id
    director = _user(own_platform, "btl_director").id
    with own_platform.db.write() as session:
        for row in session.scalars(select(UserCertificate).where(UserCertificate.user_id == director)):
            row.user_id = deputy
    r = own_api.complete("btl_clerk", only_task(_case(own_api, case["id"]))["id"], {"decision": "issue"})
    assert r.status_code == 422 and "không phải bản lãnh đạo đã ký số" in r.get_json()["error"]


def test_registration_lost_while_waiting(own_api: Api, own_platform: Platform, remote: flow.Remote,
                                         services: remote_services.Services) -> None:
    """Checked again when the signature arrives: the task is not completed with it."""
    _, task, request_id = _waiting(remote, own_platform, own_api, services)
    deputy, director = _user(own_platform, "btl_deputy1").id, _user(own_platform, "btl_director").id
    with own_platform.db.write() as session:
        for row in session.scalars(select(UserCertificate).where(UserCertificate.user_id == director)):
            row.user_id = deputy
    services.phone("approve", services.only_transaction())
    ended = _check(remote, own_platform, task, request_id)
    assert ended["state"] == "failed" and "Không hoàn thành được công việc" in ended["message"]
    assert _task_state(own_platform, task["id"]) == TaskStatus.OPEN


def test_services_administered_through_the_api_and_used_by_the_leader(
        own_api: Api, own_platform: Platform, remote: flow.Remote, services: remote_services.Services) -> None:
    path = "/api/v1/admin/remote-signing-providers"
    given = {"name": "MySign", "kind": "approval", "endpoint": services.url, "client_id": remote_services.CLIENT_ID,
             "secret": remote_services.SECRET, "timeout_seconds": 120, "enabled": True}
    for wrong, field in [({"endpoint": "http://ky-so.example.vn"}, "endpoint"), ({"kind": "sms"}, "kind"),
                         ({"secret": ""}, "secret"), ({"timeout_seconds": 5}, "timeout_seconds"),
                         ({"name": ""}, "name")]:
        r = own_api.post("btl_admin", path, {**given, **wrong})
        assert r.status_code == 422 and field in r.get_json()["fields"], (wrong, r.get_json())
    assert own_api.post("btl_director", path, given).status_code == 403  # not an administrator
    assert own_api.get("qn_admin", f"{path}?agency=btl").status_code == 403  # another agency's
    r = own_api.post("btl_admin", path, given)
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert created["has_secret"] is True and remote_services.SECRET not in r.get_data(as_text=True)
    secret_file = remote.keys.agency_file("btl", f".remote-{created['id']}.secret")
    assert secret_file.read_text(encoding="utf-8") == remote_services.SECRET
    assert secret_file.stat().st_mode & 0o077 == 0  # the server's user only, as key files
    r = own_api.post("btl_admin", f"{path}/{created['id']}", {**given, "secret": "", "timeout_seconds": 90})
    assert r.status_code == 200 and r.get_json()["timeout_seconds"] == 90
    assert secret_file.read_text(encoding="utf-8") == remote_services.SECRET  # a blank secret keeps it
    listed = own_api.get("btl_admin", path)
    assert [p["name"] for p in listed.get_json()["items"]] == ["MySign"]
    assert remote_services.SECRET not in listed.get_data(as_text=True)
    assert [e["secret_changed"] for e in _audit(own_platform, "remote_provider_saved")] == [True, False]

    task = only_task(to_director(own_api))
    base = f"/api/v1/tasks/{task['id']}/remote-signing"
    assert [p["name"] for p in own_api.get("btl_director", base).get_json()["providers"]] == ["MySign"]
    r = own_api.post("btl_director", base, {"data": {"decision": "sign"}, "provider": created["id"]})
    assert r.status_code == 422 and "remote_account" in r.get_json()["fields"]
    r = own_api.post("btl_head_khnv", base, {"data": {"decision": "sign"}, "provider": created["id"],
                                             "account": "btl_director"})
    assert r.status_code == 403  # not their task
    r = own_api.post("btl_director", base, {"data": {"decision": "sign"}, "provider": created["id"],
                                            "account": "btl_director"})
    assert r.status_code == 201 and r.get_json()["state"] == "waiting", r.get_json()
    check = f"{base}/{r.get_json()['id']}/check"
    assert own_api.post("btl_director", check, {}).get_json()["state"] == "waiting"
    assert own_api.post("btl_head_khnv", check, {}).status_code == 404
    services.phone("approve", services.only_transaction())
    assert own_api.post("btl_director", check, {}).get_json()["state"] == "completed"
    assert own_api.get("btl_director", base).status_code == 409  # signed: nothing more to offer
    with own_platform.db.read() as session:
        assert flow.latest_account(session, _user(own_platform, "btl_director").id) == "btl_director"


def test_the_service_calls_back(own_api: Api, own_platform: Platform, remote: flow.Remote,
                                services: remote_services.Services) -> None:
    """Instead of being asked, the service posts the outcome, signed with the agency's secret."""
    case, task, request_id = _waiting(remote, own_platform, own_api, services)
    tid = services.only_transaction()
    found = services.transactions[tid]
    value = remote_services.sign_digest(services.accounts[found.account], found.digest, found.sign_algo, found.params)
    body = json.dumps({"transaction_id": tid, "status": "approved",
                       "signature": base64.b64encode(value).decode()}).encode()
    path = f"/api/v1/remote-signing/callback/{_provider_id(own_platform)}"

    def post(mac: str) -> Any:
        return own_api.client.post(path, data=body, headers={"X-Signature": mac, "Content-Type": "application/json"})

    forged = post(approval.callback_mac("another secret", body))
    assert forged.status_code == 403 and "X-Signature" in forged.get_json()["error"]
    assert _task_state(own_platform, task["id"]) == TaskStatus.OPEN
    for _ in range(2):  # a repeated call changes nothing
        assert post(approval.callback_mac(remote_services.SECRET, body)).status_code == 200
    director = _user(own_platform, "btl_director").id
    assert flow.status(remote, director, task["id"], request_id)["state"] == "completed"
    _assert_signed_and_issuable(own_api, own_platform, case, _roots(own_platform))
