"""The exchange joins the engine's steps through engine.hooks, the engine importing nothing of
it (setup.cfg, contract engine-without-exchange). Every process that runs the engine installs
the hooks as it starts; checked here in processes started afresh: the web app (create_app, and
a document issued through `qlvb serve` queues its package), the commands (`qlvb process deploy`
refuses a bad edxmlStatus, the exchange's check), and `qlvb worker` (a timer it fires reaches a
milestone, whose status is queued and audited)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from engine import hooks
from engine.core.platform import Platform
from engine.models import Agency, AuditEntry, Case, OutboxItem, Partner, Received
from exchange import hooks as exchange_hooks
from tests.conftest import ROOT, Api
from tests.exchange_support import VANNINH, agency_certificate
from tests.flows import DRAFT, complete, only_task, start
from tests.installations import Installation, directory_entry, issue

PROCESS = ROOT / "processes/bac_tu_liem/btl_outgoing.bpmn"
OVERDUE = '<bpmn:scriptTask id="mark_overdue" name="Ghi nhận quá hạn">\n'


def test_install_fills_every_hook() -> None:
    try:
        for hook in hooks.HOOKS:
            hook.clear()
        hooks.TASK_PROPERTIES.clear()
        assert hooks.filled() == []
        assert hooks.recipient_statuses.filled is False
        exchange_hooks.install()
        exchange_hooks.install()  # twice is harmless
        assert hooks.filled() == [hook.name for hook in hooks.HOOKS] + ["property:edxmlStatus"]
    finally:
        exchange_hooks.install()


def test_a_fresh_web_app_installs_them(tmp_path: Path) -> None:
    script = ("import json, sys; from pathlib import Path; from engine import hooks; before = hooks.filled(); "
              "from webui import create_app; from engine.core.config import Settings; "
              "from engine.core.platform import Platform; "
              "create_app(Platform.from_settings(Settings(database_url='sqlite://', data_dir=Path(sys.argv[1])))); "
              "print(json.dumps([before, hooks.filled()]))")
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    before, after = json.loads(result.stdout.splitlines()[-1])
    assert before == [] and after == [hook.name for hook in hooks.HOOKS] + ["property:edxmlStatus"]


def _env(platform: Platform) -> dict[str, str]:
    return {**os.environ, "QLVB_DATABASE_URL": platform.settings.database_url,
            "QLVB_DATA_DIR": str(platform.settings.data_dir)}


def _variant(tmp_path: Path, status: str) -> Path:
    """btl_outgoing whose overdue mark (the head's deadline passed) is a milestone sending ``status``."""
    text = PROCESS.read_text(encoding="utf-8")
    assert OVERDUE in text
    path = tmp_path / status.replace(":", "-") / "btl_outgoing.bpmn"
    path.parent.mkdir()
    path.write_text(text.replace(OVERDUE, OVERDUE + '      <bpmn:extensionElements><spiffworkflow:properties>'
                                 f'<spiffworkflow:property name="edxmlStatus" value="{status}"/>'
                                 '</spiffworkflow:properties></bpmn:extensionElements>\n'), encoding="utf-8")
    return path


def _deploy(platform: Platform, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qlvb", "process", "deploy", str(path)], cwd=ROOT,
                          env=_env(platform), capture_output=True, text=True, timeout=300)


def test_a_fresh_worker_fires_them_and_a_fresh_command_checks_with_them(api: Api, platform: Platform,
                                                                         demo_pki: Path, tmp_path: Path) -> None:
    refused = _deploy(platform, _variant(tmp_path, "complete:02"))
    assert refused.returncode == 1 and "mark_overdue" in refused.stderr and "edxmlStatus" in refused.stderr, \
        refused.stderr
    deployed = _deploy(platform, _variant(tmp_path, "complete:05"))
    assert deployed.returncode == 0, deployed.stderr
    drafted = start(api, "btl_spec_khnv")
    # At the head's review: its deadline is two days after the test clock's start, long past in real time.
    drafted = complete(api, "btl_spec_khnv", only_task(drafted), DRAFT)
    with platform.db.write() as session:
        case = session.get(Case, drafted["id"])
        assert case is not None and case.document_id is not None
        btl = session.scalars(select(Agency).where(Agency.code == "btl")).one()
        partner = Partner(agency_id=btl.id, organ_id=VANNINH, name="UBND huyện Vạn Ninh", transport="http",
                          endpoint="http://127.0.0.1:9/", certificate_pem=agency_certificate(demo_pki, "vanninh"),
                          credentials_ref="env:QLVB_TEST_UNUSED", active=True, updated_at=platform.clock.now())
        session.add(partner)
        session.flush()
        # The case's document stands for one received in a package and registered: its sender hears of it.
        session.add(Received(agency_id=btl.id, partner_id=partner.id, edxml_document_id=f"{VANNINH},2026/03/01,7/UBND",
                             business_type=0, package_sha256="0" * 64, document_id=case.document_id,
                             state="registered", last_status="03", received_at=platform.clock.now()))
        document_id = case.document_id
    result = subprocess.run([sys.executable, "-m", "qlvb", "worker", "--once", "--no-backup"], cwd=ROOT,
                            env=_env(platform), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with platform.db.read() as session:
        queued = session.scalars(select(OutboxItem).where(OutboxItem.kind == "status")).all()
        assert [(i.status_code, i.edxml_document_id, i.document_id) for i in queued] == [
            ("05", f"{VANNINH},2026/03/01,7/UBND", document_id)]
        audited = [json.loads(e.payload) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "exchange_status_queued"))]
        assert [(a["document"], a["organ_id"], a["code"]) for a in audited] == [(document_id, VANNINH, "05")]


def test_a_fresh_serve_queues_the_package_of_an_issued_document(platform: Platform, demo_pki: Path,
                                                                tmp_path: Path) -> None:
    a = Installation("a", platform, demo_pki, tmp_path)
    directory_entry(platform, "btl", VANNINH, "UBND huyện Vạn Ninh", "http://127.0.0.1:9/api/v1/exchange/edxml",
                    agency_certificate(demo_pki, "vanninh"))
    a.server.start()
    try:
        sent = issue(a, "Kế hoạch kiểm tra an toàn thực phẩm năm 2026")
    finally:
        a.stop()
    with platform.db.read() as session:
        items = session.scalars(select(OutboxItem).where(OutboxItem.document_id == sent["id"])).all()
        assert [(i.kind, i.state) for i in items] == [("edoc", "pending")]
        queued = session.scalars(select(AuditEntry).where(AuditEntry.action == "exchange_queued")).all()
        assert [json.loads(e.payload)["document"] for e in queued] == [sent["id"]]
