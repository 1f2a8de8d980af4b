"""The token file is checked as ssh checks a private key (issue 14.12): a file others can read is repaired to 0600 with
a warning, a symbolic link is refused rather than followed, a file of another user is refused."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import respx
from overlay_support import API_KEY

from amazon_music import (
    AmazonMusic,
    ConfigurationError,
    FileTokenStore,
    InsecureTokenFileWarning,
    LWAAuth,
    TokenSet,
)

TOKENS = TokenSet(access_token="Atza|saved", refresh_token="Atzr|saved", expires_at=4_000_000_000.0)


def saved(path: Path, mode: int = 0o600) -> Path:
    FileTokenStore(path).save(TOKENS)
    path.chmod(mode)
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_file_others_can_read_is_repaired_and_said_so(tmp_path: Path) -> None:
    path = saved(tmp_path / "tokens.json", 0o644)
    with pytest.warns(InsecureTokenFileWarning, match=r"tokens.json was readable by others \(mode 0644\); it is now"):
        assert FileTokenStore(path).load() == TOKENS
    assert mode(path) == 0o600


def test_a_0600_file_loads_without_a_word(tmp_path: Path, recwarn: pytest.WarningsRecorder) -> None:
    path = saved(tmp_path / "tokens.json")
    assert FileTokenStore(path).load() == TOKENS
    assert not recwarn.list


def test_a_symbolic_link_is_refused_not_followed(tmp_path: Path) -> None:
    target = saved(tmp_path / "elsewhere.json")
    link = tmp_path / "tokens.json"
    link.symlink_to(target)
    with pytest.raises(ConfigurationError, match=r"tokens\.json: is a symbolic link; refusing to follow it"):
        FileTokenStore(link).load()


def test_a_file_of_another_user_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = saved(tmp_path / "tokens.json")
    owner = path.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 1)  # this process runs as someone else
    with pytest.raises(ConfigurationError, match="belongs to another user"):
        FileTokenStore(path).load()


def test_a_client_on_a_loose_token_file_repairs_it_before_any_request(tmp_path: Path, api: respx.MockRouter) -> None:
    path = saved(tmp_path / "tokens.json", 0o664)
    route = api.get("/v1/me").respond(200, json={"data": {"user": {"id": "abc"}}})
    with pytest.warns(InsecureTokenFileWarning):
        auth = LWAAuth("amzn1.application-oa2-client.abc", "secret", store=FileTokenStore(path))
    assert mode(path) == 0o600
    with AmazonMusic(API_KEY, auth=auth) as client:
        assert client.me().id == "abc"
    assert route.calls.last.request.headers["authorization"] == "Bearer Atza|saved"
    assert json.loads(path.read_text())["access_token"] == "Atza|saved"


def test_a_client_on_a_linked_token_file_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "tokens.json"
    link.symlink_to(saved(tmp_path / "real.json"))
    with pytest.raises(ConfigurationError, match="symbolic link"):
        LWAAuth("amzn1.application-oa2-client.abc", "secret", store=FileTokenStore(link))
