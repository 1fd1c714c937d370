"""Typed errors for failures that stop a command (as opposed to findings about a card)."""

from __future__ import annotations


class CardkitError(Exception):
    """Base class; the CLI turns every subclass into a one-line message and exit code 2."""


class UsageError(CardkitError):
    """The user asked for something impossible: a path that does not exist, a bad option."""


class MissingDependencyError(CardkitError):
    """A check needs an optional library (the `model` extra: torch, transformers) that is not installed.

    Raised only by `cardkit.core.dependencies.require`, so every guard says the same thing.
    """

    def __init__(self, package: str, extra: str = "model") -> None:
        hint = " or run `cardkit validate --no-model` for schema checks only" if extra == "model" else ""
        super().__init__(
            f"this check needs {package!r}; install it with `pip install 'cardkit[{extra}]'`{hint}"
        )
