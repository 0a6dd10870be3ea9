"""A short seeded fuzz run over mutated real mirror PDFs (tests/fuzz.py): every mutant parsed through
``pipeline.parse._run_parser`` ends as the pipeline promises for an untrusted copy -- ``parsed`` with
rows that still reconcile, or ``failed`` with an error naming the document -- and none escapes with
an exception, crashes the worker or hangs past the limit.

One round of the four mutations (bytes flipped, an object dropped, truncated, one glyph of a content
stream changed) over the nine real NCMEC PDFs: 36 mutants, run once for the module, two at a time.
The seed is fixed so CI tries the same mutants every time; ``python -m tests.fuzz --seed N --rounds R``
runs other ones by hand.
"""

from __future__ import annotations

import hashlib
import time

import pytest

from tests import fuzz

SEED = 20240


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> list[fuzz.Outcome]:
    batch = fuzz.mutants(SEED)
    return fuzz.run(batch, tmp_path_factory.mktemp("fuzz"), base={}, workers=2)


def _show(outs: list[fuzz.Outcome]) -> str:
    return "\n".join(
        f"{o.mutant} [{o.detail}]: {o.status} {o.error[:200]} {o.problems}" for o in outs
    )


def test_every_real_pdf_gets_every_mutation(outcomes):
    docs = {doc.id for _, doc in fuzz.mirror_documents()}
    assert len(docs) == 9  # the nine real NCMEC PDFs of the shared mirror
    assert {(o.document_id, o.mutant.split(":")[1]) for o in outcomes} == {
        (d, k) for d in docs for k in fuzz.KINDS
    }


def test_mutants_are_reproducible_from_the_seed():
    def digest(batch):
        return [(m.id, m.detail, hashlib.sha256(m.data).hexdigest()) for m in batch]

    assert digest(fuzz.mutants(SEED)) == digest(fuzz.mutants(SEED))
    assert digest(fuzz.mutants(SEED)) != digest(fuzz.mutants(SEED + 1))


def test_no_mutant_escapes_crashes_or_hangs(outcomes):
    bad = [o for o in outcomes if o.status not in ("parsed", "failed")]
    assert bad == [], _show(bad)


def test_failed_mutants_name_the_document(outcomes):
    failed = [o for o in outcomes if o.status == "failed"]
    bad = [o for o in failed if o.problems]
    assert bad == [], _show(bad)
    assert all(o.error.startswith(f"{o.document_id}, page ") for o in failed)


def test_parsed_mutants_still_reconcile(outcomes):
    parsed = [o for o in outcomes if o.status == "parsed"]
    bad = [o for o in parsed if o.problems]
    assert bad == [], _show(bad)
    assert all(sum(o.rows.values()) > 0 for o in parsed)


def test_the_mutations_reach_both_outcomes(outcomes):
    """A fuzz where nothing fails does not mutate; one where nothing parses only tests the opener."""
    statuses = {o.status for o in outcomes}
    assert statuses == {"parsed", "failed"}
    # Every truncation loses the cross-reference table at the end of the file: never a parse.
    assert {o.status for o in outcomes if ":truncate:" in o.mutant} == {"failed"}


def _sleeps(doc, version):
    time.sleep(60)


def test_the_runner_reports_a_hang_instead_of_waiting(monkeypatch, tmp_path):
    """The fuzz's own backstop: a parse that never answers is killed and reported as a hang."""
    monkeypatch.setattr("pipeline.parse._run_parser", _sleeps)
    monkeypatch.setattr(fuzz, "WALL_SECONDS", 1)
    m = fuzz.mutants(SEED, kinds=("truncate",))[0]
    [out] = fuzz.run([m], tmp_path, base={}, workers=1)
    assert (out.status, out.error) == ("hang", "no answer within 1 s")
