"""The extraction over the held-out corpora (tests/extraction/heldout/README.md).

Each floor is the measured figure less at most one statement: one more miss, false positive
or wrong speaker than measured fails (assert_no_worse_than_measured). Measured with the
command in heldout/README.md (and `incidentdb eval tests/extraction/heldout/<corpus>`).

None of the three is blind any more. `dev` is what the rules were developed on. `test` was
measured blind once (round 1: precision 0.962, recall 0.992, attribution 0.787); rounds 2 and
3 developed on it too. `final` was measured blind once, before round 3 (precision 0.979,
recall 0.986, attribution 0.773: the honest generalisation figure); round 3 developed on it.
Round 4 (attribution as a sieve of passes) developed on all three; round 5 (salience,
titles, unnamed spokespeople and bodies) on all four, the spent blind set included; round 6
(people named without a role, reporting subjects most salient, embassies, interview answers)
on all five, blind2 included; round 7 (definite roles, statements' issuers, unnamed sources
inside bodies, surnames with particles, calibration) on blind3a and all the others, with
blind3b looked at only as aggregate figures, as a generalisation check; round 8 (every
reporting subject salient, people and bodies introduced by the forms news uses, clauses of
their own after a quotation) on blind4a and blind4b, checked against all the others; round 9
(slugs that drop accents, particle surnames, bodies reporting about their own state, headline
shorthands, interviews' introductions, companies and acronyms) on blind5a and blind5b; round
10 (honest confidence: Wilson lower bounds; names glued to titles, both surnames, a lede's
unnamed spokesperson) on blind6a and blind6b.
"""

from __future__ import annotations

from pathlib import Path

from app.extraction.evaluate import EvalReport, evaluate
from tests.extraction.conftest import assert_no_worse_than_measured

HELDOUT = Path(__file__).resolve().parent / "heldout"


def report_for(corpus: str) -> EvalReport:
    base = HELDOUT / corpus
    return evaluate(
        base / "articles", base / "actors.yaml", base / "incidents.yaml", base / "gold.yaml"
    )


def test_dev_corpus_meets_its_floor() -> None:
    # Measured (rounds 1-7): 128 of 128 found, none extra, all attributed right (1.000 /
    # 1.000 / 1.000).
    assert_no_worse_than_measured(
        report_for("dev"), gold=128, missed=0, false_positives=0, wrong_speakers=0
    )


def test_test_corpus_meets_its_floor() -> None:
    # Measured (round 8): 127 of 128 found, 5 extra, 1 wrong speaker (0.962 / 0.992 / 0.992).
    assert_no_worse_than_measured(
        report_for("test"), gold=128, missed=1, false_positives=5, wrong_speakers=1
    )


def test_final_corpus_meets_its_floor() -> None:
    # Measured (rounds 7-8): 141 of 143 found, 3 extra, 2 wrong speakers (0.979 / 0.986 / 0.986).
    assert_no_worse_than_measured(
        report_for("final"), gold=143, missed=2, false_positives=3, wrong_speakers=2
    )


def test_blind_corpus_meets_its_floor() -> None:
    # Written for issue 11 by two annotators who never saw the rules (heldout/blind/), measured
    # once before any rule was changed for it: the old branch list 0.867 / 0.850 / 0.833, the
    # sieve 0.981 / 1.000 / 0.846 (measured-once-*.txt). 260 of 260 found, 5 extra, 40 wrong
    # speakers. Its per-pass precision calibrates the confidences (app.extraction.calibrate).
    # Since spent: round 5 developed general rules on its errors; after round 8, 260 of 260
    # found, 5 extra, 5 wrong speakers (0.981 / 1.000 / 0.981), no longer a blind figure;
    # after round 9, 4 wrong speakers (0.985).
    assert_no_worse_than_measured(
        report_for("blind"), gold=260, missed=0, false_positives=5, wrong_speakers=4
    )


def test_blind2_corpus_meets_its_floor() -> None:
    # Written for issue 11 by two more annotators who never saw the rules (heldout/blind2/),
    # after round 5. Measured blind twice, each time before any rule was changed for it
    # (measured-once-*.txt): main before round 5 0.985 / 0.992 / 0.879; round 5 with one actor
    # per person 0.985 / 0.992 / 0.900. Since spent: round 6 developed general rules on its
    # errors; after round 8, 472 of 476 found, 7 extra, 10 wrong speakers (0.985 / 0.992 /
    # 0.979), no longer a blind figure; after round 9, 9 wrong speakers (0.981); after round
    # 10, 8 (0.983).
    assert_no_worse_than_measured(
        report_for("blind2"), gold=476, missed=4, false_positives=7, wrong_speakers=8
    )


