"""Responses are gzip-compressed when the client accepts it, plain otherwise, and decompress to the
same body; files that are compressed already (PDF, XLSX) and streamed exports are not broken."""

import csv
import gzip
import io
import re

import pytest
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from core.middleware import CompressionMiddleware, gzip_exempt
from tests.factories import staff
from tests.logistics.test_backoffice_orders import EXPORT, world  # noqa: F401
from tests.storefront.storefront_data import Shop, _fresh_cache  # noqa: F401

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def per_response_bits(html: str) -> str:
    """The CSP nonce and the masked CSRF token change with every response, compressed or not."""
    html = re.sub(r'nonce="[^"]+"', 'nonce=""', html)
    return re.sub(r'(csrfmiddlewaretoken" value=|csrf-token" content=)"[^"]+"', r'\1""', html)


def test_a_storefront_page_is_gzipped_when_asked_and_plain_otherwise(client):
    shop = Shop()
    shop.tshirt("Calvi tee", aja=5)

    plain = client.get("/en/")
    packed = client.get("/en/", **GZIP)

    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 2
    body = gzip.decompress(packed.content).decode()
    assert "Calvi tee" in body
    assert per_response_bits(body) == per_response_bits(plain.content.decode())


def test_an_api_response_is_gzipped_when_asked_and_decompresses_to_the_same_json(client):
    shop = Shop()
    shop.tshirt("Calvi tee", aja=5)
    shop.jam("Fig jam", price="5.0000", aja=2)

    plain = client.get("/api/v1/catalog/products/")
    packed = client.get("/api/v1/catalog/products/", **GZIP)

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(plain.json()["results"]) == 2


def test_the_streamed_csv_export_is_gzipped_whole_and_the_xlsx_left_alone(world, client):  # noqa: F811
    client.force_login(staff())

    plain = client.get(EXPORT, {"q": "W-A-COLLECT"})
    packed = client.get(EXPORT, {"q": "W-A-COLLECT"}, **GZIP)
    xlsx = client.get(EXPORT, {"format": "xlsx"}, **GZIP)

    assert packed.streaming and packed["Content-Encoding"] == "gzip"
    text = gzip.decompress(b"".join(packed.streaming_content)).decode("utf-8-sig")
    assert text == b"".join(plain.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2 and rows[0][:3] == ["Order", "Date", "Status"]
    assert "Content-Encoding" not in xlsx  # a zip inside already
    assert xlsx.content[:2] == b"PK"


def test_a_pdf_file_response_passes_untouched():
    pdf = b"%PDF-1.7\n" + b"0123456789" * 100 + b"\n%%EOF\n"
    middleware = CompressionMiddleware(
        lambda request: FileResponse(io.BytesIO(pdf), content_type="application/pdf", filename="label.pdf")
    )

    response = middleware(RequestFactory().get("/label.pdf", **GZIP))

    assert "Content-Encoding" not in response
    assert response["Content-Length"] == str(len(pdf))
    assert b"".join(response.streaming_content) == pdf


def test_a_streamed_text_response_is_compressed_chunk_by_chunk():
    chunks = [f"line {i};{'x' * 50}\n" for i in range(500)]
    middleware = CompressionMiddleware(
        lambda request: StreamingHttpResponse(iter(chunks), content_type="text/csv")
    )

    response = middleware(RequestFactory().get("/export.csv", **GZIP))

    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)).decode() == "".join(chunks)


def test_a_gzip_exempt_view_is_never_compressed():
    view = gzip_exempt(lambda request: HttpResponse("secret " * 100, content_type="text/html"))

    response = CompressionMiddleware(view)(RequestFactory().get("/", **GZIP))

    assert "Content-Encoding" not in response
    assert response.content == b"secret " * 100
