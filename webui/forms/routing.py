"""Chuyển xử lý in one screen: a direction's unit and people choices (chủ trì, phối hợp, để
biết) shown as one tree of the agency's units and their people, a tick box per role on each
node, chủ trì and phối hợp only on units someone takes work for; and, where the form has
per-node deadlines (``co_deadlines``), a hạn xử lý on each unit node. The role inputs keep the
schema's names; the nodes' dates post as ``node_deadline-<unit>`` and are read back here into
the schema's fields (the chủ trì node's into ``main_deadline``, the phối hợp nodes' into
``co_deadlines``). Which deadline holds and whether it is allowed is engine.workflow.deadlines'.
Free of Flask."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from engine.core.errors import Text
from engine.models.org import POSITION_TITLES, Position

PARTS = ("main_unit", "co_units", "info_units", "info_people")
DATED_PARTS = ("main_deadline", "co_deadline", "co_deadlines")  # in the tree when the form has co_deadlines
NODE_DEADLINE = "node_deadline-"


class Posted(Protocol):
    def get(self, key: str) -> str | None: ...
    def keys(self) -> Iterable[str]: ...


class Part(Protocol):
    key: str
    value: Any
    error: str | None


def person_label(p: dict[str, str]) -> str:
    """A person in a choice: name, position and unit, never the username; a Text, so that a page
    says the position in the reader's language."""
    position = POSITION_TITLES.get(Position(p["position"])) if p.get("position") else None
    if position:
        return Text("%(name)s (%(position)s, %(unit)s)", name=p["full_name"], position=Text(position), unit=p["unit"])
    return Text("%(name)s – %(unit)s", name=p["full_name"], unit=p["unit"])


def applies(keys: Iterable[str]) -> bool:
    return {"main_unit", "co_units"} <= set(keys)


def dated(keys: Iterable[str]) -> bool:
    """Whether each node of the tree carries its own deadline (the form has ``co_deadlines``)."""
    return "co_deadlines" in set(keys)


def part_names(keys: Iterable[str]) -> tuple[str, ...]:
    keys = set(keys)
    return PARTS + (DATED_PARTS if dated(keys) else ())


def tree(directory: dict[str, list[dict[str, str]]], parts: Mapping[str, Part],
         errors: dict[str, str]) -> list[dict[str, Any]]:
    """The agency's units, each with its people and, on a dated tree, its node's deadline (the
    chủ trì's main_deadline, a phối hợp unit's own) and that deadline's error."""
    working = {u["code"] for u in directory.get("working_units", [])}
    main = parts["main_unit"].value
    own = parts["co_deadlines"].value if "co_deadlines" in parts else None
    own = own if isinstance(own, dict) else {}
    nodes = []
    for u in directory.get("units", []):
        code = u["code"]
        node: dict[str, Any] = {
            "code": code, "name": u["name"], "working": code in working,
            # the label in Vietnamese; the page names the position in the reader's language
            "people": [{"username": p["username"], "label": person_label(p), "full_name": p["full_name"],
                        "position": p.get("position"), "unit": p["unit"]}
                       for p in directory.get("people", []) if p["unit"] == code]}
        if "co_deadlines" in parts and code in working:
            main_part = parts["main_deadline"]
            node["deadline"] = main_part.value if code == main else own.get(code)
            node["deadline_error"] = main_part.error if code == main else errors.get(f"co_deadlines.{code}")
        nodes.append(node)
    return nodes


def shown_keys(nodes: list[dict[str, Any]]) -> set[str]:
    """The error keys the tree shows on its nodes."""
    return {f"co_deadlines.{n['code']}" for n in nodes if "deadline" in n}


def read(form: Posted, data: dict[str, Any]) -> None:
    """The nodes' deadlines posted by a dated tree into the schema's fields: the chủ trì node's
    is main_deadline, each phối hợp node's its entry of co_deadlines; a date on a node with
    neither role is not a deadline of anyone and is left out."""
    posted = {k[len(NODE_DEADLINE):]: (form.get(k) or "").strip() for k in form.keys() if k.startswith(NODE_DEADLINE)}
    if not posted:
        return
    main = data.get("main_unit")
    if isinstance(main, str) and posted.get(main):
        data["main_deadline"] = posted[main]
    own = {c: posted[c] for c in data.get("co_units") or [] if posted.get(c)}
    if own:
        data["co_deadlines"] = own
