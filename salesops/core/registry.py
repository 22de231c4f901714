"""Extension points the business areas plug into from their AppConfig.ready():
navigation entries and home-page sections. Areas never edit the shell to add themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    key: str
    label: object  # a lazy translation
    url_name: str
    roles: frozenset[str] | None = None  # None: everyone signed in
    order: int = 100
    group: object = ""

    def visible_to(self, user) -> bool:
        if self.roles is None:
            return True
        return bool(user.roles & self.roles)


@dataclass(frozen=True)
class HomeSection:
    """`render(request)` returns (template_name, context) or None when there is nothing to show."""

    key: str
    render: Callable
    roles: frozenset[str] | None = None
    order: int = 100

    def visible_to(self, user) -> bool:
        return self.roles is None or bool(user.roles & self.roles)


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    home: list[HomeSection] = field(default_factory=list)

    def add_nav(self, item: NavItem) -> None:
        self.nav = sorted([n for n in self.nav if n.key != item.key] + [item], key=lambda n: (n.order, n.key))

    def add_home(self, section: HomeSection) -> None:
        self.home = sorted([s for s in self.home if s.key != section.key] + [section], key=lambda s: (s.order, s.key))


registry = Registry()
