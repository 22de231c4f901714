import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _company_time_zone(db):
    """Run in the company's time zone, as every request and periodic job of the area does."""
    from salesops.units.services import company_tz

    with timezone.override(company_tz()):
        yield
