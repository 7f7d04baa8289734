"""The discourse model: who the article has named so far, and who a phrase means."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from app.extraction import lexicon
from app.extraction.attribution.base import Attribution
from app.extraction.attribution.phrases import (
    DOC_OF,
    IN_A_STATEMENT,
    INDEFINITE,
    ISSUED,
    NOT_IN_NAME,
    NOT_SPEAKER_LABELS,
    NP_GAP,
    NP_LOWER,
    PLURAL_PEOPLE,
    SENTENCE_ADVERBS,
    SPEAKER_LABEL,
    SPOKES,
    STOP_NAME_WORDS,
    UP,
    UP_AT_WORD_START,
    WORD_RE,
    gap_ok,
    head_word,
    hyphenated_title,
    main_subject,
    skip_honorifics,
    speech_at,
    strip_possessive,
    trailing_name,
    verb_subject,
)
from app.extraction.context import ArticleContext
from app.extraction.gazetteer import GazetteerMatch, org_keywords
from app.extraction.model import KnownActor, NewActor
from app.extraction.quotes import Quote
from app.extraction.text import Token, fold, is_heading, slugify, word_keys


@dataclass
class Referent:
    start: int
    end: int
    key: str  # actor slug, or "?name" for a person the curated data does not know
    kind: str
    name: str
    roles: frozenset[str]
    sentence: int
    origin: tuple[int, int] = (0, 0)  # where an unknown person is introduced by full name
    # a reporting clause's subject as written ("he", "the minister", "Minister X Y"),
    # remembered when a statement was attributed to it, rather than a name the article gives
    speaker_phrase: bool = False
    # the subject of a reporting clause a statement was attributed to: the most salient
    reports: bool = False


@dataclass
class Discourse:
    ctx: ArticleContext
    referents: list[Referent] = field(default_factory=list)
    new_actors: dict[str, NewActor] = field(default_factory=dict)  # slug -> actor
    new_by_word: dict[str, str] = field(default_factory=dict)  # folded surname -> slug
    results: list[Attribution] = field(default_factory=list)
    done: list[Quote] = field(default_factory=list)  # the statements of `results`
    loose_text: str = ""  # the article as loose_words() words, computed when first needed
    pronoun_at: list[int] | None = None  # personal pronouns outside quotations
    # the earlier mention the phrase being resolved stands for, set by realise()
    antecedent: tuple[int, int] | None = None
    # the clause after each quotation (by opening mark), read once for the passes that use it
    after_clauses: dict[int, Attribution | None] = field(default_factory=dict)


def resolve(state: Discourse, start: int, end: int) -> Attribution:
    """Who the phrase text[start:end] names, with the earlier mention it refers back to
    when it is a pronoun or a role ("he" -> "Ivan Orlov")."""
    text = state.ctx.text
    if text.count("(", start, end) > text.count(")", start, end) and text.startswith(")", end):
        end += 1  # "The Ministry of Foreign Affairs (MFA": the phrase closes its parenthesis
    acronym = _TRAILING_ACRONYM.search(text, start, end)
    outer = state.antecedent
    state.antecedent = None
    if acronym is not None and acronym.start() > start:
        # "The Harbour Council (HC)": the name before its acronym says who it is
        found = _resolve_phrase(state, start, acronym.start())
        if found.start == start and found.end == acronym.start():
            found = replace(found, speaker_text=text[start:end], end=end)
    else:
        found = _resolve_phrase(state, start, end)
    antecedent = state.antecedent
    state.antecedent = outer
    if (
        antecedent is not None
        and found.speaker is not None
        # refers back (or, for a headline, ahead) to a mention outside the phrase itself
        and (antecedent[1] <= start or antecedent[0] >= end)
    ):
        return replace(found, antecedent=antecedent)
    return found


_TRAILING_ACRONYM = re.compile(r"[ \t]+\([A-Z]{2,8}\)$")


def _resolve_phrase(state: Discourse, start: int, end: int) -> Attribution:
    ctx = state.ctx
    text = ctx.text
    i = bisect.bisect_left(ctx.match_starts, start) - 1
    if i >= 0 and ctx.matches[i].start < start < ctx.matches[i].end:
        # the phrase found is the end of a longer name: "… Fisheries and
        # Coastal Affairs" is the whole ministry's name
        start = ctx.matches[i].start
    for m in ctx.matches[i + 1 : bisect.bisect_left(ctx.match_starts, end)]:
        if m.start >= start and m.end > end and "\n" not in text[end : m.end]:
            # the phrase stops inside a curated name that runs on: "The Norlandic
            # Embassy" of "the Norlandic Embassy in Sudoria" is that whole name
            end = m.end
            break
    opener = _LEAD_CONJUNCTION.match(text, start, end)
    if opener is not None and opener.end() < end:
        start = opener.end()  # "But the council issued a statement": the council
    phrase = text[start:end]
    words = phrase.split()
    low = [w.lower() for w in words]
    if len(words) == 1 and low[0] in lexicon.PRONOUNS:
        key = _pronoun(state, start, low[0])
        return Attribution(phrase, key, start, end)
    if len(words) == 1 and low[0] in _POSSESSIVE_PRONOUNS:
        # "In his view, …": whom the possessive stands for, as "he" would
        key = _pronoun(state, start, _POSSESSIVE_PRONOUNS[low[0]])
        return Attribution(phrase, key, start, end)
    inside = ctx.matches_between(start, end)
    persons = [m for m in inside if m.actor.kind == "person"]
    person_of_body = _person_of_body(state, start, end, inside)
    if person_of_body is not None:
        return Attribution(phrase, person_of_body, start, end)
    named = _PROPER_BODY_NAME.fullmatch(phrase) if not inside else None
    body_name = named.group("name") if named is not None else ""
    name_words = body_name.lower().split()
    if (
        name_words
        and (
            name_words[0] in lexicon.ORG_HEADS
            or any(w in lexicon.ORG_HEADS and n in ("of", "for") for w, n in pairwise(name_words))
        )
        and not any(w in _NOT_BODY_WORDS for w in name_words)
    ):
        # "The Vessby-based Council of Coastal Towns", "the Coastal Secretariat of
        # Fisheries": a body's proper name, whose head comes before "of" rather than
        # last; "the Ministry of Foreign Affairs" is the curated one of the state the
        # article named last
        known = None
        if _generic_body_name(body_name):
            known = _known_body(state, start, word_keys(body_name), None)
        named_body = known or _new_organization(state, body_name, None, None)
        return Attribution(phrase, named_body, start, end)
    unknown = trailing_name(ctx, start, end, inside)
    if unknown is not None and (not persons or persons[-1].end <= unknown[0]):
        introduced = any(w.strip(",.").lower() in lexicon.PERSON_ROLES for w in words)
        slug = _new_person(state, unknown[0], unknown[1], introduced=introduced)
        return Attribution(phrase, slug, start, end)
    if persons:
        if persons[-1].via == "surname":
            # "Wekesa said" after "Nanjala Wekesa, a researcher": the person the article
            # last named in full with that surname, rather than a curated namesake
            nearest = _person_with_word(state, start, word_keys(phrase)[-1])
            if nearest is not None:
                return Attribution(phrase, nearest, start, end)
        return Attribution(phrase, persons[-1].actor.slug, start, end)
    if (
        len(words) == 2
        and low[0] in ("his", "her", "its", "their")
        and (
            head_word(words) in SPOKES
            or (low[0] in ("his", "her") and head_word(words) in lexicon.ORG_HEADS)
        )
    ):
        # "His spokesperson said": speaks for the person (or body) the pronoun stands for;
        # "Her office said": the person's office, never a new body named "her office"
        later = _identified_later(state, start, end, {low[1]} & SPOKES)
        if later is not None:
            return Attribution(phrase, later, start, end)
        key = _pronoun(state, start, {"his": "he", "her": "she", "its": "it"}.get(low[0], "they"))
        return Attribution(phrase, key, start, end)
    if len(words) >= 2 and low[0] in ("its", "their") and lexicon.ORG_HEADS.intersection(low):
        # "Norland's cabinet objected. Its Defence Ministry then added": the
        # body of the state the pronoun stands for
        owner = _pronoun(state, start, "it")
        country = ctx.gazetteer.country_of(owner) if owner is not None else None
        body = ctx.gazetteer.organization(country, word_keys(" ".join(words[1:])))
        if body is not None:
            return Attribution(phrase, body.slug, start, end)
    if low[0] == "the" and len(words) > 3 and low[1] in lexicon.DOCUMENT_NOUNS:
        # "The communiqué of the Harbour Ministry ended by noting": the body that issued it
        own = DOC_OF.match(text, start + len(words[0]) + 1)
        issuer = _issuer_named_at(state, own.end()) if own is not None else None
        if issuer is not None:
            return Attribution(phrase, issuer, start, end)
    if low[0] in INDEFINITE and head_word(words) in lexicon.DOCUMENT_NOUNS:
        # "A statement from the Trade Ministry, read out on television, said" (a
        # statement with no issuer named is nobody's: "…, according to a readout")
        own = DOC_OF.match(text, start + len(words[0]) + 1)
        issuer = _issuer_named_at(state, own.end()) if own is not None else None
        return Attribution(phrase, issuer, start, end)
    inside_body = next((k for k, w in enumerate(low[:5]) if w in _INSIDE_BODY), 0)
    if inside_body and low[inside_body - 1] in PLURAL_PEOPLE:
        # "Sources from the Defence Ministry", "officials at the embassy": unnamed people
        return Attribution(phrase, None, start, end)
    if low[0] in INDEFINITE or head_word(words) in PLURAL_PEOPLE:
        # "a senior Iranian official", "diplomats": someone new and unnamed, never an
        # earlier person; only a spokesperson speaks for the body the phrase names.
        roles = [w for w in low if w.strip(",.") in lexicon.PERSON_ROLES]
        if low[0] in INDEFINITE and head_word(words) not in PLURAL_PEOPLE:
            later = _identified_later(state, start, end, {r.strip(",.") for r in roles})
            if later is not None:
                return Attribution(phrase, later, start, end)
        if not (roles and roles[0].strip(",.") in SPOKES) and head_word(words) not in SPOKES:
            return Attribution(phrase, None, start, end)
        return Attribution(phrase, _body_named(state, start, end), start, end)
    head = head_word(words)
    if low[-3:] in (["head", "of", "state"], ["head", "of", "government"]):
        # "the Head of State added": the leader last named, not a state
        role = "leader" if low[-1] == "state" else "premier"
        return Attribution(phrase, _by_role(state, role, start, end, []), start, end)
    if head in _MISSIONS:
        # "The Norlandic Embassy in Port Amal": the curated mission of that state there
        mission = _mission_in(state, end, head, inside)
        if mission is not None:
            return Attribution(phrase, mission, start, end)
    orgs = [m for m in inside if m.actor.kind == "organization"]
    organ = _ORGAN_OF.fullmatch(text, start, orgs[-1].start) if orgs else None
    if (
        organ is not None
        and orgs[-1].end == end
        and any(w.lower() in lexicon.ORG_HEADS for w in organ.group("organ").split())
    ):
        # "The General Secretariat of the Harbour Community": an organ of the curated body,
        # a body of its own
        name = text[organ.start("organ") : end]
        parent = orgs[-1].actor
        return Attribution(
            phrase, _new_organization(state, name, parent.country, parent.slug), start, end
        )
    if orgs and (
        head in lexicon.ORG_HEADS or orgs[-1].end == end or head not in lexicon.PERSON_ROLES
    ):
        return Attribution(phrase, orgs[-1].actor.slug, start, end)
    states = [m for m in inside if m.actor.kind == "state"]
    lead = [w for w in low if w not in ("the", "a", "an")][:1]
    if states and lead and lead[0] in lexicon.ORG_HEADS and "of" in low:
        # "the Trade Ministry of the Republic of Norland": a body of the
        # state, not the state
        org = _org_phrase(state, start, end, lead[0], states)
        if org is not None:
            return Attribution(phrase, org, start, end)
    body_in = _BODY_IN.search(text, max(0, start - 60), start) if len(states) == 1 else None
    if body_in is not None and states[0].start == start and states[0].end == end:
        # "The foreign ministry in Vessby said": the state's ministry, not the state
        head = body_in.group("words").split()[-1].lower()
        if head in lexicon.ORG_HEADS:
            org = _org_phrase(state, body_in.start(), end, head, states)
            if org is not None:
                return Attribution(text[body_in.start() : end], org, body_in.start(), end)
    role_of = _role_before_of(low)
    if role_of is not None and not persons:
        # "Norland's deputy minister for trade": a person by role, of the state named
        # before it; what follows "for"/"of" only completes the title ("the representative
        # of Norland" names the state after it, and speaks for it)
        of_at = start + len(" ".join(words[: low.index(role_of[1])]))
        owners = [m for m in states if m.end <= of_at]
        if owners and len(owners) == len(states):
            return Attribution(phrase, _by_role(state, role_of[0], start, end, owners), start, end)
    if states and states[-1].end == strip_possessive(text, end):
        # "The palace said", "Official Vessby", "Vessby": the state itself
        lead = text[start : states[-1].start].split()
        if (
            len(states) == 1
            and _NAMED_AFTER_STATE.fullmatch(" ".join(lead))
            and not any(
                w.lower() in lexicon.HONORIFICS
                or w.lower() in lexicon.PERSON_ROLES
                or w.lower() in STOP_NAME_WORDS
                for w in lead
            )
        ):
            # "Amnesty International Norland": a body named with its country's name
            name = text[start : states[-1].end]
            country = states[-1].actor.country
            return Attribution(
                phrase, _new_organization(state, name, country, states[-1].actor.slug), start, end
            )
        return Attribution(phrase, states[-1].actor.slug, start, end)
    if head in lexicon.DOCUMENT_NOUNS:
        return Attribution(phrase, _document_issuer(state, start), start, end)
    if head in lexicon.PERSON_ROLES:
        known = _by_role(state, head, start, end, states)
        if known is None or speaker_kind(state, known) != "person":
            known = _identified_later(state, start, end, {head}) or known
        if known is None and head in SPOKES:
            # "Norland's cabinet spokesman, left unnamed by the report, said": no one the
            # article names, so the body (or state) they speak for, as "a spokesperson" does
            known = _body_named(state, start, end)
        return Attribution(phrase, known, start, end)
    if head in lexicon.ORG_HEADS:
        org = _org_phrase(state, start, end, head, states)
        return Attribution(phrase, org, start, end)
    if states:
        return Attribution(phrase, states[-1].actor.slug, start, end)
    return Attribution(phrase, None, start, end)


# "The General Secretariat of the " before a curated body's name
_ORGAN_OF = re.compile(
    rf"(?:[Tt]he[ \t]+)?(?P<organ>{UP}[\w’'\-]+(?:[ \t]+{UP}[\w’'\-]+){{0,3}})[ \t]+of[ \t]+"
    r"(?:the[ \t]+)?"
)
_NOT_BODY_WORDS = lexicon.PERSON_ROLES | lexicon.HONORIFICS | {"its", "their", "his", "her", "our"}
_GENERIC_BODY_WORDS = (
    lexicon.ORG_HEADS | lexicon.ROLE_MODIFIERS | frozenset({"of", "the", "and", "for", "affairs"})
)


def _generic_body_name(name: str) -> bool:
    """Whether a body's name says only what kind of body it is ("Foreign Ministry",
    "Ministry of Foreign Affairs"), so that it names one only with its state."""
    words = name.lower().split()
    return bool(words) and all(w in _GENERIC_BODY_WORDS for w in words)


# "The Vessby-based Council of Coastal Towns": capitalised words joined by "of", "for",
# "and", after "the" and words that only place the body ("Vessby-based")
_PROPER_BODY_NAME = re.compile(
    rf"(?:[Tt]he[ \t]+)?(?:[\w’'\-]+-based[ \t]+)?"
    rf"(?P<name>{UP}[\w’'\-]+(?:[ \t]+(?:(?:of|for|and|the)[ \t]+)*{UP}[\w’'\-]+)+)"
)


def _role_before_of(low: Sequence[str]) -> tuple[str, str] | None:
    """The role word a phrase is headed by when "for"/"of" completes its title ("vice
    minister for trade"), with that "for"/"of"; None when no role comes first."""
    for k, word in enumerate(low[1:], 1):
        if word in ("for", "of"):
            before = low[k - 1].strip(",")
            after = [w.strip(",") for w in low[k + 1 :]]
            if (
                before in lexicon.PERSON_ROLES
                and before not in PLURAL_PEOPLE
                and not any(w in lexicon.PERSON_ROLES for w in after)
            ):
                return before, word
            return None
    return None


# two or more capitalised words before a state's name, none of them a title or a demonym
_NAMED_AFTER_STATE = re.compile(rf"{UP}[\w\-]+(?:[ \t]+{UP}[\w\-]+)+")
_INSIDE_BODY = frozenset({"in", "at", "within", "inside", "from"})
_POSSESSIVE_PRONOUNS = {"his": "he", "its": "it", "their": "they"}


def _person_of_body(
    state: Discourse, start: int, end: int, inside: Sequence[GazetteerMatch]
) -> str | None:
    """ "Mika Rauta of the Reindeer Herders Union", "Sen. Ana Rocha of Peru", "Professor
    Imran Haque of Vessby University": the person, not a body or state of that name."""
    text = state.ctx.text
    phrase = text[start:end]
    of_body = _PERSON_OF_BODY.search(phrase)
    if of_body is not None and of_body.start() > 0:
        # "Opposition lawmaker Hawa Latif of the Democratic Party": only title words may
        # come before the name
        before = phrase[: of_body.start()].lower().split()
        if not all(w.rstrip(".") in _TITLE_WORDS for w in before):
            of_body = None
    if of_body is not None and not any(m.start < start + of_body.end("name") for m in inside):
        # "Mika Rauta of the Reindeer Herders Union", "Sen. Ana Rocha of Peru": the person,
        # not a body or state of that name (titles before the name are no part of it)
        n_start = skip_honorifics(text, start, start + of_body.end("name"))
        name_words = text[n_start : start + of_body.end("name")].lower().split()
        while name_words and name_words[0].rstrip(".") in _TITLE_WORDS:
            n_start = text.index(" ", n_start) + 1
            name_words = name_words[1:]
        if len(name_words) >= 2 and not any(w in _NOT_NAME_WORDS for w in name_words):
            slug = _new_person(state, n_start, start + of_body.end("name"), introduced=True)
            return slug
    return None


_PERSON_OF_BODY = re.compile(
    rf"(?P<name>{UP}[\w’'\-]+\.?(?:[ \t]+{UP}[\w’'\-]+){{1,4}})[ \t]+of[ \t]+(?:the[ \t]+)?{UP}"
)
_TITLE_WORDS = lexicon.HONORIFICS | lexicon.PERSON_ROLES | lexicon.ROLE_MODIFIERS
# "But the council", "And Norland's cabinet": a sentence's opening conjunction is no part of
# the speaker's name
_LEAD_CONJUNCTION = re.compile(
    r"(?:(?:But|And|Yet|So|Still)[ \t]+(?=[Tt]he[ \t])|(?:But|And|Yet)[ \t]+(?=[A-Z]))"
)
_BODY_IN = re.compile(r"\b[Tt]he[ \t]+(?P<words>(?:[^\W\d_][\w’'\-]*[ \t]+){1,3})in[ \t]+$")


_MISSIONS = frozenset({"embassy", "consulate", "mission", "delegation"})
_IN_PLACE = re.compile(
    rf"[ \t]+in[ \t]+(?:the[ \t]+)?(?P<place>{UP}[\w’'\-]+(?:[ \t]+{UP}[\w’'\-]+){{0,2}})"
)


def _mission_in(
    state: Discourse, end: int, head: str, inside: Sequence[GazetteerMatch]
) -> str | None:
    """The curated embassy (consulate, mission) of the state the phrase names, in the
    place named right after it ("in Port Amal", "in Sudoria"): a state has one in each
    capital, so the host place tells them apart. Host cities count as their state."""
    ctx = state.ctx
    senders = [m for m in inside if m.actor.kind == "state"]
    after = _IN_PLACE.match(ctx.text, end)
    if not senders or after is None:
        return None
    host_words = set(word_keys(after.group("place")))
    for m in ctx.matches_between(after.start("place"), after.end("place")):
        if m.actor.kind == "state":
            host_words |= set(word_keys(m.actor.name)) | {
                k for alias in m.actor.metonyms for k in word_keys(alias)
            }
    country = senders[-1].actor.country
    found = {
        a.slug
        for a in ctx.gazetteer.organizations_with([head])
        if ctx.gazetteer.country_of(a.slug) == country
        and any(
            host_words & set(word_keys(name.split(" in ", 1)[1]))
            for name in (a.name, *a.aliases)
            if " in " in name
        )
    }
    return found.pop() if len(found) == 1 else None


_OF_NAME = re.compile(
    rf"[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?{UP}[\w’'\-]*(?:[ \t]+(?:and[ \t]+)?{UP}[\w’'\-]*)*"
)


def _body_named(state: Discourse, start: int, end: int) -> str | None:
    """The body a spokesperson phrase names: "a NATO spokesperson", "a fisheries ministry
    spokesperson", "a Chinese spokesman" (the state)."""
    ctx = state.ctx
    inside = ctx.matches_between(start, end)
    orgs = [m for m in inside if m.actor.kind == "organization"]
    if orgs:
        return orgs[-1].actor.slug
    words = [w for w in WORD_RE.finditer(ctx.text, start, end)]
    heads = [w for w in words if w.group().lower() in lexicon.ORG_HEADS]
    states = [m for m in inside if m.actor.kind == "state"]
    place = _IN_PLACE.match(ctx.text, end)
    if heads and not states and place is not None:
        # "a Foreign Ministry spokesman in Vessby": the ministry of the state whose
        # capital the spokesman speaks in
        states = [
            m
            for m in ctx.matches_between(place.start("place"), place.end("place"))
            if m.actor.kind == "state"
        ]
    if heads:
        h = heads[-1]
        # "a spokesperson for the Chinese Embassy": the body's name starts after "for"
        of = [w for w in words if w.group() in ("for", "of", "at") and w.start() < h.start()]
        first = of[-1].end() + 1 if of else words[0].start()
        # "… for the Ministry of Commerce": and ends after the words its head governs
        tail = _OF_NAME.match(ctx.text, h.end(), end)
        org = _org_phrase(state, first, tail.end() if tail else h.end(), h.group().lower(), states)
        if org is not None:
            return org
    if states:
        return states[-1].actor.slug
    for w in words:
        if 2 <= len(w.group()) <= 6 and w.group().isupper():
            # "an HRC spokesperson": the body the article named and abbreviated earlier
            named = _abbreviated_body(state, start, w.group())
            if named is not None:
                return named
    nouns = [w.group().lower() for w in words]
    if len(nouns) == 3 and nouns[0] in INDEFINITE and nouns[2] in SPOKES:
        # "a museum spokesperson": the body named earlier whose name ends in that word
        earlier = _earlier_body(state, start, nouns[1].capitalize())
        if earlier is not None:
            return earlier
    if all(w.group().lower() in SPOKES or w.group().lower() in INDEFINITE for w in words):
        return _body_just_named(state, start)
    return None


def _abbreviated_body(state: Discourse, pos: int, acronym: str) -> str | None:
    """The body named before `pos` whose initials are `acronym` ("the Harbour River
    Commission (HRC)"), or that the acronym follows in parentheses though its initials are
    of the name in another language ("the Vessby Canal Authority (AVC)"), when the article
    gives it in full."""
    text = state.ctx.text
    defined = f" ({acronym})"
    for m in _PROPER_BODY.finditer(text, 0, pos):
        if state.ctx.in_quote(m.start()):
            continue
        initials = "".join(w[0] for w in m.group().split() if w[0].isupper())
        first = m.start()
        if initials.endswith(acronym):
            for _ in range(len(initials) - len(acronym)):
                first = text.index(" ", first) + 1  # "The Harbour River Commission"
        elif text.startswith(defined, m.end()):
            if m.group().startswith("The "):
                first += 4
        else:
            continue
        found = resolve(state, first, m.end()).speaker
        if found is not None and speaker_kind(state, found) == "organization":
            return found
        name = text[first : m.end()]
        if found is None and any(w.lower() in lexicon.ORG_HEADS for w in name.split()):
            # "the Harbour Community of Northern Coastal States (HCNCS)": a body the
            # data lacks, by the name the article spells out
            return _new_organization(state, name, None, None)
    return None


def _body_just_named(state: Discourse, pos: int) -> str | None:
    """The body the sentence before `pos` has as its subject ("The ministry rejected the
    offer. '…,' a spokeswoman said"): whom a bare spokesperson speaks for."""
    ctx = state.ctx
    here = ctx.sentence_index(pos)
    if here == 0:
        return None
    s_start, s_end = ctx.sentences[here - 1]
    if ctx.paragraph_index(s_start) < ctx.paragraph_index(pos) - 1:
        return None
    words = [w for w in ctx.words(s_start, s_end) if w is not None]
    np = main_subject(ctx, words, len(words)) if words else None
    if np is None:
        return None
    body = resolve(state, np[0], np[1]).speaker
    if body is not None and speaker_kind(state, body) in ("organization", "state"):
        return body
    return None


# the headline, a standfirst and the first paragraph of the body
_LEDE_PARAGRAPHS = 3


def _identified_later(state: Discourse, start: int, end: int, roles: set[str]) -> str | None:
    """The person a lede's unnamed role phrase ("a government spokesperson", "its
    spokesman", "Norland's envoy") stands for when one of the next two paragraphs names a
    person with that role ("Government spokesperson Ana Lind said …"): news withholds the
    name from the first paragraph and gives it in the next. None elsewhere in the article,
    where a new unnamed official is someone else."""
    ctx = state.ctx
    here = ctx.paragraph_index(start)
    if not roles or here >= _LEDE_PARAGRAPHS:
        return None
    i = bisect.bisect_left(state.referents, end, key=lambda r: r.start)
    for ref in state.referents[i:]:
        if ctx.paragraph_index(ref.start) > here + 2:
            break
        if ref.kind == "person" and ref.key != _ANONYMOUS and ref.roles & roles:
            return realise(state, ref)
    return None


def _pronoun(state: Discourse, pos: int, pronoun: str) -> str | None:
    if pronoun in lexicon.PRONOUNS_PERSON:
        return _person_pronoun(state, pos, "f" if pronoun in ("she", "her") else "m")
    if pronoun in lexicon.PRONOUNS_THING:
        return _latest(state, pos, kinds=("organization", "state"))
    return None


def _latest(state: Discourse, pos: int, kinds: Sequence[str]) -> str | None:
    """The subject-most referent of the nearest sentence before `pos` that has one."""
    ctx = state.ctx
    here = ctx.sentence_index(pos)
    refs: list[Referent] = []
    sentence = -1
    i = bisect.bisect_left(state.referents, pos, key=lambda r: r.start) - 1
    while i >= 0:
        ref = state.referents[i]
        i -= 1
        if ref.sentence < here - 12 or (refs and ref.sentence != sentence):
            break
        if ref.kind in kinds and ref.end <= pos:
            refs.append(ref)
            sentence = ref.sentence
    if not refs:
        return None
    refs.reverse()
    sentence_start, sentence_end = ctx.sentences[sentence]
    words = [w for w in ctx.words(sentence_start, refs[0].start) if w is not None]
    if words and words[0].lower in lexicon.ADVERBIAL_OPENERS:
        comma = ctx.text.find(",", sentence_start, sentence_end)
        later = [r for r in refs if comma >= 0 and r.start > comma]
        if later:
            return realise(state, later[0])
    return realise(state, refs[0])


def _person_pronoun(state: Discourse, pos: int, gender: str) -> str | None:
    """ "he"/"she": the subject-most person of the nearest sentence before `pos`, skipping
    people known to be of the other gender. "she" prefers a woman named in the last
    sentences to a nearer person of unknown gender; "he" does not (most people quoted
    in the news are men, and a man is rarely marked as one)."""
    candidates = _person_candidates(state, pos)
    genders = [_gender(state, ref.key, pos) for ref in candidates]
    if gender == "f" and not (
        candidates and genders[0] is None and _just_before(state, candidates[0], pos)
    ):
        for ref, g in zip(candidates, genders, strict=True):
            if g == "f":
                return realise(state, ref)
    for ref, g in zip(candidates, genders, strict=True):
        if g is None or g == gender:
            return realise(state, ref)
    return None


def _just_before(state: Discourse, ref: Referent, pos: int) -> bool:
    """Whether `ref` speaks in the sentence just before `pos` (or the one `pos` is in):
    the speaker a pronoun most likely continues, whatever the gender of the name
    ("Han Ji-woo told reporters … . '…,' she said")."""
    ctx = state.ctx
    if ref.sentence < ctx.sentence_index(pos) - 1:
        return False
    if ref.reports:
        return True  # '"…," said Ana Lind.' just before
    s_start, s_end = ctx.sentences[ref.sentence]
    s_end = min(s_end, pos)
    after = ref.end
    apposition = _APPOSITION_OR_RELATIVE.match(ctx.text, ref.end, s_end)
    if apposition is not None:
        after = apposition.end()  # "Ana Lind, a fellow at the Vessby institute, said"
    words = [w for w in ctx.words(after, s_end) if w is not None]
    if any(speech_at(words, k) for k in range(min(len(words), 12))):
        return True
    # "At the pier, trader Ana Lind counted her crates.": a person the sentence just before
    # introduces as its subject is whom the next pronoun continues
    first = next(
        (r for r in state.referents if r.sentence == ref.sentence and r.kind == "person"), None
    )
    return (
        first is ref
        and ref.origin != (0, 0)
        and ctx.sentence_index(ref.origin[0]) == ref.sentence
        and ctx.sentence_index(pos) == ref.sentence + 1
        and _opens_clause(ctx, s_start, ref.start)
    )


# ", a fellow at the institute," / ", who runs a farm," right after a name
_APPOSITION_OR_RELATIVE = re.compile(r",[^,.;:\n\"“”]{2,120},")


def _opens_clause(ctx: ArticleContext, s_start: int, pos: int) -> bool:
    """Whether only an opening adverbial ("In the old town,") and role words come
    between the sentence's start and `pos`: the name is the sentence's subject."""
    words = [w for w in ctx.words(s_start, pos) if w is not None]
    comma = ctx.text.rfind(",", s_start, pos)
    if comma >= 0:
        words = [w for w in words if w.start > comma]
    return all(
        w.lower in ("the", "a", "an")
        or w.base in lexicon.PERSON_ROLES
        or w.base in lexicon.ROLE_MODIFIERS
        or w.lower in lexicon.HONORIFICS
        or w.capitalised
        for w in words
    )


def _person_candidates(state: Discourse, pos: int) -> list[Referent]:
    """People named in the 15 sentences before `pos`: nearest sentence first, and in each
    sentence its subject (after an opening adverbial) before the others."""
    ctx = state.ctx
    here = ctx.sentence_index(pos)
    by_sentence: dict[int, list[Referent]] = {}
    i = bisect.bisect_left(state.referents, pos, key=lambda r: r.start) - 1
    while i >= 0:
        ref = state.referents[i]
        i -= 1
        if ref.sentence < here - 15:
            break
        if ref.kind == "person" and ref.end <= pos:
            by_sentence.setdefault(ref.sentence, []).append(ref)
    out: list[Referent] = []
    seen: set[str] = set()
    for sentence in sorted(by_sentence, reverse=True):
        refs = by_sentence[sentence][::-1]
        # "Kamau's lawyer, Emmanuel Mrema, said": a possessor is no subject
        refs = [r for r in refs if not _possessor(ctx.text, r)] + [
            r for r in refs if _possessor(ctx.text, r)
        ]
        sentence_start, sentence_end = ctx.sentences[sentence]
        words = [w for w in ctx.words(sentence_start, refs[0].start) if w is not None]
        if words and words[0].lower in lexicon.ADVERBIAL_OPENERS:
            comma = ctx.text.find(",", sentence_start, sentence_end)
            if comma >= 0:
                refs = [r for r in refs if r.start > comma] + [r for r in refs if r.start < comma]
        # the subject of a reporting clause is the most salient ("Replying to a question on
        # reports that President Lee had called, Dahl said …": Dahl, not Lee)
        refs = [r for r in refs if r.reports] + [r for r in refs if not r.reports]
        for ref in refs:
            if ref.key not in seen or ref.key == _ANONYMOUS:
                seen.add(ref.key)
                out.append(ref)
    return out


def _possessor(text: str, ref: Referent) -> bool:
    return text.startswith(("'s", "’s"), ref.end)


_PERSONAL_PRONOUN = re.compile(r"\b(?:he|she|his|her|him|himself|herself|hers)\b", re.I)
_GENDER_NOUNS_F = lexicon.FEMALE_WORDS - lexicon.PRONOUNS_PERSON - {"hers", "herself"}
_GENDER_NOUNS_M = lexicon.MALE_WORDS - lexicon.PRONOUNS_PERSON - {"his", "himself"}


def _gender(state: Discourse, key: str, before: int) -> str | None:
    """ "f", "m" or None for the person `key`, from the text: titles and honorifics
    ("Spokeswoman Olga Petrenko", "Dame Ann Porter", "Mr Hale"), kin and role nouns
    in an apposition ("Sara Lind, the influential sister of …"), and the first personal
    pronoun after a mention with no other person in between ("Joan Reyes said … and she
    reiterated"). Titles count more than pronouns; only the text before `before` counts,
    so the pronoun being resolved is no evidence of itself."""
    if key == _ANONYMOUS:
        return None
    ctx = state.ctx
    text = ctx.text
    score = 0  # > 0: female, < 0: male
    titles: list[str] = []
    actor = ctx.gazetteer.get(key)
    if actor is not None and actor.title:
        titles.append(actor.title)
    new = state.new_actors.get(key)
    if new is not None and new.title:
        titles.append(new.title)
    for title in titles:
        score += 3 * _gender_of_words(word_keys(title))
    names = [actor.name] if actor is not None else []
    if new is not None:
        names.append(new.name)
    names += [ref.name for ref in state.referents if ref.key == key and " " in ref.name]
    if names:
        given = [k for k in word_keys(names[0]) if k not in lexicon.HONORIFICS][:1]
        score += 2 * (
            sum(g in lexicon.FEMALE_FIRST_NAMES for g in given)
            - sum(g in lexicon.MALE_FIRST_NAMES for g in given)
        )
    if state.pronoun_at is None:
        state.pronoun_at = [
            m.start() for m in _PERSONAL_PRONOUN.finditer(text) if not ctx.in_quote(m.start())
        ]
    pronouns = state.pronoun_at
    refs = state.referents
    for n, ref in enumerate(refs):
        if ref.start >= before:
            break
        if ref.key != key:
            continue
        low = ref.name.lower()
        if low in lexicon.PRONOUNS_PERSON:
            score += 1 if low in ("she", "her") else -1
            continue
        t = bisect.bisect_left(ctx.token_starts, ref.start)
        # the title before the name ("Spokeswoman Olga …"), never words of the sentence
        # before it ("…," the spokeswoman stressed. Energy Minister Victor …)
        sentence_start = ctx.sentences[ref.sentence][0]
        score += 3 * _gender_of_words(
            [tok.key for tok in ctx.tokens[max(0, t - 3) : t] if tok.start >= sentence_start]
        )
        if text.startswith(",", ref.end):
            apposition = re.match(r",\s*([^,.;:()]{0,80})", text[ref.end : ref.end + 90])
            # "Park Min-seo, whose grandfather …" speaks of a relative, not of her, and
            # "Ana Lima, said her husband …" is no apposition but the verb
            first = apposition.group(1).split()[:1] if apposition is not None else []
            if (
                apposition is not None
                and first
                and first[0] != "whose"
                and first[0] not in lexicon.SPEECH_VERBS
                and first[0] not in lexicon.BETWEEN_SPEAKER_AND_VERB
            ):
                score += 3 * _gender_of_words(word_keys(apposition.group(1)))
        if any(
            o.kind == "person" and o.key != key
            for o in refs[max(0, n - 4) : n]
            if o.sentence == ref.sentence
        ):
            continue  # not the sentence's subject: a later pronoun is more likely its
        p = bisect.bisect_right(pronouns, ref.end)
        if p >= len(pronouns) or pronouns[p] >= before:
            continue
        if ctx.sentence_index(pronouns[p]) > ref.sentence + 1:
            continue
        others = refs[n + 1 :]
        if any(o.start < pronouns[p] and o.kind == "person" and o.key != key for o in others[:6]):
            continue
        if _unnamed_person_between(ctx, ref.end, pronouns[p]):
            continue  # "Lind said the attaché would carry it to his capital": the attaché's
        word = text[pronouns[p] : pronouns[p] + 7].lower()
        score += 1 if word.startswith(("she", "her")) else -1
    return "f" if score > 0 else "m" if score < 0 else None


def _unnamed_person_between(ctx: ArticleContext, start: int, end: int) -> bool:
    """Whether a person is described by role between `start` and `end` ("the envoy"),
    outside an apposition right after `start` (", a lawyer," describes the one named)."""
    apposition = _APPOSITION_OR_RELATIVE.match(ctx.text, start, end)
    if apposition is not None:
        start = apposition.end()
    first = bisect.bisect_left(ctx.token_starts, start)
    last = bisect.bisect_left(ctx.token_starts, end)
    return any(t.key in lexicon.PERSON_ROLES for t in ctx.tokens[first:last])


def _gender_of_words(words: Sequence[str]) -> int:
    return sum(w in _GENDER_NOUNS_F for w in words) - sum(w in _GENDER_NOUNS_M for w in words)


def realise(state: Discourse, ref: Referent) -> str | None:
    """The actor slug a referent stands for; remembers where the article named it."""
    state.antecedent = _named_mention(state, ref)
    if ref.key == _ANONYMOUS:
        # "the official" after "a senior official": the unnamed person, who speaks at
        # most for the body whose spokesperson they are
        if ref.roles & SPOKES:
            return _body_named(state, ref.start, ref.end)
        return None
    if ref.key.startswith("?"):
        return _new_person(state, ref.origin[0], ref.origin[1])
    return ref.key


def _named_mention(state: Discourse, ref: Referent) -> tuple[int, int]:
    """Where the article names `ref` in words: an unknown person's introduction, or the
    latest earlier mention of the same actor that is not a pronoun."""
    if ref.origin != (0, 0):
        return ref.origin
    if not ref.speaker_phrase:
        return ref.start, ref.end
    for other in reversed(state.referents):
        if other.start < ref.end and other.key == ref.key and not other.speaker_phrase:
            return other.origin if other.origin != (0, 0) else (other.start, other.end)
    return ref.start, ref.end


def label_speaker(state: Discourse, m: re.Match[str]) -> Attribution | None:
    """The person a speaker label names, by the last word of the label ("DAHL")."""
    surname = fold(m.group("label").split()[-1])
    for ref in state.referents:
        if ref.kind == "person" and ref.start < m.start():
            if surname in (fold(w) for w in ref.name.split()):
                speaker = realise(state, ref)
                if speaker is not None:
                    return Attribution(m.group("label"), speaker, m.start(), m.end("label"))
    return None


def _by_role(
    state: Discourse, role: str, start: int, end: int, states: Sequence[GazetteerMatch]
) -> str | None:
    """ "the minister" -> the latest person with that role (and country, if one is given)."""
    country = states[-1].actor.country if states else None
    roles = lexicon.ROLE_SYNONYMS.get(role, frozenset({role}))
    best: Referent | None = None
    best_of_country: Referent | None = None  # "the Finnish minister": one known to be Finnish
    fitting: list[Referent] = []
    for ref in state.referents:
        if ref.kind != "person" or ref.start >= start:
            continue
        if not roles & ref.roles and not (role == "diplomat" and _diplomatic(state, ref)):
            continue
        if country is not None:
            of = _country_of_ref(state, ref)
            if of not in (None, country):
                continue
            if of == country:
                best_of_country = ref
        best = ref
        fitting.append(ref)
    best = best_of_country or best
    if best is not None and best.sentence < state.ctx.sentence_index(start) - 1:
        vague = _vague_reporter(state, start)
        if vague is not None:
            return realise(state, vague)
    if best is not None and not best.reports:
        # "Lind said she would call her counterpart, Minister Dahl. '…,' the minister
        # said": the subject of the sentence's reporting verb, not the person she names
        reporter = [r for r in fitting if r.sentence == best.sentence and r.reports]
        if reporter and (best_of_country is None or reporter[-1] is best_of_country):
            best = reporter[-1]
    if best is not None:
        return realise(state, best)
    # "Iran's foreign minister" before the article names him: the one curated person
    # with that title, else the next person with that role in the following sentences.
    words = [w for w in word_keys(state.ctx.text[start:end]) if w not in ("the", "s")]
    known = state.ctx.gazetteer.person_titled(country, words)
    if known is not None:
        return known.slug
    here = state.ctx.sentence_index(start)
    for ref in state.referents:
        if ref.kind == "person" and ref.start > end and roles & ref.roles:
            if ref.sentence <= here + 2 and (
                # "Norland's spokesperson, who was not named, said …" is not the Sudorian
                # spokeswoman of the next paragraph
                country is None or _country_of_ref(state, ref) in (None, country)
            ):
                return realise(state, ref)
            break
    if country is None and _DEFINITE.match(state.ctx.text, start):
        return _salient_person(state, role, start, end)
    return None


_DEFINITE = re.compile(r"[Tt]he[ \t]")


def _vague_reporter(state: Discourse, start: int) -> Referent | None:
    """The person who reported in this sentence or the one before, when a vague role is all
    the article gave them ("Ana Lind, a member of the harbour board, said …
    '…,' the MP stressed"): the role phrase describes her anew, rather than someone with
    that role paragraphs back."""
    if not _DEFINITE.match(state.ctx.text, start):
        return None
    candidates = _person_candidates(state, start)
    if not candidates:
        return None
    ref = candidates[0]
    if ref.sentence < state.ctx.sentence_index(start) - 1 or not ref.reports:
        return None
    specific = ref.roles & lexicon.PERSON_ROLES - lexicon.VAGUE_ROLES
    return ref if ref.roles & lexicon.VAGUE_ROLES and not specific else None


_APPOSED = re.compile(r"[^,.;:\n]*,[ \t]*")


def _salient_person(state: Discourse, role: str, start: int, end: int) -> str | None:
    """A definite role nobody was named with ("the lawmaker", "the 34-year-old trader"):
    the most salient person of this sentence or the one before, as a pronoun would be,
    when the phrase's gender does not contradict theirs. News describes a person it has
    just named ("Ana Lind joined the queue. '…,' the trader said") rather than someone
    new with a definite article."""
    here = state.ctx.sentence_index(start)
    candidates = _person_candidates(state, start)
    if not candidates or candidates[0].sentence < here - 1:
        return None
    ref = candidates[0]
    if ref.key == _ANONYMOUS:
        # "A member of the committee, Aino Virtanen, told …": the name in apposition
        named = [c for c in candidates[1:3] if c.sentence == ref.sentence and c.key != _ANONYMOUS]
        if not named or not _APPOSED.fullmatch(state.ctx.text, ref.end, named[0].start):
            return None
        ref = named[0]
    held = ref.roles & lexicon.PERSON_ROLES - lexicon.VAGUE_ROLES
    official = bool(held & _OFFICIAL_ROLES)
    if held and (official != (role in _OFFICIAL_ROLES) or (official and role not in SPOKES)):
        # "Minister Ana Lind spoke. '…,' the analyst said": an official is no analyst, and
        # "the president" after a spokesman is the president, not the spokesman. A person
        # of no role or a vague one ("Deputy Ivan Belov", "a member of the committee") may
        # be described anew, an official as the one speaking for the government ("the top
        # government spokesman" for a cabinet secretary), an expert as another expert
        # ("the academic" for a research fellow)
        return None
    wanted = _gender_of_words(word_keys(state.ctx.text[start:end]))
    known = _gender(state, ref.key, start)
    if wanted and known is not None and known != ("f" if wanted > 0 else "m"):
        return None
    return realise(state, ref)


# Title words of a foreign service: "Director of the European Department of the Foreign
# Ministry" is "the diplomat" later, though "director" alone is no diplomat's role.
_DIPLOMATIC_WORDS = frozenset({"foreign", "embassy", "consulate", "diplomatic"})


def _diplomatic(state: Discourse, ref: Referent) -> bool:
    """Whether the person serves in a foreign service, by their title or their body."""
    if ref.roles & _DIPLOMATIC_WORDS:
        return True
    actor = state.ctx.gazetteer.get(ref.key)
    body = state.ctx.gazetteer.get(actor.affiliation) if actor and actor.affiliation else None
    return body is not None and bool(_DIPLOMATIC_WORDS & set(word_keys(body.name)))


def _country_of_ref(state: Discourse, ref: Referent) -> str | None:
    actor = state.ctx.gazetteer.get(ref.key)
    if actor is not None:
        return actor.country or state.ctx.gazetteer.country_of(actor.slug)
    new = state.new_actors.get(ref.key)
    if new is not None:
        return new.country
    states = [m for m in state.ctx.matches_between(*ref.origin) if m.actor.kind == "state"]
    if states:
        return states[-1].actor.country
    if ref.key.startswith("?"):
        # an unknown person introduced with a description: "Finland's minister, Ann Lee"
        return _describe(state, *ref.origin)[1]
    return None


def _org_phrase(
    state: Discourse, start: int, end: int, head: str, states: Sequence[GazetteerMatch]
) -> str | None:
    """ "the ministry" -> the latest body with that head; a named unknown body -> NewActor."""
    ctx = state.ctx
    text = ctx.text
    phrase_words = [w for w in text[start:end].split() if w.lower() not in ("the", "a", "an")]
    country = states[-1].actor.country if states else None
    if country is not None:
        org = ctx.gazetteer.organization(country, word_keys(text[start:end]))
        if org is not None:
            return org.slug
    sentence_start = ctx.sentences[ctx.sentence_index(start)][0]
    proper_at = [
        m.start()
        for m in re.finditer(r"\b[A-Z]\w*", text[start:end])
        if m.group().lower() not in ("the", "a", "an")
        # "State media said": a common word capitalised because it opens the sentence
        and not (
            start + m.start() == sentence_start and m.group().lower() in lexicon.ROLE_MODIFIERS
        )
    ]
    bare = all(text[start + p :].lower().startswith(head) for p in proper_at)  # "The Ministry"
    if bare or all(any(m.start <= start + p < m.end for m in states) for p in proper_at):
        # "the ministry", "the Iranian side": the latest body with that head, else the state
        # "the defense ministry" is not the unification ministry named just before
        state_words = {k for m in states for k in word_keys(text[m.start : m.end])}
        qualifiers = org_keywords(
            k
            for k in word_keys(text[start:end])
            if k not in ("the", "a", "an", "s", head) and k not in state_words
        )
        best: Referent | None = None
        for ref in state.referents:
            if ref.start >= start or ref.kind != "organization":
                continue
            have = org_keywords(word_keys(ref.name)) | _name_words(ctx, ref.key)
            if head in have and qualifiers <= have:
                if country is None or ctx.gazetteer.country_of(ref.key) in (None, country):
                    best = ref
        if proper_at and bare and country is None:
            # State-media style ("Vessby, May 2 -- …, the Foreign Ministry
            # declared. … The Ministry added"): the capitalised bare body is the home one
            # the article named by its kind alone, not another state's it reports on
            home = _home_body(state, start, head)
            if home is not None and (
                best is None or ctx.gazetteer.country_of(best.key) != ctx.gazetteer.country_of(home)
            ):
                return home
        if best is not None:
            return realise(state, best)
        if qualifiers:
            known = _known_body(state, start, [head, *qualifiers], country)
            if known is not None:
                return known
        elif proper_at and bare:
            # "the Community" after "the Andean Community (CAN)"
            named = _earlier_body(state, start, text[start:end].split()[-1])
            if named is not None:
                return named
        if states and head in ("side", "government", "authorities", "leadership"):
            return states[-1].actor.slug
        return None
    name = " ".join(phrase_words).rstrip(",.")
    owner = _POSSESSOR.match(name)
    if owner is not None and any(
        m.actor.kind == "state" and text[m.start : m.end] == owner.group("owner") for m in states
    ):
        # "Norland's Coastal Council": the state owns the body; its name is "Coastal
        # Council" (the state is its country), as a title is no part of a person's name
        name = name[owner.end() :]
    if _generic_body_name(name):
        # "the Foreign Ministry" (no state named): the curated ministry of the state the
        # article named last, as "the ministry" would be, not a new body of that name
        known = _known_body(state, start, word_keys(name), country)
        if known is not None:
            return known
    described = _DESCRIBED_NAME.match(name)
    if described is not None:
        # "the advocacy group Harbour Watch": a common noun describing a body before its
        # proper name is no part of the name, as a title is none of a person's
        name = described.group("name")
    slug = _new_organization(state, name, country, states[-1].actor.slug if states else None)
    bisect.insort(
        state.referents,
        Referent(start, end, slug, "organization", name, frozenset(), ctx.sentence_index(start)),
        key=lambda r: r.start,
    )
    return slug


_DESCRIBED_NAME = re.compile(
    rf"(?:[a-z][\w’'\-]*[ \t]+)+(?P<name>{UP}[\w’'\-]+(?:[ \t]+(?:(?:of|and|for|the|on)[ \t]+)*"
    rf"{UP}[\w’'\-]+)+)$"
)
_POSSESSOR = re.compile(r"(?P<owner>[^\W\d_][\w\- ]*?)['’]s[ \t]+(?=\S)")
_PROPER_BODY = re.compile(
    rf"{UP_AT_WORD_START}[\w’'\-]+(?:[ \t]+(?:(?:of|and|for|the|on)[ \t]+)*{UP}[\w’'\-]+)+"
)


def _earlier_body(state: Discourse, pos: int, head: str) -> str | None:
    """The body named earlier with a proper name that ends with `head`."""
    ctx = state.ctx
    text = ctx.text
    best: re.Match[str] | None = None
    for m in _PROPER_BODY.finditer(text, 0, pos):
        if m.group().split()[-1] == head and not ctx.in_quote(m.start()):
            best = m
    if best is None:
        return None
    known = ctx.gazetteer.resolve(best.group())
    if known is not None:
        return known.slug
    start = skip_honorifics(text, best.start(), best.end())
    words = text[start : best.end()].split()
    while words and words[0].lower() in STOP_NAME_WORDS:
        words = words[1:]
    if len(words) < 2:
        return None
    return _new_organization(state, " ".join(words), None, None)


def _known_body(
    state: Discourse, pos: int, words: Sequence[str], country: str | None
) -> str | None:
    """The curated body whose name has these words: the only one, else the one of the
    country the article named last before `pos`."""
    ctx = state.ctx
    found = [
        a
        for a in ctx.gazetteer.organizations_with(words)
        if country is None or ctx.gazetteer.country_of(a.slug) == country
    ]
    if len(found) <= 1:
        return found[0].slug if found else None
    by_country = {ctx.gazetteer.country_of(a.slug): a.slug for a in found}
    sentence_start = ctx.sentences[ctx.sentence_index(pos)][0]
    home = _dateline_country(ctx)
    if home in by_country and any(
        (m.actor.country or ctx.gazetteer.country_of(m.actor.slug)) == home
        for m in ctx.matches_between(sentence_start, pos)
    ):
        # "Vessby, May 2 -- Norland and Vessby …, the Foreign Ministry said": the ministry
        # of the dateline's state, whose own media write it without the state's name
        return by_country[home]
    for m in reversed(ctx.matches_between(sentence_start, pos)):
        # "In Vessby, the Foreign Ministry said": the state its own sentence names
        c = m.actor.country or ctx.gazetteer.country_of(m.actor.slug)
        if c in by_country:
            return by_country[c]
    speaker_country = _last_speaker_country(state, pos)
    if speaker_country in by_country:
        # "Lind, the Norlandic spokeswoman, said … Later the Foreign Ministry posted": the
        # ministry of the side the article has been quoting, not of the state it named last
        return by_country[speaker_country]
    for m in reversed(ctx.matches_between(0, pos)):
        c = m.actor.country or ctx.gazetteer.country_of(m.actor.slug)
        if c in by_country:
            return by_country[c]
    return None


def _dateline_country(ctx: ArticleContext) -> str | None:
    """The country of the state whose name or capital opens a line near the top followed by
    a dateline's comma, bracket or dash ("Vessby, May 2, 2019 --", "VESSBY (Wire) -")."""
    text = ctx.text
    for m in ctx.matches_between(0, min(len(text), 400)):
        if m.actor.kind != "state" or (m.start > 0 and text[m.start - 1] != "\n"):
            continue
        if re.match(r"[ \t]*(?:,|\(|--|—|–)", text[m.end : m.end + 4]):
            return m.actor.country
    return None


def _home_body(state: Discourse, pos: int, head: str) -> str | None:
    """The curated body of the dateline's state that the article named earlier by its kind
    alone ("the Foreign Ministry declared"), with `head` in its name."""
    ctx = state.ctx
    home = _dateline_country(ctx)
    if home is None:
        return None
    for m in _PROPER_BODY_NAME.finditer(ctx.text, 0, pos):
        name = m.group("name")
        if ctx.in_quote(m.start()) or not _generic_body_name(name):
            continue
        if head not in name.lower().split():
            continue
        found = [
            a
            for a in ctx.gazetteer.organizations_with(word_keys(name))
            if ctx.gazetteer.country_of(a.slug) == home
        ]
        if len(found) == 1:
            return found[0].slug
    return None


def _last_speaker_country(state: Discourse, pos: int) -> str | None:
    """The country of the speaker of the latest statement before `pos` attributed so far,
    when it is in the same or one of the two paragraphs before."""
    ctx = state.ctx
    here = ctx.paragraph_index(pos)
    for quote, found in zip(reversed(state.done), reversed(state.results), strict=False):
        if quote.open_mark >= pos or found.speaker is None:
            continue
        if ctx.paragraph_index(quote.open_mark) < here - 2:
            return None
        new = state.new_actors.get(found.speaker)
        if new is not None:
            return new.country or (
                ctx.gazetteer.country_of(new.affiliation) if new.affiliation else None
            )
        return ctx.gazetteer.country_of(found.speaker)
    return None


def _new_organization(
    state: Discourse, name: str, country: str | None, affiliation: str | None
) -> str:
    """The slug of a body the curated data does not know; creates the NewActor."""
    slug = slugify(name)
    if state.ctx.gazetteer.get(slug) is None and slug not in state.new_actors:
        state.new_actors[slug] = NewActor(
            slug=slug,
            name=name,
            kind="organization",
            country=country,
            title=None,
            affiliation=affiliation,
        )
    return slug


def _name_words(ctx: ArticleContext, key: str) -> frozenset[str]:
    actor = ctx.gazetteer.get(key)
    if actor is None:
        return frozenset()
    words: set[str] = set()
    for form in (actor.name, *actor.aliases):
        keys = word_keys(form)
        words.update(keys)
        words.update(org_keywords(keys))
    return frozenset(words)


def _document_issuer(state: Discourse, pos: int) -> str | None:
    """ "the statement reads" -> whoever issued the latest statement before `pos`."""
    ctx = state.ctx
    text = ctx.text
    here = ctx.sentence_index(pos)
    for s in range(here - 1, max(-1, here - 15), -1):
        s_start, s_end = ctx.sentences[s]
        m = DOC_OF.search(text, s_start, s_end)
        if m is not None:
            issuer = _issuer_named_at(state, m.end())
            if issuer is not None:
                return issuer
        if ISSUED.search(text, s_start, s_end) or IN_A_STATEMENT.search(text, s_start, s_end):
            words = [w for w in ctx.words(s_start, s_end) if w is not None]
            np = main_subject(ctx, words, len(words))
            if np is not None:
                found = resolve(state, np[0], np[1])
                if found.speaker is not None:
                    return found.speaker
    # no sentence says who issued it: the latest body that was a sentence's subject
    # ("The Ministry … strongly condemns …" opening a press release)
    for s in range(here - 1, max(-1, here - 15), -1):
        s_start, s_end = ctx.sentences[s]
        if is_heading(text[s_start:s_end]) or text[s_start:s_end].isupper():
            continue
        words = [w for w in ctx.words(s_start, s_end) if w is not None]
        np = main_subject(ctx, words, len(words))
        if np is None:
            continue
        issuer = resolve(state, np[0], np[1]).speaker
        if issuer is not None and speaker_kind(state, issuer) == "organization":
            return issuer
    return None


_ISSUER_NAME = re.compile(rf"(?:{UP}[\w’'\-]*[ \t]+(?:(?:of|for|and)[ \t]+)?)*{UP}[\w’'\-]*")


def _issuer_named_at(state: Discourse, pos: int) -> str | None:
    """The body named right after "a statement from (the)": curated, or a new body."""
    m = _ISSUER_NAME.match(state.ctx.text, pos)
    if m is not None:
        named = resolve(state, m.start(), m.end()).speaker
        if named is not None:
            return named
    for match in state.ctx.matches_between(pos, pos + 4):
        return match.actor.slug
    return None


def lineage_of(state: Discourse, slug: str) -> tuple[str, ...]:
    """`slug` and the actors it belongs to, whether curated or new in this article."""
    gazetteer = state.ctx.gazetteer
    new = state.new_actors.get(slug)
    if new is None:
        chain = gazetteer.lineage(slug)
        country = gazetteer.country_of(slug)
    else:
        chain = (slug, *(gazetteer.lineage(new.affiliation) if new.affiliation else ()))
        country = new.country
    own = gazetteer.state(country) if country else None
    # a person of a country belongs to its state even with no affiliation recorded
    return chain if own is None or own.slug in chain else (*chain, own.slug)


def speaker_kind(state: Discourse, slug: str) -> str | None:
    """ "person", "organization" or "state": the kind of a curated or new actor."""
    actor = state.ctx.gazetteer.get(slug)
    if actor is not None:
        return actor.kind
    new = state.new_actors.get(slug)
    return new.kind if new is not None else None


# ------------------------------------------------------------------ new actors


def _new_person(state: Discourse, start: int, end: int, *, introduced: bool = True) -> str | None:
    """The slug of the unknown person named at text[start:end]; creates the NewActor.

    A lone word that the article never completes into a full name, and that no role
    introduces ("Hamas said", "Washington said"), is no evidence of a person: an acronym
    becomes an organisation, anything else no actor at all."""
    ctx = state.ctx
    text = ctx.text
    start = skip_honorifics(text, start, end)
    written = text[start:end]
    keys = word_keys(written)
    if not keys:
        return None
    surname = keys[-1]
    # "al-Tamimi", "Ould-Ali", "Al Sabri": one surname, however many words it folds to
    written_words = written.split()
    lone = len(keys) == 1 or len(written_words) == 1
    if len(written_words) == 2 and fold(written_words[0]) in lexicon.NAME_PARTICLES:
        lone = True
    if lone:
        if surname in state.new_by_word:
            return state.new_by_word[surname]
        named = _person_with_word(state, start, surname)
        if named is not None:
            return named
        full = _full_name(ctx, written)
        if full is not None:
            start, end = full
            written = text[start:end]
            keys = word_keys(written)
        elif not introduced:
            if written.isupper() and len(written) >= 2:
                # "HCNCS said" after "the Harbour Community of … States (HCNCS)": that body
                named = _abbreviated_body(state, start, written)
                return named or _new_organization(state, written, None, None)
            described = APPOSITIVE.match(text, end) or _APPOSITIVE_CLAUSE.match(text, end)
            if described is not None and _describes_body(described.group("desc")):
                # "Vesscom, the ports association, said": a body the apposition names
                return _new_organization(state, written, None, None)
            company = _company_named(text, written, start)
            if company is not None:
                # "Vessmark Pharma" earlier, now "Vessmark said": that company
                known = ctx.gazetteer.resolve(company)
                return (
                    known.slug
                    if known is not None
                    else _new_organization(state, company, None, None)
                )
            if any(m.group("name") == written for m in _BODY_APPOSITION.finditer(text, 0, start)):
                # "The road carriers' association, Linava, said" … "Linava said"
                return _new_organization(state, written, None, None)
            return None
    known = ctx.gazetteer.resolve(written)
    if known is not None:
        return known.slug
    slug = slugify(written)
    if slug in state.new_actors:
        return slug
    if not lone:
        # "Salgado Ruiz" after "Pedro Salgado Ruiz": a later mention that ends a known
        # person's full name (both surnames, without the given name) is that person
        for other in state.new_actors.values():
            other_keys = word_keys(other.name)
            if other.kind == "person" and other_keys[len(other_keys) - len(keys) :] == keys:
                return other.slug
    if lone and surname in state.new_by_word:
        return state.new_by_word[surname]
    title, country, affiliation = _describe(state, start, end)
    state.new_actors[slug] = NewActor(
        slug=slug,
        name=written,
        kind="person",
        country=country,
        title=title,
        affiliation=affiliation,
    )
    state.new_by_word[surname] = slug
    sentence_of = ctx.sentence_index
    roles = frozenset(word_keys(title or ""))
    for r_start, r_end in [(start, end), *_later_surnames(ctx, start, end)]:
        i = bisect.bisect_left(state.referents, r_start, key=lambda r: r.start)
        if any(r.key == slug and r.start < r_end for r in state.referents[i : i + 3]):
            continue
        bisect.insort(
            state.referents,
            Referent(
                r_start,
                r_end,
                slug,
                "person",
                text[r_start:r_end],
                roles,
                sentence_of(r_start),
                (start, end),
            ),
            key=lambda r: r.start,
        )
    # an unknown person's provisional referents now point to the new actor
    for ref in state.referents:
        if ref.key.startswith("?") and slugify(ref.key[1:]) == slug:
            ref.key = slug
    return slug


# a body's name in apposition to a noun that names a body: "the carriers' association, Linava,"
_BODY_APPOSITION = re.compile(
    r"\b(?:"
    + "|".join(sorted(lexicon.ORG_HEADS, key=len, reverse=True))
    + rf")['’]?s?,[ \t]+(?P<name>{UP}[\w’'\-]+)(?=[,.;])"
)


def _person_with_word(state: Discourse, pos: int, key: str) -> str | None:
    """The person named earlier with a full name that has this word: "Zhou" after "Zhou
    Lan", "President Seo" after "Seo Jin-ho" (family name first). The nearest sentence
    wins, and in it the subject-most person."""
    ctx = state.ctx
    best: Referent | None = None
    for ref in state.referents:
        if ref.start >= pos:
            break
        if ref.kind != "person" or ref.key == _ANONYMOUS:
            continue
        if best is not None and ref.sentence == best.sentence:
            continue
        names = [ref.name, ctx.text[ref.origin[0] : ref.origin[1]]]
        actor = ctx.gazetteer.get(ref.key)
        if actor is not None:
            names += [actor.name, *actor.aliases]
        new = state.new_actors.get(ref.key)
        if new is not None:
            names.append(new.name)
        if any(key in keys and len(keys) >= 2 for keys in map(word_keys, names)):
            best = ref
    return realise(state, best) if best is not None else None


def _describes_body(desc: str) -> bool:
    """Whether an apposition's words describe a body: "the ports association", "the
    airline's subsidiary that runs the flights" (its head before any relative clause)."""
    words = _RELATIVE_TAIL.sub("", desc).split()
    head = head_word(words)
    return head in lexicon.ORG_HEADS or head in lexicon.COMPANY_HEADS


# ", the airline's subsidiary that runs the only flights between …,": an apposition whose
# relative clause runs too long for APPOSITIVE
_APPOSITIVE_CLAUSE = re.compile(
    r",\s+(?:an?|the)\s+(?P<desc>[^,.;:()\"“”]{2,60}?)\s+(?:that|which|whose)\s"
)
_RELATIVE_TAIL = re.compile(r"[ \t]+(?:that|which|whose)[ \t].*$", re.DOTALL)


def _company_named(text: str, word: str, before: int) -> str | None:
    """The company name the article wrote earlier as `word` and a company's last word
    ("Vessmark Pharma", "Skyhop Airlines"), or None."""
    pattern = re.compile(rf"\b{re.escape(word)}[ \t]+(?P<head>{UP}[\w.]+)")
    for m in pattern.finditer(text, 0, before):
        if fold(m.group("head").rstrip(".")) in lexicon.COMPANY_HEADS:
            return text[m.start() : m.end("head")].rstrip(".")
    return None


def _full_name(ctx: ArticleContext, surname: str) -> tuple[int, int] | None:
    """The first place the article gives more of a person's name than `surname`."""
    pattern = re.compile(rf"((?:{UP}[\w’'\-]+|{UP}\.)\s+)+" + re.escape(surname) + r"\b")
    for m in pattern.finditer(ctx.text):
        words = m.group().split()
        while words and (
            words[0].lower().strip(".") in (NOT_IN_NAME | lexicon.ROLE_MODIFIERS)
            or words[0].endswith(("'s", "’s"))
        ):
            words = words[1:]
        if len(words) >= 2 and not any(
            mm.start <= m.start() < mm.end for mm in ctx.matches if mm.actor.kind != "state"
        ):
            start = m.end() - len(" ".join(words))
            if ctx.text[start : m.end()] == " ".join(words):
                return start, m.end()
    return None


# ", a political analyst," / ", the ministry's spokeswoman," / ", Norland's trade minister,"
APPOSITIVE = re.compile(
    r",\s+(?:(?:an?|the)\s+|(?=[A-Z][\w’'\-]*['’]s\s))(?P<desc>[^,.;:()\"“”]{2,80}?)\s*[,.;]",
    re.IGNORECASE,
)
_COMMA_GAP = re.compile(r",[ \t]+")
_OF_STATE = re.compile(r"[ \t]+of[ \t]+(?:the[ \t]+)?")


def _describe(state: Discourse, start: int, end: int) -> tuple[str | None, str | None, str | None]:
    """Title, country and affiliation of a new person from the words around their name."""
    ctx = state.ctx
    text = ctx.text
    name = text[start:end]
    descriptions: list[tuple[int, int]] = []
    for m in re.finditer(re.escape(name), text):
        # words before the name: "Norlandic political analyst Rauf Karimli"
        words = [w for w in ctx.words(max(0, m.start() - 120), m.start()) if w is not None]
        k = len(words)
        while (
            k > 0
            and (
                words[k - 1].capitalised
                or words[k - 1].base in NP_LOWER
                # "Norland's fisheries minister": any word between a possessor and a role
                or (k >= 2 and words[k - 2].capitalised and words[k - 2].lower != words[k - 2].base)
            )
            and words[k - 1].lower not in ("the", "a", "an", "and", "of", "by", "with")
        ):
            if k < len(words) and not gap_ok(text, words[k - 1], words[k]):
                break
            if (
                k == len(words)
                and not (
                    NP_GAP.fullmatch(text, words[k - 1].end, m.start())
                    # "the ministry's spokeswoman, Ana Lima, said": a role in apposition before
                    or (
                        words[k - 1].base in lexicon.PERSON_ROLES
                        and _COMMA_GAP.fullmatch(text, words[k - 1].end, m.start())
                        and text[m.end() : m.end() + 1] in ",.;"
                    )
                )
            ):
                break
            k -= 1
        if k < len(words):
            descriptions.append((words[k].start, words[-1].end))
        apposition = APPOSITIVE.match(text, m.end())
        if apposition is not None:
            descriptions.append((apposition.start("desc"), apposition.end("desc")))
        of_state = _OF_STATE.match(text, m.end())
        if of_state is not None:
            # "Minister Ana Lima of Chile": the state that follows is hers
            states = [
                mm
                for mm in ctx.matches_between(of_state.end(), of_state.end() + 60)
                if mm.start == of_state.end() and mm.actor.kind == "state"
            ]
            if states:
                descriptions.append((of_state.end(), states[0].end))
    title = None
    country = None
    affiliation = None
    for d_start, d_end in descriptions:
        inside = ctx.matches_between(d_start, d_end)
        role_words = [
            w
            for w in text[d_start:d_end].split()
            if w.lower().strip(",") in lexicon.PERSON_ROLES | lexicon.ROLE_MODIFIERS
            or hyphenated_title(w.strip(","))
        ]
        if title is None and any(
            w.lower() in lexicon.PERSON_ROLES or hyphenated_title(w) for w in role_words
        ):
            title = _title_text(text, d_start, d_end, inside)
        if any(w.lower() in ("former", "ex", "retired", "late") for w in role_words):
            role_words = []  # a former official speaks for no one
        for mm in inside:
            if mm.actor.kind == "state" and country is None:
                country = mm.actor.country
            if mm.actor.kind == "organization" and affiliation is None and _official(role_words):
                affiliation = mm.actor.slug
                country = country or ctx.gazetteer.country_of(mm.actor.slug)
        if affiliation is None and country is not None and _official(role_words):
            st = ctx.gazetteer.state(country)
            affiliation = st.slug if st is not None else None
    former = title is not None and any(
        w in ("former", "ex", "retired", "late") for w in title.lower().split()
    )
    if affiliation is None and country is not None and title and _official(title.split()):
        if former:
            return title, country, None  # a former official speaks for no one
        # "Minister Ana Lima of Chile": the title and the country came from two places
        st = ctx.gazetteer.state(country)
        affiliation = st.slug if st is not None else None
    return title, country, affiliation


def _title_text(text: str, start: int, end: int, inside: Sequence[GazetteerMatch]) -> str:
    """A description without its country: "Azerbaijani political analyst" -> "political analyst"."""
    chars = list(text[start:end])
    for m in inside:
        if m.actor.kind == "state":
            for i in range(m.start, m.end):
                chars[i - start] = " "
    words = "".join(chars).split()
    while words and words[0].lower() in (
        "a",
        "an",
        "the",
        "his",
        "her",
        "its",
        "their",
        "'s",
        "’s",
    ):
        words = words[1:]
    # "spokeswoman for the foreign ministry of [Chile]": no dangling "of" once it is blanked
    while words and words[-1].lower() in ("of", "for", "the", "in", "to"):
        words = words[:-1]
    return " ".join(words).strip(" ,")


_OFFICIAL_ROLES = lexicon.OFFICIAL_ROLES


def _official(role_words: Sequence[str]) -> bool:
    return any(w.lower().strip(",") in _OFFICIAL_ROLES for w in role_words)


# ------------------------------------------------------------------ discourse


# "A member of the parliament's foreign affairs committee, Aino Virtanen, told", "a retired
# judge who sat in Vessby, Ana Lima, wrote …": a whole name in apposition to a role and
# the words that complete it
_NAME_AFTER_ROLE_PHRASE = re.compile(
    rf"[ \t]+(?:of|for|at|in|on|from|who|whose)[ \t]+[^,.;:()\"“”\n]{{1,70}}?,[ \t]+"
    rf"(?P<name>(?:{UP}[\w’'\-]+[ \t]+){{1,3}}{UP}[\w’'\-]*[^\W\d_]),"
)
_PARTICLE = (
    r"(?:(?:(?:von|van|der|den|de|del|della|bin|ibn|al|el|da|di|du|la|le|dos|das)[ \t]+){1,2}"
    r"|(?:al|el|ad|ash|as|at|an|abu|bin|ibn|ben)-)?"
)
_NAME_AFTER_HONORIFIC = re.compile(
    rf"\.?[ \t]+(?P<name>{UP}[\w’'\-]+(?:[ \t]+{_PARTICLE}{UP}[\w’'\-]+){{1,2}})\b(?![ \t]+{UP})"
)
_NAME_AFTER_ROLE = re.compile(
    rf"[ \t]+(?P<name>(?:{UP}[\w’'\-]+[ \t]+{_PARTICLE}){{0,2}}{UP}[\w’'\-]*[^\W\d_])\b"
)
# "spokeswoman, Leyla Abdullayeva," / "Secretary of State Dana Whitfield" (the role's "of X"
# is not the name: the name is the last two capitalised words of the run)
_NAME_AFTER_ROLE_OF = re.compile(
    rf"(?:,[ \t]+|[ \t]+(?:of|for|to)[ \t]+(?:the[ \t]+)?"
    rf"(?:(?:{UP}[\w’'\-]+|of|the|and|for)[ \t]+)+?)"
    rf"(?P<name>{UP}[\w’'\-]+[ \t]+{UP}[\w’'\-]*[^\W\d_])"
    # a lower-case word after the name is the verb, not "of" continuing a body's name
    r"(?=[,.;:]|[ \t]+(?!(?:of|and|for|the|to)[ \t])[a-z(])"
)
# "foreign minister, Yusuf Warsame Ali," / "Speaker of the National
# Assembly (Majlis), Reza Tabrizi,": a whole name in apposition, up to 4 words
_NAME_IN_APPOSITION = re.compile(
    rf"(?:[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?(?:(?:{UP}[\w’'\-]+|of|and|the|for)[ \t]+)*?"
    rf"{UP}[\w’'\-]+(?:[ \t]+\([^()\n]{{1,40}}\))?)?,[ \t]+"
    rf"(?P<name>(?:{UP}[\w’'\-]+[ \t]+){{1,3}}{UP}[\w’'\-]*[^\W\d_]),"
)
_NAME_BEFORE_APPOSITIVE = re.compile(
    rf"(?P<name>{UP_AT_WORD_START}[\w’'\-]+(?:[ \t]+{_PARTICLE}{UP}[\w’'\-]+){{1,2}})"
    r"(?:,|[ \t]+(?:is|was))[ \t]+"
    r"(?:(?:then|now|formerly|later|himself|herself)[ \t]+)?"
    rf"(?:an?|the|his|her|{UP}[\w’'\-]*['’]s)[ \t]+"
)
# "Tessa Marsh, 45, has fished here since boyhood": a person introduced by their age
_SUBJECT_NAME = re.compile(
    rf"(?:(?:For|At|In|On|Like|After|Since)[ \t]+[^,.;:\n]{{0,60}}?,[ \t]+|For[ \t]+)?"
    rf"(?P<name>{UP}[a-zà-ÿ’'\-]+(?:[ \t]+{_PARTICLE}{UP}[a-zà-ÿ’'\-]+){{1,2}})"
    r"(?=,[ \t]|[ \t]+(?:has|had|is|was|and|who|whose)[ \t])"
)
_SUBJECT_NAME_OF_BODY = re.compile(
    rf"(?P<name>{UP}[a-zà-ÿ’'\-]+(?:[ \t]+{_PARTICLE}{UP}[a-zà-ÿ’'\-]+){{1,2}})"
    rf"(?=[ \t]+of[ \t]+the[ \t]+{UP})"
)
# (the ages first, then the name before each: cheaper than a pattern tried at every capital)
_AGE_APPOSITION = re.compile(r",[ \t]+\d{1,3},")
_NAME_BEFORE_AGE = re.compile(
    rf"(?P<name>\b{UP}[\w’'\-]+(?:[ \t]+{_PARTICLE}{UP}[\w’'\-]+){{1,3}})$"
)
# "Tessa Marsh, who runs a small dairy farm, said …" / "Park Min-seo, whose grandfather
# worked on the docks, said …": a person introduced by a relative clause
_NAME_BEFORE_WHO = re.compile(
    rf"(?P<name>{UP_AT_WORD_START}[\w’'\-]+(?:[ \t]+{_PARTICLE}{UP}[\w’'\-]+){{1,3}})"
    r",[ \t]+who(?:se)?[ \t]"
)
# "His successor, Owen Pratt, shows …": a name in apposition to a possessed noun
_NAME_AFTER_POSSESSIVE = re.compile(
    rf"\b(?:His|Her|Their|Its|{UP}[\w’'\-]*['’]s)[ \t]+[a-z][\w’'\-]*,[ \t]+"
    rf"(?P<name>{UP}[\w’'\-]+(?:[ \t]+{_PARTICLE}{UP}[\w’'\-]+){{1,2}}),"
)
# "Anders van Dijk, Special Adviser to the Chair": a capitalised title in
# apposition, without an article, whose role word comes within its first three words
_TITLE_GAP = re.compile(r"[\w’'\- \t]*")
_NAME_BEFORE_TITLE = re.compile(
    rf"(?P<name>{UP_AT_WORD_START}[\w’'\-]+(?:[ \t]+{_PARTICLE}{UP}[\w’'\-]+){{1,3}})"
    rf",[ \t]+(?={UP})"
)
_NAME_BEFORE_BARE_ROLE = re.compile(
    rf"(?P<name>{UP_AT_WORD_START}[\w’'\-]+(?:[ \t]+{_PARTICLE}{UP}[\w’'\-]+){{1,2}})"
    r",[ \t]+(?=[a-z])"
)
# A given name (checked by the caller) and one to three more capitalised words: the whole
# run, so that "Maria Theresa Square" is not "Maria Theresa" (a possessive ends it)
_GIVEN_AND_SURNAME = re.compile(
    rf"{UP}[\w\-]+(?:[ \t]+{_PARTICLE}{UP}[\w’'\-]+(?<!['’]s)){{1,3}}(?![\w’'\-]|[ \t]+{UP})"
)
_BYLINE = re.compile(r"(?:^|\n)[ \t]*[Bb]y[ \t]+$")
_GIVEN_NAMES = lexicon.FEMALE_FIRST_NAMES | lexicon.MALE_FIRST_NAMES
# what introduces a person by a noun: a role, or a word of kin ("the wife of …, Ana Lima,")
_PERSON_NOUNS = lexicon.PERSON_ROLES | lexicon.KIN_NOUNS
_NOT_NAME_WORDS = (
    STOP_NAME_WORDS | lexicon.PERSON_ROLES | lexicon.ORG_HEADS | lexicon.ROLE_MODIFIERS
)
# Ranks and roles that may stand between a role word and the name ("Major General ...")
_RANK_WORDS = lexicon.HONORIFICS | lexicon.PERSON_ROLES


def _introductions(ctx: ArticleContext) -> list[tuple[int, int, frozenset[str]]]:
    """Unknown people introduced with a role: "analyst Rauf Karimli" or
    "Rauf Karimli, a political analyst". Returns (name start, name end, role words)."""
    text = ctx.text
    tokens = ctx.tokens
    found: list[tuple[int, int, frozenset[str]]] = []
    for i, token in enumerate(tokens):
        if token.key not in _PERSON_NOUNS:
            if token.key in lexicon.HONORIFICS and text[token.start].isupper():
                # "Sen. Ana Lind of the farmers' bloc asked for …": a rank or style
                # before a full name introduces a person, as a role does
                m = _NAME_AFTER_HONORIFIC.match(text, token.end)
                if m is not None and not _POSSESSIVE_WORD.search(m.group("name")):
                    found.append((m.start("name"), m.end("name"), frozenset({token.key})))
            continue
        m = _NAME_IN_APPOSITION.match(text, token.end)
        if m is None:
            m = _NAME_AFTER_ROLE.match(text, token.end)
        if m is None or _POSSESSIVE_WORD.search(m.group("name")):
            # "officer of the Harbour's Port Amal unit": a possessor names no person
            m = _NAME_AFTER_ROLE_OF.match(text, token.end)
        if m is None or _POSSESSIVE_WORD.search(m.group("name")):
            m = _NAME_AFTER_ROLE_PHRASE.match(text, token.end)
        if m is None or _POSSESSIVE_WORD.search(m.group("name")):
            continue
        if (
            i + 1 < len(tokens)
            and tokens[i + 1].start == m.start("name")
            and (tokens[i + 1].key in _RANK_WORDS)
        ):
            # "Major General Karim Abu Saleh": "Major" is followed by a further rank, whose
            # own match has the whole name; the one from here would stop a word short
            continue
        found.append((m.start("name"), m.end("name"), _title_run(tokens, i)))
    for m in _NAME_BEFORE_APPOSITIVE.finditer(text):
        if _PLACE_PREPOSITION.search(text, max(0, m.start() - 8), m.start()):
            continue  # "In Port Amal, the widow of a ferryman …": a place, not a name
        i = bisect.bisect_left(ctx.token_starts, m.end())
        following = tokens[i : i + 7]  # "Vann Dara, a 52-year-old fisherman"
        for k, token in enumerate(following):
            if token.key in _PERSON_NOUNS or _agent_noun(text, token):
                if _role_then_verb(text, following, k):
                    # "Pressed on the Harbour Council's plan, the chief engineer said": the
                    # role phrase is the main clause's subject, no apposition to the name
                    break
                found.append(
                    (m.start("name"), m.end("name"), frozenset(t.key for t in following[: k + 1]))
                )
                break
    for m in _NAME_BEFORE_BARE_ROLE.finditer(text):
        # "Erik Stam, president of the exporters' council": an apposition without an
        # article, whose role word comes first (after at most two modifiers)
        i = bisect.bisect_left(ctx.token_starts, m.end())
        following = tokens[i : i + 3]
        for k, token in enumerate(following):
            if token.key in lexicon.PERSON_ROLES:
                roles = frozenset(t.key for t in following[: k + 1])
                found.append((m.start("name"), m.end("name"), roles))
                break
            if token.key not in lexicon.ROLE_MODIFIERS:
                break
    for token in tokens:
        # "68-year-old Maria Lind showed reporters a letter": a full name whose first word
        # is a common given name is a person, introduced even without a role, so that a
        # later "she said" can reach her rather than someone named before her (found from
        # the tokens: a set lookup per word is cheaper than a pattern over the text)
        if token.key not in _GIVEN_NAMES or not text[token.start].isupper():
            continue
        first = token.start
        if first and text[first - 1] == "-":
            # "Ana-Maria Lind": the hyphenated given name from its start
            while first and (text[first - 1].isalnum() or text[first - 1] == "-"):
                first -= 1
            if not text[first].isupper():
                continue
        elif first and (text[first - 1].isalnum() or text[first - 1] in "’'"):
            continue
        m = _GIVEN_AND_SURNAME.match(text, first)
        if m is not None and not _BYLINE.search(text, max(0, m.start() - 10), m.start()):
            # "By Ana Lee, Vessby": the author is no one the article quotes
            found.append((m.start(), m.end(), frozenset()))
    found.extend(_labelled_names(ctx))
    found.extend(_names_used_as_subjects(ctx))
    for m in _NAME_AFTER_POSSESSIVE.finditer(text):
        found.append((m.start("name"), m.end("name"), frozenset()))
    for n, (s_start, s_end) in enumerate(ctx.sentences):
        # "Mourad Cherif and his brother have waited for days.": a sentence whose subject
        # is a two- or three-word name the curated data lacks, and that a personal
        # pronoun shows to be a person
        m = _SUBJECT_NAME.match(text, s_start, s_end)
        if m is None:
            # "Ana Lind of the Harbour Trust welcomed it. "…," she said.": a name placed in
            # a body, which the next sentence's pronoun may show to be a person's
            m = _SUBJECT_NAME_OF_BODY.match(text, s_start, s_end)
        pronoun_end = ctx.sentences[n + 1][1] if n + 1 < len(ctx.sentences) else s_end
        if (
            m is not None
            and not ctx.in_quote(m.start("name"))
            # "By Ana Lee, Vessby": a byline's author is no one the article quotes
            and not any(w.lower() in _NOT_NAME_WORDS for w in m.group("name").split())
            # a body opens sentences the same way: only "his brother", "she has" later in
            # the sentence shows a person
            and _PERSONAL_PRONOUN.search(text, m.end(), pronoun_end) is not None
        ):
            found.append((m.start("name"), m.end("name"), frozenset()))
    for age in _AGE_APPOSITION.finditer(text):
        m = _NAME_BEFORE_AGE.search(text, max(0, age.start() - 80), age.start())
        if m is not None and not _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start()):
            found.append((m.start("name"), m.end("name"), frozenset()))
    for m in _NAME_BEFORE_WHO.finditer(text):
        if not _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start()):
            found.append((m.start("name"), m.end("name"), frozenset()))
    for m in _NAME_BEFORE_TITLE.finditer(text):
        if _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start()):
            continue  # part of a longer name
        i = bisect.bisect_left(ctx.token_starts, m.end())
        following = tokens[i : i + 3]
        for k, token in enumerate(following):
            if not _TITLE_GAP.fullmatch(text, m.end(), token.start):
                break
            if token.key in lexicon.PERSON_ROLES:
                roles = frozenset(t.key for t in following[: k + 1])
                found.append((m.start("name"), m.end("name"), roles))
                break
            if not text[token.start : token.start + 1].isupper():
                break
    return found


