"""The roles are groups holding exactly their permissions; assigning one is idempotent."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import Role
from accounts.roles import ADMIN_ROLES, ROLE_PERMISSIONS, assign_role, ensure_roles
from inventory.permissions import can_act_at
from tests.factories import UserFactory, cashier, manager, staff, store_manager

pytestmark = pytest.mark.django_db


def perms(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_ensure_roles_is_rerunnable_and_exact():
    groups = ensure_roles()
    assert set(groups) == set(Role.values)
    group = groups[Role.CASHIER]
    group.permissions.clear()  # drifted
    groups = ensure_roles()
    assert Group.objects.count() == len(Role.values)
    for role, expected in ROLE_PERMISSIONS.items():
        assert perms(groups[role]) == set(expected)


def test_roles_nest_upwards():
    """Each role holds the one below it, except the KPI dashboard: a store manager sees their store's
    figures, staff none, a manager the chain's (the dashboard permissions do not stack)."""
    dashboard = {"reporting.view_store_dashboard", "reporting.view_chain_dashboard"}

    def held(role: str) -> set[str]:
        return set(ROLE_PERMISSIONS[role]) - dashboard

    assert held(Role.CASHIER) < held(Role.STORE_MANAGER) < held(Role.STAFF) < held(Role.MANAGER)
    assert ROLE_PERMISSIONS[Role.SHOPPER] == []
    assert dashboard & set(ROLE_PERMISSIONS[Role.STORE_MANAGER]) == {"reporting.view_store_dashboard"}
    assert dashboard & set(ROLE_PERMISSIONS[Role.MANAGER]) == {"reporting.view_chain_dashboard"}
    assert not dashboard & set(ROLE_PERMISSIONS[Role.STAFF])


def test_assign_role_gives_admin_access_only_to_admin_roles():
    shopper = UserFactory(role=Role.SHOPPER)
    till = UserFactory(role=Role.CASHIER)
    boss = UserFactory(role=Role.STORE_MANAGER)
    assert (shopper.is_staff, till.is_staff, boss.is_staff) == (False, False, True)
    assign_role(boss, Role.STORE_MANAGER)  # twice: no duplicate
    assert list(boss.groups.values_list("name", flat=True)) == [Role.STORE_MANAGER]
    assert {Role.STORE_MANAGER, Role.STAFF, Role.MANAGER} == ADMIN_ROLES


def test_location_scope(store, other_store):
    till, boss, office, chief = cashier(store), store_manager(store), staff(), manager()
    assert can_act_at(till, store, "record_sale") and not can_act_at(till, other_store, "record_sale")
    assert not can_act_at(till, store, "receive_stock")  # cashiers sell, they do not receive
    assert can_act_at(boss, store, "adjust_stock") and not can_act_at(boss, other_store, "adjust_stock")
    assert can_act_at(office, other_store, "transfer_stock") and can_act_at(
        chief, other_store, "adjust_stock"
    )
    assert not chief.has_perm("accounts.delete_user") and chief.has_perm("accounts.add_customergroup")
    assert not office.has_perm("accounts.add_customergroup")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        (Role.STAFF, "/admin/orders/order/", 200),
        (Role.STAFF, "/admin/pricing/promotion/", 200),
        (Role.STAFF, "/admin/logistics/shippingrate/", 200),
        (Role.STAFF, "/admin/catalog/review/", 200),
        (Role.STAFF, "/admin/payments/payment/", 200),
        (Role.STORE_MANAGER, "/admin/orders/order/", 200),
        (Role.STORE_MANAGER, "/admin/pos/registersession/", 200),
        (Role.STORE_MANAGER, "/admin/pricing/promotion/", 403),
    ],
)
def test_each_back_office_role_reaches_its_admin_pages(client, role, url, status):
    from tests.factories import LocationFactory

    user = UserFactory(is_staff=True, store=LocationFactory(code="AJA"))
    ensure_roles()
    assign_role(user, role)
    client.force_login(user)

    assert client.get(url).status_code == status


def test_the_command_brings_an_existing_database_up_to_the_roles(db):
    """A database whose staff group predates a permission (the quotes' here) gets it on deploy."""
    from io import StringIO

    from django.core.management import call_command

    ensure_roles()
    staff = Group.objects.get(name=Role.STAFF)
    staff.permissions.remove(*staff.permissions.filter(codename="change_quote"))
    assert not staff.permissions.filter(codename="change_quote").exists()
    out = StringIO()
    call_command("ensure_roles", stdout=out)
    assert staff.permissions.filter(codename="change_quote", content_type__app_label="orders").exists()
    assert f"{Role.STAFF}: {len(ROLE_PERMISSIONS[Role.STAFF])} permissions" in out.getvalue()
