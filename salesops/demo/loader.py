"""The demo company, built area by area through each area's own services.

Every business area may have a `demo.py` module with `ORDER` (an int: foundation 10,
customers 20, products 30, …) and `build(ctx: DemoContext)`. The loader runs them in order,
each in its own transaction, and records each finished step so a second run adds nothing.
Randomness comes from `ctx.rng(name)`, seeded by name: the same data on every machine.
"""

from __future__ import annotations

import datetime
import importlib
import random
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from salesops.demo.models import DemoStep

DEMO_PASSWORD = "salesops-demo"  # noqa: S105 - published demo logins


@dataclass
class DemoContext:
    today: datetime.date = field(default_factory=timezone.localdate)
    log: list[str] = field(default_factory=list)

    def rng(self, name: str) -> random.Random:
        return random.Random(f"salesops-demo-{name}")

    def user(self, username: str):
        from salesops.core.models import User

        return User.objects.get(username=username)

    def say(self, text: str) -> None:
        self.log.append(text)


def demo_steps() -> list[tuple[int, str, object]]:
    steps = []
    for config in apps.get_app_configs():
        if not config.name.startswith("salesops."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.demo":
                raise
            continue
        steps.append((module.ORDER, config.label, module.build))
    return sorted(steps, key=lambda step: (step[0], step[1]))


def load_demo(*, ctx: DemoContext | None = None, progress=print, only: set[str] | None = None) -> DemoContext:
    """Run the steps not loaded yet (`only`: just these areas, for tests)."""
    ctx = ctx or DemoContext()
    done = set(DemoStep.objects.values_list("name", flat=True))
    for _order, name, build in demo_steps():
        if only is not None and name not in only:
            continue
        if name in done:
            progress(f"  {name}: already loaded")
            continue
        progress(f"  {name}: loading…")
        with transaction.atomic():
            build(ctx)
            DemoStep.objects.create(name=name)
    return ctx