_PLACE_PREPOSITION = re.compile(r"\b(?:[Ii]n|[Aa]t|[Ff]rom|[Nn]ear|[Tt]o)[ \t]+$")


def _agent_noun(text: str, token: Token) -> bool:
    """Whether a lower-case word names someone by what they do ("schoolteacher",
    "boatman", "lobbyist"): in an apposition to a name, a person's description."""
    word = text[token.start : token.end]
    return (
        len(word) >= 6
        and word.islower()
        and word.endswith(_AGENT_SUFFIXES)
        and token.key not in _NOT_AGENT_NOUNS
    )


_AGENT_SUFFIXES = ("er", "or", "ist", "ian", "man", "woman")
_NOT_AGENT_NOUNS = lexicon.ORG_HEADS | lexicon.NOT_AGENT_NOUNS


def _role_then_verb(text: str, tokens: Sequence[Token], k: int) -> bool:
    """Whether the role word tokens[k] (with the role words after it, "director general")
    is followed by a reporting verb: a subject, not an apposition closed by a comma."""
    while k + 1 < len(tokens) and tokens[k + 1].key in lexicon.PERSON_ROLES:
        k += 1
    if k + 1 >= len(tokens):
        return False
    nxt = tokens[k + 1]
    if not NP_GAP.fullmatch(text, tokens[k].end, nxt.start):
        return False  # ", a retired pilot, had …": the apposition closes with its comma
    return nxt.key in lexicon.BETWEEN_SPEAKER_AND_VERB or (
        nxt.key in lexicon.SPEECH_VERBS and not nxt.key.endswith("ing")
    )


