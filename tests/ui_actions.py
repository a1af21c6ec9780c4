"""Counting what a person does in the browser, step by step: clicks (links, buttons) and
fields (typed, chosen, ticked, a file picked). Each step starts at the inbox, as an official's
day does; going there is not counted."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page


@dataclass
class Step:
    name: str
    clicks: int = 0
    fields: int = 0


@dataclass
class ActionCount:
    steps: list[Step] = field(default_factory=list)

    def start(self, page: Page, name: str) -> Step:
        page.goto("/inbox")
        self.steps.append(Step(name))
        return self.steps[-1]

    @property
    def now(self) -> Step:
        return self.steps[-1]

    def click(self, target: Locator) -> None:
        target.click()
        self.now.clicks += 1

    def fill(self, target: Locator, value: str) -> None:
        target.fill(value)
        self.now.fields += 1

    def choose(self, target: Locator, value: str) -> None:
        target.select_option(value)
        self.now.fields += 1

    def tick(self, target: Locator) -> None:
        target.check()
        self.now.fields += 1

    def pick_file(self, target: Locator, path: Path) -> None:
        target.set_input_files(str(path))
        self.now.fields += 1

    def table(self) -> str:
        lines = ["| step | clicks | fields | actions |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {s.name} | {s.clicks} | {s.fields} | {s.clicks + s.fields} |" for s in self.steps]
        clicks, fields = sum(s.clicks for s in self.steps), sum(s.fields for s in self.steps)
        lines.append(f"| all | {clicks} | {fields} | {clicks + fields} |")
        return "\n".join(lines)
