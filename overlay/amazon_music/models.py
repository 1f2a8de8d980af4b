"""The models the client's methods return, to import from here: ``from amazon_music.models import User, Unset``.

They are the generated ones (amazon_music_generated.models), re-exported with ``Unset``/``UNSET``, the value of a field
the response left out. Importing this module loads every model; ``import amazon_music`` does not.
"""

from amazon_music_generated.models import *  # noqa: F403
from amazon_music_generated.models import __all__ as _generated_names
from amazon_music_generated.types import UNSET, Unset

__all__ = [*_generated_names, "UNSET", "Unset"]
