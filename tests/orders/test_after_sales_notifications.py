"""Shipped and delivered messages (e-mail in the order's language with the parcels' tracking links, a
text when the order has a phone; once each), the refund e-mail per action, and the admin pages."""

import pytest
from django.core import mail
from django.urls import reverse

from orders import services, tasks
from orders.fulfilment import ParcelInfo
from orders.models import NotificationLog, OrderStatus
from orders.services import LineQuantity
from tests.orders.after_sales_support import D, FakeFulfilment, line_of, place_discounted, registered
from tests.orders.pickup_support import *  # noqa: F403
from tests.orders.pickup_support import pay_with_test_provider

pytestmark = pytest.mark.django_db

PARCELS = [
    ParcelInfo(
        "Colissimo",
        "6A12345678901",
        "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
        "in_transit",
    ),
    ParcelInfo(
        "Colissimo",
        "6A12345678902",
        "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678902",
        "in_transit",
    ),
]


@pytest.fixture
def after_commit(eager_celery, django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_shipped_email_in_italian_lists_the_parcels_and_a_text_goes_with_it(
    shop, after_commit, sms_outbox
):
    order = pay_with_test_provider(place_discounted(shop, language="it"))
    mail.outbox.clear()

    with registered(FakeFulfilment(parcels=PARCELS)), after_commit():
        services.transition_order(order=order, to_status=OrderStatus.SHIPPED)

    [email] = mail.outbox
    assert email.subject == f"Il suo ordine {order.number} è stato spedito"
    assert email.extra_headers["Content-Language"] == "it"
    assert "Segua i suoi pacchi:" in email.body
    for parcel in PARCELS:
        assert f"Colissimo {parcel.tracking_number}: {parcel.tracking_url}" in email.body
        assert f'<a href="{parcel.tracking_url}">{parcel.tracking_number}</a>' in email.alternatives[0][0]
    [text] = sms_outbox
    assert text.to == "+33612345678"
    assert text.body.startswith(f"Maison Corsica: il suo ordine {order.number} è stato spedito.")
    assert PARCELS[0].tracking_url in text.body
    # Once each: the task delivered again sends nothing.
    assert tasks.send_order_email(order_id=order.pk, kind="shipped") is False
    assert tasks.send_order_sms(order_id=order.pk, kind="shipped") is False
    assert set(
        NotificationLog.objects.filter(order=order, kind="shipped").values_list("channel", flat=True)
    ) == {
        "email",
        "sms",
    }


def test_the_delivered_email_and_text_on_completion_without_parcels_registered(
    shop, after_commit, sms_outbox
):
    order = pay_with_test_provider(place_discounted(shop, language="fr"))
    with after_commit():
        services.transition_order(order=order, to_status=OrderStatus.SHIPPED)
    shipped_mail = mail.outbox[-1]
    assert "Suivez vos colis" not in shipped_mail.body  # no FulfilmentState registered: no parcels
    mail.outbox.clear()
    sms_outbox.clear()

    with after_commit():
        services.transition_order(order=order, to_status=OrderStatus.COMPLETED)

    assert [e.subject for e in mail.outbox] == [f"Votre commande {order.number} a été livrée"]
    assert [t.body for t in sms_outbox] == [
        f"Maison Corsica : votre commande {order.number} a été livrée. Merci !"
    ]


def test_no_text_for_an_order_without_phone(shop, after_commit, sms_outbox):
    order = pay_with_test_provider(place_discounted(shop, language="en"))
    type(order).objects.filter(pk=order.pk).update(phone="")
    with after_commit():
        services.transition_order(order=order, to_status=OrderStatus.SHIPPED)
    assert sms_outbox == []
    assert mail.outbox[-1].subject == f"Your order {order.number} has shipped"


def test_each_refund_action_gets_its_own_email(shop, after_commit):
    order = pay_with_test_provider(place_discounted(shop, language="fr"))
    with after_commit():
        services.transition_order(order=order, to_status=OrderStatus.SHIPPED)
    mail.outbox.clear()
    tee = line_of(order, "TEE")
    with after_commit():
        first = services.refund_order_part(
            order=order, lines=[LineQuantity(tee.pk, 1)], reason="r", user=None
        )
        second = services.refund_order_part(order=order, amount=D("2.00"), reason="geste", user=None)

    assert [e.subject for e in mail.outbox] == [f"Un remboursement sur votre commande {order.number}"] * 2
    assert "Nous vous remboursons 12,21\u00a0€" in mail.outbox[0].body
    assert "Nous vous remboursons 2,00\u00a0€" in mail.outbox[1].body
    assert sorted(
        NotificationLog.objects.filter(kind="refund").values_list("reference", flat=True)
    ) == sorted([str(first.pk), str(second.pk)])
    assert tasks.send_order_email(order_id=order.pk, kind="refund", reference=str(first.pk)) is False


def test_the_admin_shows_the_actions_the_line_counts_and_what_a_payment_had_refunded(
    shop, admin_client, after_commit
):
    order = pay_with_test_provider(place_discounted(shop))
    with after_commit():
        services.cancel_order(
            order=order, lines=[LineQuantity(line_of(order, "TEE").pk, 1)], user=None, reason="colour gone"
        )

    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "colour gone" in html and "order-action-" not in html  # the action row, read-only
    payments = admin_client.get(reverse("admin:payments_payment_changelist"))
    assert payments.status_code == 200 and "12,21" in payments.content.decode()  # French admin
