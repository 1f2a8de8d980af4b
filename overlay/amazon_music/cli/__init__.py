"""The ``amazon-music`` command: every operation of the Amazon Music Web API (User v1), login, and the exit codes.

Only the console script imports this subpackage (``import amazon_music`` never does), and the command imports the
client and rich inside each command, so ``amazon-music --help`` stays fast.
"""

from ._app import cli, main
from ._exit import ExitCode

__all__ = ["ExitCode", "cli", "main"]
