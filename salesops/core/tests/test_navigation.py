from django.urls import reverse

from salesops.core.navigation import menu_for

ROLES = ["rep1", "supervisor1", "manager", "director", "gm", "salesadmin", "finance", "warehouse", "planner", "admin"]


def _labels(menu):
    return [group.label for group in menu]


def test_every_heading_appears_once_for_every_role(org):
    for name in ROLES:
        labels = _labels(menu_for(org[name], None))
        assert len(labels) == len(set(labels)), (name, labels)


def test_the_main_work_comes_first_and_only_one_group_is_open(org):
    assert _labels(menu_for(org["finance"], None))[0] == "Credit and collections"
    assert _labels(menu_for(org["warehouse"], None))[0] == "Inventory"
    for name in ROLES:
        menu = menu_for(org[name], None)
        assert [group.open for group in menu].count(True) == 1
        assert sum(len(group.items) for group in menu if group.open) <= 14, name


def test_the_group_of_the_page_being_read_is_open(org):
    menu = menu_for(org["finance"], "credit-ageing")
    opened = [group for group in menu if group.open]
    assert [item.key for item in opened[0].items if item.url_name == "credit-ageing"] == ["credit-ageing"]


def test_the_page_marks_the_current_entry_and_folds_the_rest(org, client):
    client.force_login(org["finance"])
    html = client.get(reverse("credit-ageing")).content.decode()
    assert html.count('<details class="nav-fold" open>') == 1
    assert 'data-nav="credit-ageing" aria-current="page"' in html
