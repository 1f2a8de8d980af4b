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
        for name in dir(amazon_music)
        if not name.startswith("_") and not isinstance(getattr(amazon_music, name), types.ModuleType)
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
    import importlib

    for module_name in ("_auth", "_client", "_compat", "_config", "_errors", "_pagination", "_tokens", "_transport"):
        module = importlib.import_module(f"amazon_music.{module_name}")
        for name in module.__all__:
            assert hasattr(module, name), (module_name, name)


def loaded_by(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    return set(json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout))


def test_import_pulls_in_neither_generated_models_nor_the_emulator_nor_asyncio() -> None:
    loaded = loaded_by("from amazon_music import AmazonMusic")
    forbidden = {"amazon_music_generated.models", "amazon_music_emulator", "connexion", "uvicorn", "asyncio", "yaml"}
    assert not loaded & forbidden
    assert "amazon_music._client" in loaded


def test_the_package_itself_imports_each_name_on_first_use() -> None:
    """`import amazon_music` (so the pytest plugin, a submodule) loads none of the client: no httpx (issue 13.11)."""
    assert not {name for name in loaded_by("import amazon_music") if name.startswith(("httpx", "amazon_music."))}
    plugin = loaded_by("import amazon_music.testing.plugin")
    assert not {name for name in plugin if name.startswith(("httpx", "click", "rich", "amazon_music_emulator"))}
    assert not {"amazon_music._client", "amazon_music.testing._emulator"} & plugin


def test_version_and_python_dash_m() -> None:
    """Issue 13.10: __version__ is the distribution's version; `python -m amazon_music` is the command."""
    from importlib.metadata import version

    assert amazon_music.__version__ == version("amazon-music-webapi")
    done = subprocess.run([sys.executable, "-m", "amazon_music", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: amazon-music")


def test_models_are_importable_from_the_package_and_show_only_set_fields() -> None:
    """Issue 13.7: `amazon_music.models` re-exports the models and Unset; a repr shows the fields that are set."""
    from amazon_music.models import UNSET, FollowersConnection, PageInfo, Unset, User, UserEdge

    user = User(id="abc", name="Tony")
    assert repr(user) == "User(id='abc', name='Tony')"
    assert isinstance(user.url, Unset) and user.url is UNSET
    page = FollowersConnection(PageInfo(has_next_page=False), 1, [UserEdge(user)])
    assert "Unset" not in repr(page) and "0x" not in repr(page)
    assert repr(page).startswith("FollowersConnection(page_info=PageInfo(has_next_page=False), edge_count=1, edges=[")
