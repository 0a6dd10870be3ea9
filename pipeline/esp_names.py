"""ESP names as NCMEC prints them -> ``esp_key``, one key per reporting provider across editions.

NCMEC retypes its ESP list every year: "Twitter, Inc." (2019, 2022) is "Twitter" (2020, 2021),
"Facebook*" carries a footnote marker in 2019-2020 only, "Linden Lab (SecondLife)" is also "Linden
Lab/ SecondLife". Of the 472 names printed 2019-2022 only 37 are spelled the same in all four years, so
a per-ESP time series needs a key. The key is built in two steps, both exact (nothing is fuzzy-matched):

1. :func:`normalize` - a mechanical rule that cannot turn one provider into another: footnote markers
   dropped; case, diacritics, quotes and punctuation folded; a trailing corporate form (Inc., LLC, Ltd.,
   Corp., Limited, GmbH, Kft., s.r.o., A/S ...) and a trailing web domain (.com/.net/.org) dropped;
   "(fka ...)"/"(formerly ...)" dropped; names joined by "/", " - ", "(...)" or "d/b/a" become parts
   joined by "/" (repeated parts once). Words are joined by "-": ``"Twitter, Inc." -> "twitter"``,
   ``"Linden Lab (SecondLife)" -> "linden-lab/secondlife"``.
2. :data:`OVERRIDES` - reviewed merges the rule cannot see (a provider renamed, a trade name added in one
   year only), each with its reason. An override maps a normalised key to another key; it never splits.

What is deliberately NOT merged: a parent printed with "related platforms combined" in 2019-2020 and its
platforms printed one by one later (Automattic* vs WordPress.com/Automattic and Tumblr; MindGeek* vs
MG Freesites; Meet Group* vs MeetMe, Tagged, Skout; MediaLab AI* vs MediaLab (Kik) and Whisper), and
rows naming several companies at once ("Amazon / Twitch"). Those counts cover different things, and
the ``related_platforms_combined`` flag says where a count includes related platforms. Where the name
stays the same (Facebook*, Microsoft*, Google*, Match Group*) the key is the same and only the flag
tells the years apart.

Invariant (tested on the real 2019-2022 editions): no document prints two rows with the same key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pandas as pd

__all__ = [
    "OVERRIDES",
    "RELATED_PLATFORMS_COMBINED",
    "add_esp_columns",
    "esp_key",
    "normalize",
    "related_platforms_combined",
]

# (normalised key, key it merges into) -> reason. Every entry was checked against the NCMEC PDFs
# 2019-2022: the two spellings never appear in the same document. Decision on renames: a provider that
# renamed itself (same company, same service, same reporting account) keeps one key so its time series
# continues; the name as printed stays in esp_name. Acquisitions, parents and combined rows are not
# renames and are not merged.
OVERRIDES: dict[str, tuple[str, str]] = {
    # --- renames ------------------------------------------------------------------------------------
    "x": (
        "twitter",
        "Rename: Twitter, Inc. merged into X Corp. (March 2023) and the service was renamed X (July "
        "2023); same platform and reporter. No 2019-2022 edition prints X; listed so a later edition "
        "continues the Twitter series.",
    ),
    "adobe-systems": (
        "adobe",
        "Rename: Adobe Systems Incorporated became Adobe Inc. in 2018; 2019, 2021, 2022 print the old "
        "name, 2020 prints 'Adobe'.",
    ),
    "surveymonkey": (
        "momentive",
        "Rename: SurveyMonkey's parent SVMK renamed itself Momentive in 2021; 'SurveyMonkey' (2020) "
        "and 'Momentive' (2021-2022) are never printed together.",
    ),
    "west-interactive-services": (
        "intrado-interactive-services",
        "Rename: West Corporation rebranded as Intrado (2019); 'West Interactive Services "
        "Corporation' (2019-2020) is followed by 'Intrado Interactive Services Corporation' "
        "(2021-2022).",
    ),
    "verizon-media": (
        "yahoo",
        "Rename: Verizon Media (Yahoo, AOL) was sold to Apollo and renamed Yahoo Inc. in September "
        "2021; 'Verizon Media' (2019-2020) is followed by 'Yahoo!' (2021-2022).",
    ),
    "donuts": (
        "identity-digital",
        "Rename: the registry operator Donuts Inc. renamed itself Identity Digital in 2022; 'Donuts' "
        "(2020) and 'Identity Digital Inc.' (2022) are never printed together.",
    ),
    # --- the same provider with or without a trade name or abbreviation ---------------------------
    "endurance-intl-group": (
        "endurance-international-group",
        "Abbreviation: 'Endurance Int'l Group, Inc.' (2022) is 'Endurance International Group' "
        "(2019-2021).",
    ),
    "evasyst/kast": (
        "evasyst",
        "Trade name: 'Evasyst, Inc. (dba Kast)' (2019) is 'Evasyst' (2020).",
    ),
    "visual-supply-company/vsco": (
        "visual-supply-company",
        "Trade name: 'Visual Supply Company (VSCO)' (2019) is 'Visual Supply Company' (2020-2022).",
    ),
    "streamable/apricot-mountain": (
        "streamable",
        "Operator named: 'Streamable (Apricot Mountain Inc.)' (2019) is 'Streamable' (2021) and "
        "'Streamable, Inc' (2022).",
    ),
    "fenix-international/onlyfans": (
        "fenix-international",
        "Trade name: 'Fenix International Limited (OnlyFans)' (2022) is 'Fenix International "
        "Limited' (2021).",
    ),
    "wildworks": (
        "wildworks/animaljam",
        "Trade name: 'WildWorks' (2020) is 'WildWorks (AnimalJam)' (2021) and 'WildWorks, Inc. / "
        "AnimalJam' (2022).",
    ),
    "okcupid/humor-rainbow": (
        "okcupid",
        "Operator named: 'Okcupid.com - Humor Rainbow, Inc.' (2022) is 'Okcupid' (2021); Humor "
        "Rainbow, Inc. operates OkCupid.",
    ),
    "twitch-interactive": (
        "twitch",
        "Operator named: 'Twitch Interactive, Inc.' (2019, 2022) is 'Twitch' (2021). Not merged with "
        "the 2020 row 'Amazon / Twitch', which combines two providers.",
    ),
    "godaddy/wild-west-domains": (
        "godaddy",
        "Subsidiary named: 'GoDaddy.com/Wild West Domains' (2019, 2022) is 'GoDaddy' (2020-2021); Wild "
        "West Domains is GoDaddy's reseller registrar and no edition prints both rows.",
    ),
    "padlet/wallwisher/cloudfront": (
        "padlet",
        "Former name named: 'Padlet/Wallwisher/Cloudfront' (2021) is 'Padlet' (2022); Wallwisher is "
        "Padlet's former name.",
    ),
}

# Corporate forms dropped from the end of a name part (compared as folded words).
_SUFFIXES = (
    ("inc",),
    ("incorporated",),
    ("llc",),
    ("l", "l", "c"),
    ("ltd",),
    ("limited",),
    ("corp",),
    ("corporation",),
    ("co",),
    ("plc",),
    ("gmbh",),
    ("kft",),
    ("s", "r", "o"),
    ("sro",),
    ("aps",),
    ("ab",),
    ("pte",),
    ("bv",),
    ("b", "v"),
)
_DOMAINS = ("com", "net", "org")
_MARKER = re.compile(r"[*\u2020\u2021]+")
_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"'}
)
# A former name is history, not part of the provider's identity.
_FORMER = re.compile(r"\(\s*(?:fka|f/k/a|formerly)\b[^)]*\)?", re.I)
# "d/b/a", "d.b.a", "dba" introduce a trade name: a part of its own. Replaced before "/" splits parts.
_DBA = re.compile(r"[,(]?\s*\b(?:d\s*/\s*b\s*/\s*a|d\.b\.a\.?|dba)\b\.?", re.I)
# "A/S" (Danish company form) would otherwise split at its slash.
_AS = re.compile(r"\bA/S\b", re.I)
# Part separators: "/", " - " (hyphen with a space on at least one side), parentheses.
_PARTS = re.compile(r"/|\s+-\s*|\s*-\s+|[()]")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return text.replace("'", "")  # "Int'l" -> "intl", one word


def _part_words(part: str) -> list[str]:
    """Folded words of one name part, without a trailing corporate form or web domain."""
    words = re.findall(r"[a-z0-9]+", part)
    changed = True
    while changed and words:
        changed = False
        for suffix in _SUFFIXES:
            n = len(suffix)
            if len(words) > n and tuple(words[-n:]) == suffix:
                words, changed = words[:-n], True
                break
        if not changed and len(words) > 1 and words[-1] in _DOMAINS and "." in part:
            words, changed = words[:-1], True
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return words


def normalize(name: str) -> str:
    """The mechanical key for a name as printed (no overrides applied)."""
    text = _MARKER.sub(" ", _fold(name))
    text = _FORMER.sub(" ", text)
    text = _AS.sub(" ", text)
    text = _DBA.sub("/", text)
    parts: list[str] = []
    for raw in _PARTS.split(text):
        words = _part_words(raw)
        key = "-".join(words)
        if key and key not in parts:
            parts.append(key)
    return "/".join(parts)


@cache
def _override_index() -> dict[str, str]:
    index = {src: dst for src, (dst, _reason) in OVERRIDES.items()}
    for src, dst in index.items():
        if normalize(src.replace("-", " ")) != src:
            raise AssertionError(f"OVERRIDES key {src!r} is not a normalised key")
        if dst in index:
            raise AssertionError(
                f"OVERRIDES target {dst!r} is itself overridden (chains hide merges)"
            )
    return index


def esp_key(name: str) -> str:
    """One key per provider across editions: :func:`normalize`, then a reviewed override if any."""
    key = normalize(name)
    if not key:
        raise ValueError(f"ESP name {name!r} has no letters or digits to key on")
    return _override_index().get(key, key)


# The footnote NCMEC prints in 2019 and 2020 for starred names ("*Report totals for related platforms
# and companies have been combined."). Matched on the row's note, which the parser fills with the
# footnote of the name's marker, so a marker pointing to any other footnote does not set the flag.
RELATED_PLATFORMS_COMBINED = re.compile(r"related platforms\b.*\bcombined", re.I)


def related_platforms_combined(note) -> bool:
    return isinstance(note, str) and bool(RELATED_PLATFORMS_COMBINED.search(note))


def add_esp_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``esp_key`` and ``related_platforms_combined`` for rows of cybertipline_reports_by_esp."""
    df = df.copy()
    df["esp_key"] = [esp_key(n) for n in df["esp_name"]]
    notes = df["note"] if "note" in df.columns else pd.Series([None] * len(df), index=df.index)
    df["related_platforms_combined"] = [related_platforms_combined(n) for n in notes]
    return df
