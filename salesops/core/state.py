"""State machines: a status field moves only along an explicit table of allowed transitions."""

from __future__ import annotations

from django.utils.translation import gettext as _

from salesops.core.exceptions import InvalidTransition


class StateMachine:
    """`transitions` maps a status to the statuses it may move to."""

    def __init__(self, transitions: dict[str, set[str]]):
        self.transitions = {key: frozenset(value) for key, value in transitions.items()}

    def can(self, current: str, target: str) -> bool:
        return target in self.transitions.get(current, frozenset())

    def check(self, current: str, target: str) -> None:
        if not self.can(current, target):
            raise InvalidTransition(
                _("Cannot move from “%(current)s” to “%(target)s”.") % {"current": current, "target": target},
                current=current,
                target=target,
            )
