"""An import-linter contract type for rule 2 of ARCHITECTURE.md.

"A context imports only kernel, knowledge loaders and other contexts' api.py": for each bounded
context listed, any module outside it may import ``<context>.api`` and nothing else of it.
Registered in pyproject.toml under [tool.importlinter] contract_types.
"""

from __future__ import annotations

from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output


class ContextApiContract(Contract):
    contexts = fields.ListField(subfield=fields.StringField())
    entry_module = fields.StringField(default="api")

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        violations: list[dict[str, Any]] = []
        contexts: list[str] = list(self.contexts)  # type: ignore[call-overload]
        entry = str(self.entry_module)
        for context in contexts:
            public = f"{context}.{entry}"
            internals = {m for m in graph.modules if m.startswith(context + ".") and m != public}
            for internal in sorted(internals):
                for importer in sorted(graph.find_modules_that_directly_import(internal)):
                    if importer == context or importer.startswith(context + "."):
                        continue
                    details = graph.get_import_details(importer=importer, imported=internal)
                    violations.append(
                        {
                            "importer": importer,
                            "imported": internal,
                            "line": details[0]["line_number"] if details else None,
                            "public": public,
                        }
                    )
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            output.print_error(
                f"{violation['importer']} (line {violation['line']}) imports {violation['imported']}; "
                f"use {violation['public']} instead."
            )
            output.new_line()
