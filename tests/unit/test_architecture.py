"""The direction of imports (README, "Architecture"), read from the source files without importing them.

    algorithms/  →  engines/  →  fastpath/  →  core/
    (Processing)    (QGIS/GDAL)  (GDAL/SQLite)  (rules, no QGIS)

plugin.py may import algorithms/; compat.py, language.py and __about__.py sit beside the layers and may be used by
every layer but core/. No module uses a ``_private`` name of another module.
"""
import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAYERS = ("core", "fastpath", "engines", "algorithms")
SHARED = ("compat", "language", "__about__")
ALLOWED = {
    "core": {"core"},
    "fastpath": {"core", "fastpath", "__about__"},
    "engines": {"core", "fastpath", "engines", "compat", "language", "__about__"},
    "algorithms": {"core", "fastpath", "engines", "algorithms", "compat", "language", "__about__"},
    "compat": set(),
    "language": {"__about__"},
    "__about__": set(),
    "plugin": {"algorithms", "language", "__about__"},
    "__init__": {"plugin"},
}
QGIS_MODULES = ("qgis", "osgeo", "processing", "PyQt5", "PyQt6", "sip")


def plugin_files():
    for name in sorted(os.listdir(ROOT)):
        if name.endswith(".py"):
            yield name[:-3], None, os.path.join(ROOT, name)
    for layer in LAYERS:
        folder = os.path.join(ROOT, layer)
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                yield layer, name[:-3], os.path.join(folder, name)


def imports(path, package):
    """(top-level plugin part or external module, names imported, line) of every import in the file.

    ``package`` is the folder of the file (None at the root). Relative imports are resolved against it."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(("external", alias.name, [], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            names = [a.name for a in node.names]
            if node.level == 0:
                found.append(("external", node.module, names, node.lineno))
                continue
            # level 1 = the file's own package, level 2 = its parent
            parts = ([] if package is None else [package])
            parts = parts[:len(parts) - (node.level - 1)] if node.level > 1 else parts
            if node.level - 1 > (0 if package is None else 1):
                raise AssertionError("%s:%d imports above the plugin" % (path, node.lineno))
            module = (node.module or "").split(".") if node.module else []
            target = parts + module
            if not target:   # from . import x (root) / from .. import x (layer)
                for name in names:
                    found.append(("plugin", name, [], node.lineno))
            else:
                found.append(("plugin", ".".join(target), names, node.lineno))
    return tree, found


def part_of(dotted):
    head = dotted.split(".")[0]
    return head


CASES = list(plugin_files())


@pytest.mark.parametrize("layer, module, path", CASES, ids=[os.path.relpath(c[2], ROOT) for c in CASES])
def test_imports_run_one_way(layer, module, path):
    own = layer if module is not None else layer   # root modules: their own name
    allowed = ALLOWED[own]
    _tree, found = imports(path, layer if module is not None else None)
    for kind, target, names, line in found:
        if kind == "external":
            if own in ("core",):
                assert target.split(".")[0] not in QGIS_MODULES, \
                    "%s:%d: core/ must not import QGIS (%s)" % (path, line, target)
            continue
        part = part_of(target)
        if part in LAYERS or part in SHARED or part in ("plugin",):
            assert part in allowed, "%s:%d imports %s: %s may import only %s" % (
                path, line, target, own, ", ".join(sorted(allowed)) or "nothing of the plugin")


@pytest.mark.parametrize("layer, module, path", CASES, ids=[os.path.relpath(c[2], ROOT) for c in CASES])
def test_no_private_name_of_another_module(layer, module, path):
    tree, found = imports(path, layer if module is not None else None)
    bound = {}   # local name → plugin module it stands for
    for kind, target, names, line in found:
        if kind != "plugin":
            continue
        for name in names:
            assert not name.startswith("_") or name.startswith("__"), \
                "%s:%d imports the private name %s from %s" % (path, line, name, target)
        if not names:
            bound[target.split(".")[-1]] = target
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            for alias in node.names:
                bound.setdefault(alias.asname or alias.name, alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound \
                and node.attr.startswith("_") and not node.attr.startswith("__"):
            raise AssertionError("%s:%d uses %s.%s, a private name of another module" % (
                path, node.lineno, node.value.id, node.attr))


def test_the_layers_exist():
    for layer in LAYERS:
        assert os.path.isfile(os.path.join(ROOT, layer, "__init__.py")), layer
    # the Processing classes are in algorithms/ only
    for layer in ("core", "fastpath", "engines"):
        for name in os.listdir(os.path.join(ROOT, layer)):
            if name.endswith(".py"):
                text = open(os.path.join(ROOT, layer, name), encoding="utf-8").read()
                assert "QgsProcessingAlgorithm" not in text, "%s/%s defines or uses an algorithm" % (layer, name)
                calls = [n.attr for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Attribute)
                         and n.attr.startswith("parameterAs")]
                assert not calls, "%s/%s reads Processing parameters (%s)" % (layer, name, ", ".join(calls))


MAX_LINES = 80       # issue #14: no function over about 80 lines outside scripts/ and tests/
MAX_ARGUMENTS = 7    # beyond, a dataclass carries the options (self and cls not counted)


@pytest.mark.parametrize("layer, module, path", CASES, ids=[os.path.relpath(c[2], ROOT) for c in CASES])
def test_functions_stay_short(layer, module, path):
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        lines = node.end_lineno - node.lineno + 1
        assert lines <= MAX_LINES, "%s:%d %s has %d lines (at most %d)" % (path, node.lineno, node.name, lines,
                                                                          MAX_LINES)
        arguments = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
        arguments = [a for a in arguments if a not in ("self", "cls")]
        assert len(arguments) <= MAX_ARGUMENTS, "%s:%d %s takes %d arguments (at most %d): %s" % (
            path, node.lineno, node.name, len(arguments), MAX_ARGUMENTS, ", ".join(arguments))
