"""General English word lists for attribution, loaded from data/*.yaml.

Knowledge is data: the lists live in app/extraction/data/ (speech.yaml, roles.yaml,
titles.yaml, gender.yaml, grammar.yaml), shipped with the package. Nothing in them names a
particular actor.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml


def _load(name: str) -> dict[str, Any]:
    text = resources.files("app.extraction").joinpath("data", name).read_text("utf-8")
    # The C loader when PyYAML has it: these lists load at every start of the CLI.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader either way
    if not isinstance(data, dict):
        raise ValueError(f"app/extraction/data/{name}: expected a mapping of word lists")
    return data


def _words(data: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(w).lower() for w in data[key])


def _forms(*bases: str) -> frozenset[str]:
    """Regular inflections of verbs given as 'base' or 'base/past/participle/-ing'."""
    out: set[str] = set()
    for base in bases:
        parts = base.split("/")
        out.update(parts)
        stem = parts[0]
        if len(parts) > 1:
            continue
        if stem.endswith("e"):
            out.update({stem + "s", stem + "d", stem[:-1] + "ing"})
        elif stem.endswith("y") and stem[-2] not in "aeiou":
            out.update({stem[:-1] + "ies", stem[:-1] + "ied", stem + "ing"})
        elif stem.endswith(("sh", "ch", "ss", "x")):
            out.update({stem + "es", stem + "ed", stem + "ing"})
        else:
            out.update({stem + "s", stem + "ed", stem + "ing"})
    return frozenset(out)


_speech = _load("speech.yaml")
_roles = _load("roles.yaml")
_titles = _load("titles.yaml")
_gender = _load("gender.yaml")
_grammar = _load("grammar.yaml")

# Verbs that introduce or follow a direct quotation.
SPEECH_VERBS = _forms(*(str(v) for v in _speech["speech_verbs"]))
# Nouns for a spoken or written text: "X's statements such as ...", "the statement reads".
SPEECH_NOUNS = _words(_speech, "speech_nouns")
# Texts whose "author" is their issuer: "the statement reads that ...".
DOCUMENT_NOUNS = _words(_speech, "document_nouns")

PRONOUNS_PERSON = _words(_grammar["pronouns"], "person")
PRONOUNS_PLURAL = _words(_grammar["pronouns"], "plural")
PRONOUNS_THING = _words(_grammar["pronouns"], "thing")
PRONOUNS = PRONOUNS_PERSON | PRONOUNS_PLURAL | PRONOUNS_THING

# Words naming a person's role or profession.
PERSON_ROLES = _words(_roles, "person_roles") | _words(_roles, "professions")
# Which roles a later short reference may stand for: "the top diplomat" for a foreign
# minister, "the official" for a spokesman. A specific role stands only for its equivalents.
ROLE_SYNONYMS: dict[str, frozenset[str]] = {
    role: frozenset(group) for group in _roles["equivalent_roles"] for role in group
}
ROLE_SYNONYMS.update({role: frozenset(words) for role, words in _roles["generic_roles"].items()})
# Words that modify a role: "foreign minister", "political analyst".
ROLE_MODIFIERS = _words(_roles, "role_modifiers")
# Roles in which the news quotes people without naming them ("a senior official").
ANONYMOUS_ROLES = _words(_roles, "anonymous_roles")
# Roles that say too little to rule out a later description ("Deputy Ivan Belov" may be
# "the lawmaker"; "a member of the committee" "the senator").
VAGUE_ROLES = _words(_roles, "vague_roles")
# Roles whose holder speaks for the body or state they serve.
OFFICIAL_ROLES = _words(_roles, "official_roles")
# A spokesperson speaks for the body the phrase names, even unnamed.
SPOKESPERSONS = _words(_roles, "spokespersons")
# "officials said": someone unnamed, never an earlier person.
PLURAL_PEOPLE = _words(_roles, "plural_people")
# Words of kin that introduce a person by a noun, like a role ("the widow of …, Ana Lima,").
KIN_NOUNS = _words(_roles, "kin_nouns")
# Lower-case words with an agent noun's ending that name no one ("border", "power").
NOT_AGENT_NOUNS = _words(_roles, "not_agent_nouns")

# Honorifics, ranks and styles written before a name; never part of the name.
HONORIFICS = _words(_titles, "titles")
# particles that open a surname: "Al Sabri said" is a surname alone
NAME_PARTICLES = _words(_titles, "name_particles")

# Words that say a person is a woman or a man, and given names as weak evidence.
FEMALE_WORDS = _words(_gender, "female_words")
MALE_WORDS = _words(_gender, "male_words")
FEMALE_FIRST_NAMES = _words(_gender, "female_first_names")
MALE_FIRST_NAMES = _words(_gender, "male_first_names")

# Heads of organisation names.
ORG_HEADS = _words(_grammar, "org_heads")
# Last words of a company's name, and nouns describing a company.
COMPANY_HEADS = _words(_grammar, "company_heads")
# Lower-case words that may sit inside a speaker's noun phrase (and name particles).
NP_FUNCTION = _words(_grammar, "np_function")
# Adverbs and auxiliaries between a speaker and the verb: "X also said".
BETWEEN_SPEAKER_AND_VERB = _words(_grammar, "between_speaker_and_verb")
# Leading words of a sentence that open an adverbial, not a subject.
ADVERBIAL_OPENERS = _words(_grammar, "adverbial_openers")
