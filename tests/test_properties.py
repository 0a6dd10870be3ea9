"""Property tests (hypothesis) for reading numbers, qualifiers and labels: parse right or raise
ParseError, never return a wrong number.

Everything here runs on the pure text layers (``parse_count``, the transparency cell readers,
``icac.extract``, the USSC/BJS sentence readers, ``is_unknown_location`` / ``countries.to_iso3``), so
no PDF is opened and the module takes a few seconds. Numbers and sentences are SYNTHETIC, generated
around the wordings the real documents use; the noise is what pdfplumber really produces: counts
wrapped over lines in table cells ("24,768,90" / "3"), footnote markers ("10,800*"), ``(cid:NN)``
for a glyph without a Unicode mapping (with many fonts cid 19..28 are the digits 0..9), and line
breaks anywhere in running text.

Profiles: ``ci`` (the default) is derandomized with no example database, so every run tries the same
examples; ``HYPOTHESIS_PROFILE=dev`` tries ten times more, randomly. Each ``@example`` below is a
failing input these properties once found (a glyph or a line break inside a number read as another
number, a bound such as "not more than" read as "more than", a qualifier ending a PDF line dropped):
they are kept so that the same bug cannot come back unnoticed.
"""

from __future__ import annotations

import os
import re
import string
import unicodedata
from datetime import timedelta
from decimal import Decimal

import pycountry
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline import countries
from pipeline.parsers import bjs, icac, prose
from pipeline.parsers import ncmec_country as nc
from pipeline.parsers import ussc_quick_facts as ussc
from pipeline.parsers.base import ParseError, parse_count
from pipeline.parsers.ncmec_transparency import parse_labelled_cell, read_count
from pipeline.registry import by_id
from schemas._common import QUALIFIERS

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=timedelta(seconds=2),
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=600, deadline=timedelta(seconds=2))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DOC = "prop_doc"
ICAC_HEAD = "Internet Crimes Against Children (ICAC) Task Force Program\n"
USSC = by_id("ussc_quick_facts_child_pornography_fy2023")
BJS = by_id("bjs_fpcseo_2006")

# -------------------------------------------------------------------------------- strategies

counts = st.integers(min_value=0, max_value=10**10)
big_counts = st.integers(min_value=1_000, max_value=10**10)  # printed with at least one comma
years = st.integers(min_value=1998, max_value=2030)
cid = st.integers(min_value=0, max_value=255).map(lambda n: f"(cid:{n})")
markers = st.sampled_from(["*", "**", "***", "\u2020", "\u2021"])


def grouped(n: int) -> str:
    return f"{n:,}"


@st.composite
def printed_counts(draw, values=counts) -> tuple[int, str]:
    """A count and how a document prints it: grouped with commas, or plain digits."""
    n = draw(values)
    return n, draw(st.sampled_from([grouped(n), str(n)]))


def recase(draw, text: str) -> str:
    """The same words with a drawn casing (prose starts sentences with a capital)."""
    return draw(st.sampled_from([text, text.capitalize(), text.upper(), text.title()]))


@st.composite
def glyph_in_number(draw, values=big_counts) -> tuple[int, str]:
    """A grouped count with one ``(cid:NN)`` glyph inside it or glued to it: either standing in for
    a digit (the font has no Unicode map for it) or added next to one."""
    n = draw(values)
    text = grouped(n)
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    i = draw(st.sampled_from(digits))
    glyph = draw(cid)
    if draw(st.booleans()):
        return n, text[:i] + glyph + text[i + 1 :]  # replaces a digit
    at = draw(st.integers(0, len(text)))
    return n, text[:at] + glyph + text[at:]


@st.composite
def wrapped_number(draw, values=big_counts) -> tuple[int, str]:
    """A grouped count broken over two lines at any inner position, as a narrow column wraps it."""
    n = draw(values)
    text = grouped(n)
    at = draw(st.integers(1, len(text) - 1))
    return n, text[:at] + "\n" + text[at:]


# ======================================================================= parse_count (base.py)


@given(printed_counts())
def test_parse_count_reads_every_printed_count(case):
    n, text = case
    assert parse_count(text, DOC, 1) == n
    assert parse_count(f"  {text}\n", DOC, 1) == n


