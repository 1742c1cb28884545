"""test_stubs.py -- the type stubs (.pyi) describe what the module has:
every public attribute of Engine, Archive, the module and citybrain.env,
with the argument names the module accepts."""
import ast
import inspect
import os

import citybrain
import citybrain.env

PKG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "citybrain")


def stub_classes(name):
    with open(os.path.join(PKG, name)) as f:
        tree = ast.parse(f.read())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            out[node.name] = {n.name: n for n in node.body if isinstance(n, ast.FunctionDef)}
    return tree, out


def public(cls):
    return {n for n in dir(cls) if not n.startswith("_")}


def test_engine_and_archive_stubs_are_complete():
    tree, classes = stub_classes("_citybrain.pyi")
    for cls in (citybrain.Engine, citybrain.Archive, citybrain.SignalLayer):
        assert public(cls) == {n for n in classes[cls.__name__] if not n.startswith("_")}, cls
    for name in ("Error", "LoadError", "NotFoundError", "InvalidArgumentError", "StateError"):
        assert name in classes
    # argument names as the methods document them (the text signature)
    for name, fn in classes["Engine"].items():
        if name.startswith("_") or not callable(getattr(citybrain.Engine, name)):
            continue                                # attributes (closed, interval...)
        try:
            sig = inspect.signature(getattr(citybrain.Engine, name))
        except ValueError:
            continue                                # no text signature
        stub_args = [a.arg for a in fn.args.args[1:] + fn.args.kwonlyargs]
        assert [p for p in sig.parameters if p != "self"] == stub_args, name


def test_env_stubs_are_complete():
    tree, classes = stub_classes("env.pyi")
    for cls in (citybrain.env.MultiIntersectionEnv, citybrain.env.Box, citybrain.env.MultiDiscrete):
        methods = {n for n in classes[cls.__name__] if not n.startswith("_")}
        assert {n for n in public(cls) if callable(getattr(cls, n)) or isinstance(getattr(cls, n), property)} \
            <= methods | {"metadata"}, cls
