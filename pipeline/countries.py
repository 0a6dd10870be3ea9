"""Country and territory names as NCMEC prints them -> ISO 3166-1 alpha-3.

Lookups are exact, never fuzzy: a name resolves only if, after a light normalisation that cannot turn
one country into another (case, diacritics, curly quotes, "&" -> "and", "St." -> "Saint", a trailing
", The"), it equals a pycountry name, official name or common name, or a key of :data:`OVERRIDES`.
Names printed as two alternatives ("Burma/Myanmar", "Cote d'Ivoire (Ivory Coast)") resolve only if
*every* alternative resolves and all agree. Anything else raises :class:`UnknownCountryError`: the
by-country parser then publishes the name as printed with its code empty (a misspelt territory must
not stop a release), and the unknown-labels WARN check (:mod:`pipeline.labels`) lists it with
:func:`suggestions` for a person to confirm here as a reviewed override. Nothing is ever guessed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache

import pycountry

__all__ = ["OVERRIDES", "UnknownCountryError", "to_iso3", "normalize_name", "suggestions"]


class UnknownCountryError(ValueError):
    """The name is not a country/territory this module knows; add an override after checking it."""

    def __init__(self, name: str, reason: str = "no exact pycountry match and no override"):
        self.name = name
        super().__init__(
            f"unknown country name {name!r}: {reason}; "
            "add a reviewed entry to OVERRIDES in pipeline/countries.py"
        )


# Names pycountry does not resolve exactly (keys are compared after normalize_name, so case and
# diacritics do not matter). Every entry was checked by hand against the NCMEC PDFs 2019-2022; the
# comment says why the mapping is safe.
OVERRIDES: dict[str, str] = {
    # --- names not in ISO 3166 / pycountry at all -------------------------------------------------
    # Kosovo has no ISO 3166-1 code; XKX is the user-assigned code used by the EU, IMF and SWIFT.
    "Kosovo": "XKX",
    # NCMEC 2022 prints one row "Europe" (3 reports): a location resolved only to the continent (as
    # IP-geolocation databases do with their "EU" pseudo-country). It is not a country, so it gets a
    # code from ISO 3166-1's user-assigned X range, which can never collide with a real country.
    # (The OCSE transcription writes "EEE", which is outside the user-assigned ranges.)
    "Europe": "XEU",
    # Withdrawn in 2010 (split into CUW, SXM, BES), kept in ISO 3166-3 and transitionally reserved, so
    # ANT cannot be reassigned. NCMEC still prints it next to Curacao, Sint Maarten and Caribbean
    # Netherlands; mapping it to any one successor would be a guess, so the withdrawn code is kept.
    "Netherlands Antilles": "ANT",
    # --- current short or former names -------------------------------------------------------------
    "Turkey": "TUR",  # pycountry: Türkiye (renamed in ISO 3166 in 2022)
    "Russia": "RUS",  # pycountry: Russian Federation
    "Swaziland": "SWZ",  # pycountry: Eswatini (renamed 2018, code unchanged)
    "Macedonia": "MKD",  # pycountry: North Macedonia (renamed 2019, code unchanged)
    "Burma": "MMR",  # former name of Myanmar (NCMEC prints "Burma/Myanmar"); NOT historic BUR
    "Bahrein": "BHR",  # old spelling of Bahrain (NCMEC prints "Bahrain/Bahrein")
    "Rumania": "ROU",  # old spelling of Romania (NCMEC prints "Romania/Rumania")
    "Ivory Coast": "CIV",  # English name of Côte d'Ivoire ("Cote d'Ivoire (Ivory Coast)")
    "Cape Verde": "CPV",  # pycountry: Cabo Verde
    "Cape Verde Islands": "CPV",  # NCMEC's spelling
    "Czech Republic": "CZE",  # also pycountry's official name; listed for clarity
    "Brunei": "BRN",  # pycountry: Brunei Darussalam
    "Vatican City": "VAT",  # pycountry: Holy See (Vatican City State)
    "Vatican": "VAT",
    "Palestinian Territory": "PSE",  # pycountry: Palestine, State of
    "Palestine": "PSE",
    "Yemen Arab Republic": "YEM",  # North Yemen's name; its code YEM passed to unified Yemen in 1990
    "Micronesia": "FSM",
    "Federated States of Micronesia": "FSM",  # also pycountry's official name
    "Falkland Islands": "FLK",  # pycountry: Falkland Islands (Malvinas)
    "Saint Martin": "MAF",  # pycountry: Saint Martin (French part); the Dutch part is Sint Maarten
    "Sint Maarten": "SXM",  # pycountry: Sint Maarten (Dutch part)
    "Caribbean Netherlands": "BES",  # Bonaire, Sint Eustatius and Saba
    "Svalbard": "SJM",  # pycountry: Svalbard and Jan Mayen (one ISO entry for both)
    "Svalbard, Jan Mayen": "SJM",
    "Pitcairn, Henderson, Ducie, and Oeno": "PCN",  # the four islands of pycountry's "Pitcairn"
    "Pitcairn Islands": "PCN",
    "French Guiana": "GUF",  # pycountry name; listed because NCMEC also prints "Guiana, French"
    "Guiana, French": "GUF",  # NCMEC 2020-2021 print this *and* "French Guiana" as separate rows
    "US Virgin Islands": "VIR",  # pycountry: Virgin Islands, U.S.
    "U.S. Virgin Islands": "VIR",
    "Reunion": "REU",  # pycountry: Réunion (diacritics are folded anyway; listed for clarity)
    "People's Republic of China": "CHN",  # also pycountry's official name
    "Hong Kong": "HKG",
    "Macau": "MAC",
    "Laos": "LAO",
    "Saint Helena": "SHN",  # pycountry: Saint Helena, Ascension and Tristan da Cunha
    "Saint Helena, Ascension, Tristan da Cunha": "SHN",
    "Gambia": "GMB",
    "Congo, Democratic Republic of the": "COD",
    "Democratic Republic of the Congo": "COD",
    "Republic of the Congo": "COG",
    # --- misspellings printed by NCMEC (each checked against its neighbours in the alphabetical list) --
    "Eretria": "ERI",  # Eritrea, printed between Equatorial Guinea and Estonia (2019-2022)
    "Sierre Leone": "SLE",  # Sierra Leone (2021-2022)
    "Saint Bartelemey": "BLM",  # Saint Barthélemy (2021-2022; 2019-2020 spell it correctly)
    "Turks and Calcos Islands": "TCA",  # Turks and Caicos Islands (2021-2022)
    "Surinam": "SUR",  # older English spelling of Suriname
}

# Sanity: overrides must be ISO-shaped; collisions with pycountry are checked at first lookup.
assert all(re.fullmatch(r"[A-Z]{3}", v) for v in OVERRIDES.values())

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "\u00a0": " "})


def normalize_name(name: str) -> str:
    """Comparison key: casefold, no diacritics, straight quotes, '&'->'and', 'St.'->'Saint'."""
    text = unicodedata.normalize("NFKD", name.translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"\bst\b\.?", "saint", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*,\s*the$", "", text)  # "Gambia, The" -> "gambia"
    return re.sub(r"^the\s+", "", text)  # "The Bahamas" -> "bahamas"


@cache
def _pycountry_index() -> dict[str, str]:
    """name/official_name/common_name -> alpha_3, dropping any key two countries would share."""
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if not value:
                continue
            key = normalize_name(value)
            if index.get(key, c.alpha_3) != c.alpha_3:
                ambiguous.add(key)
            index[key] = c.alpha_3
    for key in ambiguous:
        del index[key]
    return index


@cache
def _override_index() -> dict[str, str]:
    index: dict[str, str] = {}
    py = _pycountry_index()
    for name, code in OVERRIDES.items():
        key = normalize_name(name)
        if key in index and index[key] != code:
            raise AssertionError(f"OVERRIDES has two codes for {name!r}")
        if key in py and py[key] != code:
            raise AssertionError(f"override {name!r}->{code} contradicts pycountry ({py[key]})")
        index[key] = code
    return index


def _exact(name: str) -> str | None:
    key = normalize_name(name)
    return _override_index().get(key) or _pycountry_index().get(key)


def _alternatives(name: str) -> list[str] | None:
    """'A/B' or 'A (B)' -> [A, B]; None when the name is not printed as alternatives."""
    m = re.fullmatch(r"\s*([^()]+?)\s*\(([^()]+)\)\s*", name)
    if m:
        return [m.group(1), m.group(2)]
    if "/" in name:
        parts = [p.strip() for p in name.split("/")]
        if all(parts):
            return parts
    return None


def to_iso3(name: str) -> str:
    """ISO 3166-1 alpha-3 for a country name as printed; raises UnknownCountryError otherwise."""
    if not name or not name.strip():
        raise UnknownCountryError(name, "empty name")
    code = _exact(name)
    if code:
        return code
    parts = _alternatives(name)
    if parts:
        codes = {p: _exact(p) for p in parts}
        missing = [p for p, c in codes.items() if c is None]
        if missing:
            raise UnknownCountryError(name, f"alternative {missing[0]!r} does not resolve")
        if len(set(codes.values())) != 1:
            found = ", ".join(f"{p}={c}" for p, c in codes.items())
            raise UnknownCountryError(name, f"alternatives disagree ({found})")
        return next(iter(codes.values()))
    raise UnknownCountryError(name)


@cache
def _known_names() -> dict[str, tuple[str, str]]:
    """Comparison key -> (name as pycountry or OVERRIDES spells it, code), for suggestions only."""
    known: dict[str, tuple[str, str]] = {}
    for name, code in OVERRIDES.items():
        known.setdefault(normalize_name(name), (name, code))
    py = _pycountry_index()
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value and py.get(normalize_name(value)) == c.alpha_3:
                known.setdefault(normalize_name(value), (value, c.alpha_3))
    return known


def _word_order_free(key: str) -> str:
    """'korea, republic of' and 'republic of korea' compare equal."""
    return " ".join(sorted(re.findall(r"[\w']+", key)))


@cache
def _known_by_words() -> dict[str, str]:
    return {_word_order_free(key): key for key in _known_names()}


def suggestions(name: str, n: int = 3, cutoff: float = 0.6) -> list[tuple[str, str]]:
    """Known names closest to ``name`` as (name, code), best first, one per code.

    For a person deciding on an OVERRIDES entry, never for assigning a code: "Norfolk Islnd" is
    probably Norfolk Island, but only a reviewer who has looked at the document may say so. Names
    are compared as printed and with their words sorted ("Republic of Korea" / "Korea, Republic
    of"); names printed as alternatives ("A/B") are also compared part by part."""
    known, by_words = _known_names(), _known_by_words()
    printed = [name, *(_alternatives(name) or [])]
    scored: dict[str, float] = {}
    for part in printed:
        key = normalize_name(part)
        for space, to_key, probe in (
            (known, str, key),
            (by_words, by_words.get, _word_order_free(key)),
        ):
            for match in difflib.get_close_matches(probe, space, n=n * 2, cutoff=cutoff):
                ratio = difflib.SequenceMatcher(None, probe, match).ratio()
                k = to_key(match)
                scored[k] = max(scored.get(k, 0.0), ratio)
    out: list[tuple[str, str]] = []
    for key in sorted(scored, key=lambda k: (-scored[k], k)):
        display, code = known[key]
        if code not in {c for _, c in out}:
            out.append((display, code))
    return out[:n]