_POSSESSIVE_WORD = re.compile(r"\w['’]s\b")


def _title_run(tokens: Sequence[Token], i: int) -> frozenset[str]:
    """The role word tokens[i] with the title words right before it ("Deputy Foreign
    Minister"), not words of the clause before ("The spokesman said President …")."""
    roles = {tokens[i].key}
    for t in reversed(tokens[max(0, i - 3) : i]):
        if t.key not in lexicon.PERSON_ROLES and t.key not in lexicon.ROLE_MODIFIERS:
            break
        roles.add(t.key)
    return frozenset(roles)


_TWO_NAMES = re.compile(rf"{UP_AT_WORD_START}[\w’'\-]+[ \t]+(?P<last>{UP}[\w’'\-]+)\b")
# a capitalised word opening a sentence as its subject: "Dahl disagreed.", "Dahl, however, …"
_SUBJECT_WORD = re.compile(rf"(?P<word>{UP}[\w’'\-]*[^\W\d_])(?=[ \t]+[a-z]|,)")
# "Dahl said", "Dahl also told": the commonest reporting verbs only, matched in C
_WORD_BEFORE_VERB = re.compile(
    rf"(?P<word>{UP_AT_WORD_START}[\w’'\-]*[^\W\d_])[ \t]+(?:(?:also|later|then)[ \t]+)?"
    r"(?:said|says|told|tells|added|adds|wrote|warned|insisted|argued|noted|stressed|replied)\b"
)


