from archive.common.text import clean_body, paragraphs, short_slug


def test_html_is_reduced_to_paragraphs():
    html = (
        "<div><p>First <b>bold</b> point.</p><script>alert(1)</script>"
        "<p>Second&nbsp;point &amp; more.<br>Same block.</p></div>"
    )
    assert paragraphs(clean_body(html)) == [
        "First bold point.",
        "Second point & more.",
        "Same block.",
    ]


def test_plain_text_keeps_its_paragraphs_and_folds_spaces():
    assert clean_body("One  line\nwrapped.\n\n\n  Two.  ") == "One line wrapped.\n\nTwo."


def test_short_slug_cuts_between_words():
    slug = short_slug("North Korea orders consulates to act on frequent defections abroad", 40)
    assert slug == "north-korea-orders-consulates-to-act-on"
    assert len(slug) <= 40
