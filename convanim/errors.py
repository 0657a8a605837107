"""Errors that name what the user set, in the words of wherever they set it.

A message names a field as ``‹padding›``. ``str(err)`` writes field names (``padding``): what the
Python API takes. :meth:`SpecError.worded` writes them another way, so the CLI says ``--pad``, a
manifest ``pad`` and a Sphinx directive ``:pad:``, from one message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

FIELD = re.compile(r"‹([a-z_]+)›")


class WordedError(Exception):
    """An error whose message names fields as ``‹field›``."""

    def worded(self, names: Mapping[str, str] | Callable[[str], str] = {}) -> str:  # noqa: B006
        """The message with each field written as ``names`` says (a mapping or a function)."""
        spell = names if callable(names) else (lambda field: names.get(field, field))
        return FIELD.sub(lambda m: spell(m.group(1)), str(self.args[0]) if self.args else "")

    @property
    def fields(self) -> list[str]:
        """The fields the message names, in order."""
        return FIELD.findall(str(self.args[0]) if self.args else "")

    def __str__(self) -> str:
        return self.worded()


class SpecError(WordedError, ValueError):
    """An invalid request (a usage error, exit status 2); the message names the field and the fix."""


class OutputError(WordedError):
    """The output could not be written (a runtime failure, exit status 1)."""


def field(name: str) -> str:
    """The marker for field ``name`` inside a message."""
    return f"‹{name}›"