def test_blind3_corpora_meet_their_floors() -> None:
    # Written for issue 11 after round 6 by two more annotators who never saw the rules
    # (heldout/blind3a/ e01-e15, heldout/blind3b/ e16-e30; each annotator's own actors.yaml).
    # Measured blind twice, each time before any rule was changed for it (measured-once-*.txt):
    # main before round 6 (dbb01b2) a 0.989 / 0.967 / 0.842, b 0.996 / 0.992 / 0.870, together
    # 434 of 507 speakers right (0.856); round 6 (c8768b0) a 0.989 / 0.967 / 0.862, b 0.996 /
    # 0.992 / 0.879, together 441 of 507 (0.870). Since spent: round 7 developed general rules
    # on blind3a's errors and looked at blind3b only as aggregate figures; round 8 checked
    # its rules on both: blind3a 0.989 / 0.970 / 0.981 (5 wrong speakers), blind3b 0.996 /
    # 0.992 / 0.964 (9); together 494 of 508 (0.972), no longer a blind figure. After round 9:
    # blind3a 4 wrong speakers (0.985), blind3b 5 (0.980).
    assert_no_worse_than_measured(
        report_for("blind3a"), gold=269, missed=8, false_positives=3, wrong_speakers=4
    )
    assert_no_worse_than_measured(
        report_for("blind3b"), gold=249, missed=2, false_positives=1, wrong_speakers=5
    )


def test_blind4_corpora_meet_their_floors() -> None:
    # Written for issue 11 during round 7 by two more annotators who never saw the rules
    # (heldout/blind4a/ f01-f15, heldout/blind4b/ f16-f30; each annotator's own actors.yaml).
    # Measured blind twice, each time before any rule was changed for it (measured-once-*.txt):
    # main before round 7 (bdd519d) together 386 of 463 speakers right (0.834); round 7
    # (3a19e26) 402 of 463 (0.868). Since spent: round 8 developed general rules on both
    # halves (a 0.987 / 0.983 / 0.978, 5 wrong speakers; b 0.976 / 0.996 / 0.954, 11;
    # together 449 of 465, 0.966), no longer a blind figure. After round 9: b 7 wrong speakers
    # (0.971).
    assert_no_worse_than_measured(
        report_for("blind4a"), gold=229, missed=4, false_positives=3, wrong_speakers=5
    )
    assert_no_worse_than_measured(
        report_for("blind4b"), gold=241, missed=1, false_positives=6, wrong_speakers=7
    )


def test_blind5_corpora_meet_their_floors() -> None:
    # Written for issue 11 during round 8 by two more annotators who never saw the rules
    # (heldout/blind5a/ g01-g15, heldout/blind5b/ g16-g30; each annotator's own actors.yaml).
    # Measured blind twice, each time before any rule was changed for it (measured-once-*.txt):
    # main before round 8 (cd5642b) together 454 of 507 speakers right (0.895); round 8
    # (c3a456c) 463 of 507 (0.913). Since spent: round 9 developed general rules on both
    # halves (a 0.985 / 0.970 / 0.981, 5 wrong speakers; b 0.984 / 0.976 / 0.988, 3; together
    # 499 of 507, 0.984), no longer a blind figure.
    assert_no_worse_than_measured(
        report_for("blind5a"), gold=266, missed=8, false_positives=4, wrong_speakers=5
    )
    assert_no_worse_than_measured(
        report_for("blind5b"), gold=255, missed=6, false_positives=4, wrong_speakers=3
    )


def test_blind6_corpora_meet_their_floors() -> None:
    # Written for issue 11 during round 9 by two more annotators who never saw the rules
    # (heldout/blind6a/ h01-h15, heldout/blind6b/ h16-h30; each annotator's own actors.yaml).
    # Measured blind twice, each time before any rule was changed for it (measured-once-*.txt):
    # main before round 9 (84f7664) together 426 of 468 speakers right (0.910); round 9
    # (7ae28d5) 430 of 468 (0.919), round 9's blind figures. Since spent: round 10 developed
    # general rules on their errors: 16 and 16 wrong speakers (blind6a 0.934, blind6b 0.929);
    # round 11 (state-media home ministry, role modifiers after a possessive, a name placed
    # in a body, a subject name the next sentence's pronoun shows a person) 13 and 10 (blind6a
    # 0.946, blind6b 0.956).
    assert_no_worse_than_measured(
        report_for("blind6a"), gold=247, missed=5, false_positives=4, wrong_speakers=13
    )
    assert_no_worse_than_measured(
        report_for("blind6b"), gold=227, missed=1, false_positives=4, wrong_speakers=10
    )


def test_blind7_corpora_meet_their_floors() -> None:
    # Written for issue 11 during round 10 by two more annotators who never saw the rules
    # (heldout/blind7a/ i01-i15, heldout/blind7b/ i16-i30; each annotator's own actors.yaml).
    # Measured blind twice, each time before any rule was changed for it (measured-once-*.txt):
    # main after round 9 (76cf0b5) together 436 of 475 speakers right (0.918); round 10
    # (e8135d1) 436 of 475 (0.918), confidence >= 0.9 on 71.8 % and right 0.974; and, still
    # blind (round 11 was developed on blind6), round 11 (87a4003) 437 of 475 (0.920),
    # confidence >= 0.9 on 71.8 % and right 0.977. These floors are round 11's blind figures.
    assert_no_worse_than_measured(
        report_for("blind7a"), gold=239, missed=3, false_positives=0, wrong_speakers=16
    )
    assert_no_worse_than_measured(
        report_for("blind7b"), gold=239, missed=0, false_positives=3, wrong_speakers=22
    )
