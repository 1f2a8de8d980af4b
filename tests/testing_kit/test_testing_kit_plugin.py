"""The pytest plugin as users meet it: test files run by pytester, the README's example in a subprocess with nothing
but the installed package, marker options, clear failures for bad markers, and no state carried between tests."""

from __future__ import annotations

import re

import pytest
from kit_support import EXAMPLE, README

from amazon_music.testing import emulate

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _server_stack_imported_before_inline_runs() -> None:
    """pytester's in-process runs drop the modules a run imported; had the emulator's server stack (PyYAML, connexion)
    been first imported inside one, the next run would mix two copies of its classes. Importing it here first keeps
    one copy."""
    with emulate(seed=False) as emulator:
        emulator.serve()


# A user's project settings: unknown markers are errors, and so is any warning the kit lets through.
USER_INI = """
[pytest]
addopts = --strict-markers -p no:cacheprovider
asyncio_default_fixture_loop_scope = function
filterwarnings =
    error
"""


@pytest.mark.long_running
def test_the_example_file_runs_as_written_in_a_subprocess(pytester: pytest.Pytester) -> None:
    pytester.makeini(USER_INI)
    pytester.makepyfile(test_with_amazon_music=EXAMPLE.read_text())
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["plugins:*amazon-music-webapi-*", "*test_as_a_decorator PASSED*"])


def test_the_readme_shows_the_example_file_verbatim() -> None:
    section = README.read_text().split("## Testing your code", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert EXAMPLE.read_text() in blocks


def test_no_state_leaks_from_one_test_to_the_next(pytester: pytest.Pytester) -> None:
    pytester.makeini(USER_INI)
    pytester.makepyfile(
        """
        import pytest

        arranged = {}

        @pytest.mark.amazon_music(seed=False)
        def test_first_changes_everything(amazon_music_emulator, amazon_music_client):
            emulator = amazon_music_emulator
            arranged["fan"] = fan = emulator.add_user("Fan")
            emulator.follow(fan, emulator.demo_user)
            amazon_music_client.update_me(name="Renamed", visibility="PRIVATE", playback_visibility="PRIVATE")
            amazon_music_client.follow_artist(emulator.add_artist("Band"))
            emulator.faults(1.0, status=503)
            emulator.latency(5)
            emulator.rate_limit(1)
            arranged["url"] = emulator.serve()

        @pytest.mark.amazon_music(seed=False)
        def test_second_sees_a_fresh_emulator(amazon_music_emulator, amazon_music_client):
            emulator = amazon_music_emulator
            assert emulator.store.kind_of(arranged["fan"]) is None
            me = amazon_music_client.me()
            assert (me.name, str(me.visibility)) == ("Tony Starked", "PUBLIC")
            assert list(amazon_music_client.followers()) == []
            assert list(amazon_music_client.user_followed_artists(emulator.demo_user)) == []
            knobs = emulator.app.faults
            assert (knobs.fault_rate, knobs.latency_ms, knobs.rate_limit) == (0.0, 0.0, 0)
            assert "served" not in repr(emulator)
        """
    )
    result = pytester.runpytest("-p", "no:randomly", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["*test_first_changes_everything PASSED*", "*test_second_sees_a_fresh_emulator PASSED*"]
    )


def test_marker_options_nearest_first(pytester: pytest.Pytester) -> None:
    pytester.makeini(USER_INI)
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.amazon_music(seed=False, latency_ms=3)

        def test_module_marker(amazon_music_emulator, amazon_music_client):
            assert list(amazon_music_client.followers()) == []
            assert amazon_music_emulator.app.faults.latency_ms == 3.0

        @pytest.mark.amazon_music(seed=True, library_tracks=5)
        def test_the_tests_own_marker_wins(amazon_music_client):
            assert len(list(amazon_music_client.library_tracks())) == 5

        class TestFaultOptions:
            pytestmark = pytest.mark.amazon_music(rate_limit=3, fault_seed=9)

            @pytest.mark.amazon_music(fault_rate=0.25, fault_status=[500], retry_after=0, token_ttl=60)
            def test_every_option_reaches_the_emulator(self, amazon_music_emulator):
                knobs = amazon_music_emulator.app.faults
                assert (knobs.latency_ms, knobs.rate_limit, knobs.fault_rate) == (3.0, 3, 0.25)
                assert (knobs.fault_statuses, knobs.retry_after, knobs.seed) == ((500,), 0, 9)
                assert amazon_music_emulator.app.auth.token_ttl == 60
                assert amazon_music_emulator.store.kind_of("uj7wxenmftr26zlg7eo4maa744") is None  # seed=False
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_a_bad_marker_fails_its_test_with_a_clear_message(pytester: pytest.Pytester) -> None:
    pytester.makeini(USER_INI)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.amazon_music(fault_rat=0.1)
        def test_typo(amazon_music_emulator):
            pass

        @pytest.mark.amazon_music(fault_rate=3)
        def test_out_of_range(amazon_music_client):
            pass

        @pytest.mark.amazon_music(True)
        def test_positional(amazon_music_emulator):
            pass

        @pytest.mark.amazon_music(seed=False, followers=3)
        def test_size_without_seed(amazon_music_async_client):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.amazon_music: unknown option 'fault_rat' (known: *",
            "*@pytest.mark.amazon_music: fault_rate: must be between 0 and 1, not 3*",
            "*@pytest.mark.amazon_music: options are keywords, e.g. seed=False; got (True,)*",
            "*@pytest.mark.amazon_music: followers: a seed size needs seed=True*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    pytester.makeini(USER_INI)
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.amazon_music(**options): emulate() options for *"])


def test_the_decorator_and_the_async_fixture_work_without_pytest_asyncio(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        from amazon_music.testing import emulate

        @emulate(seed=False)
        def test_decorated(tmp_path, emulator):
            assert tmp_path.exists()
            assert emulator.client().me().name == "Tony Starked"

        def test_async_fixture_in_a_plain_test(amazon_music_async_client):
            async def name():
                async with amazon_music_async_client as music:
                    return (await music.me()).name

            assert asyncio.run(name()) == "Tony Starked"
        """
    )
    pytester.runpytest("-p", "no:asyncio").assert_outcomes(passed=2)


def test_the_plugin_can_be_turned_off(pytester: pytest.Pytester) -> None:
    pytester.makeini(USER_INI)
    pytester.makepyfile("def test_uses_the_fixture(amazon_music_emulator):\n    pass\n")
    result = pytester.runpytest("-p", "no:amazon_music")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'amazon_music_emulator' not found*"])
