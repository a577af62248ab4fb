"""One family of domain errors: every refusal a service raises is a ``DomainError``.

A service either completes or raises one of these and changes nothing. Each app's
``exceptions.py`` subclasses them (``contracts.exceptions.NotAllowed`` is both a
``ContractError`` and a ``core.errors.NotAllowed``), so a view can handle any app's refusal
the same way (``core.attempt.attempt``): ``NotAllowed`` becomes a 403, the rest a message.
"""

from __future__ import annotations


class DomainError(Exception):
    """The operation was refused and nothing changed; ``str(exc)`` is the message for the
    person who asked, ``problems`` what to fix, one line each."""

    def __init__(self, message: object = "", problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.problems: list[str] = list(problems or [])


class NotAllowed(DomainError):
    """This person may not do this, here: a view answers 403 and says nothing more."""


class InvalidTransition(DomainError):
    """The object is not in a state that allows this step."""


class ReasonRequired(DomainError):
    """The step needs a reason in words."""


class IdentityLeak(DomainError):
    """A text others read identifies the person; ``field`` names the text."""

    def __init__(self, message: object, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
