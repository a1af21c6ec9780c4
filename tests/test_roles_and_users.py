"""Lane expressions and the people they resolve to; `qlvb users list --format json`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.core.errors import Forbidden
from engine.core.platform import Platform
from engine.models import Unit, User
from engine.org import permissions
from engine.workflow import roles
from qlvb.cli import main
from tests.conftest import Api
from tests.flows import start


@pytest.mark.parametrize("expression", ["boss", "head(everyone)", "", "head(initiator", "user(initiator)"])
def test_bad_expressions_are_refused(expression: str) -> None:
    with pytest.raises(roles.RoleSyntaxError):
        roles.parse(expression)


def test_expressions_resolve_per_case(platform: Platform) -> None:
    with platform.db.read() as s:
        ids = {name: uid for name, uid in s.execute(select(User.username, User.id))}
        units = {code: (uid, agency) for code, uid, agency in s.execute(select(Unit.code, Unit.id, Unit.agency_id))}
        unit, agency = units["KHNV"]
        ctx = roles.CaseContext(agency, ids["btl_spec_khnv"], unit, {"unit": "KSDB", "signer": "btl_deputy1"})

        def names(expr: str) -> list[str]:
            by_id = {v: k for k, v in ids.items()}
            return sorted(by_id[i] for i in roles.resolve(s, expr, ctx))

        assert names("initiator") == ["btl_spec_khnv"]
        assert names("head(initiator)") == ["btl_head_khnv"]
        assert names("in_charge(initiator)") == ["btl_deputy2"]
        assert names("in_charge(data.unit)") == ["btl_deputy1"]
        assert names("head(data.unit) | clerk") == ["btl_clerk", "btl_head_ksdb"]
        assert names("director") == ["btl_director"]
        assert names("user(data.signer)") == ["btl_deputy1"]
        assert names("deputy_head(initiator)") == []


def test_users_list_json(platform: Platform) -> None:
    env = {"QLVB_DATABASE_URL": platform.settings.database_url, "QLVB_DATA_DIR": str(platform.settings.data_dir)}
    result = CliRunner().invoke(main, ["users", "list", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    users = {u["username"]: u for u in json.loads(result.output)}
    assert users["btl_head_khnv"] == {"username": "btl_head_khnv", "full_name": "Hoàng Văn Bình", "agency": "btl",
                                      "unit": "KHNV", "positions": ["head"]}
    assert users["btl_office_chief"]["positions"] == ["office_chief", "head"]
    assert len([u for u in users.values() if u["agency"] == "btl"]) == 14


def test_designers_deploy_only_their_agencys_processes_and_auditors_see_only_its_cases(
    platform: Platform, api: Api
) -> None:
    with platform.db.read() as s:
        designer = s.scalars(select(User).where(User.username == "btl_designer")).one()
        permissions.ensure_can_design(s, designer, "btl")
        for other in ("quangngai", "btl,quangngai", None):
            with pytest.raises(Forbidden):
                permissions.ensure_can_design(s, designer, other)
        for staff in ("btl_admin", "btl_director"):
            with pytest.raises(Forbidden):
                permissions.ensure_can_design(s, s.scalars(select(User).where(User.username == staff)).one(), "btl")

    case = start(api)
    assert api.get("btl_auditor", f"/api/v1/cases/{case['id']}").status_code == 200
    assert api.get("qn_auditor", f"/api/v1/cases/{case['id']}").status_code == 403
    assert api.get("btl_designer", f"/api/v1/cases/{case['id']}").status_code == 403
