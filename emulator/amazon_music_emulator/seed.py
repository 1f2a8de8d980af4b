"""The deterministic seed: the documentation's entities with the relations its examples show, plus a synthetic
catalog and population built from a fixed pseudo-random sequence, so every fresh store holds the same data.

The demo user (the docs' "Tony Starked", zqll6htnhyb2welrqsrtrhdvaa) is followed by Jane M and Amit, follows Victor
Max and El Victor, Coldplay and XYZ, the docs' two playlists and three podcast shows, and has the docs' two library
tracks; synthetic entities fill each list up to the sizes in ``SeedConfig``. The docs' relations come first, so the
first page of each listing starts like the documentation's example.

IDs follow each kind's documented form: 26 lowercase letters and digits for synthetic users (the docs' own users
keep their 20 to 26 characters), 10-character ASINs for artists, playlists and tracks, UUIDs for podcast shows.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import random
import secrets
import string
import threading
import uuid
from dataclasses import dataclass, field
from typing import Literal

from amazon_music_emulator.store import DEFAULT_TENANT, SecurityProfileRecord, SeedRows, Store

__all__ = [
    "DEMO_API_KEY",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_REDIRECT_URIS",
    "DEMO_USER_ID",
    "DOCS_ARTISTS",
    "DOCS_PODCAST_SHOWS",
    "DOCS_USERS",
    "OTHER_API_KEY",
    "OTHER_CLIENT_ID",
    "OTHER_CLIENT_SECRET",
    "PRIVATE_USER_ID",
    "SEEDS",
    "SeedConfig",
    "build_bare_seed",
    "build_seed",
    "hash_secret",
    "open_store",
    "seed_name",
    "seed_rows",
]

# The seeds a tenant can be made with: the demo world (the default tenant's, the same IDs), or the demo user alone.
SEEDS = ("demo", "empty")


def _derived(label: str, length: int = 32) -> str:
    return hashlib.sha256(f"amazon-music-emulator:{label}".encode()).hexdigest()[:length]


def hash_secret(value: str) -> str:
    """How secrets (client secrets, tokens, codes) are kept: a SHA-256 hex digest, never the value."""
    return hashlib.sha256(value.encode()).hexdigest()


DEMO_USER_ID = "zqll6htnhyb2welrqsrtrhdvaa"
PRIVATE_USER_ID = "k35wo4lm34masdsadevrs7a"
# Fixed demo credentials, like stripe-mock's test keys: the emulator prints them at start; they open nothing real.
DEMO_API_KEY = f"amzn1.application.{_derived('demo api key')}"
DEMO_CLIENT_ID = f"amzn1.application-oa2-client.{_derived('demo client id')}"
DEMO_CLIENT_SECRET = f"amzn1.oa2-cs.v1.{_derived('demo client secret', 64)}"
OTHER_API_KEY = f"amzn1.application.{_derived('other api key')}"
OTHER_CLIENT_ID = f"amzn1.application-oa2-client.{_derived('other client id')}"
OTHER_CLIENT_SECRET = f"amzn1.oa2-cs.v1.{_derived('other client secret', 64)}"
# Loopback return URLs match on any port (RFC 8252 section 7.3), so CLI tools can listen on a free port.
DEMO_REDIRECT_URIS = ("http://127.0.0.1/callback", "http://localhost/callback", "https://localhost/callback")

PROFILE_IMAGE = "https://images-na.ssl-images-amazon.com/images/profile.png"

# (id, name, tier, visibility, playbackVisibility): every user the documentation's examples name.
DOCS_USERS: tuple[tuple[str, str | None, str, str, str | None], ...] = (
    (DEMO_USER_ID, "Tony Starked", "UNLIMITED", "PUBLIC", "PUBLIC"),
    ("zqll6htnhy34fqsrtrhdvaa", "Tony Starked", "UNLIMITED", "PUBLIC", "PUBLIC"),
    ("zqll6htnhybrewrqsrtrhdvaa", "Tony Starked", "UNLIMITED", "PUBLIC", "PUBLIC"),
    (PRIVATE_USER_ID, "Test Test", "UNLIMITED", "PRIVATE", "PRIVATE"),
    ("k35wo4lm34maumbz2vir6xgs7a", "Test Test", "UNLIMITED", "PUBLIC", "PUBLIC"),
    ("q4rno6sdfhqers7dnoiq", "Test Test", "UNLIMITED", "PUBLIC", "PUBLIC"),
    ("hznmiapzd7e43yl53qp6tvuw44", None, "UNLIMITED", "PUBLIC", None),  # the PUT /me example: no name, no playback
    ("6ozjgidgbvjdv3j6dd5jm7ipom", None, "UNLIMITED", "PUBLIC", "PUBLIC"),  # the library example shows only an id
    ("uj7wxenmftr26zlg7eo4maa744", "Jane M", "UNLIMITED", "PUBLIC", "PUBLIC"),
    ("zz2hu7x4v2u2bhzyh5bsb4xvje", "Amit", "UNLIMITED", "PUBLIC", "PUBLIC"),
    ("zz2hu7x4ert4gferzyh5bsb4xvje", "Amit", "UNLIMITED", "PUBLIC", "PUBLIC"),
    ("zz2hu7x4v2ureqerb4xvje", "Amit", "UNLIMITED", "PUBLIC", "PUBLIC"),
    ("ajdzyygpbolfqstxggxmqn4ouu", "Victor Max", "UNLIMITED", "PUBLIC", "PUBLIC"),
    ("lgwup3erbjovmjxwf6sb2hm35m", "El Victor", "UNLIMITED", "PUBLIC", "PUBLIC"),
)
DOCS_ARTISTS = (("B000QKGN8W", "Coldplay"), ("B000S2A8NE", "XYZ"))
DOCS_PLAYLISTS = (("B01LS62KK2", "CLASSIC ROCK HITS"), ("B01LOXC1UI", "HIP-HOP CLASSICS"))
DOCS_TRACKS = (("B07B62ZK5S", "Track B07B62ZK5S"), ("B06VWVWDDH", "Track B06VWVWDDH"))
DOCS_PODCAST_SHOWS = (
    ("8bfa8155-888b-4553-acd3-8f22d43b4c9e", "DISGRACELAND"),
    ("7e8c8b9f-ab40-49ad-9efb-fdb0960979a8", "One Hundred Percent with Marcus Lemonis"),
    ("d6e3946e-6b3f-48dc-a3ae-fdc7c9d699f0", "Crime Junkie"),
)

_JANE, _AMIT, _AMIT_2, _AMIT_3 = (
    "uj7wxenmftr26zlg7eo4maa744",
    "zz2hu7x4v2u2bhzyh5bsb4xvje",
    "zz2hu7x4ert4gferzyh5bsb4xvje",
    "zz2hu7x4v2ureqerb4xvje",
)
_VICTOR, _EL_VICTOR = "ajdzyygpbolfqstxggxmqn4ouu", "lgwup3erbjovmjxwf6sb2hm35m"
_TONY_FOLLOWERS_EXAMPLE, _TONY_LISTS_EXAMPLE = "zqll6htnhy34fqsrtrhdvaa", "zqll6htnhybrewrqsrtrhdvaa"

_FIRST_NAMES = (
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kira", "Liam", "Maya", "Nico",
    "Olga", "Priya", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoe",
)  # fmt: skip
_WORDS = (
    "Amber", "Blue", "Cedar", "Delta", "Echo", "Fable", "Golden", "Harbor", "Ivory", "Jade", "Kinetic", "Lunar",
    "Mosaic", "Neon", "Orbit", "Paper", "Quiet", "River", "Silver", "Tidal", "Velvet", "Wild", "Young", "Zenith",
)  # fmt: skip
_NOUNS = (
    "Hearts", "Lights", "Echoes", "Tides", "Pilots", "Gardens", "Signals", "Rivers", "Avenues", "Machines", "Foxes",
    "Parade", "Season", "Static", "Horizon", "Atlas",
)  # fmt: skip
_TIERS = ("UNLIMITED", "UNLIMITED", "PRIME", "FREE")


@dataclass(frozen=True)
class SeedConfig:
    """How big the demo user's lists are (docs' entities included). Larger values are for benchmarks."""

    followers: int = 250
    followed_users: int = 150
    followed_artists: int = 120
    followed_playlists: int = 120
    followed_podcast_shows: int = 40
    library_tracks: int = 300
    spare: int = 50  # unrelated users, artists, ... for tests to follow
    random_seed: int = 20240501

    def __post_init__(self) -> None:
        minimums = {
            "followers": 2,
            "followed_users": 3,
            "followed_artists": 2,
            "followed_playlists": 2,
            "followed_podcast_shows": 3,
            "library_tracks": 2,
            "spare": 0,
        }
        for name, minimum in minimums.items():
            if getattr(self, name) < minimum:
                raise ValueError(f"SeedConfig.{name} must be at least {minimum} (the docs' own entities)")


@dataclass
class _Ids:
    rng: random.Random
    used: set[str] = field(default_factory=set)

    def unique(self, make: str) -> str:
        while True:
            value = self._make(make)
            if value not in self.used:
                self.used.add(value)
                return value

    def _make(self, kind: str) -> str:
        if kind == "user":
            return "".join(self.rng.choices(string.ascii_lowercase + string.digits, k=26))
        if kind == "asin":
            return "B0" + "".join(self.rng.choices(string.ascii_uppercase + string.digits, k=8))
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def build_seed(config: SeedConfig = SeedConfig()) -> SeedRows:
    """The seed's rows, the same for the same config."""
    rng = random.Random(config.random_seed)
    ids = _Ids(rng, used={row[0] for row in DOCS_USERS})
    ids.used.update(a for a, _ in (*DOCS_ARTISTS, *DOCS_PLAYLISTS, *DOCS_TRACKS))

    def title(words: int) -> str:
        return " ".join([rng.choice(_WORDS), *(rng.choice(_NOUNS) for _ in range(words - 1))])

    users = [(uid, name, tier, vis, pvis, PROFILE_IMAGE) for uid, name, tier, vis, pvis in DOCS_USERS]
    followers_needed = config.followers - 2
    followed_needed = config.followed_users - 3
    overlap = min(50, followers_needed, followed_needed)
    pool_size = followers_needed + followed_needed - overlap + config.spare
    pool = [ids.unique("user") for _ in range(pool_size)]
    for uid in pool:
        name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(string.ascii_uppercase)}."
        visibility = "PRIVATE" if rng.random() < 0.1 else "PUBLIC"
        users.append((uid, name, rng.choice(_TIERS), visibility, rng.choice(("PUBLIC", "PRIVATE")), PROFILE_IMAGE))
    synthetic_followers = pool[:followers_needed]
    synthetic_followed = pool[followers_needed - overlap : followers_needed - overlap + followed_needed]

    artists = list(DOCS_ARTISTS) + [
        (ids.unique("asin"), title(2)) for _ in range(config.followed_artists - 2 + config.spare)
    ]
    playlists = list(DOCS_PLAYLISTS) + [
        (ids.unique("asin"), title(3).upper()) for _ in range(config.followed_playlists - 2 + config.spare)
    ]
    tracks = list(DOCS_TRACKS) + [
        (ids.unique("asin"), title(2)) for _ in range(config.library_tracks - 2 + config.spare)
    ]
    shows = list(DOCS_PODCAST_SHOWS) + [
        (ids.unique("uuid"), f"The {title(2)} Podcast") for _ in range(config.followed_podcast_shows - 3 + config.spare)
    ]

    user_follows = [(_JANE, DEMO_USER_ID), (_AMIT, DEMO_USER_ID)]
    user_follows += [(uid, DEMO_USER_ID) for uid in synthetic_followers]
    user_follows += [(DEMO_USER_ID, _VICTOR), (DEMO_USER_ID, _EL_VICTOR), (DEMO_USER_ID, _AMIT_3)]
    user_follows += [(DEMO_USER_ID, uid) for uid in synthetic_followed]
    user_follows += [(_JANE, _TONY_FOLLOWERS_EXAMPLE), (_AMIT, _TONY_FOLLOWERS_EXAMPLE)]
    user_follows += [(uid, _TONY_FOLLOWERS_EXAMPLE) for uid in pool[:3]]
    user_follows += [(_TONY_LISTS_EXAMPLE, _VICTOR), (_TONY_LISTS_EXAMPLE, _EL_VICTOR)]
    user_follows += [(_TONY_LISTS_EXAMPLE, uid) for uid in pool[:3]]
    user_follows += [(PRIVATE_USER_ID, DEMO_USER_ID), (_JANE, PRIVATE_USER_ID), (_AMIT_2, _JANE)]

    artist_follows = [(DEMO_USER_ID, artist_id) for artist_id, _ in artists[: config.followed_artists]]
    artist_follows += [(_TONY_LISTS_EXAMPLE, artist_id) for artist_id, _ in artists[:5]]
    artist_follows += [(PRIVATE_USER_ID, DOCS_ARTISTS[0][0])]
    for index, uid in enumerate(pool):
        for step in (7, 13):
            artist_follows.append((uid, artists[(index * step + step) % len(artists)][0]))
    artist_follows = list(dict.fromkeys(artist_follows))

    playlist_follows = [(DEMO_USER_ID, playlist_id) for playlist_id, _ in playlists[: config.followed_playlists]]
    podcast_follows = [(DEMO_USER_ID, show_id) for show_id, _ in shows[: config.followed_podcast_shows]]
    podcast_follows += [(_TONY_LISTS_EXAMPLE, show_id) for show_id, _ in DOCS_PODCAST_SHOWS]
    podcast_follows += [(PRIVATE_USER_ID, DOCS_PODCAST_SHOWS[0][0])]

    library = [(DEMO_USER_ID, DOCS_TRACKS[0][0], False, False), (DEMO_USER_ID, DOCS_TRACKS[1][0], False, False)]
    for track_id, _ in tracks[2 : config.library_tracks]:
        library.append((DEMO_USER_ID, track_id, rng.random() < 0.1, rng.random() < 0.2))
    library += [("6ozjgidgbvjdv3j6dd5jm7ipom", track_id, False, False) for track_id, _ in DOCS_TRACKS]

    return SeedRows(
        users=users,
        artists=artists,
        playlists=playlists,
        tracks=tracks,
        podcast_shows=shows,
        user_follows=user_follows,
        artist_follows=artist_follows,
        playlist_follows=playlist_follows,
        podcast_follows=podcast_follows,
        library_tracks=library,
        security_profiles=_security_profiles(),
        meta=[("seed_config", repr(config))],
    )


