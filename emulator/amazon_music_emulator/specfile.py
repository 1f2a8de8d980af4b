"""The OpenAPI spec the emulator routes and validates from, loaded once per process.

Installed from a wheel, the spec ships inside the package (``amazon_music_emulator/spec/``, mapped there from the
repository's ``spec/`` at build time); in a source checkout or an editable install it is read from the repository's
``spec/`` folder, so the emulator always serves the spec it was built from.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "SPEC_NAME",
    "oauth_scopes",
    "operation_ids",
    "served_spec_json",
    "served_spec_yaml",
    "spec_dict",
    "spec_path",
]

SPEC_NAME = "amazon-music-user-v1.yaml"

# libyaml's loader is ten times faster than the pure-Python one, where PyYAML was built with it.
_Loader: type[yaml.SafeLoader | yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def spec_path() -> Path:
    packaged = resources.files("amazon_music_emulator").joinpath("spec", SPEC_NAME)
    if packaged.is_file():
        return Path(str(packaged))
    in_repository = Path(__file__).resolve().parents[2] / "spec" / SPEC_NAME
    if in_repository.is_file():
        return in_repository
    raise FileNotFoundError(f"the OpenAPI spec {SPEC_NAME} is neither in the package nor in {in_repository.parent}")


@functools.cache
def _spec_text() -> str:
    return spec_path().read_text(encoding="utf-8")


@functools.cache
def _spec() -> dict[str, Any]:
    loaded = yaml.load(_spec_text(), Loader=_Loader)
    if not isinstance(loaded, dict):
        raise ValueError(f"{spec_path()}: not an OpenAPI document")
    return loaded


def spec_dict() -> dict[str, Any]:
    """A fresh copy of the spec (callers may change theirs)."""
    return copy.deepcopy(_spec())


def operation_ids() -> list[str]:
    return [
        operation["operationId"]
        for path_item in _spec()["paths"].values()
        for method, operation in path_item.items()
        if method in {"get", "put", "post", "delete", "patch"}
    ]


def oauth_scopes() -> tuple[str, ...]:
    """The scopes the spec's Login with Amazon scheme declares."""
    flows = _spec()["components"]["securitySchemes"]["lwa"]["flows"]
    return tuple(flows["authorizationCode"]["scopes"])


def _served() -> dict[str, Any]:
    # The emulator is listed first so that "Try it out" on /docs calls the emulator, not the live API.
    served = spec_dict()
    served["servers"] = [{"url": "/", "description": "This emulator"}, *served.get("servers", [])]
    return served


@functools.cache
def served_spec_json() -> bytes:
    return json.dumps(_served(), indent=2).encode()


@functools.cache
def served_spec_yaml() -> bytes:
    return yaml.safe_dump(_served(), sort_keys=False, allow_unicode=True).encode()
