"""The package as a new user gets it (issue 13, "Done when"): the wheel and sdist are built, the wheel is installed into
fresh virtualenvs outside the repository, and from another folder the user imports it, runs both console scripts
(--help, serve to its first answer, token), uses the pytest plugin, and reads the metadata. Every Python version the
classifiers list is installed and used where its interpreter exists here."""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.long_running  # pip installs into new virtualenvs

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DISTRIBUTION = PYPROJECT["project"]["name"]
LISTED_VERSIONS = sorted(
    classifier.rpartition(" :: ")[2]
    for classifier in PYPROJECT["project"]["classifiers"]
    if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", classifier)
)
DEMO_USER = "zqll6htnhyb2welrqsrtrhdvaa"
IMPORTS = (
    "import json, amazon_music, amazon_music_generated, amazon_music_emulator, amazon_music.models\n"
    "print(json.dumps([amazon_music.__version__, amazon_music.__file__]))"
)
CLIENT_CALL = (
    "import sys\nfrom amazon_music import AmazonMusic\n"
    "print(AmazonMusic(sys.argv[1], token=sys.argv[2], base_url=sys.argv[3]).me().id)"
)
READ_METADATA = (
    "import importlib.metadata as m, json, sys\nd = m.distribution(sys.argv[1])\n"
    "print(json.dumps([d.read_text('METADATA'), [str(f) for f in d.files or [] if 'licenses' in str(f)]]))"
)
BASE_IMPORTS = (
    "import sys, amazon_music\nfrom amazon_music import AmazonMusic\nfrom amazon_music.models import User\n"
    "print('%d.%d' % sys.version_info[:2], amazon_music.__version__)"
)
PLUGIN_TEST = """
import sys


def test_loading_the_plugin_imported_nothing_heavy():
    heavy = [name for name in sys.modules if name.split(".")[0] in {"httpx", "click", "rich", "amazon_music_emulator"}]
    assert heavy == []
    assert "amazon_music.testing.plugin" in sys.modules


def test_the_fixtures_work(amazon_music_client, amazon_music_emulator):
    assert amazon_music_client.me().id == amazon_music_emulator.demo_user
"""


