"""What every workflow table is made of: transitions declared as data.

Each app's `workflow.py` lists its transitions; its one transition service reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.types import StrOrPromise

# The target of a step that leaves the state as it is (an edit, a record added): such
# steps sit in the table beside the transitions, so that one table says who may take
# every step of a workflow.
STAYS = ""


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]  # states it may be taken from
    target: str  # the state it leads to, or STAYS
    actor: str  # who may take it, in the app's own terms
    label: StrOrPromise
    needs_reason: bool = False
    # Ends or undoes something (withdraw, revoke): the page styles it as dangerous and
    # asks for a confirmation before it is taken.
    destructive: bool = False
    # What else must hold besides the source state and the actor: a check that raises the
    # app's DomainError when it does not. The one door runs it under its lock; the app's
    # actions selector runs it too, so a page offers the step only when it holds.
    precondition: Callable[..., None] | None = field(default=None, kw_only=True, compare=False)


def transition_table(*transitions: Transition) -> dict[str, Transition]:
    table = {t.action: t for t in transitions}
    if len(table) != len(transitions):
        raise ValueError("Two transitions share an action name.")
    return table
