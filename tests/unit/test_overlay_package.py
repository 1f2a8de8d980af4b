"""The package's surface: __all__ matches the public names, private modules stay private, the import stays light."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import amazon_music


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name, value in vars(amazon_music).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(amazon_music.__all__) == public
    assert len(amazon_music.__all__) == len(set(amazon_music.__all__))


def test_every_exported_name_is_defined_in_a_private_module() -> None:
    for name in amazon_music.__all__:
        value = getattr(amazon_music, name)
        module = getattr(value, "__module__", None)
        if module is not None and isinstance(value, type | types.FunctionType):
            assert module.startswith("amazon_music._"), (name, module)


def test_each_private_module_all_is_accurate() -> None:
    for module_name in ("_auth", "_client", "_compat", "_config", "_errors", "_pagination", "_tokens", "_transport"):
        module = getattr(amazon_music, module_name)
        for name in module.__all__:
            assert hasattr(module, name), (module_name, name)


def test_import_pulls_in_neither_generated_models_nor_the_emulator_nor_asyncio() -> None:
    code = "import sys, json, amazon_music; print(json.dumps(sorted(sys.modules)))"
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout))
    forbidden = {"amazon_music_generated.models", "amazon_music_emulator", "connexion", "uvicorn", "asyncio", "yaml"}
    assert not loaded & forbidden
    assert "amazon_music._client" in loaded
