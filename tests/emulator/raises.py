"""A static reading of the emulator's rule modules: which error classes a handler can raise.

Every module of ``teardown.emulator.service`` is parsed; a function's errors are the ``raise`` statements in
it and, transitively, in the functions and methods it calls (bare names resolve in the module, through its
imports from other service modules; ``x.name(...)`` resolves to every service method of that name, which
over-approximates). Errors raised inside a ``try`` whose ``except`` names them do not escape. The reading is
conservative: it may list an error a handler cannot raise, never miss one it can.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import teardown.emulator.service as service_package
from teardown.emulator.errors import EmulatorError

_PACKAGE = "teardown.emulator.service"
_BROAD = frozenset({"Exception", "BaseException", "EmulatorError"})


@dataclass
class _Module:
    name: str
    tree: ast.Module
    namespace: dict[str, str] = field(default_factory=dict)  # local name -> function key
    errors: dict[str, str] = field(default_factory=dict)  # local name -> error code


class RaiseIndex:
    """The service modules, parsed once; ``codes_of(handler)`` answers the error codes a handler can raise."""

    def __init__(self) -> None:
        self.functions: dict[str, tuple[_Module, ast.FunctionDef]] = {}
        self.methods: dict[str, list[str]] = {}
        self.modules: dict[str, _Module] = {}
        for path in sorted(Path(service_package.__file__).parent.glob("*.py")):
            name = f"{_PACKAGE}.{path.stem}" if path.stem != "__init__" else _PACKAGE
            self.modules[name] = _Module(name, ast.parse(path.read_text(encoding="utf-8")))
        for module in self.modules.values():
            self._index(module)
        for module in self.modules.values():
            self._imports(module)
        self._memo: dict[str, frozenset[str]] = {}
        self._active: set[str] = set()

    def _index(self, module: _Module) -> None:
        live = importlib.import_module(module.name)
        for node in module.tree.body:
            if isinstance(node, ast.FunctionDef):
                key = f"{module.name}:{node.name}"
                self.functions[key] = (module, node)
                module.namespace[node.name] = key
            elif isinstance(node, ast.ClassDef):
                cls = getattr(live, node.name, None)
                if inspect.isclass(cls) and issubclass(cls, EmulatorError):
                    module.errors[node.name] = cls.code
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        key = f"{module.name}:{node.name}.{item.name}"
                        self.functions[key] = (module, item)
                        self.methods.setdefault(item.name, []).append(key)

    def _imports(self, module: _Module) -> None:
        live = importlib.import_module(module.name)
        for node in module.tree.body:
            if not isinstance(node, ast.ImportFrom) or node.module is None:
                continue
            for alias in node.names:
                local = alias.asname or alias.name
                target = getattr(live, local, None)
                if inspect.isclass(target) and issubclass(target, EmulatorError):
                    module.errors[local] = target.code
                elif node.module in self.modules and alias.name in self.modules[node.module].namespace:
                    module.namespace[local] = self.modules[node.module].namespace[alias.name]

    def codes_of(self, handler: Callable[..., object]) -> frozenset[str]:
        return self._codes(f"{handler.__module__}:{handler.__qualname__}")

    def _codes(self, key: str) -> frozenset[str]:
        if key in self._memo:
            return self._memo[key]
        if key in self._active:  # recursion: what is known so far (the cycle's other members add the rest)
            return frozenset()
        self._active.add(key)
        module, node = self.functions[key]
        found = frozenset(self._stmts(module, node.body))
        self._active.discard(key)
        self._memo[key] = found
        return found

    def _stmts(self, module: _Module, nodes: list[ast.stmt]) -> set[str]:
        out: set[str] = set()
        for node in nodes:
            out |= self._node(module, node)
        return out

    def _node(self, module: _Module, node: ast.AST) -> set[str]:
        if isinstance(node, ast.Try):
            caught = {name for handler in node.handlers for name in _names(handler.type)}
            body = self._stmts(module, node.body)
            if caught & _BROAD:
                body = set()
            else:
                body -= {module.errors[name] for name in caught if name in module.errors}
            rest = [*node.orelse, *node.finalbody, *(s for h in node.handlers for s in h.body)]
            return body | self._stmts(module, rest)
        out: set[str] = set()
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            out |= {module.errors[name] for name in _names(raised) if name in module.errors}
        if isinstance(node, ast.Call):
            for key in self._callees(module, node.func):
                out |= self._codes(key)
        for child in ast.iter_child_nodes(node):
            out |= self._node(module, child)
        return out

    def _callees(self, module: _Module, func: ast.expr) -> list[str]:
        if isinstance(func, ast.Name) and func.id in module.namespace:
            return [module.namespace[func.id]]
        if isinstance(func, ast.Attribute):
            return list(self.methods.get(func.attr, ()))
        return []


def _names(node: ast.expr | None) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.Tuple):
        return [name for item in node.elts for name in _names(item)]
    return []


@functools.cache
def raise_index() -> RaiseIndex:
    return RaiseIndex()