def _names_used_as_subjects(ctx: ArticleContext) -> list[tuple[int, int, frozenset[str]]]:
    """People named in full without a role ("Ann Lee met Tom Dahl") whom a later sentence
    takes as its subject by surname alone ("Dahl disagreed."): the full name, once.

    A surname on its own as a sentence's subject is how news refers back to a person; a
    two-word place or body is rarely repeated that way by its last word alone.
    """
    text = ctx.text
    subjects: dict[str, int] = {}  # surname -> where it is first used as a subject
    for s_start, s_end in ctx.sentences:
        m = _SUBJECT_WORD.match(text, s_start, s_end)
        if m is not None and m.group("word").lower() not in _NOT_NAME_WORDS:
            subjects.setdefault(m.group("word"), s_start)
    for m in _WORD_BEFORE_VERB.finditer(text):
        # "…," Dahl said / Dahl told reporters
        if m.group("word").lower() not in _NOT_NAME_WORDS:
            at = subjects.get(m.group("word"))
            if at is None or m.start() < at:
                subjects[m.group("word")] = m.start()
    if not subjects:
        return []
    found: list[tuple[int, int, frozenset[str]]] = []
    seen: set[str] = set()
    for m in _TWO_NAMES.finditer(text):
        last = m.group("last")
        first_word = text[m.start() : m.start("last")].strip()
        if (
            last in seen
            or subjects.get(last, -1) <= m.start()
            or first_word.lower() in _NOT_NAME_WORDS
            or first_word.endswith(("'s", "’s"))
            or last.lower() in _NOT_NAME_WORDS
            or ctx.in_quote(m.start())
        ):
            continue
        seen.add(last)
        found.append((m.start(), m.end(), frozenset()))
    return found