# Any text, weighted towards things that look like counts: the answer is right or ParseError.
count_like = st.text(alphabet=string.digits + ",. *\n\u00a0-+()%$", max_size=16) | st.builds(
    lambda parts: "".join(parts),
    st.lists(
        st.sampled_from([*string.digits, ",", ",", ".", "*", "\n", " ", "(cid:19)", "%"]),
        max_size=14,
    ),
)


def _strip_leading_zeros(text: str) -> str:
    return text.lstrip("0") or "0"


@given(count_like)
@example("0,123")
@example("007")
def test_parse_count_is_right_or_raises(text):
    try:
        value = parse_count(text, DOC, 7)
    except ParseError as err:
        assert (err.document_id, err.page) == (DOC, 7)
        assert err.expected == "a count such as 1,234"
        return
    t = text.strip()
    # The value is the printed digits, and the text is a count as printed: grouped by threes with
    # commas (the first group without a leading zero), or plain digits ("007" is read as 7).
    assert value == int(t.replace(",", ""))
    assert re.fullmatch(r"\d+", t) or re.fullmatch(r"[1-9]\d{0,2}(?:,\d{3})+", t)


@given(
    st.one_of(
        glyph_in_number(),
        wrapped_number(),
        big_counts.flatmap(lambda n: markers.map(lambda m: (n, grouped(n) + m))),
        big_counts.map(lambda n: (n, grouped(n).replace(",", ".", 1))),  # 1.234,567
        big_counts.map(lambda n: (n, grouped(n).replace(",", " ", 1))),  # a thin-space separator
        big_counts.map(lambda n: (n, grouped(n) + "%")),
        big_counts.map(lambda n: (n, "-" + grouped(n))),
    )
)
def test_parse_count_refuses_damaged_counts(case):
    _, text = case
    with pytest.raises(ParseError):
        parse_count(text, DOC, 1)


@pytest.mark.parametrize("text", ["0,500", "00,000,001"])
def test_parse_count_refuses_a_leading_zero_group(text):
    with pytest.raises(ParseError):
        parse_count(text, DOC, 1)


# ========================================================= transparency cells (read_count etc.)


@given(wrapped_number())
def test_transparency_count_wrapped_mid_number_is_rejoined(case):
    n, text = case  # "24,768,90\n3" as the transparency tables print it
    assert read_count(text, DOC, 4) == n
    assert read_count(text + "\n4.1%", DOC, 4) == n  # a percentage line under the count


@given(st.integers(min_value=10, max_value=999), st.data())
def test_transparency_two_plain_numbers_never_fuse(n, data):
    text = str(n)
    at = data.draw(st.integers(1, len(text) - 1))
    with pytest.raises(ParseError):
        read_count(text[:at] + "\n" + text[at:], DOC, 4)


@given(st.one_of(glyph_in_number(), big_counts.map(lambda n: (n, grouped(n) + "\n*"))))
def test_transparency_damaged_count_raises(case):
    _, text = case
    with pytest.raises(ParseError):
        read_count(text, DOC, 4)


@st.composite
def wrap_anywhere(draw, text: str) -> str:
    """``text`` with line breaks put at up to three drawn places (a cell wraps where it likes)."""
    cuts = sorted(draw(st.lists(st.integers(1, len(text) - 1), max_size=3, unique=True)))
    out, last = [], 0
    for c in cuts:
        out.append(text[last:c])
        last = c
    out.append(text[last:])
    return "\n".join(out)


def _labelled(actionable: int, informational: int, total: int) -> str:
    return (
        f"Actionable: {grouped(actionable)} Informational: {grouped(informational)} "
        f"Total: {grouped(total)}"
    )


@given(big_counts, big_counts, st.data())
def test_transparency_labelled_cell_reads_each_class(actionable, informational, data):
    """Wrapped anywhere (inside labels, "I n formational", and inside grouped numbers)."""
    total = actionable + informational
    cell = data.draw(wrap_anywhere(_labelled(actionable, informational, total)))
    values, note = parse_labelled_cell(cell, DOC, 5)
    assert values == {"actionable": actionable, "informational": informational, "total": total}
    assert note is None


@given(counts, counts, st.data())
def test_transparency_labelled_cell_is_right_or_raises(actionable, informational, data):
    """A number under 1,000 wrapped over lines ("1" / "0") cannot be told from two numbers: raise."""
    total = actionable + informational
    cell = data.draw(wrap_anywhere(_labelled(actionable, informational, total)))
    try:
        values, _ = parse_labelled_cell(cell, DOC, 5)
    except ParseError as err:
        assert err.page == 5 and "wrapped" in err.expected
        return
    assert values == {"actionable": actionable, "informational": informational, "total": total}


