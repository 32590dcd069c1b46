"""Quick order (issue 17): the list parser, all-or-nothing adds through the cart service, merged
duplicates, a company buyer's minimum and pack size, reorder, and usual orders shared within a
company and invisible to another."""

import pytest
from django.utils import translation

from orders.models import Cart, CartLine, UsualOrder
from orders.selectors_quick_order import UsualOrderNotFound, usual_order_for, usual_orders_for
from orders.services import cart as carts
from orders.services import quick_order as qo
from tests.orders.quick_order_support import EAN_MUG, lines_of, make_b2b_shop, past_order


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def read(text: str) -> list[tuple[int, str, int | None, str]]:
    report = qo.parse_quick_order_text(text)
    return [(row.number, row.code, row.quantity, row.error) for row in report.rows]


# --- parsing (no database) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", ["TEE;2", "TEE,2", "TEE\t2", "TEE 2", "  TEE   2  ", '"TEE";"2"', "TEE ; 2", "TEE;2;", "TEE,+2"]
)
def test_every_separator_reads_a_code_and_a_quantity(line):
    assert read(line) == [(1, "TEE", 2, "")]


def test_a_bom_a_header_blank_lines_comments_and_windows_line_ends_are_skipped():
    text = "\ufeffSKU;Quantity\r\n\r\n# our weekly order\r\nTEE;2\r\n  \r\nMUG;3\r\n"
    assert read(text) == [(4, "TEE", 2, ""), (6, "MUG", 3, "")]


@pytest.mark.parametrize(
    "header", ["sku,qty", "EAN;Quantité", "Codice Quantità", "ref;qté", "code\tquantity"]
)
def test_a_header_in_any_language_is_skipped(header):
    assert read(f"{header}\nTEE;2") == [(2, "TEE", 2, "")]


def test_a_header_is_only_the_first_line():
    assert read("TEE;2\nSKU;Quantity")[1][3] == "Bad quantity “Quantity”: a whole number from 1 to 99."


@pytest.mark.parametrize(
    ("value", "shown"),
    [("2.5", "2.5"), ("2,5", "2"), ("-1", "-1"), ("abc", "abc"), ("0", "0"), ("100", "100"), ("1e3", "1e3")],
)
def test_a_bad_quantity_is_a_row_error(value, shown):
    rows = read(f"TEE;{value}")
    if value == "2,5":  # ";" wins: "2,5" is one value, not a whole number
        shown = "2,5"
    assert rows == [(1, "TEE", None, f"Bad quantity “{shown}”: a whole number from 1 to 99.")]


def test_a_line_without_quantity_or_with_extra_values_is_a_row_error():
    assert read("TEE\nMUG;2;3\n;4") == [
        (1, "TEE", None, "No quantity after the code."),
        (2, "MUG", None, "Expected a code and a quantity, found 3 values."),
        (3, "", None, "No product code."),
    ]


def test_an_empty_list_is_refused_as_a_whole():
    assert qo.parse_quick_order_text("\n# nothing\n\n").problem == (
        "The list is empty: enter one product per line, a code and a quantity."
    )


def test_more_rows_than_the_setting_is_refused_with_the_limit(settings):
    settings.QUICK_ORDER_MAX_ROWS = 3
    report = qo.parse_quick_order_text("A;1\nB;1\nC;1\nD;1")
    assert report.problem == "The list has 4 lines: at most 3 can be ordered at once."
    assert qo.parse_quick_order_text("A;1\nB;1\nC;1").problem == ""


def test_a_huge_text_is_refused_without_reading_its_lines(settings):
    settings.QUICK_ORDER_MAX_BYTES = 1024
    report = qo.parse_quick_order_text("TEE;1\n" * 1000)
    assert report.problem == "The list is too long: at most 1 KB."
    assert report.rows == []


def test_a_file_is_utf8_with_or_without_bom():
    assert qo.read_quick_order_file("\ufeffSKU;Qté\nTÉE;2\n".encode()) == "SKU;Qté\nTÉE;2\n"
    assert qo.read_quick_order_file(b"TEE,2") == "TEE,2"


