"""The handle itself: tokens and scopes, client options, lifecycle, the decorator, repr, and what it imports."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import threading
import time

import httpx
import pytest
from kit_support import ROOT

from amazon_music import AmazonMusic, AuthenticationError, ConfigurationError, PermissionDeniedError
from amazon_music.testing import Emulator, SyncASGITransport, emulate


def test_tokens_carry_the_user_the_scopes_and_the_lifetime(amazon_music_emulator: Emulator) -> None:
    emulator = amazon_music_emulator
    fan = emulator.add_user("Fan")
    with emulator.client(user=fan) as as_fan:
        assert as_fan.me().id == fan
    with emulator.client(scopes=["music::profile", "music::favorites:read"]) as reader:
        assert reader.me().name == "Tony Starked"
        assert len(list(reader.followers(max_items=3))) == 3
        with pytest.raises(PermissionDeniedError) as raised:
            reader.follow_artist(emulator.add_artist())
        assert raised.value.missing_scope == "music::favorites"

    short = emulator.token(ttl=60)
    long = emulator.token()
    now = time.time()
    emulator.app.auth.clock = lambda: now + 61  # a minute later
    with pytest.raises(AuthenticationError):
        AmazonMusic(emulator.api_key, token=short, base_url=emulator.base_url, transport=emulator.transport).me()
    assert AmazonMusic(emulator.api_key, token=long, base_url=emulator.base_url, transport=emulator.transport).me()


def test_token_arguments_are_checked(amazon_music_emulator: Emulator) -> None:
    with pytest.raises(ValueError, match=r"^user: no user 'nobody'"):
        amazon_music_emulator.token("nobody")
    with pytest.raises(ValueError, match=r"^scope: unknown scope 'music::everything'"):
        amazon_music_emulator.token(scopes=["music::everything"])
    with pytest.raises(ValueError, match=r"^ttl: must be a positive number"):
        amazon_music_emulator.token(ttl=0)
    assert amazon_music_emulator.token(scopes="music::profile").startswith("Atza|")  # one scope as a string


def test_client_options_reach_the_client(amazon_music_emulator: Emulator) -> None:
    with pytest.raises(AuthenticationError):
        amazon_music_emulator.client(token="Atza|not-minted-here").me()
    with pytest.raises(ConfigurationError, match="token, auth"):
        amazon_music_emulator.client(token="Atza|x", auth=object())
    with pytest.raises(TypeError, match="transport and base_url are the emulator's"):
        amazon_music_emulator.client(base_url="https://api.music.amazon.dev")
    assert amazon_music_emulator.client(timeout=1.0).me().name == "Tony Starked"


def test_lifecycle() -> None:
    emulator = emulate(seed=False)
    with pytest.raises(RuntimeError, match="not running"):
        emulator.client()
    with emulator:
        music = emulator.client()
        assert music.me().name == "Tony Starked"
        with pytest.raises(RuntimeError, match="already running"), emulator:
            pass
    with pytest.raises(RuntimeError, match="not running"):
        emulator.store  # noqa: B018
    with pytest.raises(RuntimeError, match="closed"):
        music.me()  # the clients it made were closed with it
    emulator.close()  # twice is harmless
    with emulator:  # and it can run again, on a fresh store
        assert emulator.store.kind_of(emulator.demo_user) == "user"


def test_no_thread_outlives_the_emulator() -> None:
    def kit_threads() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name in ("asgi-bridge", "amazon-music-emulator")]

    with emulate(seed=False) as emulator:
        for _ in range(3):
            emulator.client().me()
        with emulator.client() as music:
            music.me()
        httpx.Client(transport=emulator.transport).get("http://any.host/openapi.json")
        emulator.serve()
        assert len(kit_threads()) >= 5
    assert kit_threads() == []


def test_emulate_options_are_checked() -> None:
    with pytest.raises(TypeError, match="unknown option 'followrs'"):
        emulate(followrs=3)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="options are keywords"):
        emulate(lambda: None, seed=False)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"^seed: expected True"), emulate(seed="small"):  # type: ignore[call-overload]
        pass
    with pytest.raises(ValueError, match=r"^fault_status: expected one or more of"), emulate(fault_status=404):
        pass
    with pytest.raises(ValueError, match=r"^token_ttl: must be a positive"), emulate(token_ttl=0):
        pass


def test_the_decorator_gives_each_call_a_fresh_emulator() -> None:
    seen: list[Emulator] = []

    @emulate(seed=False)
    def arrange_and_count(emulator: Emulator, name: str) -> int:
        seen.append(emulator)
        emulator.follow(emulator.add_user(name), emulator.demo_user)
        with emulator.client() as music:
            return len(list(music.followers()))

    assert arrange_and_count(name="first") == 1
    assert arrange_and_count(name="second") == 1  # not 2: nothing carried over
    assert seen[0] is not seen[1]
    assert "not running" in repr(seen[0])
    assert list(inspect.signature(arrange_and_count).parameters) == ["name"]

    @emulate
    def bare() -> str:
        return "ran"

    assert bare() == "ran"


async def test_the_decorator_on_a_coroutine_function() -> None:
    @emulate(seed=False)
    async def me_name(emulator: Emulator) -> object:
        async with emulator.async_client() as music:
            return (await music.me()).name

    assert await me_name() == "Tony Starked"


def test_no_secret_in_reprs(amazon_music_emulator: Emulator) -> None:
    token = amazon_music_emulator.token()
    amazon_music_emulator.serve()
    music = amazon_music_emulator.client()
    texts = [repr(amazon_music_emulator), repr(music), repr(amazon_music_emulator.app)]
    assert "served at http://127.0.0.1:" in texts[0]
    assert not any("Atza|" in text or token in text for text in texts)


def test_the_scripts_bridge_is_the_kits_transport() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import asgi_bridge
    finally:
        sys.path.pop(0)
    assert asgi_bridge.SyncASGITransport is SyncASGITransport


def _modules_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_the_emulator_is_imported_only_when_an_emulator_starts() -> None:
    server_side = {"amazon_music_emulator", "connexion", "uvicorn", "starlette"}
    assert not _modules_after("import amazon_music") & (server_side | {"amazon_music.testing"})
    assert not _modules_after("import amazon_music.testing, amazon_music.testing.plugin") & server_side
    started = _modules_after("from amazon_music.testing import emulate\nwith emulate(seed=False): pass")
    assert {"amazon_music_emulator", "connexion"} <= started  # the control: starting one does load it
    assert "uvicorn" not in started  # only serve() needs the server


def test_without_the_emulator_extra_the_error_says_what_to_install() -> None:
    code = (
        "import sys\nsys.modules['connexion'] = None  # as if the emulator extra were not installed\n"
        "from amazon_music.testing import emulate\n"
        "try:\n    emulate().__enter__()\nexcept ImportError as exc:\n    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'amazon-music-webapi[emulator]' (missing: connexion)" in result.stdout