@given(counts, counts, st.integers(min_value=1, max_value=10**6), st.booleans())
def test_transparency_labelled_cell_total_must_add_up(actionable, informational, off, up):
    total = actionable + informational + (off if up else -off)
    cell = (
        f"Actionable: {grouped(actionable)}\nInformational: {grouped(informational)}\n"
        f"Total: {grouped(total) if total >= 0 else total}"
    )
    with pytest.raises(ParseError) as err:
        parse_labelled_cell(cell, DOC, 5)
    assert err.value.page == 5


# ============================================================== ICAC prose (icac.extract, pure)

ARREST_TEMPLATES = [
    ("In FY {y}, ICAC task forces made {q}{n} arrests.", "arrests"),
    ("In fiscal year {y}, ICAC task forces arrested {q}{n} offenders.", "arrests"),
    ("During FY {y}, ICAC task forces conducted {q}{n} investigations.", "investigations"),
    (
        "In FY {y}, ICAC task forces conducted {q}{n} forensic examinations.",
        "forensic_examinations",
    ),
]


def icac_rows(text: str, fmt: str = "pdf") -> list[tuple]:
    ex = icac.extract([ICAC_HEAD + text], DOC, fmt)
    return [(r.fiscal_year, r.measure, r.value, r.qualifier) for r in ex.rows]


@st.composite
def qualifier_phrase(draw, words=QUALIFIERS, wrap_before_number=True) -> tuple[str | None, str]:
    """(qualifier as the schema stores it, as printed before the number with its space). With
    ``wrap_before_number`` a line may wrap between its words and between it and the number (USSC and
    BJS read lines with prose.sentences, whose short-line rule must not cut such a qualifier off)."""
    q = draw(st.sampled_from([None, *words]))
    if q is None:
        return None, ""
    printed = recase(draw, q)
    if " " in printed and wrap_before_number:  # a line may wrap between the words (PDF text)
        printed = printed.replace(" ", draw(st.sampled_from([" ", "\n", "  "])))
    return q, printed + draw(st.sampled_from([" ", "\n"] if wrap_before_number else [" "]))


@given(printed_counts(), years, st.sampled_from(ARREST_TEMPLATES), qualifier_phrase())
def test_icac_figure_with_schema_qualifier_is_read_exactly(case, y, template, qual):
    n, printed = case
    q, q_printed = qual
    if q is None and 1990 <= n <= 2100 and printed == str(n):
        printed = grouped(n) if n >= 1000 else printed  # "made 2015 arrests" reads as a year
    text, measure = template
    rows = icac_rows(text.format(y=y, q=q_printed, n=printed))
    assert rows == [(y, measure, n, q)]


@given(
    printed_counts(big_counts),
    years,
    st.sampled_from(ARREST_TEMPLATES),
    st.sampled_from(prose.UNMAPPED_QUALIFIERS),
    st.data(),
)
def test_icac_unmapped_qualifier_raises_naming_it(case, y, template, word, data):
    n, printed = case
    shown = recase(data.draw, word)
    text, _ = template
    sep = "" if word == "~" else " "
    with pytest.raises(ParseError) as err:
        icac_rows(text.format(y=y, q=shown + sep, n=printed))
    assert f"not {word!r}" in err.value.expected
    assert err.value.document_id == DOC


@given(printed_counts(big_counts), years, st.sampled_from(["+", " or more"]))
def test_icac_postfix_qualifier_is_never_an_exact_figure(case, y, post):
    """ "12,600+ arrests" is not read as 12,600 exact. (It is not read at all in a sentence: the
    module docstring's ParseError naming '+' happens only where a figure pattern reaches the '+'.)"""
    n, printed = case
    try:
        rows = icac_rows(f"In FY {y}, ICAC task forces made {printed}{post} arrests.")
    except ParseError as err:
        assert f"not {post.strip()!r}" in err.expected
        return
    assert rows == []


