"""import-linter contract types of our own (configured in setup.cfg, checked by `make test`)."""

from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class RequiredImportContract(Contract):
    """Each of ``importers`` (a package) imports ``imported``: the one place that owns a rule is
    asked by every package the rule applies to (issue 14: every package that lists or shows
    documents asks engine.org.permissions who may see them)."""

    importers = fields.ListField(subfield=fields.ModuleField())
    imported = fields.ModuleField()

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        missing = [
            importer.name for importer in self.importers
            if not graph.direct_import_exists(importer=importer.name, imported=self.imported.name,
                                              as_packages=True)
        ]
        return ContractCheck(kept=not missing, metadata={"missing": missing})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for name in check.metadata["missing"]:
            output.print_error(f"{name} does not import {self.imported.name}.")
            output.new_line()
