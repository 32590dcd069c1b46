"""The layers of docs/architecture.md hold: no import cycle between apps, imports only go down, and
only inventory touches the stock tables. Read from the source with ``ast`` (lazy imports inside
functions and ``TYPE_CHECKING`` imports count), with the layers taken from pyproject.toml's
import-linter contract, so the two checks cannot drift apart."""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
APPS: list[str] = CONFIG["root_packages"]
LAYERS: list[list[str]] = next(c for c in CONFIG["contracts"] if c["id"] == "layers")["layers"]
LAYERS = [[app.strip() for app in layer.replace(":", "|").split("|")] for layer in LAYERS]


def _python_files(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, imported names) for every import in the file, wherever it stands."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
    return found


def app_graph() -> dict[str, dict[str, list[str]]]:
    """app -> imported app -> where ("path:line module")."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for app in APPS:
        for path in _python_files(app):
            for line, module, _names in _imports(path):
                target = module.split(".")[0]
                if target in APPS and target != app:
                    graph[app][target].append(f"{path.relative_to(ROOT)}:{line} {module}")
    return graph


def find_cycle(graph) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for app in sorted(graph):
        if app not in state and (cycle := visit(app)):
            return cycle
    return None


def test_the_app_import_graph_has_no_cycle():
    graph = app_graph()
    cycle = find_cycle(graph)
    detail = ""
    if cycle:
        detail = "\n".join(f"{a} -> {b}: {graph[a][b][:3]}" for a, b in zip(cycle, cycle[1:], strict=False))
    assert cycle is None, f"import cycle {' -> '.join(cycle or [])}\n{detail}"


def test_every_app_imports_only_from_the_layers_below_it():
    level = {app: len(LAYERS) - i for i, layer in enumerate(LAYERS) for app in layer}
    assert set(level) == set(APPS), "every root package sits on a layer"
    wrong = [
        f"{app} -> {target}: {where[0]}"
        for app, targets in app_graph().items()
        for target, where in targets.items()
        if level[target] >= level[app]
    ]
    assert wrong == []


def test_the_finder_sees_lazy_and_type_checking_imports(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from orders.models import Order\n"
        "def f():\n    import pos.services\n"
    )
    assert [module for _, module, _ in _imports(source)] == ["typing", "orders.models", "pos.services"]
    assert find_cycle({"a": {"b": []}, "b": {"a": []}}) == ["a", "b", "a"]


STOCK_TABLES = {"StockLevel", "StockLot", "StockMovement"}


def test_only_inventory_touches_the_stock_tables():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {sorted(STOCK_TABLES & set(names))}"
        for app in APPS
        if app != "inventory"
        for path in _python_files(app)
        for line, module, names in _imports(path)
        if module.startswith("inventory.models") and STOCK_TABLES & set(names)
    ]
    assert offenders == []


ORDER_TABLES = {"Order", "OrderLine", "OrderStatusChange", "Cart", "CartLine", "NotificationLog"}
WRITES = {"create", "bulk_create", "update", "bulk_update", "delete", "get_or_create", "update_or_create"}


def _order_table_writes(path: Path) -> list[str]:
    """``Order.objects....create(...)``-shaped calls in a file: a write to an order table."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            root = node.func.value
            while isinstance(root, ast.Call | ast.Attribute):
                root = root.func if isinstance(root, ast.Call) else root.value
            if isinstance(root, ast.Name) and root.id in ORDER_TABLES:
                where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                found.append(f"{where}:{node.lineno} {root.id}...{node.func.attr}()")
    return found


def test_only_orders_writes_the_order_tables():
    offenders = [
        write
        for app in APPS
        if app != "orders"
        for path in _python_files(app)
        for write in _order_table_writes(path)
    ]
    assert offenders == []


def test_the_order_write_finder_sees_chained_writes(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(
        "Order.objects.filter(pk=1).update(email='')\nOrderLine.objects.bulk_create([])\nx.save()\n"
    )
    assert [w.split(" ")[1] for w in _order_table_writes(source)] == [
        "Order...update()",
        "OrderLine...bulk_create()",
    ]