# Bounds and vague forms that were once outside the shared rule set: the words were dropped and the
# figure published as exact, or, for "not more than" / "no more than", as "more than" (the opposite).
# They are in prose.UNMAPPED_QUALIFIERS now: each must be a ParseError naming it, in every parser.
UNKNOWN_QUALIFIERS = ("not more than", "no more than", "up to", "as many as", "at most", "circa")


@pytest.mark.parametrize("word", UNKNOWN_QUALIFIERS)
def test_qualifier_outside_the_schema_is_not_dropped(word):
    assert word in prose.UNMAPPED_QUALIFIERS
    with pytest.raises(ParseError, match=re.escape(repr(word))):
        icac_rows(f"In FY 2023, ICAC task forces made {word} 10,800 arrests.")
    with pytest.raises(ParseError, match=re.escape(repr(word))):
        ussc_rows(ussc_sentence(f"{word} ", "1,234"))
    with pytest.raises(ParseError, match=re.escape(repr(word))):
        bjs_rows(BJS_TEMPLATES[1].format(q=f"{word} ", n="1,234"))


@given(
    st.sampled_from(["not", "no"]),
    st.sampled_from(QUALIFIERS),
    st.sampled_from([" ", "\n", "  "]),
    printed_counts(big_counts),
    years,
    st.sampled_from(ARREST_TEMPLATES),
    st.data(),
)
def test_a_negated_qualifier_is_never_read_as_the_qualifier(neg, q, gap, case, y, template, data):
    """ "not more than", "no less than", "not over" ...: the opposite bound of the schema's word, a
    ParseError naming the whole phrase (never the word without its negation)."""
    _, printed = case
    word = f"{neg} {q}"
    shown = recase(data.draw, word).replace(" ", gap)
    with pytest.raises(ParseError) as err:
        icac_rows(template[0].format(y=y, q=shown + " ", n=printed))
    assert f"not {word!r}" in err.value.expected
    with pytest.raises(ParseError) as err:
        ussc_rows(ussc_sentence(shown + " ", printed))
    assert f"not {word!r}" in err.value.expected
    with pytest.raises(ParseError) as err:
        bjs_rows(BJS_TEMPLATES[1].format(q=shown + " ", n=printed))
    assert f"not {word!r}" in err.value.expected


@given(
    printed_counts(big_counts),
    years,
    st.sampled_from(ARREST_TEMPLATES),
    st.sampled_from(["marker", "marker_space", "glyph_elsewhere", "wrapped_words"]),
    st.data(),
)
def test_icac_noise_around_a_number_never_changes_it(case, y, template, noise, data):
    """Footnote markers after the number, an unmapped glyph in another word, line breaks between
    words: the figure is read as printed, or not read at all; never as another number."""
    n, printed = case
    text, measure = template
    sentence = text.format(y=y, q="", n=printed)
    if noise == "marker":
        sentence = sentence.replace(printed, printed + data.draw(markers), 1)
    elif noise == "marker_space":
        sentence = sentence.replace(printed, printed + " " + data.draw(markers), 1)
    elif noise == "glyph_elsewhere":
        sentence = sentence.replace("task", "ta" + data.draw(cid) + "sk", 1)
    else:
        words = sentence.split(" ")
        at = data.draw(st.integers(1, len(words) - 1))
        sentence = " ".join(words[:at]) + "\n" + " ".join(words[at:])
    for row in icac_rows(sentence):
        assert row == (y, measure, n, None)


@given(glyph_in_number(), years, st.sampled_from(ARREST_TEMPLATES))
@example((1800, "1(cid:20)800"), 2023, ARREST_TEMPLATES[0])
def test_icac_glyph_inside_a_number_never_gives_another_number(case, y, template):
    n, printed = case
    text, measure = template
    for row in icac_rows(text.format(y=y, q="", n=printed)):
        assert row == (y, measure, n, None)


@given(wrapped_number(), years, st.sampled_from(ARREST_TEMPLATES))
@example((10800, "10,8\n00"), 2023, ARREST_TEMPLATES[0])
def test_icac_number_wrapped_over_lines_never_gives_another_number(case, y, template):
    n, printed = case
    text, measure = template
    for row in icac_rows(text.format(y=y, q="", n=printed)):
        assert row == (y, measure, n, None)


# ------------------------------------------------------------------------- "36.2 million"

SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "K": 10**3, "M": 10**6}