def run(
    command: Sequence[str | Path], cwd: Path, timeout: float = 600, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AMAZON_MUSIC_", "PYTHON"))}
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check:
        assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def interpreter(version: str) -> str | None:
    """A python of ``version`` (e.g. "3.12") on this machine: python3.12 on PATH (pyenv's too), or the current one."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    candidates = [
        shutil.which(f"python{version}"),
        *sorted(Path("/root/.pyenv/versions").glob(f"{version}.*/bin/python3")),
    ]
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return str(candidate)
    return None


def fresh_venv(python: str, where: Path) -> Path:
    """A new virtualenv made by ``python``; its bin folder. Without a pip of its own: installing one (ensurepip) costs
    8 s of CPU per virtualenv, and pip_install drives this one from outside."""
    run([python, "-m", "venv", "--without-pip", where], cwd=where.parent)
    return where / "bin"


def pip_install(bin_dir: Path, *requirements: str | Path) -> None:
    """pip installs into the virtualenv at ``bin_dir`` (pip's --python: this pip, run by that interpreter)."""
    pip = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        bin_dir / "python",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    run([*pip, "--no-compile", *requirements], cwd=bin_dir)


@contextmanager
def serving(bin_dir: Path, db: Path, cwd: Path) -> Iterator[dict[str, str]]:
    """`amazon-music-emulator serve` from the installed wheel on a free port; its banner's values."""
    log = cwd / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [bin_dir / "amazon-music-emulator", "serve", "--port", "0", "--db", db, "--quiet"],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        banner: dict[str, str] = {}
        for _ in range(600):  # the banner, within a minute
            text = log.read_text()
            found = {
                key: re.search(rf"{key}\s+(\S+)", text) for key in ("base URL", "x-api-key", "Authorization  Bearer")
            }
            if all(found.values()):
                banner = {key: match.group(1) for key, match in found.items() if match}
                break
            assert process.poll() is None, text
            time.sleep(0.1)
        assert banner, log.read_text()
        yield banner
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and sdist, built once for all test workers (they share the base temporary folder's parent)."""
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / "amazon-music-dist"
    with FileLock(f"{shared}.lock"):
        if not (shared / "done").exists():
            shared.mkdir(exist_ok=True)
            # the build backend from the dev group: no isolated environment to download and set up each run
            run([sys.executable, "-m", "build", "--no-isolation", "--outdir", shared, ROOT], cwd=shared)
            (shared / "done").touch()
    return shared


def the(pattern: str, folder: Path) -> Path:
    (found,) = folder.glob(pattern)
    return found


def test_the_sdist_holds_what_a_rebuild_needs(dist: Path) -> None:
    with tarfile.open(the("*.tar.gz", dist)) as sdist:
        names = {name.partition("/")[2] for name in sdist.getnames()}
    assert {"LICENSE", "README.md", "pyproject.toml", "spec/amazon-music-user-v1.yaml"} <= names
    assert "overlay/amazon_music/__init__.py" in names and "generated/amazon_music_generated/client.py" in names


def test_a_new_user_installs_the_wheel_and_uses_everything(dist: Path, tmp_path: Path) -> None:
    wheel = the("*.whl", dist)
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    bin_dir = fresh_venv(sys.executable, tmp_path / "venv")
    pip_install(bin_dir, f"{wheel}[emulator]", "pytest>=9,<10")
    python = bin_dir / "python"

    # imports, from a folder that is not the repository
    version, location = json.loads(run([python, "-c", IMPORTS], cwd=elsewhere).stdout)
    assert Path(location).is_relative_to(tmp_path / "venv") and not Path(location).is_relative_to(ROOT)
    assert wheel.name.startswith(f"amazon_music_webapi-{version}-")

    # both console scripts, and python -m
    assert run([bin_dir / "amazon-music", "--help"], cwd=elsewhere).stdout.startswith("Usage: amazon-music")
    assert run([python, "-m", "amazon_music", "--help"], cwd=elsewhere).stdout.startswith("Usage: amazon-music")
    assert "serve" in run([bin_dir / "amazon-music-emulator", "--help"], cwd=elsewhere).stdout

    # serve to its first answer, then a token minted into the same database works on it
    db = elsewhere / "emulator.db"
    with serving(bin_dir, db, elsewhere) as banner:
        base_url = banner["base URL"]
        headers = {"x-api-key": banner["x-api-key"], "Authorization": f"Bearer {banner['Authorization  Bearer']}"}
        assert httpx.get(f"{base_url}/v1/me", headers=headers, timeout=30).json()["data"]["user"]["id"] == DEMO_USER
        token = run([bin_dir / "amazon-music-emulator", "token", "--db", db], cwd=elsewhere).stdout.strip()
        minted = {"x-api-key": banner["x-api-key"], "Authorization": f"Bearer {token}"}
        assert httpx.get(f"{base_url}/v1/me", headers=minted, timeout=30).status_code == 200
        # the installed command talks to it too
        env_call = [python, "-c", CLIENT_CALL, banner["x-api-key"], token, base_url]
        assert run(env_call, cwd=elsewhere).stdout.strip() == DEMO_USER

    # the pytest plugin is registered by the wheel and costs nothing until a fixture is used
    (elsewhere / "test_with_the_plugin.py").write_text(PLUGIN_TEST)
    result = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_with_the_plugin.py"], cwd=elsewhere)
    assert "2 passed" in result.stdout

    # the metadata a package index shows
    metadata_json = run([python, "-c", READ_METADATA, DISTRIBUTION], cwd=elsewhere).stdout
    text, license_files = json.loads(metadata_json)
    metadata = email.message_from_string(text)
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert any(path.endswith("licenses/LICENSE") for path in license_files)
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL") or [])
    assert urls == PYPROJECT["project"]["urls"] and all(url.startswith("https://") for url in urls.values())
    classifiers = metadata.get_all("Classifier") or []
    assert "Framework :: Pytest" in classifiers
    assert {f"Programming Language :: Python :: {version}" for version in LISTED_VERSIONS} <= set(classifiers)
    assert metadata["Description-Content-Type"] == "text/markdown"
    description = metadata.get_payload()
    assert description.strip() == (ROOT / "README.md").read_text(encoding="utf-8").strip()
    # the long description is read off GitHub: every link in it is absolute
    assert not [link for link in re.findall(r"\]\(([^)]+)\)", description) if not link.startswith(("https://", "#"))]
    assert "dev" not in (metadata.get_all("Provides-Extra") or [])  # the tools are a dependency group, not an extra


@pytest.mark.parametrize("version", LISTED_VERSIONS)
def test_every_listed_python_installs_the_wheel_and_runs_it(dist: Path, tmp_path: Path, version: str) -> None:
    """A base install (no extra) on each listed Python: the client and the command work; the emulator command says
    which extra it needs instead of failing on an import."""
    python = interpreter(version)
    if python is None:
        pytest.skip(f"no python{version} on this machine: the classifier is tested where it is installed")
    bin_dir = fresh_venv(python, tmp_path / "venv")
    pip_install(bin_dir, the("*.whl", dist))
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    assert run([bin_dir / "python", "-c", BASE_IMPORTS], cwd=elsewhere).stdout.split()[0] == version
    assert run([bin_dir / "amazon-music", "--help"], cwd=elsewhere).stdout.startswith("Usage: amazon-music")
    emulator_help = run([bin_dir / "amazon-music-emulator", "--help"], cwd=elsewhere, check=False)
    assert emulator_help.returncode == 1
    assert "pip install 'amazon-music-webapi[emulator]'" in emulator_help.stderr
    assert "Traceback" not in emulator_help.stderr
