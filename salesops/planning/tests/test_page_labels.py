"""Planning pages: months from the one formatting helper, the engine a forecast ran on, and the
MRP step timings in the reader's language."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from salesops.planning.models import ForecastRun, MrpRun
from salesops.planning.tests.test_api import data  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _page(user, url, language):
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "month", "engine"),
    [("en", "From Dec 2026,", "Forecast engine: Dask cluster (distributed)"), ("zh-hans", "2026年12月", "预测引擎")],
)
def test_the_forecast_page_shows_its_first_month_and_engine(org, data, language, month, engine):  # noqa: F811
    run = data["run"]
    ForecastRun.objects.filter(pk=run.pk).update(first_period=datetime.date(2026, 12, 1), engine="dask")
    html = _page(org["planner"], reverse("planning-forecast-detail", args=[run.pk]), language)
    assert month in html
    assert engine in html
    assert "2026-12" not in html.split('data-testid="forecast-engine"')[0].split("<h1>")[1]


@pytest.mark.parametrize(("language", "shown"), [("en", "this server (local)"), ("zh-hans", "本服务器")])
def test_a_local_forecast_says_so(org, data, language, shown):  # noqa: F811
    run = data["run"]
    ForecastRun.objects.filter(pk=run.pk).update(engine="local")
    html = _page(org["planner"], reverse("planning-forecast-detail", args=[run.pk]), language)
    engine = html.split('data-testid="forecast-engine">')[1].split("</span>")[0]
    assert shown in engine


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "reading 0.12 s · planning 1,234.57 s"), ("zh-hans", "读取数据 0.12 秒 · 计划运算 1,234.57 秒")],
)
def test_mrp_step_timings_are_in_the_readers_language(org, data, language, shown):  # noqa: F811
    mrp = data["mrp"]
    MrpRun.objects.filter(pk=mrp.pk).update(timings={"read": 0.12, "engine": 1234.567})
    html = _page(org["planner"], reverse("planning-mrp-detail", args=[mrp.pk]), language)
    assert f'data-testid="mrp-timings">{shown}</span>' in html
