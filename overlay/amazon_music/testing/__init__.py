"""amazon_music.testing: the Amazon Music emulator in your tests, in-process, seeded and arranged from the test.

    from amazon_music.testing import emulate

    def test_my_code() -> None:
        with emulate(seed=False) as emulator:
            fan = emulator.add_user("A fan")
            emulator.follow(fan, emulator.demo_user)
            with emulator.client() as music:
                assert [user.id for user in music.followers()] == [fan]

With pytest, the plugin (amazon_music.testing.plugin, registered by entry point) gives the fixtures
``amazon_music_emulator`` (a fresh emulator per test), ``amazon_music_client`` and ``amazon_music_async_client``, and
the marker ``@pytest.mark.amazon_music(**emulate options)``. Needs the emulator extra:
``pip install "amazon-music-webapi[emulator]"``; ``import amazon_music`` never loads it.
"""

# private names only: everything public here is in __all__
import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from ._emulator import Emulator, KnobChange, emulate
    from ._transport import SyncASGITransport

__all__ = ["Emulator", "KnobChange", "SyncASGITransport", "emulate"]

# imported on first use, so that loading the pytest plugin (a submodule) imports nothing heavy
_MODULE_OF = {
    "Emulator": "._emulator",
    "KnobChange": "._emulator",
    "emulate": "._emulator",
    "SyncASGITransport": "._transport",
}


def __getattr__(name: str) -> _typing.Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value