def test_a_file_in_another_encoding_or_too_large_is_refused(settings):
    with pytest.raises(qo.QuickOrderInvalid) as refused:
        qo.read_quick_order_file("TÉE;2".encode("latin-1"))
    assert (
        str(refused.value.message) == "The file is not UTF-8 text: save it as CSV UTF-8 and upload it again."
    )
    settings.QUICK_ORDER_MAX_BYTES = 10
    with pytest.raises(qo.QuickOrderInvalid) as refused:
        qo.read_quick_order_file(b"TEE;2\nMUG;3\n")
    assert refused.value.http_status == 400


def test_lines_from_the_api_check_their_quantity_the_same_way():
    report = qo.report_from_lines([("TEE", 2), ("MUG", 0), ("", 1), ("BOX", "3")])
    assert [(row.code, row.quantity, row.error) for row in report.rows] == [
        ("TEE", 2, ""),
        ("MUG", None, "Bad quantity “0”: a whole number from 1 to 99."),
        ("", None, "No product code."),
        ("BOX", 3, ""),
    ]


# --- adding: all or nothing -------------------------------------------------------------------------


@pytest.fixture
def shop(db):
    return make_b2b_shop()


def cart_of(user) -> Cart:
    return Cart.objects.create(user=user)


def test_good_lines_are_all_added_and_an_ean_stands_for_its_sku(shop):
    cart = cart_of(shop.carla)
    report = qo.add_quick_order(cart=cart, report=qo.parse_quick_order_text(f"TEE;2\n{EAN_MUG} 3\nBOX,12"))
    assert report.added == 3
    assert sorted(lines_of(cart)) == [("BOX", 12), ("MUG", 3), ("TEE", 2)]


def test_same_product_rows_are_merged_and_said_so(shop):
    cart = cart_of(shop.carla)
    report = qo.add_quick_order(
        cart=cart, report=qo.parse_quick_order_text(f"MUG;2\nTEE;1\n{EAN_MUG};3\nMUG 1")
    )
    assert lines_of(cart) == [("MUG", 6), ("TEE", 1)]
    notes = {row.number: row.note for row in report.rows}
    assert notes == {
        1: "Quantities of lines 1, 3, 4 added up: 6.",
        2: "",
        3: "Same product as line 1: merged into it.",
        4: "Same product as line 1: merged into it.",
    }


def test_one_bad_row_adds_nothing_and_every_bad_row_is_reported(shop):
    cart = cart_of(shop.carla)
    carts.add_to_cart(cart=cart, variant=shop.mug, quantity=1)
    text = "MUG;2\nNOPE;1\nTEE;6\nOLD;1\nBOX;abc\nTEE;1"
    with pytest.raises(qo.QuickOrderRefused) as refused:
        qo.add_quick_order(cart=cart, report=qo.parse_quick_order_text(text))
    assert lines_of(cart) == [("MUG", 1)]  # as it was
    assert refused.value.http_status == 422
    assert str(refused.value.message) == (
        "5 lines cannot be added: nothing was added to your cart. Fix them and try again."
    )
    assert [(row["line"], row["error"]) for row in refused.value.detail["rows"]] == [
        (2, "Unknown product code NOPE."),
        (3, "Only 5 of TEE can be ordered online."),  # the merged 6 + 1 = 7 > 5
        (4, "OLD is no longer sold."),
        (5, "Bad quantity “abc”: a whole number from 1 to 99."),
        (6, "See line 3."),
    ]


def test_a_whole_list_problem_is_a_400_and_nothing_is_added(shop, settings):
    settings.QUICK_ORDER_MAX_ROWS = 1
    cart = cart_of(shop.carla)
    with pytest.raises(qo.QuickOrderInvalid):
        qo.add_quick_order(cart=cart, report=qo.parse_quick_order_text("TEE;1\nMUG;1"))
    assert lines_of(cart) == []


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (6, "The minimum order of BOX is 12 units (you asked for 6)."),
        (14, "BOX is sold by packs of 6: order 12 or 18 units, not 14."),
    ],
)
def test_a_company_buyer_is_told_the_minimum_and_pack_size(shop, quantity, message):
    cart = cart_of(shop.anna)
    with pytest.raises(qo.QuickOrderRefused) as refused:
        qo.add_quick_order(cart=cart, report=qo.parse_quick_order_text(f"TEE;1\nBOX;{quantity}"))
    assert [(row["line"], row["error"]) for row in refused.value.detail["rows"]] == [(2, message)]
    assert lines_of(cart) == []


