"""Names of curated actors, compiled once per ingest and matched against articles.

Matching is case- and accent-insensitive (Pezeşkian = Pezeshkian) on word tokens. A name
also matches a transliteration variant (Kanani = Kenani = Kanaani) when every word has the
same consonant skeleton and a rapidfuzz ratio of at least 70. A surface form written with a
capital must be capitalised in the text too, so the verb "said" never matches a person
called "Said". The longest match wins; matches never overlap (so "Iranian Foreign
Ministry" is the ministry only, not also Iran).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from app.extraction import lexicon
from app.extraction.model import KnownActor
from app.extraction.text import Token, tokenize, word_keys

# Lower numbers win when one surface form belongs to several actors.
_PRIORITY = {"name": 0, "alias": 0, "surname": 1, "demonym": 2, "metonym": 2, "org": 0}
_FUZZY_MIN_RATIO = 70.0
_FUZZY_MIN_LENGTH = 4
# What may separate the words of a name: spaces, an initial's period, hyphens, apostrophes
# and quote marks (GSV "Russia - Islamic World").
_GAP = re.compile(r"[ \t\u00a0.'’‘`´ʼ\-‐‑–\"“”«»]{0,3}")
_COMMA_GAP = re.compile(r",[ \t\u00a0]")
_DIGRAPHS = (
    ("sh", "s"),
    ("ch", "c"),
    ("kh", "k"),
    ("gh", "g"),
    ("zh", "j"),
    ("th", "t"),
    ("ph", "f"),
    ("dh", "d"),
    ("ck", "k"),
    ("q", "k"),
    ("w", "v"),
)
_VOWELS = re.compile(r"[aeiouy]")
_DOUBLES = re.compile(r"(.)\1+")
# Words that do not tell two organisations of one country apart.
_ORG_STOPWORDS = frozenset(
    "a an of the and in to for on at republic islamic people s peoples federal".split()
)
_ORG_SYNONYMS = {
    "defence": ("defense",),
    "affairs": (),
    "organisation": ("organization",),
    "mfa": ("foreign", "ministry"),
    "mod": ("defense", "ministry"),
    "moi": ("interior", "ministry"),
    "armed": (),
}


@lru_cache(maxsize=8192)
def skeleton(key: str) -> str:
    """Consonant skeleton of a folded word: kanani, kenani, kanaani -> knn."""
    for a, b in _DIGRAPHS:
        key = key.replace(a, b)
    key = _DOUBLES.sub(r"\1", key)
    if not key:
        return key
    return _DOUBLES.sub(r"\1", key[0] + _VOWELS.sub("", key[1:]))


def org_keywords(words: Iterable[str]) -> frozenset[str]:
    """The words of an organisation's name that tell it apart from its country's others."""
    out: set[str] = set()
    for word in words:
        if word in _ORG_STOPWORDS:
            continue
        out.update(_ORG_SYNONYMS.get(word, (word,)))
    return frozenset(out)


@dataclass(frozen=True)
class _Surface:
    keys: tuple[str, ...]
    skeletons: tuple[str, ...]
    slug: str
    via: str
    capitalised: bool


@dataclass(frozen=True)
class GazetteerMatch:
    """A curated actor named at article[start:end]."""

    actor: KnownActor
    start: int
    end: int
    via: str  # name, alias, surname, demonym, metonym or org


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """Precompiled matchers over the curated actors; build once per ingest."""

    actors: tuple[KnownActor, ...]
    _by_slug: Mapping[str, KnownActor] = field(repr=False)
    _exact: Mapping[str, tuple[_Surface, ...]] = field(repr=False)
    _fuzzy: Mapping[str, tuple[_Surface, ...]] = field(repr=False)
    _states_by_country: Mapping[str, KnownActor] = field(repr=False)
    _state_words: frozenset[str] = field(repr=False)
    _orgs: Mapping[tuple[str | None, frozenset[str]], tuple[str, ...]] = field(repr=False)
    _org_words: tuple[tuple[str, frozenset[str]], ...] = field(repr=False, default=())

    @classmethod
    def build(cls, actors: Sequence[KnownActor]) -> Gazetteer:
        """Compile the matchers for `actors`."""
        by_slug = {a.slug: a for a in actors}
        surfaces: dict[tuple[str, ...], list[tuple[int, str, str, bool]]] = defaultdict(list)

        def add(form: str, slug: str, via: str) -> None:
            keys = word_keys(form)
            if keys:
                capitalised = form.lstrip()[:1].isupper()
                surfaces[keys].append((_PRIORITY[via], slug, via, capitalised))

        surnames: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for actor in actors:
            add(actor.name, actor.slug, "name")
            for alias in actor.aliases:
                add(alias, actor.slug, "alias")
            for demonym in actor.demonyms:
                add(demonym, actor.slug, "demonym")
            for metonym in actor.metonyms:
                add(metonym, actor.slug, "metonym")
            if actor.kind == "person":
                for form in (actor.name, *actor.aliases):
                    keys = word_keys(form)
                    if len(keys) >= 2 and len(keys[-1]) >= 3:
                        surnames[keys[-1:]].add(actor.slug)
        for keys, slugs in surnames.items():
            if len(slugs) == 1:  # a surname two curated people share names neither
                surfaces[keys].append((_PRIORITY["surname"], next(iter(slugs)), "surname", True))

        exact: dict[str, list[_Surface]] = defaultdict(list)
        fuzzy: dict[str, list[_Surface]] = defaultdict(list)
        for keys, owners in surfaces.items():
            best = min(p for p, *_ in owners)
            winners = {(slug, via, cap) for p, slug, via, cap in owners if p == best}
            if len({slug for slug, _, _ in winners}) != 1:
                continue  # ambiguous: no match rather than a wrong one
            slug, via, cap = sorted(winners)[0]
            surface = _Surface(keys, tuple(skeleton(k) for k in keys), slug, via, cap)
            exact[keys[0]].append(surface)
            if by_slug[slug].kind == "person" and all(len(k) >= _FUZZY_MIN_LENGTH for k in keys):
                fuzzy[surface.skeletons[0]].append(surface)

        states = {a.country: a for a in actors if a.kind == "state" and a.country}
        state_words: set[str] = set()
        for state in states.values():
            for form in (state.name, *state.aliases, *state.demonyms, *state.metonyms):
                state_words.update(word_keys(form))
        orgs: dict[tuple[str | None, frozenset[str]], set[str]] = defaultdict(set)
        gazetteer_for_lineage = {a.slug: a for a in actors}
        for actor in actors:
            if actor.kind != "organization":
                continue
            country = actor.country or _lineage_country(gazetteer_for_lineage, actor.slug)
            for form in (actor.name, *actor.aliases):
                words = [w for w in word_keys(form) if w not in state_words]
                keywords = org_keywords(words)
                if keywords:
                    orgs[(country, keywords)].add(actor.slug)

        org_words = []
        for actor in actors:
            if actor.kind == "organization":
                found: set[str] = set()
                for form in (actor.name, *actor.aliases):
                    found.update(org_keywords(word_keys(form)))
                org_words.append((actor.slug, frozenset(found)))

        def by_length(items: list[_Surface]) -> tuple[_Surface, ...]:
            return tuple(sorted(items, key=lambda s: -len(s.keys)))

        return cls(
            actors=tuple(actors),
            _by_slug=by_slug,
            _exact={k: by_length(v) for k, v in exact.items()},
            _fuzzy={k: by_length(v) for k, v in fuzzy.items()},
            _states_by_country=states,
            _state_words=frozenset(state_words),
            _orgs={k: tuple(sorted(v)) for k, v in orgs.items()},
            _org_words=tuple(org_words),
        )

    # ----------------------------------------------------------------- lookups

    def get(self, slug: str) -> KnownActor | None:
        """The curated actor with this slug."""
        return self._by_slug.get(slug)

    def resolve(self, name: str) -> KnownActor | None:
        """The curated actor that `name` (a whole name, alias, surname ...) designates."""
        tokens = tokenize(name)
        while tokens and tokens[0].key in ("the", "a", "an", "official"):
            tokens = tokens[1:]
        if not tokens:
            return None
        for match in self._scan_tokens(name, tokens, require_case=False):
            if match.start == tokens[0].start and match.end == tokens[-1].end:
                return match.actor
        org = self.organization_named(name)
        if org is not None:
            return org
        return None

    def lineage(self, slug: str) -> tuple[str, ...]:
        """`slug` followed by its ancestors through `affiliation`."""
        chain = [slug]
        actor = self._by_slug.get(slug)
        while actor is not None and actor.affiliation and actor.affiliation not in chain:
            chain.append(actor.affiliation)
            actor = self._by_slug.get(actor.affiliation)
        return tuple(chain)

    def state(self, country: str | None) -> KnownActor | None:
        """The curated state with this ISO 3166-1 alpha-3 code."""
        return self._states_by_country.get(country) if country else None

    def country_of(self, slug: str) -> str | None:
        """The country of an actor, or of its nearest ancestor that has one."""
        for link in self.lineage(slug):
            actor = self._by_slug.get(link)
            if actor is not None and actor.country:
                return actor.country
        return None

    def organization(self, country: str | None, words: Iterable[str]) -> KnownActor | None:
        """The curated organisation of `country` whose name has exactly these keywords."""
        keywords = org_keywords(w for w in words if w not in self._state_words)
        if not keywords:
            return None
        slugs = self._orgs.get((country, keywords), ())
        if len(slugs) == 1:
            return self._by_slug[slugs[0]]
        return None

    def organizations_with(self, words: Iterable[str]) -> tuple[KnownActor, ...]:
        """The curated organisations whose names (or aliases) have all these words
        ("defense", "ministry"), whatever their country."""
        wanted = org_keywords(w for w in words if w not in self._state_words)
        if not wanted:
            return ()
        return tuple(self._by_slug[slug] for slug, have in self._org_words if wanted <= have)

    def person_titled(self, country: str | None, words: Iterable[str]) -> KnownActor | None:
        """The one curated person whose title has all these words ("foreign", "minister")
        and who belongs to `country` (when given)."""
        wanted = {w for w in words if w not in self._state_words}
        if not wanted:
            return None
        found = [
            a
            for a in self.actors
            if a.kind == "person"
            and a.title
            and (country is None or a.country == country)
            and wanted <= set(word_keys(a.title))
        ]
        return found[0] if len(found) == 1 else None

    def organization_named(self, phrase: str) -> KnownActor | None:
        """Resolve "Tehran's Foreign Ministry" by its country and distinguishing words."""
        tokens = tokenize(phrase)
        country = None
        for match in self._scan_tokens(phrase, tokens, require_case=False):
            if match.actor.kind == "state":
                country = match.actor.country
        if country is None:
            return None
        return self.organization(country, (t.key for t in tokens))

    # ----------------------------------------------------------------- scanning

    def scan(self, text: str, tokens: Sequence[Token] | None = None) -> tuple[GazetteerMatch, ...]:
        """Non-overlapping matches of curated actors in `text`, longest first, in order."""
        if tokens is None:
            tokens = tokenize(text)
        matches = self._scan_tokens(text, tokens, require_case=True)
        return tuple(self._upgrade_org_phrases(text, tokens, matches))

    def _scan_tokens(
        self, text: str, tokens: Sequence[Token], *, require_case: bool
    ) -> list[GazetteerMatch]:
        out: list[GazetteerMatch] = []
        keys = [t.key for t in tokens]
        exact, fuzzy_by_skeleton = self._exact, self._fuzzy
        # Most words start no name: find the few that may in one comprehension, and try
        # surfaces only there (a word that starts none is skipped as the loop below would).
        starts = [
            i
            for i, key in enumerate(keys)
            if key in exact
            or (len(key) >= _FUZZY_MIN_LENGTH and skeleton(key) in fuzzy_by_skeleton)
        ]
        free = 0  # the first token not inside a match already made
        for i in starts:
            if i < free:
                continue
            best: _Surface | None = None
            for surface in self._exact.get(keys[i], ()):
                length = len(surface.keys)
                if tuple(keys[i : i + length]) != surface.keys:
                    continue
                if self._fits(text, tokens, i, surface, require_case, fuzzy=False):
                    best = surface
                    break
            if len(keys[i]) >= _FUZZY_MIN_LENGTH:
                for surface in self._fuzzy.get(skeleton(keys[i]), ()):
                    if best is not None and len(surface.keys) <= len(best.keys):
                        break
                    if self._fits(text, tokens, i, surface, require_case, fuzzy=True):
                        best = surface
                        break
            if best is None:
                continue
            length = len(best.keys)
            start, end = tokens[i].start, tokens[i + length - 1].end
            out.append(GazetteerMatch(self._by_slug[best.slug], start, end, best.via))
            free = i + length
        return out

    def _fits(
        self,
        text: str,
        tokens: Sequence[Token],
        i: int,
        surface: _Surface,
        require_case: bool,
        *,
        fuzzy: bool,
    ) -> bool:
        length = len(surface.keys)
        if i + length > len(tokens):
            return False
        if require_case and surface.capitalised and not text[tokens[i].start].isupper():
            return False
        for j in range(length):
            token = tokens[i + j]
            if fuzzy:
                if len(token.key) < _FUZZY_MIN_LENGTH:
                    return False
                if skeleton(token.key) != surface.skeletons[j]:
                    return False
                if fuzz.ratio(token.key, surface.keys[j]) < _FUZZY_MIN_RATIO:
                    return False
            elif token.key != surface.keys[j]:
                return False
            if j and not _GAP.fullmatch(text, tokens[i + j - 1].end, token.start):
                # a long body's name may have a comma: "Department for Environment, Food
                # and Rural Affairs" (four words or more cannot meet by chance)
                if not (
                    length >= 4
                    and self._by_slug[surface.slug].kind == "organization"
                    and _COMMA_GAP.fullmatch(text, tokens[i + j - 1].end, token.start)
                ):
                    return False
        if (
            surface.via == "surname"
            and require_case
            and _in_longer_name(text, tokens, i)  # cheap first: most surnames stand alone
            and _in_longer_name(text, tokens, i, self._name_keys(surface.slug))
        ):
            # "Manuel Cárdenas" is not the curated "Elmer Cárdenas": a surname alone
            # names a curated person only where no other given name stands before it
            return False
        if fuzzy and require_case:
            # A variant spelling is only trusted on a capitalised word in running text.
            if not all(text[tokens[i + j].start].isupper() for j in range(length)):
                return False
            if length == 1 and self._by_slug[surface.slug].kind == "person":
                # ... and not inside someone else's longer name: "Ahmed Rahimi",
                # "Rahim Sadiq Ahmed Rahim" are not "Rahim" alone
                return not _in_longer_name(text, tokens, i)
        return True

    def _name_keys(self, slug: str) -> frozenset[str]:
        actor = self._by_slug[slug]
        return frozenset(k for form in (actor.name, *actor.aliases) for k in word_keys(form))

    def _upgrade_org_phrases(
        self, text: str, tokens: Sequence[Token], matches: list[GazetteerMatch]
    ) -> list[GazetteerMatch]:
        """Turn "Azerbaijani Defense Ministry" (state word + name + head) into the body."""
        if not self._orgs:
            return matches
        index_of = {t.start: i for i, t in enumerate(tokens)}
        out: list[GazetteerMatch] = []
        skip_until = -1
        for k, match in enumerate(matches):
            if match.start < skip_until:
                continue
            if match.actor.kind != "state" or match.start not in index_of:
                out.append(match)
                continue
            i = index_of[match.start]
            while i < len(tokens) and tokens[i].end <= match.end:
                i += 1
            if i < len(tokens) and tokens[i].key == "s" and tokens[i].start - match.end <= 1:
                i += 1  # Iran's
            words: list[str] = []
            found: GazetteerMatch | None = None
            limit = matches[k + 1].start if k + 1 < len(matches) else len(text)
            for j in range(i, min(i + 5, len(tokens))):
                token = tokens[j]
                if token.end > limit or not text[token.start].isupper():
                    break
                if not _GAP.fullmatch(text, tokens[j - 1].end, token.start):
                    break
                words.append(token.key)
                if token.key in lexicon.ORG_HEADS:
                    org = self.organization(match.actor.country, words)
                    if org is not None:
                        found = GazetteerMatch(org, match.start, token.end, "org")
            if found is None:
                out.append(match)
            else:
                out.append(found)
                skip_until = found.end
        return out


def _lineage_country(by_slug: Mapping[str, KnownActor], slug: str) -> str | None:
    seen: set[str] = set()
    actor = by_slug.get(slug)
    while actor is not None and actor.slug not in seen:
        if actor.country:
            return actor.country
        seen.add(actor.slug)
        actor = by_slug.get(actor.affiliation) if actor.affiliation else None
    return None


def _in_longer_name(
    text: str, tokens: Sequence[Token], i: int, own: frozenset[str] = frozenset()
) -> bool:
    """Whether tokens[i] sits next to another capitalised name word (not a title, and
    not one of the `own` words of the actor's names)."""
    for j in (i - 1, i + 1):
        if not 0 <= j < len(tokens):
            continue
        left, right = (tokens[j], tokens[i]) if j < i else (tokens[i], tokens[j])
        if not _NAME_SPACE.fullmatch(text, left.end, right.start):
            continue
        if (
            text[tokens[j].start].isupper()
            and tokens[j].key not in _TITLE_WORDS
            and tokens[j].key not in own
        ):
            return True
    return False


_NAME_SPACE = re.compile(r"[ \t\u00a0\-‐‑]+")
_TITLE_WORDS = (
    lexicon.HONORIFICS
    | lexicon.PERSON_ROLES
    | lexicon.ROLE_MODIFIERS
    | frozenset("the a an of and said says told in on at by for from with to".split())
)
