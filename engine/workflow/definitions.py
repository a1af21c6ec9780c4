"""Process definitions: versioned deployment of checked files (engine.workflow.bpmn_check) and
the spec cache: each deployed version parsed once per process."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, defer

from engine.core.errors import NotFound
from engine.models import ProcessVersion
from engine.workflow.bpmn_check import FORM_PROPERTY, Definition, DefinitionRejected, parser_for, safe_xml


def deploy(session: Session, definition: Definition, at: datetime, by: int | None,
           once: bool = False) -> list[tuple[ProcessVersion, bool]]:
    """Store a new version of each process in the file, unless its content is unchanged.
    With ``once``, unless this content was ever deployed: the files shipped in processes/,
    deployed at every start, must not undo a version a designer deployed after them.

    Returns each process's current version and whether it was created now.
    """
    if definition.problems:
        raise DefinitionRejected(definition.problems)
    digest = definition.content_hash()
    result = []
    for entry in definition.processes:
        latest = session.scalars(
            select(ProcessVersion).where(ProcessVersion.process_id == entry.id)
            .order_by(ProcessVersion.version.desc()).limit(1)
        ).first()
        if latest is not None and (latest.content_hash == digest or once and session.scalar(
                select(ProcessVersion.id).where(ProcessVersion.process_id == entry.id,
                                                ProcessVersion.content_hash == digest).limit(1)) is not None):
            result.append((latest, False))
            continue
        version = ProcessVersion(
            process_id=entry.id, version=(latest.version + 1) if latest else 1, name=entry.name,
            agency_code=entry.agency_code, document_kind=entry.document_kind,
            content_hash=digest, bpmn_xml=definition.content.decode("utf-8"),
            forms_json=json.dumps(definition.forms, ensure_ascii=False, sort_keys=True),
            ui_json=json.dumps(definition.ui, ensure_ascii=False, sort_keys=True),
            deployed_at=at, deployed_by=by,
        )
        session.add(version)
        session.flush()
        result.append((version, True))
    return result


# Starting a case reads its version's diagram and forms through version_info (parsed once per
# process), so it leaves them in the database (loaded on access, should anything ask).
_LATEST_OF = (select(ProcessVersion).where(ProcessVersion.process_id == bindparam("process_id"))
              .order_by(ProcessVersion.version.desc()).limit(1)
              .options(defer(ProcessVersion.bpmn_xml), defer(ProcessVersion.forms_json), defer(ProcessVersion.ui_json)))


def latest_versions(session: Session) -> list[ProcessVersion]:
    newest = (
        select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("v"))
        .group_by(ProcessVersion.process_id).subquery()
    )
    return list(session.scalars(
        select(ProcessVersion).join(
            newest, (ProcessVersion.process_id == newest.c.process_id) & (ProcessVersion.version == newest.c.v)
        ).order_by(ProcessVersion.process_id)
    ))


def latest_version(session: Session, process_id: str) -> ProcessVersion | None:
    """The newest version of one process (starting a case: not every process's)."""
    return session.scalars(_LATEST_OF, {"process_id": process_id}).first()


@dataclass(frozen=True)
class VersionInfo:
    """What the engine needs of a deployed version; versions never change, so it is cached."""

    id: int
    process_id: str
    version: int
    name: str
    agency_code: str | None
    document_kind: str | None  # "outgoing" or "incoming": the process handles one such document
    forms: dict[str, dict[str, Any]]
    ui: dict[str, dict[str, Any]]  # the UI descriptions deployed with the version (forms/ has the rest)
    start_messages: frozenset[str]  # messages whose arrival starts a case (liên thông)
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    task_properties: dict[str, dict[str, str]]  # task id -> its extension properties


# Keyed by the database as well as the row: ids are per database, and one process may serve
# several (the tests' databases, each with its own version 2).
_versions: dict[tuple[str, int], VersionInfo] = {}


def _start_messages(spec: BpmnProcessSpec) -> frozenset[str]:
    return frozenset(
        t.event_definition.name for t in spec.task_specs.values()
        if isinstance(t, StartEvent) and isinstance(getattr(t, "event_definition", None), MessageEventDefinition)
    )


def _task_properties(specs: Iterable[BpmnProcessSpec]) -> dict[str, dict[str, str]]:
    table = {}
    for spec in specs:
        for task_spec in spec.task_specs.values():
            properties = getattr(task_spec, "extensions", {}).get("properties")
            if properties:
                table[task_spec.name] = {k: str(v) for k, v in properties.items()}
    return table


def wire(specs: Iterable[BpmnProcessSpec]) -> None:
    """Connect the hooks SpiffWorkflow 3.2.0 connects when it deserialises a diagram but
    not when it parses one, so that a parsed diagram drives a saved case the way the
    diagram it was saved with did.

    Cases are saved without their diagram (engine/workflow/state.py) and loaded onto the diagram
    parsed once per process. Comparing the library's deserialisers with its parsers:

    * a loop or multi-instance task (``LoopTask``) merges each finished instance back
      through its ``merge_child``, connected to the instance spec's ``completed_event`` by
      ``BpmnProcessSpecConverter.from_dict`` and by ``create_child`` — never by the parser.
      Without it, an instance finished in a process that has not itself created one (after
      a restart, in a second server, in the worker) is never merged and the case stalls
      with no open task (issue 11);
    * an ad hoc sub-process's ``path_complete``: the parser connects it too
      (``AdHocSubprocessSpec.create_paths``), so nothing is missing;
    * a sub-process instance's ``completed_event`` to its task's ``_on_subworkflow_completed``
      belongs to the case, not the diagram: ``state.load`` restores it through the library's
      own ``subprocesses_from_dict``.

    Idempotent, like ``create_child``: a hook is connected once."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, LoopTask):
                child = spec.task_specs[task_spec.task_spec].completed_event
                if not child.is_connected(task_spec.merge_child):
                    child.connect(task_spec.merge_child)


def version_info(session: Session, version_id: int) -> VersionInfo:
    key = (str(session.get_bind().engine.url), version_id)
    info = _versions.get(key)
    if info is None:
        row = session.get(ProcessVersion, version_id)
        if row is None:
            raise KeyError(version_id)
        parser = parser_for(safe_xml(row.bpmn_xml.encode("utf-8"), row.process_id, 64 * 1024 * 1024), row.process_id)
        spec = parser.get_spec(row.process_id)
        subprocess_specs = parser.get_subprocess_specs(row.process_id)
        wire((spec, *subprocess_specs.values()))
        info = VersionInfo(
            id=row.id, process_id=row.process_id, version=row.version, name=row.name, agency_code=row.agency_code,
            document_kind=row.document_kind,
            forms=json.loads(row.forms_json), ui=json.loads(row.ui_json or "{}"), spec=spec,
            start_messages=_start_messages(spec),
            subprocess_specs=subprocess_specs,
            task_properties=_task_properties((spec, *subprocess_specs.values())),
        )
        _versions[key] = info
    return info


def step_properties(info: VersionInfo, spec_name: str) -> dict[str, str]:
    """The extension properties of the step ``spec_name`` of a deployed version (sub-processes
    included); NotFound when the version has no such step."""
    properties = info.task_properties.get(spec_name)
    if properties is None and not any(spec_name in spec.task_specs
                                      for spec in (info.spec, *info.subprocess_specs.values())):
        raise NotFound("Không tìm thấy bước này trong sơ đồ.")
    return dict(properties or {})


def task_property(info: VersionInfo, spec_name: str, name: str) -> str | None:
    """An extension property of the task ``spec_name`` of a deployed version, sub-processes
    included (BPMN ids are unique in a file), without loading any case."""
    return info.task_properties.get(spec_name, {}).get(name)


def start_form_ref(info: VersionInfo) -> str | None:
    """The name of the start event's form (``btl_outgoing/start.schema.json``)."""
    for spec in info.spec.task_specs.values():
        if isinstance(spec, StartEvent):
            ref = spec.extensions.get("properties", {}).get(FORM_PROPERTY)
            if ref:
                return str(ref)
    return None


def start_form(info: VersionInfo) -> dict[str, Any] | None:
    ref = start_form_ref(info)
    return info.forms[ref] if ref else None