@st.composite
def amounts(draw) -> tuple[Decimal, str]:
    """A dollar amount with a scale word as OJJDP prints funding: "$40.8 million", "$39.9M"."""
    whole = draw(st.integers(0, 999))
    decimals = draw(st.sampled_from(["", "1", "2"]))
    frac = draw(st.integers(0, 10 ** int(decimals or 0) - 1)) if decimals else None
    number = f"{whole}" if frac is None else f"{whole}.{frac:0{int(decimals)}d}"
    scale = draw(st.sampled_from(list(SCALES)))
    sep = "" if scale in ("K", "M") else " "
    return Decimal(number) * SCALES[scale], f"${number}{sep}{scale}"


@given(amounts(), years, qualifier_phrase())
def test_icac_funding_with_scale_word_is_exact(case, y, qual):
    value, printed = case
    q, q_printed = qual
    rows = icac_rows(f"In FY {y}, OJJDP allocated {q_printed}{printed} to the ICAC program.")
    assert rows == [(y, "funding_usd", int(value), q)]


@given(big_counts, years, st.sampled_from(["thousand", "million", "billion"]))
@example(1_575_032, 2023, "million")
def test_icac_full_number_with_scale_word_is_skipped_as_malformed(n, y, scale):
    """ "1,575,032 million reports": a typo in the document, skipped and listed, never published."""
    ex = icac.extract(
        [ICAC_HEAD + f"In FY {y}, OJJDP allocated ${grouped(n)} {scale} to the ICAC program."],
        DOC,
        "pdf",
    )
    assert ex.rows == []
    assert [(s.reason, s.value) for s in ex.skipped] == [("malformed", f"${grouped(n)} {scale}")]


@given(amounts(), years, st.sampled_from(["wrap", "glyph"]), st.data())
@example((Decimal("36200000"), "$36.2 million"), 2023, "wrap", None)
def test_icac_damaged_amount_never_gives_another_amount(case, y, noise, data):
    value, printed = case
    if data is None:  # the @example: the exact case of the report
        printed = "$36.\n2 million"
    else:
        digits = [i for i, ch in enumerate(printed) if ch.isdigit() or ch == "."][1:] or [1]
        at = data.draw(st.sampled_from(digits))
        extra = "\n" if noise == "wrap" else data.draw(cid)
        printed = printed[:at] + extra + printed[at:]
    for row in icac_rows(f"In FY {y}, OJJDP allocated {printed} to the ICAC program."):
        assert row == (y, "funding_usd", int(value), None)


# ==================================================================== USSC and BJS prose (pure)


def ussc_rows(text: str) -> list[tuple]:
    skipped: list = []
    rows, _ = ussc._read_prose(USSC, [text], skipped)
    return [(r.measure, r.value, r.qualifier) for r in rows]


def ussc_sentence(q: str, n: str) -> str:
    return (
        "In fiscal year 2023, there were 64,142 offenders sentenced. "
        f"Of these, {q}{n} were child pornography offenders."
    )


@given(printed_counts(), qualifier_phrase())
def test_ussc_count_with_schema_qualifier_is_read_exactly(case, qual):
    n, printed = case
    q, q_printed = qual
    assert ussc_rows(ussc_sentence(q_printed, printed)) == [
        ("offenders_sentenced", 64142.0, None),
        ("offenders_sentenced", float(n), q),
    ]


@given(printed_counts(big_counts), st.sampled_from(prose.UNMAPPED_QUALIFIERS), st.data())
def test_ussc_unmapped_qualifier_raises_naming_it(case, word, data):
    _, printed = case
    sep = "" if word == "~" else " "
    shown = recase(data.draw, word)
    with pytest.raises(ParseError) as err:
        ussc_rows(ussc_sentence(shown + sep, printed))
    assert f"not {word!r}" in err.value.expected


def test_ussc_upper_case_approx_is_not_dropped():
    with pytest.raises(ParseError, match="not 'approx.'"):
        ussc_rows(ussc_sentence("APPROX. ", "1,000"))


@given(st.one_of(glyph_in_number(), wrapped_number()))
@example((1234, "1(cid:20)234"))
def test_ussc_damaged_count_never_gives_another_number(case):
    n, printed = case
    for measure, value, _ in ussc_rows(ussc_sentence("", printed)):
        assert (measure, value) in {("offenders_sentenced", 64142.0), ("offenders_sentenced", n)}


