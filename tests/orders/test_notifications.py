"""Order e-mails and the pickup text message: after commit, in the order's language, once."""

import datetime as dt
import struct
from array import array
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend
from django.utils import dateformat, timezone, translation

from core.sms.backends.locmem import SmsBackend as LocmemSms
from orders import notifications, services, tasks
from orders.models import DeliveryMethod, NotificationLog, OrderStatus
from orders.services import pickup
from payments.models import RefundStatus
from tests.factories import staff
from tests.orders.pickup_support import *  # noqa: F403
from tests.orders.pickup_support import DAY, pay_with_test_provider, place, refunds_made

pytestmark = pytest.mark.django_db

# What the lead's .po files will hold; written to a temporary LOCALE_PATHS so the tests do not depend
# on them and prove the strings really go through gettext in the order's language.
CATALOG = {
    "fr": {
        "Thank you for your order %(number)s": "Merci pour votre commande %(number)s",
        "Your order %(number)s is ready: collect it by %(deadline)s": (
            "Votre commande %(number)s est prête : à retirer avant %(deadline)s"
        ),
        "%(shop)s: your order %(number)s is ready at %(store)s. Please collect it by %(deadline)s.": (
            "%(shop)s : votre commande %(number)s vous attend à %(store)s. À retirer avant %(deadline)s."
        ),
        "Your order %(number)s has been cancelled": "Votre commande %(number)s a été annulée",
    },
    "it": {
        "Thank you for your order %(number)s": "Grazie per il tuo ordine %(number)s",
        "Your order %(number)s is ready: collect it by %(deadline)s": (
            "Il tuo ordine %(number)s è pronto: ritiralo entro %(deadline)s"
        ),
        "%(shop)s: your order %(number)s is ready at %(store)s. Please collect it by %(deadline)s.": (
            "%(shop)s: il tuo ordine %(number)s ti aspetta a %(store)s. Ritiralo entro %(deadline)s."
        ),
        "Your order %(number)s has been cancelled": "Il tuo ordine %(number)s è stato annullato",
    },
}


def write_mo(path, messages: dict[str, str]) -> None:
    """A GNU .mo catalog (the format msgfmt writes), enough for gettext to read."""
    entries = {"": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n > 1);\n"}
    entries.update(messages)
    keys = sorted(entries)
    ids = strs = b""
    offsets = []
    for key in keys:
        k, v = key.encode(), entries[key].encode()
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    key_offsets, value_offsets = [], []
    for k_off, k_len, v_off, v_len in offsets:
        key_offsets += [k_len, k_off + key_start]
        value_offsets += [v_len, v_off + value_start]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        header + array("i", key_offsets).tobytes() + array("i", value_offsets).tobytes() + ids + strs
    )


@pytest.fixture
def catalogs(settings, tmp_path):
    for language, messages in CATALOG.items():
        write_mo(tmp_path / language / "LC_MESSAGES" / "django.mo", messages)
    settings.LOCALE_PATHS = [tmp_path]  # resets Django's translation caches
    yield
    translation.activate(settings.LANGUAGE_CODE)


class FlakyEmailBackend(LocmemEmailBackend):
    """The mail server refuses the next ``failures`` connections (an outside system, faked)."""

    failures = 0

    def send_messages(self, messages):
        if FlakyEmailBackend.failures > 0:
            FlakyEmailBackend.failures -= 1
            raise ConnectionRefusedError("SMTP server unreachable")
        return super().send_messages(messages)


# The amounts in the order's language, as the product page writes them (core.money.format_money).
TEES = {"fr": "25,00\u00a0€", "en": "€25.00", "it": "25,00\u00a0€"}
TOTAL = {"fr": "31,00\u00a0€", "en": "€31.00", "it": "31,00\u00a0€"}


def pay(order):
    return services.transition_order(order=order, to_status=OrderStatus.PAID, note="test provider")


def logs(order):
    return sorted(
        NotificationLog.objects.filter(order=order).values_list("kind", "channel", "recipient", "attempts")
    )


