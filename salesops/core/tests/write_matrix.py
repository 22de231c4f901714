"""A write matrix: every write of an app (a REST API call or a form post) tried by every role.

An app's test module describes its writes (`Write`: the request, the data sent, a probe of what
the write changes, the roles allowed), the world they act on, the trail a refused write must
leave as it was, and the rule saying how each role that may not write is refused (`Refused`).
`check` makes the request as the role and asserts the outcome:

- a role allowed gets a 2xx or 3xx (a page: its redirect, not to the login page) and the probe
  changes;
- a role refused gets the status of its refusal (through the API, with its error code, and the
  field named when the refusal is on a field), and neither the trail nor the probe changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

API_CODES = {400: "validation_error", 403: "permission_denied", 404: "not_found"}


@dataclass(frozen=True)
class Write:
    method: str  # "post", "patch"; a path not under /api/ is a form post
    url: str  # formatted with the ids of the world
    body: Callable  # world → the data sent
    probe: Callable  # world → what the write changes
    allowed: set  # the roles that may do it

    @property
    def page(self) -> bool:
        return not self.url.startswith("/api/")


@dataclass(frozen=True)
class Refused:
    """How a write is refused: its status and, when given, the API's error code and the field named."""

    status: int
    code: str = ""
    field: str = ""


def refusal(write: Write, status: int) -> Refused:
    """The usual refusal: a page answers a status; the API answers it with its error code."""
    return Refused(status, "" if write.page else API_CODES[status])


def nothing(world) -> dict:
    """The body of a write that sends no data."""
    return {}


def count(model):
    """A probe: how many records of `model` there are."""
    return lambda w: model.objects.count()


def value(model, key, *fields):
    """A probe: `fields` of the record of the world under `key`."""
    return lambda w: model.objects.values_list(*fields).get(pk=w[key].pk)


def status_of(model, key):
    """A probe: the status of the record of the world under `key`."""
    return lambda w: model.objects.get(pk=w[key].pk).status


def parametrize(matrix: dict, roles: list):
    """Run a test for every action of `matrix` and every role (ids: "<action>-<role>")."""

    def decorate(test):
        return pytest.mark.parametrize("role", roles)(pytest.mark.parametrize("action", list(matrix))(test))

    return decorate


def check(
    write: Write,
    role: str,
    world: dict,
    *,
    expected: Callable[[Write, str], Refused | None],
    trail: Callable,
    api,
    client,
    **ids,
) -> None:
    """Make `write` as `role` of `world["org"]` and assert what `expected` says of it.

    `expected(write, role)` is None when the role may write, else how it is refused; `trail()`
    is everything a refused write must leave as it was. The url is formatted with the ids of the
    records of the world and with `ids`.
    """
    url = write.url.format(**{key: getattr(item, "pk", None) for key, item in world.items()}, **ids)
    user = world["org"][role]
    before, probe = trail(), write.probe(world)
    if write.page:
        client.force_login(user)
        response = client.post(url, write.body(world))
    else:
        response = getattr(api(user), write.method)(url, write.body(world), format="json")

    refused = expected(write, role)
    if refused is None:
        assert 200 <= response.status_code < 400 and write.probe(world) != probe, (response.status_code, probe)
        if write.page:
            assert response.status_code == 302 and "/login" not in response["Location"]
        return
    assert response.status_code == refused.status, response.content
    if refused.code:
        assert response.json()["code"] == refused.code
    if refused.field:
        assert refused.field in response.json()["fields"]
    assert (trail(), write.probe(world)) == (before, probe)