def bjs_rows(text: str) -> list[tuple]:
    skipped: list = []
    return [
        (r.fiscal_year, r.stage, r.value, r.qualifier)
        for r in bjs._read_prose(BJS, [text], skipped)
    ]


BJS_TEMPLATES = [
    "In 2006, U.S. attorneys prosecuted {q}{n} defendants for child pornography offenses.",
    "In 2006, {q}{n} defendants were prosecuted for child pornography offenses.",
]


@given(printed_counts(), st.sampled_from(BJS_TEMPLATES), qualifier_phrase())
def test_bjs_count_with_schema_qualifier_is_read_exactly(case, template, qual):
    n, printed = case
    q, q_printed = qual
    if 1990 <= n <= 2100 and printed == str(n):
        printed = grouped(n)  # a bare "2006" is a year
    assert bjs_rows(template.format(q=q_printed, n=printed)) == [
        (2006, "defendants_prosecuted", n, q)
    ]


@given(big_counts, markers, st.sampled_from(BJS_TEMPLATES))
def test_bjs_footnote_marker_never_changes_a_count(n, marker, template):
    for row in bjs_rows(template.format(q="", n=grouped(n) + marker)):
        assert row == (2006, "defendants_prosecuted", n, None)


@given(st.one_of(glyph_in_number(), wrapped_number()), st.sampled_from(BJS_TEMPLATES))
@example((1234, "1(cid:20)234"), BJS_TEMPLATES[1])
def test_bjs_damaged_count_never_gives_another_number(case, template):
    n, printed = case
    for row in bjs_rows(template.format(q="", n=printed)):
        assert row == (2006, "defendants_prosecuted", n, None)


@pytest.mark.parametrize("q", QUALIFIERS)
def test_bjs_qualifier_at_a_line_end_is_kept(q):
    rows = bjs_rows(
        f"In 2006, {q}\n1,234 defendants were prosecuted for child pornography offenses."
    )
    assert rows == [(2006, "defendants_prosecuted", 1234, q)]


@pytest.mark.parametrize("q", [*QUALIFIERS, *prose.UNMAPPED_QUALIFIERS])
def test_short_line_ending_in_a_qualifier_is_not_a_unit(q):
    """prose.sentences keeps "In 2006, <qualifier>" / "1,234 defendants ..." as one unit (any case),
    but still ends a unit at a heading before a statement."""
    for shown in (q, q.upper()):
        raw = f"In 2006, {shown}\n1,234 defendants were prosecuted for child pornography offenses."
        assert prose.sentences(raw) == [" ".join(raw.split())]
    raw = "Prosecutions\nIn 2006, 1,234 defendants were prosecuted for child pornography offenses."
    assert prose.sentences(raw) == ["Prosecutions", raw.split("\n")[1]]


@pytest.mark.parametrize(
    "text, broken",
    [
        ("made 10, 800 arrests", True),
        ("made 10,8 00 arrests", True),
        ("made 1 0,800 arrests", True),
        ("allocated $36. 2 million", True),
        ("allocated $3 6.2 million", True),
        ("In 2010 800 arrests", True),  # 2,010,800 or two numbers: cannot tell
        ("In 2010, 800 arrests", False),  # "2010,800" is no number
        ("In FY 2023, 10,800 arrests", False),
        ("In FY 2023 10,800 arrests", False),
        ("made 10,800 arrests, 2 of them", False),
        ("made 10,800 arrests", False),
    ],
)
def test_broken_number(text, broken):
    m = list(re.finditer(prose.NUM_START + r"\$?(\d[\d,]*(?:\.\d+)?)" + prose.NUM_END, text))[-1]
    m = m if "million" not in text else next(re.finditer(r"\$(\d+)", text))
    assert prose.broken_number(text, *m.span(1)) is broken


@pytest.mark.parametrize(
    "text",
    [
        "Of these, 99.\n4% were sentenced to prison.",
        "Of these, 9\n9.4% were sentenced to prison.",
        "Of these, 99.4(cid:20)% were sentenced to prison.",
    ],
)
def test_ussc_damaged_percentage_is_not_read(text):
    rows = ussc_rows(f"In fiscal year 2023, there were 64,142 offenders sentenced. {text}")
    assert [r for r in rows if r[0] == "share_sentenced_to_prison"] == []


# ===================================================== labels: unknown locations and countries


