"""One actor per person: the people extraction finds are matched to the ones already stored.

Extraction describes each article on its own, so the same person comes back as "Trade Minister
Paul Renard" in one article, "Paul Renard" or "Renard" in the next, and "Pol Renar" in a
transliteration. Before a speaker is stored, this module decides which stored actor (curated
or extracted, from this run or an earlier one) that speaker is:

- a title or rank is never part of a stored name: leading role words, honorifics and
  nationality adjectives go to `title` ("Finnish Foreign Minister Aino Virtanen");
- the same full name is the same person, folded as curated aliases are (app/kit/names.py),
  and so is a transliteration whose every word has the same consonant skeleton and a
  rapidfuzz ratio of at least 70 (the gazetteer's rule for curated names);
- a surname alone is the one stored person with that surname (and no other country), and a
  full name later given to a surname-only actor completes it instead of adding another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from app.actors.models import Actor, ActorKind, ActorOrigin
from app.extraction import lexicon
from app.extraction.gazetteer import skeleton
from app.extraction.model import NewActor
from app.extraction.text import slugify
from app.kit.names import match_key

_FUZZY_MIN_RATIO = 70.0
# The extraction's role words, plus ranks its lists do not have yet: extraction leaves
# "Councillor" on a name it cuts after "State" ("State Councillor Wang Jun").
_TITLE_WORDS = (
    lexicon.HONORIFICS
    | lexicon.PERSON_ROLES
    | lexicon.ROLE_MODIFIERS
    | frozenset({"councillor", "councilor", "undersecretary"})
)


@dataclass(frozen=True)
class Person:
    """Who a found speaker is: the slug to store under and the name and title to store."""

    slug: str
    name: str
    title: str | None
    existing: Actor | None  # the stored actor this speaker is, when there is one


def split_title(
    name: str, title: str | None, state_words: frozenset[str]
) -> tuple[str, str | None]:
    """`name` without its leading titles, ranks and nationality adjectives; those become the
    title when extraction found none."""
    words = name.split()
    lead: list[str] = []
    while len(words) > 1 and _is_title_word(words[0], state_words):
        lead.append(words.pop(0))
    if not any(match_key(w) in _TITLE_WORDS for w in lead):
        return name, title  # "Georgian Dream": a nationality alone is part of the name
    return " ".join(words), title or " ".join(lead)


def _is_title_word(word: str, state_words: frozenset[str]) -> bool:
    key = match_key(word)
    return key in _TITLE_WORDS or key in state_words or key.rstrip("s") in _TITLE_WORDS


@dataclass
class People:
    """The stored people of one ingest run, indexed by folded name and surname."""

    state_words: frozenset[str]
    by_key: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    keys_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Folded names by consonant skeleton and by last word: a lookup reads one bucket, so
    # identifying n speakers stays linear however many people are stored.
    keys_by_skeleton: dict[tuple[str, ...], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    keys_by_surname: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    people: dict[str, Actor] = field(default_factory=dict)

    @classmethod
    def of(cls, actors: Iterable[Actor], state_words: Iterable[str]) -> People:
        index = cls(frozenset(state_words))
        for actor in actors:
            index.add(actor)
        return index

    def add(self, actor: Actor) -> None:
        """Index (or re-index, after a rename) a stored person."""
        if actor.kind is not ActorKind.person:
            return
        for key in self.keys_of.pop(actor.slug, set()):
            self.by_key[key].discard(actor.slug)
        keys = {match_key(actor.name)} | {a.key for a in actor.aliases}
        keys.discard("")
        for key in keys:
            self.by_key[key].add(actor.slug)
            words = key.split()
            self.keys_by_skeleton[tuple(skeleton(w) for w in words)].add(key)
            self.keys_by_surname[words[-1]].add(key)
        self.keys_of[actor.slug] = keys
        self.people[actor.slug] = actor

    def identify(self, new: NewActor) -> Person:
        """The stored person `new` is, or a new slug for it, with its name freed of titles."""
        name, title = split_title(new.name, new.title, self.state_words)
        slug = slugify(name)
        if new.kind != ActorKind.person.value:
            return Person(new.slug, new.name, new.title, None)
        key = match_key(name)
        words = key.split()
        found = self._one(self.by_key.get(key, set()), new.country)
        if found is None and len(words) >= 2:
            found = self._one(self._transliterations(words), new.country)
        if found is None and len(words) == 1:
            found = self._one(self._with_surname(words[0], full=True), new.country)
        if found is None and len(words) >= 2:
            # "Renard" stored from an earlier article, now "Paul Renard": the same person.
            found = self._one(self._with_surname(words[-1], full=False), new.country)
        if found is not None:
            return Person(found.slug, name, title, found)
        return Person(slug, name, title, None)

    def _one(self, slugs: Iterable[str], country: str | None) -> Actor | None:
        candidates = [self.people[s] for s in slugs if s in self.people]
        candidates = [
            a for a in candidates if country is None or a.country is None or a.country == country
        ]
        if len({a.slug for a in candidates}) != 1:
            return None  # none, or several people it could be: a new actor beats a wrong one
        return candidates[0]

    def _transliterations(self, words: list[str]) -> set[str]:
        found: set[str] = set()
        for key in self.keys_by_skeleton.get(tuple(skeleton(w) for w in words), ()):
            other = key.split()
            if all(fuzz.ratio(o, w) >= _FUZZY_MIN_RATIO for o, w in zip(other, words, strict=True)):
                found |= self.by_key.get(key, set())
        return found

    def _with_surname(self, surname: str, *, full: bool) -> set[str]:
        """People whose name ends with `surname`: with a full name (`full`), or a lone one."""
        found: set[str] = set()
        for key in self.keys_by_surname.get(surname, ()):
            slugs = self.by_key.get(key, set())
            if (len(key.split()) >= 2) == full:
                found |= {s for s in slugs if self._is_person(s)}
        return found

    def _is_person(self, slug: str) -> bool:
        actor = self.people.get(slug)
        return actor is not None and actor.origin in (ActorOrigin.curated, ActorOrigin.extracted)
