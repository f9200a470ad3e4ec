"""The module map of docs/design.md holds: every module of `ci2p/` has a row, a package's modules fill consecutive rows,
and a module imports only modules of the rows above its own (or of its own row), at the top of the file and inside
functions alike.

Catches an import that runs back up the layers, a package and a module that each need the other (the store's command
line once reached up to `ci2p.inputs`, which builds on the store), and a module added without its row in the map.
"""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_rows() -> dict:
    "{module name: row number} from the module map's table."
    text = (ROOT / "docs" / "design.md").read_text().split("## Module map", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for i, line in enumerate(r for r in text.splitlines() if r.startswith("| `ci2p")):
        pkg = "ci2p"
        for name in re.findall(r"`([^`]+)`", line.split("|")[1]):
            if name.startswith("ci2p."):
                pkg = name.rsplit(".", 1)[0]
            else:
                name = f"{pkg}.{name}"
            rows[name.removesuffix(".__init__")] = i
    return rows


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set:
    "The `ci2p` modules `path` imports anywhere in it (relative imports resolved; `from X import name` gives X)."
    mod = module_name(path)
    package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            found |= {target} if node.module else {f"{target}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m == "ci2p" or m.startswith("ci2p.")}


def test_every_module_has_a_row():
    rows = module_rows()
    missing = [module_name(p) for p in sorted((ROOT / "ci2p").rglob("*.py"))
               if p.name != "_modidx.py" and module_name(p) not in rows and module_name(p) != "ci2p"]
    assert not missing, f"modules without a row in docs/design.md's module map: {missing}"


def test_imports_run_down_the_map():
    rows, up = module_rows(), []
    for path in sorted((ROOT / "ci2p").rglob("*.py")):
        mod = module_name(path)
        if mod not in rows:
            continue  # the package's face (ci2p/__init__.py) and the generated index
        for target in imported(path):
            while target not in rows and "." in target:  # `from ci2p.store.read import X` -> ci2p.store.read
                target = target.rsplit(".", 1)[0]
            if target in rows and rows[target] > rows[mod]:
                up.append(f"{mod} imports {target}")
    assert not up, "imports of modules below their own row in docs/design.md's module map: " + "; ".join(up)


def test_packages_fill_consecutive_rows():
    rows = module_rows()
    for package in ("ci2p.codec", "ci2p.store"):
        own = {r for m, r in rows.items() if m == package or m.startswith(package + ".")}
        between = sorted(m for m, r in rows.items() if min(own) < r < max(own) and r not in own)
        assert not between, f"{between} between the rows of {package} in docs/design.md's module map"