@pytest.mark.parametrize(
    ("language", "subject", "opening"),
    [
        ("fr", "Merci pour votre commande {}", "Thank you for your order {}."),
        ("en", "Thank you for your order {}", "Thank you for your order {}."),
        ("it", "Grazie per il tuo ordine {}", "Thank you for your order {}."),
    ],
)
def test_the_confirmation_goes_out_after_payment_in_the_orders_language(
    shop, catalogs, eager_celery, django_capture_on_commit_callbacks, language, subject, opening
):
    order = place(shop, tees=2, mugs=1, language=language)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pay(order)
    assert mail.outbox == []  # nothing before the commit

    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == subject.format(order.number)
    assert message.to == [order.email] and message.extra_headers["Content-Language"] == language
    assert message.body.startswith(opening.format(order.number))  # untranslated body strings: English
    assert f"2 x Tee (TEE): {TEES[language]}" in message.body and "1 x Mug (MUG): " in message.body
    assert f"Total paid: {TOTAL[language]}" in message.body and " EUR" not in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'<html lang="{language}">' in html
    assert TOTAL[language] in html and " EUR" not in html
    assert "<strong>Ajaccio</strong>" in html and "2 cours Napoléon" in html
    assert logs(order) == [("confirmation", "email", order.email, 1)]