def _labelled_names(ctx: ArticleContext) -> list[tuple[int, int, frozenset[str]]]:
    """People a transcript labels by surname ("MORENO: …"), introduced where the article
    first gives their full name ("Lucia Moreno served as …")."""
    text = ctx.text
    labels: dict[str, frozenset[str]] = {}
    for p_start, _ in ctx.paragraphs:
        m = SPEAKER_LABEL.match(text, p_start)
        if m is not None and fold(m.group("label")) not in NOT_SPEAKER_LABELS:
            words = word_keys(m.group("label"))
            labels.setdefault(words[-1], frozenset(words[:-1]))
    if not labels:
        return []
    found: list[tuple[int, int, frozenset[str]]] = []
    for m in _TWO_NAMES.finditer(text):
        last = fold(m.group("last"))
        if last in labels and not ctx.in_quote(m.start()):
            found.append((m.start(), m.end(), labels.pop(last)))
    return found


def initial_referents(ctx: ArticleContext) -> list[Referent]:
    """Actors named outside quotations, plus unknown people introduced with a role."""
    text = ctx.text
    refs: list[Referent] = []
    given_names = [m for m in ctx.matches if _given_name_not_demonym(text, m)]
    for m in ctx.matches:
        if ctx.in_quote(m.start) or m in given_names:
            continue
        known_roles = set(word_keys(m.actor.title or "")) | _roles_before(ctx, m.start)
        refs.append(
            Referent(
                m.start,
                m.end,
                m.actor.slug,
                m.actor.kind,
                text[m.start : m.end],
                frozenset(known_roles),
                ctx.sentence_index(m.start),
            )
        )
    taken = sorted((m.start, m.end) for m in ctx.matches if m not in given_names)
    for n_start, n_end, roles in _introductions(ctx):
        n_start = skip_honorifics(text, n_start, n_end)
        name_words = text[n_start:n_end].split()
        while len(name_words) > 2 and name_words[0].lower() in STOP_NAME_WORDS:
            # "But Karel Odali, a lecturer, said": the sentence's opening word is no name
            n_start = text.index(name_words[1], n_start + len(name_words[0]))
            name_words = name_words[1:]
        if not name_words or any(w.lower() in _NOT_NAME_WORDS for w in name_words):
            continue
        if ctx.in_quote(n_start) or _overlaps(taken, n_start, n_end):
            continue
        key = "?" + text[n_start:n_end]
        for r_start, r_end in [(n_start, n_end), *_later_surnames(ctx, n_start, n_end)]:
            if _overlaps(taken, r_start, r_end):
                continue
            refs.append(
                Referent(
                    r_start,
                    r_end,
                    key,
                    "person",
                    text[r_start:r_end],
                    roles,
                    ctx.sentence_index(r_start),
                    (n_start, n_end),
                )
            )
            bisect.insort(taken, (r_start, r_end))
    for a_start, a_end, role in _anonymous(ctx):
        here = ctx.sentence_index(a_start)
        if text[a_start].lower() == "t" and any(
            r.kind == "person" and r.roles & SPOKES and here - 2 <= r.sentence <= here for r in refs
        ):
            continue  # "the ministry's spokesman" may well be the one just named
        if not any(m.actor.kind == "person" for m in ctx.matches_between(a_start, a_end)):
            refs.append(
                Referent(
                    a_start,
                    a_end,
                    _ANONYMOUS,
                    "person",
                    text[a_start:a_end],
                    frozenset({role}),
                    ctx.sentence_index(a_start),
                    (a_start, a_end),
                )
            )
    refs.sort(key=lambda r: r.start)
    for ref in refs:
        if _SPEECH_NEXT.match(text, ref.end):
            ref.reports = True  # "Lind said …", "Lind also told …": a reporting subject
    return refs


