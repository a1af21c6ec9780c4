"""Process definitions: validation messages, refusals of hostile files, versioned deploys."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from engine.core.platform import Platform
from engine.models import ProcessVersion
from qlvb.cli import main
from tests.conftest import ROOT, Api
from tests.flows import DRAFT, complete, only_task, start

TINY = (Path(__file__).parent / "data" / "tiny.bpmn").read_text(encoding="utf-8")
DEFAULTS = {"LANE": "initiator", "SCRIPT": "total = 1 + 2", "CONDITION": "total == 3", "TASKNAME": "Làm việc",
            "FORM": "btl_outgoing/draft.schema.json"}


def tiny(**changes: str) -> str:
    text = TINY
    for key, value in {**DEFAULTS, **changes}.items():
        text = text.replace(key, value)
    return text


def _cli(platform: Platform | None, *args: str) -> Result:
    env = {"QLVB_DATA_DIR": "/tmp/qlvb-unused"}
    if platform is not None:
        env = {"QLVB_DATABASE_URL": platform.settings.database_url, "QLVB_DATA_DIR": str(platform.settings.data_dir)}
    return CliRunner().invoke(main, list(args), env=env)


def _versions(platform: Platform) -> int:
    with platform.db.read() as s:
        return s.scalar(select(func.count()).select_from(ProcessVersion)) or 0


def test_the_shipped_processes_validate() -> None:
    files = sorted(str(p) for p in (ROOT / "processes").glob("*/*.bpmn"))
    result = _cli(None, "process", "validate", *files)
    assert result.exit_code == 0, result.output
    assert "hợp lệ (btl_outgoing)" in result.output


def test_a_valid_tiny_process_validates(tmp_path: Path) -> None:
    path = tmp_path / "tiny.bpmn"
    path.write_text(tiny(), encoding="utf-8")
    result = _cli(None, "process", "validate", str(path))
    assert result.exit_code == 0, result.output


ESCAPES = {
    "subclasses": "x = ().__class__.__base__.__subclasses__()",
    "import": "import os",
    "from_import": "from subprocess import Popen",
    "open_file": "x = open('/etc/passwd').read()",
    "format_attribute": "x = '{0.__class__}'.format(1)",
    "generator_frame": "x = (i for i in []).gi_frame",
    "lambda": "f = lambda: 1",
    "eval": "x = eval('1')",
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_script_escapes_are_refused_with_the_element_id(tmp_path: Path, name: str) -> None:
    path = tmp_path / "escape.bpmn"
    path.write_text(tiny(SCRIPT=ESCAPES[name]), encoding="utf-8")
    result = _cli(None, "process", "validate", str(path))
    assert result.exit_code == 1
    assert "calc: " in result.output, result.output


def test_an_unsafe_condition_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cond.bpmn"
    path.write_text(tiny(CONDITION="total.__class__ is int"), encoding="utf-8")
    result = _cli(None, "process", "validate", str(path))
    assert result.exit_code == 1
    assert "f3: " in result.output and "__class__" in result.output


XXE = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
""" + tiny(TASKNAME="&xxe;").split("?>", 1)[1]

LAUGHS = '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n' + "".join(
    f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
) + "]>\n" + tiny(TASKNAME="&lol9;").split("?>", 1)[1]


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("xxe", XXE, "DOCTYPE"),
    ("billion_laughs", LAUGHS, "DOCTYPE"),
    ("not_xml", "<bpmn:definitions", "XML không hợp lệ"),
    ("bad_lane", tiny(LANE="boss(of everyone)"), "Lane_a"),
    ("missing_form", tiny(FORM="nope/none.json"), "work: không tìm thấy biểu mẫu"),
    ("not_executable", tiny().replace('isExecutable="true"', 'isExecutable="false"'), "tiny: quy trình phải có"),
    ("not_bpmn", tiny().replace("bpmn:userTask", "bpmn:humanTask"), "không đúng lược đồ BPMN"),
])
def test_hostile_or_broken_files_are_refused_and_nothing_is_deployed(
    platform: Platform, tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / f"{name}.bpmn"
    path.write_text(content, encoding="utf-8")
    before = _versions(platform)
    result = _cli(platform, "process", "deploy", str(path))
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert "Không triển khai" in result.output
    assert "root:" not in result.output  # nothing of /etc/passwd leaked into a message
    assert _versions(platform) == before


def test_a_20_mb_file_is_refused_before_parsing(platform: Platform, tmp_path: Path) -> None:
    path = tmp_path / "huge.bpmn"
    body = tiny()
    padding = "<!--" + "x" * (20 * 1024 * 1024) + "-->"
    path.write_text(body.replace("</bpmn:definitions>", padding + "</bpmn:definitions>"), encoding="utf-8")
    before = _versions(platform)
    result = _cli(platform, "process", "deploy", str(path))
    assert result.exit_code == 1
    assert "tệp quá lớn (20.0 MB, tối đa 2 MB)" in result.output
    assert _versions(platform) == before


def test_deploy_makes_a_version_only_when_content_changes_and_cases_keep_theirs(
    api: Api, platform: Platform, tmp_path: Path
) -> None:
    source = (ROOT / "processes" / "bac_tu_liem" / "btl_outgoing.bpmn").read_text(encoding="utf-8")
    old_case = start(api)
    same = tmp_path / "same.bpmn"
    same.write_text(source, encoding="utf-8")
    result = _cli(platform, "process", "deploy", str(same))
    assert result.exit_code == 0 and "btl_outgoing v1 (không đổi)" in result.output, result.output

    changed = tmp_path / "changed.bpmn"
    changed.write_text(source.replace('name="Lãnh đạo phòng duyệt"', 'name="Trưởng phòng thẩm định"'),
                       encoding="utf-8")
    result = _cli(platform, "process", "deploy", str(changed))
    assert result.exit_code == 0 and "btl_outgoing v2 (phiên bản mới)" in result.output, result.output

    new_case = start(api)
    assert (old_case["version"], new_case["version"]) == (1, 2)
    old = complete(api, "btl_spec_khnv", only_task(old_case), DRAFT)
    new = complete(api, "btl_spec_khnv", only_task(new_case), DRAFT)
    assert only_task(old)["title"] == "Lãnh đạo phòng duyệt"
    assert only_task(new)["title"] == "Trưởng phòng thẩm định"
    listed = _cli(platform, "process", "list")
    assert "btl_outgoing\tv2\tbtl" in listed.output
    # Starting the platform again deploys the shipped files only if they never were: v2 stays.
    result = _cli(platform, "seed-demo")
    assert result.exit_code == 0 and "btl_outgoing v2 (không đổi)" in result.output, result.output
    assert start(api)["version"] == 2
    # Deploying the file by name is a decision to make it current again.
    result = _cli(platform, "process", "deploy", str(same))
    assert result.exit_code == 0 and "btl_outgoing v3 (phiên bản mới)" in result.output, result.output