def test_a_home_delivery_confirmation_talks_about_the_parcel(
    shop, eager_celery, django_capture_on_commit_callbacks
):
    order = place(shop, method=DeliveryMethod.HOME, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    assert "We are preparing your parcel and will tell you when it ships." in mail.outbox[0].body
    assert "Pickup store" not in mail.outbox[0].body


def test_the_confirmation_goes_out_once_however_often_the_task_runs(
    shop, eager_celery, django_capture_on_commit_callbacks
):
    order = place(shop, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    assert tasks.send_order_email.delay(order_id=order.pk, kind="confirmation").get() is False
    assert notifications.send_order_email(order_id=order.pk, kind="confirmation") is False
    assert len(mail.outbox) == 1
    assert logs(order) == [("confirmation", "email", order.email, 1)]


def test_a_failed_send_is_retried_and_still_goes_out_once(shop, settings, eager_celery):
    settings.EMAIL_BACKEND = "tests.orders.test_notifications.FlakyEmailBackend"
    FlakyEmailBackend.failures = 2
    order = pay(place(shop, language="en"))

    # A worker's first try fails: the claim is given back so the retry can take it.
    with pytest.raises(ConnectionRefusedError):
        notifications.send_order_email(order_id=order.pk, kind="confirmation")
    log = NotificationLog.objects.get(order=order)
    assert (log.sent_at, log.claimed_at, log.attempts, log.last_error) == (
        None,
        None,
        1,
        "SMTP server unreachable",
    )

    # Celery retries (eager here): one more failure, then it is delivered.
    result = tasks.send_order_email.apply(kwargs={"order_id": order.pk, "kind": "confirmation"}, throw=False)
    assert result.get() is True and len(mail.outbox) == 1
    log.refresh_from_db()
    assert (log.attempts, log.last_error) == (3, "") and log.sent_at is not None
    FlakyEmailBackend.failures = 0


def test_a_message_being_sent_by_another_worker_is_not_sent_again_until_its_claim_lapses(shop):
    order = pay(place(shop, language="en"))
    NotificationLog.objects.create(
        order=order, kind="confirmation", channel="email", claimed_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert notifications.send_order_email(order_id=order.pk, kind="confirmation") is False
    assert mail.outbox == []
    NotificationLog.objects.filter(order=order).update(claimed_at=timezone.now() - dt.timedelta(minutes=11))
    assert notifications.send_order_email(order_id=order.pk, kind="confirmation") is True
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("language", ["fr", "en", "it"])
def test_ready_for_pickup_sends_an_email_and_one_text_in_the_orders_language(
    shop, catalogs, sms_outbox, eager_celery, django_capture_on_commit_callbacks, language
):
    order = pay(place(shop, language=language, phone="06 12 34 56 78"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pickup.mark_ready_for_pickup(order=order, user=staff())

    deadline = timezone.localtime(pickup.pickup_deadline(order))
    with translation.override(language):
        day = dateformat.format(deadline, "l j F")  # "lundi 30 novembre", "Monday 30 November", ...
    expected_subject = {
        "fr": f"Votre commande {order.number} est prête : à retirer avant {day}",
        "en": f"Your order {order.number} is ready: collect it by {day}",
        "it": f"Il tuo ordine {order.number} è pronto: ritiralo entro {day}",
    }[language]
    expected_sms = {
        "fr": f"Maison Corsica : votre commande {order.number} vous attend à Ajaccio. À retirer avant {day}.",
        "en": f"Maison Corsica: your order {order.number} is ready at Ajaccio. Please collect it by {day}.",
        "it": f"Maison Corsica: il tuo ordine {order.number} ti aspetta a Ajaccio. Ritiralo entro {day}.",
    }[language]
    assert [m.subject for m in mail.outbox] == [expected_subject]
    assert "Please collect it within 7 days" in mail.outbox[0].body
    assert [(m.to, m.body) for m in sms_outbox] == [("+33612345678", expected_sms)]

    # Celery delivers a task twice, or a retry runs after a success: still one text, one e-mail.
    assert tasks.send_order_sms.delay(order_id=order.pk, kind="ready_for_pickup").get() is False
    assert tasks.send_order_email.delay(order_id=order.pk, kind="ready_for_pickup").get() is False
    assert len(sms_outbox) == 1 and len(mail.outbox) == 1
    assert logs(order) == [
        ("ready_for_pickup", "email", order.email, 1),
        ("ready_for_pickup", "sms", "+33612345678", 1),
    ]


def test_the_text_is_retried_when_the_sms_provider_is_down(shop, sms_outbox, eager_celery):
    order = pickup.mark_ready_for_pickup(order=pay(place(shop, language="en")), user=staff())
    LocmemSms.fail_next = 1

    result = tasks.send_order_sms.apply(
        kwargs={"order_id": order.pk, "kind": "ready_for_pickup"}, throw=False
    )

    assert result.get() is True and len(sms_outbox) == 1
    log = NotificationLog.objects.get(order=order, channel="sms")
    assert (log.attempts, log.last_error, log.sent_at is not None) == (2, "", True)


@pytest.mark.parametrize("phone", ["", "not a phone", "12"])
def test_no_text_without_a_usable_phone_number(
    shop, sms_outbox, eager_celery, django_capture_on_commit_callbacks, phone
):
    order = pay(place(shop, language="en", phone=phone))
    with django_capture_on_commit_callbacks(execute=True):
        pickup.mark_ready_for_pickup(order=order, user=staff())
    assert sms_outbox == []
    assert [m.subject for m in mail.outbox][-1].startswith(f"Your order {order.number} is ready")
    assert not NotificationLog.objects.filter(order=order, channel="sms").exists()


def test_cancelling_a_paid_order_sends_the_cancellation_in_its_language(
    shop, catalogs, eager_celery, django_capture_on_commit_callbacks
):
    order = pay_with_test_provider(place(shop, language="it"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_order(order=order, to_status=OrderStatus.READY_FOR_PICKUP)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_order(order=order, to_status=OrderStatus.CANCELLED, note="out of stock")
    assert [m.subject for m in mail.outbox] == [f"Il tuo ordine {order.number} è stato annullato"]
    assert "We are refunding" in mail.outbox[0].body
    assert refunds_made() == [(order.number, Decimal("31.00"), RefundStatus.SUCCEEDED, "out of stock")]


def test_an_order_abandoned_at_payment_gets_no_email(shop, eager_celery, django_capture_on_commit_callbacks):
    order = place(shop, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_order(order=order, to_status=OrderStatus.CANCELLED, note="payment abandoned")
    assert mail.outbox == [] and not NotificationLog.objects.exists()


def test_an_order_without_email_or_an_unknown_language_is_handled(shop):
    order = pay(place(shop, language="de"))
    assert notifications.build_order_email(order, "confirmation").extra_headers["Content-Language"] == "fr"
    type(order).objects.filter(pk=order.pk).update(email="")
    assert notifications.send_order_email(order_id=order.pk, kind="confirmation") is False
    with pytest.raises(ValueError):
        notifications.send_order_email(order_id=order.pk, kind="birthday")
    with pytest.raises(ValueError):
        notifications.send_order_sms(order_id=order.pk, kind="confirmation")
    assert mail.outbox == []


def test_the_ready_email_names_the_deadline_the_cancellation_uses(shop, settings):
    settings.CLICK_COLLECT_PICKUP_DAYS = 1
    order = pickup.mark_ready_for_pickup(order=pay(place(shop, language="en")), user=staff())
    message = notifications.build_order_email(order, "ready_for_pickup")
    with translation.override("en"):
        deadline = dateformat.format(timezone.localtime(pickup.ready_at(order) + DAY), "l j F Y")
    assert f"Please collect it within 1 day, by {deadline}." in message.body


def test_the_confirmation_carries_the_check_coded_return_code(
    shop, catalogs, eager_celery, django_capture_on_commit_callbacks
):
    """The code a cashier scans or types to find the web order at a till (orders.proof)."""
    from orders.proof import proof_barcode_value, split_barcode_value, verify_sale_proof

    order = place(shop, tees=1, mugs=0, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        pay(order)
    code = proof_barcode_value(order.number)
    message = mail.outbox[0]
    assert f"To return items in a store, show this code at the till: {code}" in message.body
    assert code in message.alternatives[0][0]
    number, check = split_barcode_value(code)
    assert number == order.number and verify_sale_proof(order=order, check=check)