_NAME_WORD_NEXT = re.compile(rf"[ \t]+{UP}[\w’'\-]*[^\W\d_](?:,|[ \t]+[a-z])")


def _given_name_not_demonym(text: str, m: GazetteerMatch) -> bool:
    """Whether a demonym matched only once accents were folded away is a given name
    before a surname: "Germán Ocampo, a former ambassador" is no German."""
    if m.via != "demonym":
        return False
    written = text[m.start : m.end]
    return (
        written.isalpha()
        and not written.isascii()
        and written not in m.actor.demonyms
        and _NAME_WORD_NEXT.match(text, m.end) is not None
    )


_SPEECH_NEXT = re.compile(
    r"[ \t]+(?:(?:also|later|then|has|had)[ \t]+)?(?:said|says|told|tells|added|adds|wrote|"
    r"warned|insisted|argued|noted|stressed|replied)\b"
)
_ANONYMOUS = "~"  # the key of a person the article introduces without a name
_INDEFINITE_ROLE = re.compile(
    r"\b(?:[Aa]n?|[Aa]nother|[Oo]ne)[ \t]+(?:[\w’'\-]+[ \t]+){0,5}?(?P<role>"
    + "|".join(sorted(lexicon.ANONYMOUS_ROLES, key=len, reverse=True))
    + r")\b(?![ \t]*,[ \t]*[A-Z])"
)
_COPULAS = frozenset("is was are were be been being as became become remains".split())


