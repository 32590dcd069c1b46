"""Who may use which register. Cashiers and store managers: their own store's; staff and managers
(``inventory.act_on_any_location``): any. Objects of another store are not found (404), not refused."""

from django.db.models import QuerySet

from .errors import NotAtThisStore
from .models import Register

USE_REGISTER = "pos.use_register"
GIVE_DISCOUNT = "pos.give_discount"


def is_pos_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(USE_REGISTER))


def acts_anywhere(user) -> bool:
    return user.has_perm("inventory.act_on_any_location")


def can_use_store(user, store_id: int) -> bool:
    return is_pos_user(user) and (acts_anywhere(user) or user.store_id == store_id)


def ensure_can_use_store(user, store) -> None:
    if not can_use_store(user, store.pk):
        raise NotAtThisStore(f"You may not use the registers of {store.name}.", detail={"store": store.code})


def visible_store_ids(user) -> list[int] | None:
    """The stores whose registers the user sees; None means every store."""
    if not is_pos_user(user):
        return []
    if acts_anywhere(user):
        return None
    return [user.store_id] if user.store_id else []


def visible_registers(user) -> QuerySet[Register]:
    ids = visible_store_ids(user)
    qs = Register.objects.select_related("store")
    return qs if ids is None else qs.filter(store_id__in=ids)
