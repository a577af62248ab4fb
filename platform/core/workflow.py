"""What every workflow table is made of: transitions declared as data.

Each app's `workflow.py` lists its transitions; its one transition service reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.types import StrOrPromise


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]  # states it may be taken from
    target: str
    actor: str  # who may take it, in the app's own terms
    label: StrOrPromise
    needs_reason: bool = False
    # Ends or undoes something (withdraw, revoke): the page styles it as dangerous and
    # asks for a confirmation before it is taken.
    destructive: bool = False


def transition_table(*transitions: Transition) -> dict[str, Transition]:
    table = {t.action: t for t in transitions}
    if len(table) != len(transitions):
        raise ValueError("Two transitions share an action name.")
    return table
