"""The quick order pages in the portal (issue 17): paste, upload, the per-row report keeping the text,
order again (with "Add what can be added"), usual orders saved from the cart and shared in a company."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orders.models import Cart, UsualOrder
from tests.orders.quick_order_support import lines_of, make_b2b_shop, past_order

pytestmark = pytest.mark.django_db
PAGE = "/en/account/quick-order/"


@pytest.fixture
def shop():
    return make_b2b_shop()


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_page_needs_a_sign_in(client, shop):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_pasted_lines_land_in_the_cart(client, shop):
    signed_in(client, shop.anna)
    response = client.post(PAGE, {"lines": "SKU;Quantity\nBOX;12\nMUG;2\nMUG;1"})
    assert response.status_code == 302 and response["Location"] == "/en/cart/"
    assert sorted(lines_of(Cart.objects.get(user=shop.anna))) == [("BOX", 12), ("MUG", 3)]
    page = client.get("/en/cart/").content.decode()
    assert "2 products added to your cart." in page
    assert "Line 4: Same product as line 3: merged into it." in page


def test_a_bad_row_shows_the_report_keeps_the_text_and_adds_nothing(client, shop):
    signed_in(client, shop.anna)
    response = client.post(PAGE, {"lines": "MUG;2\nBOX;7\nNOPE;1"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "2 lines cannot be added: nothing was added to your cart. Fix them and try again." in page
    assert "BOX is sold by packs of 6: order 6 or 12 units, not 7." in page
    assert "Unknown product code NOPE." in page
    assert "MUG;2\nBOX;7\nNOPE;1</textarea>" in page
    assert not Cart.objects.filter(user=shop.anna, lines__isnull=False).exists()


def test_an_uploaded_csv_with_bom_is_read(client, shop):
    signed_in(client, shop.carla)
    upload = SimpleUploadedFile("order.csv", "\ufeffsku,qty\r\nTEE,2\r\nMUG,3\r\n".encode(), "text/csv")
    response = client.post(PAGE, {"file": upload})
    assert response.status_code == 302
    assert sorted(lines_of(Cart.objects.get(user=shop.carla))) == [("MUG", 3), ("TEE", 2)]


def test_a_file_not_in_utf8_is_refused_with_a_message(client, shop):
    signed_in(client, shop.carla)
    upload = SimpleUploadedFile("order.csv", "TÉE;2".encode("latin-1"), "text/csv")
    response = client.post(PAGE, {"file": upload})
    assert response.status_code == 400
    assert "The file is not UTF-8 text" in response.content.decode()


def test_order_again_then_add_what_can_be_added(client, shop):
    order = past_order(shop, shop.carla, (shop.tee, 2), (shop.mug, 3))
    shop.tee.product.is_published = False
    shop.tee.product.save()
    signed_in(client, shop.carla)
    assert "Order again" in client.get(f"/en/account/orders/{order.number}/").content.decode()
    response = client.post(f"/en/account/orders/{order.number}/reorder/")
    assert response.status_code == 422
    page = response.content.decode()
    assert "TEE is no longer sold." in page and "Add what can be added" in page
    assert not Cart.objects.filter(user=shop.carla, lines__isnull=False).exists()
    response = client.post(f"/en/account/orders/{order.number}/reorder/", {"partial": "1"})
    assert response.status_code == 302
    assert lines_of(Cart.objects.get(user=shop.carla)) == [("MUG", 3)]


def test_another_customers_order_cannot_be_ordered_again(client, shop):
    order = past_order(shop, shop.carla, (shop.mug, 1))
    signed_in(client, shop.anna)
    assert client.post(f"/en/account/orders/{order.number}/reorder/").status_code == 404


def test_a_list_saved_by_one_buyer_is_used_by_another_and_hidden_from_another_company(client, shop):
    signed_in(client, shop.anna)
    client.post(PAGE, {"lines": "BOX;12\nMUG;4"})
    response = client.post("/en/account/quick-order/lists/", {"name": "Weekly order"})
    assert response.status_code == 302
    usual = UsualOrder.objects.get()
    assert usual.company == shop.rossi

    signed_in(client, shop.bruno)
    page = client.get(PAGE).content.decode()
    assert "Weekly order" in page and "Lists shared by the buyers of Rossi SAS." in page
    response = client.post(f"/en/account/quick-order/lists/{usual.pk}/add/")
    assert response.status_code == 302
    assert sorted(lines_of(Cart.objects.get(user=shop.bruno))) == [("BOX", 12), ("MUG", 4)]

    signed_in(client, shop.carla)
    assert "Weekly order" not in client.get(PAGE).content.decode()
    assert client.post(f"/en/account/quick-order/lists/{usual.pk}/add/").status_code == 404
    assert client.post(f"/en/account/quick-order/lists/{usual.pk}/delete/").status_code == 404
    assert UsualOrder.objects.exists()

    signed_in(client, shop.bruno)
    client.post(f"/en/account/quick-order/lists/{usual.pk}/delete/")
    assert not UsualOrder.objects.exists()


def test_the_page_reads_its_lists_in_few_queries(client, shop, django_assert_max_num_queries):
    signed_in(client, shop.anna)
    client.post(PAGE, {"lines": "BOX;12\nMUG;4"})
    for name in ("A", "B", "C"):
        client.post("/en/account/quick-order/lists/", {"name": name})
    with django_assert_max_num_queries(8):
        response = client.get(PAGE)
    assert response.status_code == 200


def test_a_huge_upload_is_refused_with_the_limit_and_nothing_added(client, shop, settings):
    settings.QUICK_ORDER_MAX_BYTES = 2048
    signed_in(client, shop.carla)
    upload = SimpleUploadedFile("order.csv", b"MUG;1\n" * 2000, "text/csv")
    response = client.post(PAGE, {"file": upload})
    assert response.status_code == 400
    assert "The file is too large: at most 2 KB." in response.content.decode()
    assert not Cart.objects.filter(user=shop.carla, lines__isnull=False).exists()