def test_merged_rows_are_checked_together_against_the_pack_size(shop):
    cart = cart_of(shop.anna)
    qo.add_quick_order(cart=cart, report=qo.parse_quick_order_text("BOX;6\nBOX;6"))
    assert lines_of(cart) == [("BOX", 12)]


def test_a_shopper_is_not_held_to_the_company_rules(shop):
    cart = cart_of(None)
    qo.add_quick_order(cart=cart, report=qo.parse_quick_order_text("BOX;5"))
    assert lines_of(cart) == [("BOX", 5)]


def test_partial_keeps_what_can_be_added(shop):
    cart = cart_of(shop.carla)
    report = qo.add_quick_order(cart=cart, report=qo.parse_quick_order_text("MUG;2\nOLD;1"), partial=True)
    assert lines_of(cart) == [("MUG", 2)]
    assert [(row.code, row.error) for row in report.bad_rows] == [("OLD", "OLD is no longer sold.")]


# --- reorder ----------------------------------------------------------------------------------------


def test_reorder_puts_a_past_orders_lines_back(shop):
    order = past_order(shop, shop.carla, (shop.tee, 2), (shop.mug, 3))
    cart = cart_of(shop.carla)
    qo.add_quick_order(cart=cart, report=qo.reorder_report(order))
    assert sorted(lines_of(cart)) == [("MUG", 3), ("TEE", 2)]


def test_reorder_of_a_line_no_longer_sold_refuses_then_adds_the_rest_on_request(shop):
    order = past_order(shop, shop.carla, (shop.tee, 2), (shop.mug, 3))
    shop.tee.product.is_published = False
    shop.tee.product.save()
    cart = cart_of(shop.carla)
    with pytest.raises(qo.QuickOrderRefused):
        qo.add_quick_order(cart=cart, report=qo.reorder_report(order))
    assert lines_of(cart) == []
    qo.add_quick_order(cart=cart, report=qo.reorder_report(order), partial=True)
    assert lines_of(cart) == [("MUG", 3)]


# --- usual orders -----------------------------------------------------------------------------------


def test_a_company_list_is_shared_by_its_members_and_invisible_to_another_company(shop):
    cart = cart_of(shop.anna)
    qo.add_quick_order(cart=cart, report=qo.parse_quick_order_text("BOX;12\nMUG;4"))
    usual = qo.save_usual_order(user=shop.anna, cart=cart, name="  Weekly   order ")
    assert (usual.name, usual.company, usual.user) == ("Weekly order", shop.rossi, None)
    assert [u.name for u in usual_orders_for(shop.bruno)] == ["Weekly order"]
    assert list(usual_orders_for(shop.carla)) == []
    with pytest.raises(UsualOrderNotFound):
        usual_order_for(shop.carla, usual.pk)

    bruno_cart = cart_of(shop.bruno)
    qo.add_quick_order(cart=bruno_cart, report=qo.usual_order_report(usual_order_for(shop.bruno, usual.pk)))
    assert sorted(lines_of(bruno_cart)) == [("BOX", 12), ("MUG", 4)]


def test_a_shoppers_list_is_their_own_and_saving_the_same_name_replaces_it(shop):
    from tests.factories import UserFactory

    dora, eve = UserFactory(), UserFactory()
    cart = cart_of(dora)
    carts.add_to_cart(cart=cart, variant=shop.mug, quantity=2)
    first = qo.save_usual_order(user=dora, cart=cart, name="Mugs")
    carts.set_cart_line_quantity(cart=cart, variant=shop.mug, quantity=5)
    second = qo.save_usual_order(user=dora, cart=cart, name="Mugs")
    assert first.pk == second.pk and second.user == dora
    assert [(line.variant.sku, line.quantity) for line in second.lines.all()] == [("MUG", 5)]
    assert list(usual_orders_for(eve)) == []
    assert UsualOrder.objects.count() == 1


def test_saving_an_empty_cart_or_without_a_name_is_refused(shop):
    cart = cart_of(shop.carla)
    with pytest.raises(qo.EmptyCart):
        qo.save_usual_order(user=shop.carla, cart=cart, name="Weekly")
    CartLine.objects.create(cart=cart, variant=shop.mug, quantity=1)
    with pytest.raises(qo.ValidationFailed) as refused:
        qo.save_usual_order(user=shop.carla, cart=cart, name="   ")
    assert str(refused.value.message) == "Give the list a name of 1 to 80 characters."
    assert not UsualOrder.objects.exists()
