"""No import cycles in the shipped package or the local tooling, lazy imports inside functions included.

(The layer contracts themselves are import-linter's, in pyproject.toml, checked by `make lint`.)
"""

from __future__ import annotations

import grimp


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = grimp.build_graph("flashfusion", "ffo")
    cycles = sorted(
        (module, imported, *graph.find_shortest_chain(importer=imported, imported=module))
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.find_shortest_chain(importer=imported, imported=module)
    )
    assert cycles == []
