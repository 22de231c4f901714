"""The periodic jobs of unit sales (`core.periodic`): holds that lapse, no-shows and group
releases, money confirmed elsewhere. Each is idempotent and catches up on what it missed."""

from django.utils.translation import gettext_lazy as _

from salesops.units import bookings, contracts, services


def register_event_types() -> None:
    from salesops.sop.events import register_event_type

    register_event_type(contracts.SOP_EVENT, _("Unit payment received by its due date"))


def holds_run(*, now=None) -> dict:
    return {"lapsed": services.holds_expire(now=now)}


def bookings_run(*, now=None) -> dict:
    return {"no_shows": bookings.no_shows_run(now=now), "blocks_released": bookings.blocks_release_run(now=now)}


def payments_run(*, now=None) -> dict:
    return {"purchases": contracts.payments_sync(now=now)}