@st.composite
def unknown_location_spelling(draw) -> str:
    """A label of :data:`UNKNOWN_LOCATION_LABELS` as a document might print it."""
    label = draw(st.sampled_from(sorted(nc.UNKNOWN_LOCATION_LABELS)))
    label = recase(draw, label)
    label = label.replace(" ", draw(st.sampled_from([" ", "  ", "\u00a0"])))
    if draw(st.booleans()):  # full-width letters, folded by NFKC like pdfminer output can need
        label = unicodedata.normalize("NFKC", label)
    return (
        draw(st.sampled_from(["", " "]))
        + label
        + draw(st.sampled_from(["", "*", "**", "\u2020", ":", ".", "*:", " *"]))
    )


@given(unknown_location_spelling())
def test_unknown_location_spellings_are_recognised(label):
    assert nc.is_unknown_location(label)


@given(unknown_location_spelling())
def test_unknown_location_never_gets_a_country_code(label):
    with pytest.raises(countries.UnknownCountryError):
        countries.to_iso3(label.rstrip(nc.FOOTNOTE_MARKERS).strip())


def _country_names() -> list[tuple[str, str]]:
    names = [(name, code) for name, code in countries.OVERRIDES.items()]
    for c in pycountry.countries:
        names += [
            (getattr(c, a), c.alpha_3) for a in ("name", "common_name") if getattr(c, a, None)
        ]
    # A name two countries share is not resolvable by design.
    return [(n, code) for n, code in names if _resolves(n)]


def _resolves(name: str) -> bool:
    try:
        countries.to_iso3(name)
    except countries.UnknownCountryError:
        return False
    return True


COUNTRY_NAMES = _country_names()
KNOWN_KEYS = {countries.normalize_name(n) for n, _ in COUNTRY_NAMES}


@given(st.sampled_from(COUNTRY_NAMES))
def test_country_names_are_not_unknown_locations(case):
    name, code = case
    assert not nc.is_unknown_location(name)
    assert countries.to_iso3(name) == code


@given(st.sampled_from(COUNTRY_NAMES), cid, st.data())
def test_a_glyph_in_a_country_name_never_gets_a_code(case, glyph, data):
    name, _ = case
    at = data.draw(st.integers(0, len(name)))
    with pytest.raises(countries.UnknownCountryError):
        countries.to_iso3(name[:at] + glyph + name[at:])


@st.composite
def misspelt(draw) -> str:
    """A country name with one character dropped, doubled, swapped or replaced."""
    name, _ = draw(st.sampled_from(COUNTRY_NAMES))
    i = draw(st.integers(0, len(name) - 1))
    kind = draw(st.sampled_from(["drop", "double", "swap", "replace"]))
    if kind == "drop":
        return name[:i] + name[i + 1 :]
    if kind == "double":
        return name[:i] + name[i] + name[i:]
    if kind == "swap" and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + draw(st.sampled_from(string.ascii_lowercase + "*?#")) + name[i + 1 :]


@given(misspelt())
def test_a_misspelt_country_is_never_guessed(name):
    """Exact lookups only: a name that is not (after case/diacritics/'St.') a known name, and not two
    known alternatives, gets no code."""
    if countries.normalize_name(name) in KNOWN_KEYS or re.search(r"[/()]", name):
        return
    with pytest.raises(countries.UnknownCountryError):
        countries.to_iso3(name)


@given(
    unknown_location_spelling(),
    st.lists(st.integers(0, 10**7), min_size=2, max_size=2),
    st.integers(0, 10**7),
)
def test_by_country_table_with_any_unknown_spelling_reconciles(label, rows, unknown):
    """The pure by-country parser: the unknown-location row in any known spelling is flagged and has
    no code, and the counts are read exactly (they add up to the printed total)."""
    from tests.test_parser_ncmec_country import _doc, _simple

    label = " ".join(label.split())  # one printed cell: no line breaks inside
    total = sum(rows) + unknown
    p1, p2 = _simple(
        [("Albania", grouped(rows[0])), ("Kosovo", grouped(rows[1]))],
        [(label, grouped(unknown)), ("Total", grouped(total))],
    )
    df = _doc(p1, p2)["cybertipline_reports_by_country"]
    assert df[["country_iso3", "is_location_unknown", "reports"]].values.tolist() == [
        ["ALB", False, rows[0]],
        ["XKX", False, rows[1]],
        [None, True, unknown],
    ]