def _names_before_comma(ctx: ArticleContext, before: str, pos: int) -> bool:
    """Whether `before` (the text up to `pos`) ends with a person's name and a comma:
    "Tan Wei, a spokesman …" is an apposition, "On Thursday, a spokesman …" and "In
    Vessby, a spokesman …" are not."""
    m = _NAME_BEFORE_COMMA.search(before)
    word = m.group().rstrip("),").lower() if m is not None else ""
    if m is None or word in STOP_NAME_WORDS or word.endswith("ly") or word in SENTENCE_ADVERBS:
        return False  # "On Thursday, …", "Separately, …", "Meanwhile, …"
    comma = pos - (len(before) - before.rindex(","))
    return not any(
        x.actor.kind == "state" and x.end >= comma - 1
        for x in ctx.matches_between(max(0, comma - 40), comma)
    )


def _anonymous(ctx: ArticleContext) -> list[tuple[int, int, str]]:
    """People introduced without a name ("a senior security official", "A Western diplomat
    in Bamako"), so that "the official" later does not reach an earlier named person.
    Appositions ("Tan Wei, a spokesperson for …") and predicates ("is a former officer")
    describe someone named, and named roles ("a spokesman, Paul Renard") are
    names; neither counts."""
    text = ctx.text
    found: list[tuple[int, int, str]] = []
    for m in _INDEFINITE_ROLE.finditer(text):
        role = m.group("role")
        if ctx.in_quote(m.start()) or (role == "source" and text.startswith(" of", m.end())):
            continue  # "a source of tension" is no one
        inner = text[m.start() : m.start("role")]
        if any(c in inner for c in '.,;:\n"“”«»'):
            continue
        before = text[max(0, m.start() - 40) : m.start()].rstrip()
        if before.endswith(",") and _names_before_comma(ctx, before, m.start()):
            continue  # an apposition to the name before it ("Tan Wei, a spokesman for …",
            # not "Asked about the case, a spokesman …")
        last = before.split()[-1].lower() if before.split() else ""
        if last in _COPULAS:
            continue
        end = m.end("role")
        body = _FOR_BODY.match(text, end)  # "a spokesman for the Norlandic Trade Ministry"
        comma = text.find(",", end, end + 100)
        if comma >= 0 and not any(c in text[end:comma] for c in '.;:\n"“”«»'):
            if _NAME_IN_COMMAS.match(text, comma):
                # "a spokeswoman for the Harbour Board, Ana Lima, said", "a retired judge
                # who sat in Vessby for years, Ana Lima, wrote …": a name
                continue
        found.append((m.start(), body.end() if body else end, role))
    for m in _SPOKES_WORD.finditer(text):
        # "The Union's spokeswoman for trade added": unnamed, and speaking for
        # the body (initial_referents drops it where a named spokesperson was just named)
        if _NAME_NEXT.match(text, m.end()) or ctx.in_quote(m.start()):
            continue  # "the ministry's spokeswoman, Ana Lima": a name
        lead = _THE_POSSESSOR.search(text, max(0, m.start() - 80), m.start())
        if lead is None and _THE_BEFORE.search(text, max(0, m.start() - 5), m.start()):
            if _FOR_NAMED.match(text, m.end()):  # "the spokesperson for the Coastal League"
                lead = _THE_BEFORE.search(text, max(0, m.start() - 5), m.start())
        if lead is None:
            continue
        if any(c in text[lead.start() : m.start()] for c in '.,;:\n"“”«»'):
            continue
        body = _FOR_BODY.match(text, m.end())
        found.append((lead.start(), body.end() if body else m.end(), m.group()))
    return found


