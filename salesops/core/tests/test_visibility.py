import pytest

from salesops.core.roles import Role
from salesops.core.tests.factories import make_user
from salesops.crm.models import Customer
from salesops.crm.selectors import customer_list_for_user
from salesops.crm.services import customer_create


@pytest.fixture
def customers(org):
    return {
        name: customer_create(actor=org["admin"], name=name, owner=org[owner])
        for name, owner in [("Alpha", "rep1"), ("Beta", "rep2"), ("Gamma", "rep3")]
    }


def visible(user):
    return sorted(customer_list_for_user(user=user).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("rep1", ["Alpha"]),
        ("rep2", ["Beta"]),
        ("rep3", ["Gamma"]),
        ("supervisor1", ["Alpha", "Beta"]),
        ("supervisor2", ["Gamma"]),
        ("manager", ["Alpha", "Beta", "Gamma"]),
        ("director", ["Alpha", "Beta", "Gamma"]),
        ("gm", ["Alpha", "Beta", "Gamma"]),
        ("finance", ["Alpha", "Beta", "Gamma"]),
        ("salesadmin", ["Alpha", "Beta", "Gamma"]),
        ("warehouse", []),
        ("planner", []),
        ("norole", []),
    ],
)
def test_each_role_sees_its_share_of_customers(org, customers, username, expected):
    assert visible(org[username]) == expected


def test_roles_add_up(org, customers):
    rep_and_supervisor = make_user(roles=[Role.SALES_REP, Role.SALES_SUPERVISOR], unit=org.units["EAST-2"])
    customer_create(actor=org["admin"], name="Delta", owner=rep_and_supervisor)
    assert visible(rep_and_supervisor) == ["Delta", "Gamma"]


def test_inactive_users_see_nothing(org, customers):
    rep = org["rep1"]
    rep.is_active = False
    rep.save()
    assert visible(type(rep).objects.get(pk=rep.pk)) == []


def test_moving_a_team_to_another_region_moves_its_visibility(org, customers):
    from salesops.core.services import org_unit_create, org_unit_update

    west = org_unit_create(company=org.company, name="West", code="WEST", kind="region", parent=org.units["SALES"])
    org_unit_update(unit=org.units["EAST-2"], data={"parent": west}, actor=org["admin"])
    assert visible(org["manager"]) == ["Alpha", "Beta"]
    assert Customer.objects.get(name="Gamma").team.path.startswith(west.path)


def test_a_rep_sees_themself_when_the_rows_are_people(org):
    """People are their own owners (`owner_field="pk"`): a rep sees only their own row, a
    supervisor the people of their team."""
    from salesops.core.models import User
    from salesops.core.visibility import visible_to

    def people(user):
        return set(visible_to(User.objects.all(), user, owner_field="pk", unit_field="org_unit"))

    assert people(org["rep1"]) == {org["rep1"]}
    assert org["rep2"] in people(org["supervisor1"]) and org["rep3"] not in people(org["supervisor1"])
