"""schemathesis hooks for this project, named by schemathesis.toml's `hooks` (so `make fuzz` and the in-process
contract suite both load them).

Pattern lengths: for a length boundary (a value exactly `maxLength` long) schemathesis rewrites the pattern to that
one length, but only up to 4,096 characters. The spec's `ids` list of user IDs may be longer (its maxLength), so its
boundary cases fell back to drawing random matches and discarding the wrong lengths: about 10 s of CPU per draw, in
every process, that ended with no value and no boundary case. Raising the limit to the longest string schemathesis
generates from a pattern at all makes those cases exist, in about a second.
"""

from __future__ import annotations

from schemathesis.core import MAX_GENERATED_PATTERN_LENGTH
from schemathesis.core.jsonschema import patterns

# A private setting: fail loudly if a schemathesis upgrade renames it, rather than set a name nothing reads.
if not hasattr(patterns, "_MAX_ANALYSED_LENGTH"):
    raise RuntimeError("schemathesis no longer has patterns._MAX_ANALYSED_LENGTH: review scripts/schemathesis_hooks.py")
patterns._MAX_ANALYSED_LENGTH = max(patterns._MAX_ANALYSED_LENGTH, MAX_GENERATED_PATTERN_LENGTH)