# "The Commission's spokesperson", "the spokesperson for the Coastal League" (not followed by
# a name: "the ministry's spokeswoman, Ana Lima"); found from the role word backwards
# (the look-behind after the letters, not before: a pattern that begins with a literal is
# searched for in C, one that begins with a look-behind is tried at every position)
_SPOKES_WORD = re.compile(r"spokes(?<!\wspokes)(?:man|woman|person)\b")
_NAME_NEXT = re.compile(r"[ \t]*,?[ \t]*[A-Z]")
_THE_POSSESSOR = re.compile(
    rf"\b[Tt]he[ \t]+(?:(?:{UP}[\w’'\-]*|[a-z][\w\-]*)[ \t]+){{0,4}}?{UP}[\w’'\-]*['’]s[ \t]+$"
)
_THE_BEFORE = re.compile(r"\b[Tt]he[ \t]+$")
_NAME_BEFORE_COMMA = re.compile(rf"{UP}[\w’'\-]*[)]?,$")
_FOR_NAMED = re.compile(rf"[ \t]+(?:for|of)[ \t]+(?:the[ \t]+)?{UP}")


_NAME_IN_COMMAS = re.compile(
    rf",[ \t]+(?:{UP}[\w’'\-]*\.?[ \t]+){{1,3}}{UP}[\w’'\-]*[^\W\d_](?=,|[ \t]+[a-z])"
)
_FOR_BODY = re.compile(
    rf"[ \t]+(?:for|of|at|from|with)[ \t]+(?:the[ \t]+)?{UP}[\w’'\-]*"
    rf"(?:[ \t]+(?:(?:of|and|for|the)[ \t]+)*{UP}[\w’'\-]*)*"
)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted `spans` (which may overlap each other)."""
    i = bisect.bisect_left(spans, (end, end))
    return any(e > start for _, e in spans[max(0, i - 8) : i])


def _later_surnames(ctx: ArticleContext, start: int, end: int) -> list[tuple[int, int]]:
    """Places after a full name where the article uses the surname alone, outside quotes."""
    words = ctx.text[start:end].split()
    if len(words) < 2:
        return []
    surname = words[-1]
    pattern = re.compile(r"(?<![\w’'])" + re.escape(surname) + r"(?![\w])")
    return [
        (m.start(), m.end())
        for m in pattern.finditer(ctx.text, end)
        if not ctx.in_quote(m.start()) and not _other_given_name(ctx.text, m.start(), words)
    ]


_WORD_BEFORE = re.compile(rf"({UP}[\w’'\-]*)[ \t\u00a0]+$")


def _other_given_name(text: str, pos: int, name_words: Sequence[str]) -> bool:
    """Whether the surname at `pos` follows another person's given name ("Awa Diallo"
    is not "Moussa Diallo")."""
    m = _WORD_BEFORE.search(text, max(0, pos - 30), pos)
    if m is None:
        return False
    word = m.group(1)
    low = word.lower()
    return (
        word not in name_words
        and low not in NOT_IN_NAME
        and low not in lexicon.ROLE_MODIFIERS
        and not low.endswith(("'s", "’s"))
    )


def _roles_before(ctx: ArticleContext, pos: int) -> set[str]:
    """The title words right before a name ("Foreign Minister Ana Lima"): the unbroken run
    of role words and modifiers, so that "The spokesman said President Ann Lee …" gives Lee
    no spokesman's role."""
    i = bisect.bisect_left(ctx.token_starts, pos)
    roles: set[str] = set()
    for t in reversed(ctx.tokens[max(0, i - 4) : i]):
        if t.key not in lexicon.PERSON_ROLES and t.key not in lexicon.ROLE_MODIFIERS:
            break
        roles.add(t.key)
    return roles


def remember(state: Discourse, found: Attribution) -> None:
    """A resolved speaker phrase becomes a referent, so later pronouns can reach it."""
    assert found.start is not None and found.end is not None and found.speaker is not None
    ctx = state.ctx
    known: KnownActor | None = ctx.gazetteer.get(found.speaker)
    new = state.new_actors.get(found.speaker)
    kind = known.kind if known is not None else (new.kind if new is not None else "person")
    if kind != "person" and _person_phrase(found.speaker_text or ""):
        # "The representative of Norland said …" speaks for Algeria, but is a person:
        # "…," he said. a sentence later continues them
        kind = "person"
    i = bisect.bisect_left(state.referents, found.start, key=lambda r: r.start)
    while i < len(state.referents) and state.referents[i].start == found.start:
        same = state.referents[i]
        if same.key == found.speaker:
            same.reports = True
            return
        if same.end == found.end and same.kind == kind == "person":
            # the same words resolved in context ("Wekesa" is the researcher just named,
            # not a curated namesake): later pronouns must reach whom they meant
            same.key = found.speaker
            same.reports = True
            return
        i += 1
    # "Zhou said" is still the spokesperson "Spokesperson Zhou Lan" was: "The spokesperson
    # also said" a sentence later is Zhou, not a spokesperson named before her
    roles = set(word_keys(found.speaker_text or ""))
    for title in (known.title if known else None, new.title if new else None):
        roles |= set(word_keys(title or "")) & lexicon.PERSON_ROLES
    for ref in state.referents[:i]:
        if ref.key == found.speaker:
            roles |= ref.roles & lexicon.PERSON_ROLES
    bisect.insort(
        state.referents,
        Referent(
            found.start,
            found.end,
            found.speaker,
            kind,
            found.speaker_text or "",
            frozenset(roles),
            ctx.sentence_index(found.start),
            speaker_phrase=True,
            reports=True,
        ),
        key=lambda r: r.start,
    )


def reporting_subjects(ctx: ArticleContext) -> list[tuple[int, int]]:
    """The subject of each reporting clause in a sentence without a quotation, when it
    names one person ("He added that …", "Asked about it, the spokesman said …", "Dahl
    told reporters …"): the span of each subject.

    The subject of a reporting clause is the most salient person of the discourse even
    when the clause quotes no one, so a later "he said" continues it rather than going to
    a person the clause only mentions ("…, the envoy replied that nobody had called
    Minister Weiss"). Resolving these subjects in article order, like the
    statements' own speakers, keeps that subject in the model.
    """
    found: list[tuple[int, int]] = []
    tokens = ctx.tokens
    starts = ctx.token_starts
    for s_start, s_end in ctx.sentences:
        if ctx.quoted_between(s_start, s_end):
            continue  # a sentence with a quotation: its statement's speaker is remembered
        first = bisect.bisect_left(starts, s_start)
        last = bisect.bisect_left(
            starts, s_end, first, min(len(starts), first + _SUBJECT_VERB_WITHIN)
        )
        if not any(t.key in lexicon.SPEECH_VERBS for t in tokens[first:last]):
            continue  # most sentences report no one: no need to read their words
        words = ctx.words(s_start, s_end)
        if len(words) < 2 or None in words:
            continue
        plain = [w for w in words if w is not None]
        chunk = 0  # where the comma-delimited stretch holding plain[k] starts
        for k in range(1, min(len(plain), _SUBJECT_VERB_WITHIN)):
            if "," in ctx.text[plain[k - 1].end : plain[k].start]:
                chunk = k
            if plain[k].lower not in lexicon.SPEECH_VERBS or not speech_at(plain, k):
                continue
            if plain[k].lower.endswith("ing"):
                continue  # "Asked about it, …", "speaking to reporters": no main verb
            if plain[chunk].lower in lexicon.ADVERBIAL_OPENERS or any(
                w.lower in _SUBORDINATORS for w in plain[chunk:k]
            ):
                continue  # "Questioned on whether Weiss had met Dahl, the envoy replied"
            np = verb_subject(ctx, plain, k, floor=s_start)
            if np is not None:
                found.append(np)
            break
    return found


# a reporting verb further into its sentence than this is rarely the main clause's
_SUBJECT_VERB_WITHIN = 30
# words that open a clause inside the sentence: its verb is not the main clause's
_SUBORDINATORS = frozenset(
    "whether if that when after before because while although though since unless".split()
)


def salient_subject(state: Discourse, start: int, end: int) -> bool:
    """Whether text[start:end] is "he"/"she", a role ("the spokesman"), a body ("the
    Ministry of Foreign Affairs"), or ends with a person the curated data or the article's
    introductions know: a subject a later pronoun, role or "the ministry" may continue.
    A capitalised name no one introduced may be anything."""
    ctx = state.ctx
    words = ctx.text[start:end].split()
    if not words:
        return False
    if len(words) == 1 and words[0].lower() in lexicon.PRONOUNS_PERSON:
        return True
    head = head_word(words)
    if head in lexicon.PERSON_ROLES and head not in PLURAL_PEOPLE:
        return True
    if (
        head in lexicon.ORG_HEADS
        or words[0].lower() in ("the", "a", "an")
        and any(w.lower() in lexicon.ORG_HEADS for w in words[1:2])
    ):
        return True
    if any(m.actor.kind != "state" for m in ctx.matches_between(start, end)):
        return True
    i = bisect.bisect_left(state.referents, start, key=lambda r: r.start)
    nearby = state.referents[i : i + 4]
    if any(r.kind == "person" and r.end == end and r.start < end for r in nearby):
        return True
    # "Lind urged calm.": a name of a person named in full before (the family name may
    # come first: "Zhou" after "Zhou Lan")
    return len(words) == 1 and any(
        r.kind == "person" and " " in r.name and words[0] in r.name.split()
        for r in state.referents[:i]
    )


def _person_phrase(phrase: str) -> bool:
    """Whether a speaker phrase names one person by role: "The representative of the
    United States", "Algeria's representative", "a ministry spokeswoman"."""
    words = word_keys(phrase)
    head = words[: words.index("of")] if "of" in words else words
    return bool(head) and head[-1] in lexicon.PERSON_ROLES


def person_phrase(ctx: ArticleContext, start: int, end: int) -> bool:
    """Whether text[start:end] names one person: "he", "she", a curated person, a role
    ("the diplomat", "Ana Lima, a lawyer") or a capitalised name no actor matches."""
    words = ctx.text[start:end].split()
    if not words:
        return False
    low = [w.lower().strip(",.") for w in words]
    if len(words) == 1 and low[0] in lexicon.PRONOUNS_PERSON:
        return True
    kinds = {m.actor.kind for m in ctx.matches_between(start, end)}
    if kinds - {"person"}:
        return "person" in kinds
    if kinds:
        return True
    if low[0] in ("the", "a", "an") or head_word(words) in lexicon.PERSON_ROLES:
        return head_word(words) in lexicon.PERSON_ROLES and head_word(words) not in PLURAL_PEOPLE
    return all(w[:1].isupper() for w in words) and 2 <= len(words) <= 4


def speaker_is_person(state: Discourse, found: Attribution) -> bool:
    """Whether an answer names one person (a pronoun, a named or an unnamed person)."""
    if found.speaker is None or found.start is None or found.end is None:
        return False
    if speaker_kind(state, found.speaker) == "person":
        return True
    return person_phrase(state.ctx, found.start, found.end)