def _security_profiles() -> list[SecurityProfileRecord]:
    return [
        SecurityProfileRecord(
            DEMO_API_KEY, DEMO_CLIENT_ID, hash_secret(DEMO_CLIENT_SECRET), "Demo app", DEMO_REDIRECT_URIS
        ),
        SecurityProfileRecord(
            OTHER_API_KEY, OTHER_CLIENT_ID, hash_secret(OTHER_CLIENT_SECRET), "Other app", DEMO_REDIRECT_URIS
        ),
    ]


def build_bare_seed() -> SeedRows:
    """A bare store's rows: the demo security profiles and the demo user, with no follows, library or catalog.

    What a test starts from when it arranges every entity itself (the testing kit's ``emulate(seed=False)``).
    """
    demo = next(row for row in DOCS_USERS if row[0] == DEMO_USER_ID)
    return SeedRows(
        users=[(*demo, PROFILE_IMAGE)],
        artists=(),
        playlists=(),
        tracks=(),
        podcast_shows=(),
        user_follows=(),
        artist_follows=(),
        playlist_follows=(),
        podcast_follows=(),
        library_tracks=(),
        security_profiles=_security_profiles(),
        meta=[("seed_config", "bare")],
    )


_templates: dict[SeedConfig | None, Store] = {}  # None: the bare store
_templates_lock = threading.Lock()


