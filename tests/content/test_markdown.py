"""Markdown of articles and pages: safe by construction (raw HTML off, unsafe links refused)."""

from content.markdown import render_markdown


def test_markdown_renders_headings_emphasis_lists_links_and_images():
    html = render_markdown(
        "## Title\n\nSome **bold** and *italic*.\n\n- one\n- two\n\n[Shop](https://example.com/x)\n\n"
        "![A jar of honey](/media/blog/honey.jpg)"
    )

    assert "<h2>Title</h2>" in html
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<a href="https://example.com/x">Shop</a>' in html
    assert '<img src="/media/blog/honey.jpg" alt="A jar of honey" loading="lazy">' in html


def test_raw_html_comes_out_escaped():
    html = render_markdown(
        'Hello <script>alert("x")</script>\n\n<iframe src="https://evil.example"></iframe>'
    )

    assert "<script" not in html and "<iframe" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;iframe" in html


def test_javascript_links_are_not_links():
    html = render_markdown("[click](javascript:alert(1)) ![x](javascript:alert(2))")

    assert "href=" not in html and "<img" not in html
    assert "javascript:alert(1)" in html  # left as text


def test_empty_body_is_empty_html():
    assert render_markdown("") == ""
