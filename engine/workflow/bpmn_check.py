"""Checking a BPMN file before anything of it is stored: a BPMN file is untrusted input. It is
size-checked before parsing, parsed without DTDs, entities or network access, checked against
the BPMN XSD, and every lane, form, script, condition and timer in it is checked
(engine.workflow.definitions deploys what passes)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine import hooks
from engine.workflow import deadlines, field_types, flow_check, roles, sandbox
from engine.workflow.actions import ACTIONS, OUTPUTS
from engine.workflow.field_types import kinds

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
FORM_PROPERTY = "formJsonSchemaFilename"
ACTION_PROPERTY = "action"
# A task's kind, returned with it so the UI can set it apart: "comment" is a góp ý
# (comment request), shown in green as the Quảng Ngãi regulation asks.
TASK_KIND_PROPERTY = "taskKind"
TASK_KINDS = frozenset({"comment"})


@dataclass(frozen=True)
class Problem:
    element: str | None  # the BPMN element id; None for a problem of the whole file
    message: str

    def __str__(self) -> str:
        return self.message if self.element is None else f"{self.element}: {self.message}"


@dataclass(frozen=True)
class ProcessEntry:
    id: str
    name: str
    agency_code: str | None  # property "agency": whose staff may start it
    document_kind: str | None  # property "document": outgoing, incoming or copy: the document it handles


@dataclass
class Definition:
    """A checked BPMN file, ready to deploy: its executable processes and the forms they use."""

    path: str
    content: bytes
    processes: list[ProcessEntry] = field(default_factory=list)
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # UI descriptions a designer wrote for some forms, deployed with them (the rest are forms/'s);
    # a file deployed as it is has none, and its hash stays what it was before they were kept.
    ui: dict[str, dict[str, Any]] = field(default_factory=dict)

    def content_hash(self) -> str:
        digest = hashlib.sha256(self.content)
        digest.update(json.dumps(self.forms, sort_keys=True, ensure_ascii=False).encode())
        if self.ui:
            digest.update(json.dumps(self.ui, sort_keys=True, ensure_ascii=False).encode())
        return digest.hexdigest()


class DefinitionRejected(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# BPMN needs no DTD; a DOCTYPE is how external entities and entity bombs get in, so it is
# refused before lxml sees it (and again after parsing, for encodings this does not read).
_DOCTYPE = re.compile(rb"\s*(<\?xml[^>]*\?>)?(\s*(<!--.*?-->|<\?.*?\?>))*\s*<!DOCTYPE", re.S)
_NO_DOCTYPE = "tệp có khai báo DOCTYPE/ENTITY (thực thể ngoài, bom thực thể), không được phép trong BPMN"


def safe_xml(content: bytes, name: str, max_bytes: int, size: int | None = None) -> etree._Element:
    size = len(content) if size is None else size
    if size > max_bytes:
        raise DefinitionRejected(
            [Problem(None, f"tệp quá lớn ({size / 1048576:.1f} MB, tối đa {max_bytes / 1048576:.0f} MB)")]
        )
    if _DOCTYPE.match(content):
        raise DefinitionRejected([Problem(None, _NO_DOCTYPE)])
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as err:
        raise DefinitionRejected([Problem(None, f"XML không hợp lệ: {err.msg}")]) from None
    if root.getroottree().docinfo.doctype or root.getroottree().docinfo.internalDTD is not None:
        raise DefinitionRejected([Problem(None, _NO_DOCTYPE)])
    return root


def unreadable(content: bytes, max_bytes: int) -> list[Problem]:
    """Why the content cannot be read as XML at all (too large, DOCTYPE, malformed); empty if it can."""
    try:
        safe_xml(content, "", max_bytes)
    except DefinitionRejected as rejected:
        return rejected.problems
    return []


def _owner_id(node: etree._Element) -> str:
    while node is not None:
        if node.get("id"):
            return str(node.get("id"))
        node = node.getparent()
    return "?"


def _property(node: etree._Element, name: str) -> str | None:
    values = node.xpath(
        "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property[@name=$n]/@value",
        namespaces=NS,
        n=name,
    )
    return str(values[0]) if values else None


# BPMN elements a diagram of this platform cannot run, and why: listed on each element, so a model
# drawn in another tool (the bpmn-miwg reference models) says what must change before it runs.
UNSUPPORTED = {
    "serviceTask": "nền tảng không gọi dịch vụ ngoài từ sơ đồ; dùng công việc người dùng với thuộc tính action",
    "businessRuleTask": "nền tảng không chạy bảng quyết định DMN; dùng cổng rẽ nhánh có điều kiện",
    "complexGateway": "SpiffWorkflow không chạy cổng phức hợp; dùng cổng rẽ nhánh hoặc cổng bao hàm",
    "adHocSubProcess": "SpiffWorkflow không chạy quy trình con tùy biến (ad hoc)",
    "dataStoreReference": "nền tảng không có kho dữ liệu ngoài; dữ liệu của hồ sơ nằm trong biểu mẫu",
    "choreography": "sơ đồ vũ đạo (choreography) chỉ để mô tả, không chạy được",
    "conversation": "sơ đồ hội thoại (conversation) chỉ để mô tả, không chạy được",
}


def unsupported(root: etree._Element) -> list[Problem]:
    """Each element of a kind in UNSUPPORTED, named with its kind and why."""
    found = []
    for node in root.iter(*(f"{{{NS['bpmn']}}}{kind}" for kind in UNSUPPORTED)):
        kind = etree.QName(node).localname
        label = node.get("name") or node.get("id") or kind
        found.append(Problem(node.get("id"), f"'{label}' ({kind}) không được hỗ trợ: {UNSUPPORTED[kind]}"))
    return found


def _check_code(root: etree._Element) -> list[Problem]:
    found = []
    for xpath, mode in (
        (".//bpmn:script", "exec"),
        (".//spiffworkflow:preScript", "exec"),
        (".//spiffworkflow:postScript", "exec"),
        (".//bpmn:conditionExpression", "eval"),
        (".//bpmn:completionCondition", "eval"),
        (".//bpmn:timeDuration", "eval"),
        (".//bpmn:timeDate", "eval"),
        (".//bpmn:timeCycle", "eval"),
        (".//spiffworkflow:messagePayload", "eval"),
    ):
        for node in root.xpath(xpath, namespaces=NS):
            text = (node.text or "").strip()
            if not text and mode == "eval":
                found.append(Problem(_owner_id(node), "biểu thức trống"))
                continue
            found.extend(Problem(_owner_id(node), msg) for msg in sandbox.problems(text, mode))
    return found


def form_problem(ref: str, schema: Any) -> str | None:
    """Why a form is not a usable JSON Schema, or None."""
    if not isinstance(schema, dict):
        return f"biểu mẫu '{ref}' phải là một đối tượng JSON"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        return f"biểu mẫu '{ref}' không phải JSON Schema hợp lệ: {err.message}"
    return None


def _load_form(forms_dir: Path, given: Mapping[str, Any], ref: str) -> tuple[dict[str, Any] | None, str | None]:
    """A form the caller gave (a designer's edited forms) or else the one in forms/."""
    if ref in given:
        schema = given[ref]
    else:
        path = (forms_dir / ref).resolve()
        if forms_dir.resolve() not in path.parents or not path.is_file():
            return None, f"không tìm thấy biểu mẫu '{ref}' trong forms/"
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            return None, f"biểu mẫu '{ref}' không phải JSON hợp lệ: {err}"
    error = form_problem(ref, schema)
    return (None, error) if error else (schema, None)


def _check_tasks(root: etree._Element, forms_dir: Path, given: Mapping[str, Any], definition: Definition) -> None:
    lane_of: dict[str, str] = {}
    for lane in root.xpath(".//bpmn:lane", namespaces=NS):
        name = lane.get("name") or ""
        try:
            roles.parse(name)
        except roles.RoleSyntaxError as err:
            definition.problems.append(Problem(lane.get("id", "?"), f"tên lane '{name}' không hợp lệ: {err}"))
        for ref in lane.xpath("bpmn:flowNodeRef/text()", namespaces=NS):
            lane_of[str(ref).strip()] = name
    for task in root.xpath(".//bpmn:userTask | .//bpmn:manualTask", namespaces=NS):
        if task.get("id") not in lane_of:
            definition.problems.append(Problem(task.get("id"), "công việc của người dùng phải nằm trong một lane"))
        if _property(task, FORM_PROPERTY) is None:
            definition.problems.append(Problem(task.get("id"), f"thiếu thuộc tính '{FORM_PROPERTY}' (biểu mẫu)"))
    for node in root.xpath(".//*[bpmn:extensionElements]", namespaces=NS):
        ref = _property(node, FORM_PROPERTY)
        if ref is not None and ref not in definition.forms:
            schema, error = _load_form(forms_dir, given, ref)
            if error:
                definition.problems.append(Problem(node.get("id", "?"), error))
            else:
                definition.forms[ref] = schema  # type: ignore[assignment]
    for node in root.xpath(".//*[bpmn:extensionElements]", namespaces=NS):
        action = _property(node, ACTION_PROPERTY)
        if action is not None and action not in ACTIONS:
            definition.problems.append(Problem(node.get("id", "?"), f"không có thao tác '{action}'"))
        kind = _property(node, TASK_KIND_PROPERTY)
        if kind is not None and kind not in TASK_KINDS:
            definition.problems.append(Problem(node.get("id", "?"), f"loại công việc '{kind}' không hợp lệ "
                                                                     f"(có: {', '.join(sorted(TASK_KINDS))})"))
        due = _property(node, deadlines.DUE_PROPERTY)
        if due is not None and not _valid_due(due):
            definition.problems.append(Problem(node.get("id", "?"), f"hạn mặc định '{due}' không hợp lệ "
                                                                     "(khoảng thời gian ISO 8601, ví dụ P2D)"))
        for name, check in hooks.TASK_PROPERTIES.items():  # those of the packages beside the engine
            value = _property(node, name)
            if value is not None:
                try:
                    check(value)
                except ValueError as err:
                    definition.problems.append(Problem(node.get("id", "?"), str(err)))


def _valid_due(value: str) -> bool:
    try:
        deadlines.step_default(value)
    except Exception:  # noqa: BLE001 - SpiffWorkflow's parser raises several kinds for a bad duration
        return False
    return True


def check(content: bytes, name: str, forms_dir: Path, max_bytes: int, size: int | None = None,
          forms: Mapping[str, Any] | None = None) -> Definition:
    """Everything wrong with a BPMN file; ``problems`` is empty when it can be deployed.
    A task's form is taken from ``forms`` (form name -> JSON Schema) when it is there,
    from ``forms_dir`` otherwise."""
    definition = Definition(path=name, content=content)
    try:
        root = safe_xml(content, name, max_bytes, size)
    except DefinitionRejected as rejected:
        definition.problems = rejected.problems
        return definition
    try:
        VALIDATOR.validate(root, name)
    except ValidationException as err:
        definition.problems.append(Problem(None, f"không đúng lược đồ BPMN (dòng {err.line_number}): {err}"))
        return definition
    for process in root.xpath("bpmn:process", namespaces=NS):
        if process.get("isExecutable") == "true":
            kind = _property(process, "document")
            if kind not in (None, "outgoing", "incoming", "copy"):
                definition.problems.append(Problem(process.get("id"), f"thuộc tính document '{kind}' không hợp lệ"))
            definition.processes.append(ProcessEntry(
                process.get("id"), process.get("name") or process.get("id"), _property(process, "agency"), kind
            ))
        else:
            definition.problems.append(Problem(process.get("id"), "quy trình phải có isExecutable=\"true\""))
    if not root.xpath("bpmn:process", namespaces=NS):
        definition.problems.append(Problem(None, "tệp không có quy trình nào"))
    definition.problems.extend(unsupported(root))
    definition.problems.extend(_check_code(root))
    _check_tasks(root, forms_dir, forms or {}, definition)
    if not definition.problems:
        definition.problems.extend(Problem(element, message) for element, message in flow_check.problems(
            root, lambda node: flow_check.form_fields(definition.forms.get(_property(node, FORM_PROPERTY) or "")),
            OUTPUTS))
        # The platform's names are strings (a username, a unit code); what an action writes varies.
        known = {**{name: kinds.plain(kinds.TEXT) for name in flow_check.CASE_NAMES}, **dict.fromkeys(OUTPUTS)}
        definition.problems.extend(Problem(element, message) for element, message in field_types.problems(
            root, lambda node: definition.forms.get(_property(node, FORM_PROPERTY) or ""), known))
    if not definition.problems:
        try:
            parser = parser_for(root, name)
            for entry in definition.processes:
                parser.get_subprocess_specs(entry.id)
                parser.get_spec(entry.id)
        except ValidationException as err:
            definition.problems.append(Problem(err.id or None, str(err).splitlines()[0]))
        except (TypeError, KeyError, AttributeError) as err:
            # SpiffWorkflow raises these for a missing message/signal reference (ENGINE.md).
            definition.problems.append(Problem(None, f"tham chiếu không tồn tại trong sơ đồ: {err}"))
    return definition


class _Parser(SpiffBpmnParser):
    """SpiffWorkflow gives every task inside an embedded sub-process the sub-process's own
    lane; here each task keeps the lane it is drawn in, so a per-unit sub-process can pass
    from the unit head's lane to the handler's, as the procedures need."""

    def create_parser(self, node: etree._Element, filename: str | None = None, lane: str | None = None) -> Any:
        return super().create_parser(node, filename, None)


def parser_for(root: etree._Element, name: str) -> SpiffBpmnParser:
    parser = _Parser()
    parser.add_bpmn_xml(etree.ElementTree(root), name)
    return parser



def check_files(paths: Iterable[Path], forms_dir: Path, max_bytes: int) -> list[Definition]:
    definitions = []
    for path in paths:
        # Read at most one byte past the limit, so a huge file never sits in memory.
        with path.open("rb") as handle:
            content = handle.read(max_bytes + 1)
        definitions.append(check(content, str(path), forms_dir, max_bytes, size=path.stat().st_size))
    return definitions