def _rows(config: SeedConfig | None) -> SeedRows:
    return build_bare_seed() if config is None else build_seed(config)


def seed_name(config: SeedConfig | None) -> str:
    """What a tenant records as its seed (what a reset of it puts back): "demo" (the default seed), "empty" (the bare
    one), or a sized demo seed as JSON (``SeedConfig``'s fields)."""
    if config is None:
        return "empty"
    if config == SeedConfig():
        return "demo"
    return json.dumps(dataclasses.asdict(config), sort_keys=True)


@functools.lru_cache(maxsize=8)
def seed_rows(name: str) -> SeedRows:
    """The rows of the seed ``seed_name`` named (the demo security profiles among them); ValueError for another."""
    if name == "empty":
        return build_bare_seed()
    if name == "demo":
        return build_seed(SeedConfig())
    try:
        return build_seed(SeedConfig(**json.loads(name)))
    except (ValueError, TypeError):
        raise ValueError(f"seed: expected one of {', '.join(SEEDS)}, not {name!r}") from None


def _template(config: SeedConfig | None) -> Store:
    """A seeded in-memory store per config, built once per process and copied from then on."""
    with _templates_lock:
        template = _templates.get(config)
        if template is None:
            template = Store(":memory:")
            template.load_seed(_rows(config), seed_name(config))
            _templates[config] = template
        return template


def open_store(
    db: str | os.PathLike[str] = ":memory:", config: SeedConfig | Literal[False] | None = None, *, reset: bool = False
) -> Store:
    """Open (creating and seeding on first use) the store at ``db``; ``reset`` empties and seeds it again.

    A store seeded earlier keeps its state: the seed runs only on an empty store. ``config=None`` is the default seed,
    ``False`` the bare one (``build_bare_seed``: the demo user and keys only).
    """
    wanted = None if config is False else (config or SeedConfig())
    if str(db) == ":memory:":
        # A new in-memory store is a copy of the seeded template, schema included: no migrations to run. Each copy
        # signs its cursors with its own key, so a cursor from another emulator is refused.
        store = Store(db, upgrade=False)
        _template(wanted).copy_to(store)
        store.set_cursor_secret(DEFAULT_TENANT, secrets.token_hex(32))
        return store
    store = Store(db)
    if reset:
        store.reset()  # every tenant's key is new: cursors of before are refused
    if not store.is_seeded():
        store.load_seed(_rows(wanted), seed_name(wanted))
    return store
