"""A deterministic synthetic corpus shaped like incidentdb's real data.

Actors are states (real ISO codes), their ministries and bodies, and their officials; a few
states take part in most incidents (Zipf weights), as in the real data. Every row is built
exactly as the ingest would store it: alias keys through app.kit.names.match_key, search_text
as the pipeline composes it, statement and mention offsets that index the source's text.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import pycountry

from app.incidents.vocabulary import INCIDENT_TYPES
from app.kit.names import match_key

# slug, name, ISO3, aliases, demonyms, metonyms (capital): the states that dominate, first.
MAJOR_STATES: list[tuple[str, str, str, list[str], list[str], list[str]]] = [
    ("iran", "Iran", "IRN", ["Islamic Republic of Iran", "IRI"], ["Iranian"], ["Tehran"]),
    (
        "azerbaijan",
        "Azerbaijan",
        "AZE",
        ["Republic of Azerbaijan"],
        ["Azerbaijani", "Azeri"],
        ["Baku"],
    ),
    ("russia", "Russia", "RUS", ["Russian Federation"], ["Russian"], ["Moscow", "Kremlin"]),
    ("united-states", "United States", "USA", ["USA", "US"], ["American"], ["Washington"]),
    ("israel", "Israel", "ISR", ["State of Israel"], ["Israeli"], ["Jerusalem"]),
    ("turkey", "Turkey", "TUR", ["Türkiye", "Turkiye"], ["Turkish"], ["Ankara"]),
    ("armenia", "Armenia", "ARM", ["Republic of Armenia"], ["Armenian"], ["Yerevan"]),
    ("china", "China", "CHN", ["People's Republic of China", "PRC"], ["Chinese"], ["Beijing"]),
    ("france", "France", "FRA", ["French Republic"], ["French"], ["Paris"]),
    ("united-kingdom", "United Kingdom", "GBR", ["UK", "Britain"], ["British"], ["London"]),
    ("germany", "Germany", "DEU", ["Federal Republic of Germany"], ["German"], ["Berlin"]),
    ("saudi-arabia", "Saudi Arabia", "SAU", ["Kingdom of Saudi Arabia"], ["Saudi"], ["Riyadh"]),
    ("iraq", "Iraq", "IRQ", ["Republic of Iraq"], ["Iraqi"], ["Baghdad"]),
    ("syria", "Syria", "SYR", ["Syrian Arab Republic"], ["Syrian"], ["Damascus"]),
    ("pakistan", "Pakistan", "PAK", ["Islamic Republic of Pakistan"], ["Pakistani"], []),
    ("georgia", "Georgia", "GEO", [], ["Georgian"], ["Tbilisi"]),
    ("ukraine", "Ukraine", "UKR", [], ["Ukrainian"], ["Kyiv"]),
    ("india", "India", "IND", ["Republic of India"], ["Indian"], ["New Delhi"]),
    ("qatar", "Qatar", "QAT", ["State of Qatar"], ["Qatari"], ["Doha"]),
    ("egypt", "Egypt", "EGY", ["Arab Republic of Egypt"], ["Egyptian"], ["Cairo"]),
]
N_STATES = 150

# Iran's real officials (as in seeds/actors.yaml), so `actor=Iran` and `speaker=Kanani` mean
# something: slug, name, title, affiliation slug, aliases.
IRAN_OFFICIALS = [
    ("ali-khamenei", "Ali Khamenei", "Supreme Leader of Iran", "iran", ["Ayatollah Khamenei"]),
    (
        "ali-akbar-velayati",
        "Ali Akbar Velayati",
        "Foreign policy adviser to the Supreme Leader of Iran",
        "ali-khamenei",
        ["Velayati"],
    ),
    ("masoud-pezeshkian", "Masoud Pezeshkian", "President of Iran", "iran", ["Pezeşkian"]),
    (
        "hossein-amir-abdollahian",
        "Hossein Amir-Abdollahian",
        "Foreign Minister of Iran",
        "iran-foreign-ministry",
        ["Amir-Abdollahian"],
    ),
    (
        "nasser-kanani",
        "Nasser Kanani",
        "Spokesman of the Iranian Foreign Ministry",
        "iran-foreign-ministry",
        ["Kanaani", "Nasser Kanaani"],
    ),
]

FIRST = "Ali Reza Hassan Mehdi Omar Ivan Sergei Elena Anna Jeyhun Hikmet Leyla Nasser Samir Yusuf Daniel Maria Farid Tariq Karim Olga Natalia Arman Levon Ahmet Mehmet Zeynep Li Wei Chen Pierre Claire Hans Greta John Sarah Emma Rahul Priya Khalid Faisal Amal".split()  # noqa: E501
LAST = "Rahimi Karimov Aliyev Hosseini Petrov Ivanova Sargsyan Yilmaz Demir Zhang Wang Dubois Martin Muller Schmidt Smith Johnson Brown Khan Sharma Haddad Mansour Nasser Bayramov Mammadov Tehrani Volkov Orlov Kaya Cohen Levi Mizrahi Avraham Bakr Salem Farouk Qasimi Gurbanov".split()  # noqa: E501
PUBLISHERS = [
    ("Trend", "trend.az"),
    ("APA", "apa.az"),
    ("Azernews", "azernews.az"),
    ("IRNA", "irna.ir"),
    ("Tasnim", "tasnimnews.com"),
    ("Tehran Times", "tehrantimes.com"),
    ("Reuters", "reuters.com"),
    ("Associated Press", "apnews.com"),
    ("Agence France-Presse", "afp.com"),
    ("TASS", "tass.com"),
    ("Anadolu Agency", "aa.com.tr"),
    ("Al Jazeera", "aljazeera.com"),
    ("BBC News", "bbc.co.uk"),
    ("Times of Israel", "timesofisrael.com"),
    ("Armenpress", "armenpress.am"),
    ("Eurasianet", "eurasianet.org"),
]
TOPICS = (
    "border drills|gas pipeline|consulate closure|embassy attack|airspace violation|"
    "grain corridor|nuclear talks|sanctions package|prisoner exchange|drone strike|"
    "naval patrol|trade agreement|energy deal|water dispute|refugee flows|"
    "election interference|cyber attack|transit corridor|railway link|visa regime|"
    "fishing rights|oil exports|arms shipment|peace conference|ceasefire monitoring|"
    "hostage release|espionage case|military exercise|diplomatic expulsion|"
    "religious seminary|media ban|border crossing|customs dispute|mine clearance|"
    "bridge opening|student exchange|earthquake relief|pilgrimage route|satellite launch|"
    "currency swap"
).split("|")
PLACES = (
    "Astara|Nakhchivan|Kapan|Jolfa|Tabriz|Ardabil|Ganja|Lachin|Shusha|Meghri|Bandar Abbas|"
    "Strait of Hormuz|Caspian Sea|Gulf of Oman|Persian Gulf|Black Sea|Geneva|Vienna|Doha|"
    "Muscat|Istanbul|Sochi|Ashgabat|Aktau|Batumi|Erbil|Basra|Latakia|Aleppo|Herat"
).split("|")
VERBS = {
    "appeal": "calls on",
    "pledge": "pledges cooperation with",
    "consultation": "holds talks with",
    "mediation": "offers to mediate with",
    "support": "backs",
    "agreement": "signs agreement with",
    "accusation": "accuses",
    "rejection": "rejects claims by",
    "threat": "warns",
    "protest": "protesters rally against",
    "reduce_relations": "recalls ambassador from",
    "exercise": "holds drills near",
    "arrest": "detains nationals of",
    "attack": "strikes targets linked to",
}
SEVERITY = {
    "appeal": 1,
    "pledge": 1,
    "consultation": 1,
    "mediation": 1,
    "support": 1,
    "agreement": 1,
    "accusation": 2,
    "rejection": 2,
    "threat": 3,
    "protest": 3,
    "reduce_relations": 3,
    "exercise": 3,
    "arrest": 4,
    "attack": 5,
}
# The types the synthetic corpus was designed with, in vocabulary order: types added to the
# vocabulary later do not change the generated corpora (or the benchmark figures).
TYPE_WEIGHTS = {t: (8 if SEVERITY.get(t, 2) <= 2 else 3) for t in INCIDENT_TYPES if t in VERBS}
WORDS = "government officials ministry statement talks cooperation regional security relations neighbours dialogue tensions region sovereignty territorial integrity agreement delegation visit meeting bilateral parliament envoy embassy spokesman analysts observers decision conflict war peace stability economic trade energy transport investment military exercises forces troops response position policy interests partners allies concerns measures provocation rhetoric accusations campaign international community negotiations framework commitment future history".split()  # noqa: E501
QUOTE_OPENERS = [
    "We will not accept",
    "Our position on",
    "There is no room for",
    "The region needs",
    "We are ready to discuss",
    "Nobody should doubt",
    "This is a matter of",
    "We have always supported",
    "It is unacceptable to ignore",
    "Our neighbours know",
]
EPOCH = date(1995, 1, 1)
SPAN_DAYS = (date(2025, 12, 31) - EPOCH).days


@dataclass
class Actor:
    id: int
    slug: str
    name: str
    kind: str
    country: str | None
    title: str | None
    affiliation_id: int | None
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (kind, alias), name first
    demonym: str | None = None
    capital: str | None = None

    @property
    def search_text(self) -> str:
        names = [self.name, *(a for _, a in self.aliases if a != self.name)]
        return " ".join(names)

    @property
    def alias_names(self) -> list[str]:
        return [a for _, a in self.aliases]


@dataclass
class State:
    actor: Actor
    members: list[Actor]  # ministries, bodies and officials, any depth
    officials: list[Actor]  # persons who speak for it
    ministry: Actor


class Cast:
    """Every actor of the corpus, and the weighted draws incidents make from them."""

    def __init__(self, rng: random.Random) -> None:
        self.actors: list[Actor] = []
        self.by_slug: dict[str, Actor] = {}
        self.states: list[State] = []
        self._build(rng)
        # Zipf: the state at rank r is drawn with weight 1/r, so a handful of states are in
        # most incidents and the long tail is rare.
        self.state_cum = list(itertools.accumulate(1 / r for r in range(1, len(self.states) + 1)))

    def _add(self, slug: str, name: str, kind: str, country: str | None, **kw: object) -> Actor:
        actor = Actor(
            id=len(self.actors) + 1,
            slug=slug,
            name=name,
            kind=kind,
            country=country,
            title=kw.get("title"),  # type: ignore[arg-type]
            affiliation_id=kw.get("affiliation_id"),  # type: ignore[arg-type]
        )
        actor.aliases.append(("name", name))
        for kind_, names in (
            ("alias", kw.get("aliases") or []),
            ("demonym", kw.get("demonyms") or []),
            ("metonym", kw.get("metonyms") or []),
        ):
            for alias in names:  # type: ignore[attr-defined]
                if alias != name or kind_ != "name":
                    actor.aliases.append((kind_, alias))
        self.actors.append(actor)
        self.by_slug[slug] = actor
        return actor

    def _person_name(self, rng: random.Random) -> str:
        while True:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if match_key(name).replace(" ", "-") not in self.by_slug:
                return name

    def _build(self, rng: random.Random) -> None:
        major = {iso for _, _, iso, *_ in MAJOR_STATES}
        others = sorted(
            (c for c in pycountry.countries if c.alpha_3 not in major),
            key=lambda c: c.alpha_3,
        )
        specs = list(MAJOR_STATES)
        for c in others[: N_STATES - len(MAJOR_STATES)]:
            name = getattr(c, "common_name", None) or c.name
            specs.append((match_key(name).replace(" ", "-"), name, c.alpha_3, [], [], []))
        for slug, name, iso, aliases, demonyms, metonyms in specs:
            state = self._add(
                slug,
                name,
                "state",
                iso,
                aliases=aliases,
                demonyms=demonyms,
                metonyms=metonyms,
            )
            state.demonym = demonyms[0] if demonyms else None
            state.capital = metonyms[0] if metonyms else None
            ministry = self._add(
                f"{slug}-foreign-ministry",
                f"Ministry of Foreign Affairs of {name}",
                "organization",
                iso,
                affiliation_id=state.id,
                aliases=[f"{name} Foreign Ministry"],
            )
            members = [ministry]
            members.append(
                self._add(
                    f"{slug}-defence-ministry",
                    f"Ministry of Defence of {name}",
                    "organization",
                    iso,
                    affiliation_id=state.id,
                )
            )
            officials: list[Actor] = []
            if slug == "iran":
                for o_slug, o_name, title, parent, o_aliases in IRAN_OFFICIALS:
                    officials.append(
                        self._add(
                            o_slug,
                            o_name,
                            "person",
                            iso,
                            title=title,
                            affiliation_id=self.by_slug[parent].id,
                            aliases=o_aliases,
                        )
                    )
            rank = len(self.states)
            n_officials = 10 if rank < len(MAJOR_STATES) else 3
            titles = [
                (f"President of {name}", state),
                (f"Foreign Minister of {name}", ministry),
                (f"Spokesperson of the Foreign Ministry of {name}", ministry),
            ]
            while len(officials) < n_officials:
                title, parent = titles[len(officials) % len(titles)]
                if len(officials) >= len(titles):
                    title = f"Ambassador of {name}"
                    parent = ministry
                person = self._person_name(rng)
                officials.append(
                    self._add(
                        match_key(person).replace(" ", "-"),
                        person,
                        "person",
                        iso,
                        title=title,
                        affiliation_id=parent.id,
                        aliases=[person.split()[-1]],
                    )
                )
            members += officials
            self.states.append(State(state, members, officials, ministry))

    def draw_state(self, rng: random.Random) -> State:
        return self.states[bisect(self.state_cum, rng.random() * self.state_cum[-1])]


def filler_pool(rng: random.Random, size: int = 4000) -> list[str]:
    """Paragraphs with no actor names: the bulk of an article's text."""
    pool = []
    for _ in range(size):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            words = rng.choices(WORDS, k=rng.randint(9, 18))
            words[rng.randrange(len(words))] = rng.choice(TOPICS)
            sentences.append(" ".join(words).capitalize() + ".")
        pool.append(" ".join(sentences))
    return pool


@dataclass
class Tables:
    """Rows for one chunk, in column order of bench.generate.COLUMNS."""

    incident: list[tuple[object, ...]] = field(default_factory=list)
    incident_participant: list[tuple[object, ...]] = field(default_factory=list)
    incident_source: list[tuple[object, ...]] = field(default_factory=list)
    source: list[tuple[object, ...]] = field(default_factory=list)
    statement: list[tuple[object, ...]] = field(default_factory=list)
    mention: list[tuple[object, ...]] = field(default_factory=list)

    def rows(self) -> int:
        return sum(len(v) for v in vars(self).values())


class Generator:
    """Incidents, their sources, statements and mentions, chunk by chunk, ids ascending."""

    def __init__(self, seed: int, extraction_key: str) -> None:
        self.rng = random.Random(seed)
        self.cast = Cast(self.rng)
        self.filler = filler_pool(self.rng)
        self.extraction_key = extraction_key
        self.next_incident = 1
        self.next_source = 1
        self.next_statement = 1
        self.next_mention = 1
        self.recent_sources: list[int] = []
        self.types = list(TYPE_WEIGHTS)
        self.type_cum = list(itertools.accumulate(TYPE_WEIGHTS.values()))
        self.quotes = [
            f"{rng_open} the {topic} {' '.join(self.rng.choices(WORDS, k=self.rng.randint(6, 14)))}"
            for rng_open, topic in (
                (self.rng.choice(QUOTE_OPENERS), self.rng.choice(TOPICS)) for _ in range(2000)
            )
        ]

    def chunks(self, incidents: int, chunk: int) -> Iterator[Tables]:
        done = 0
        while done < incidents:
            n = min(chunk, incidents - done)
            yield self.chunk(n)
            done += n

    def _participants(self) -> list[tuple[Actor, State]]:
        rng = self.rng
        k = rng.choices((2, 3, 4, 5), cum_weights=(45, 75, 90, 100))[0]
        chosen: list[tuple[Actor, State]] = []
        seen: set[int] = set()
        while len(chosen) < k:
            state = self.cast.draw_state(rng)
            actor = state.actor if rng.random() < 0.75 else rng.choice(state.members)
            if actor.id not in seen:
                seen.add(actor.id)
                chosen.append((actor, state))
        return chosen

    def chunk(self, n: int) -> Tables:
        rng = self.rng
        out = Tables()
        for _ in range(n):
            iid = self.next_incident
            self.next_incident += 1
            parts = self._participants()
            kind = self.types[bisect(self.type_cum, rng.random() * self.type_cum[-1])]
            # Skewed towards recent years, as news coverage is.
            start = EPOCH + timedelta(days=int(SPAN_DAYS * rng.random() ** 0.5))
            r = rng.random()
            if r < 0.9:
                precision = "day"
                end = start + timedelta(days=rng.randint(1, 4)) if r > 0.8 else start
            elif r < 0.97:
                precision = "month"
                start = start.replace(day=1)
                end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            else:
                precision = "year"
                start = start.replace(month=1, day=1)
                end = start.replace(month=12, day=31)
            (a, sa), (b, sb) = parts[0], parts[1]
            topic = rng.choice(TOPICS)
            place = rng.choice(PLACES)
            title = f"{a.name} {VERBS[kind]} {b.name} over {topic}"
            summary = (
                f"{sa.actor.name} and {sb.actor.name} clashed over the {topic} near {place}. "
                f"{' '.join(rng.choices(WORDS, k=rng.randint(12, 24))).capitalize()}."
            )
            names = [alias for actor, _ in parts for alias in actor.alias_names]
            country = sa.actor.country if rng.random() < 0.7 else None
            slug = f"{a.slug}-{b.slug}-{kind.replace('_', '-')}-{start.isoformat()}-{iid}"
            out.incident.append(
                (
                    iid,
                    slug,
                    title,
                    summary,
                    kind,
                    start,
                    end,
                    precision,
                    country,
                    place if country else None,
                    SEVERITY.get(kind, 2),
                    " ".join([title, summary, *names]),
                )
            )
            roles = ["initiator", "target"] + [
                rng.choice(("participant", "mediator")) for _ in parts[2:]
            ]
            for pos, ((actor, _), role) in enumerate(zip(parts, roles, strict=True)):
                out.incident_participant.append((iid, actor.id, role, pos, start))
            # A third of incidents get an article of their own; the rest are also reported by
            # a recent article (a round-up), and some by two.
            if not self.recent_sources or rng.random() < 0.3:
                sid = self._source(out, iid, start, parts, title, topic, place)
                linked = [sid]
            else:
                linked = [rng.choice(self.recent_sources[-8:])]
            if rng.random() < 0.3 and len(self.recent_sources) > 1:
                extra = rng.choice(self.recent_sources[-8:])
                if extra not in linked:
                    linked.append(extra)
            for sid in linked:
                out.incident_source.append((iid, sid))
        return out

    def _source(
        self,
        out: Tables,
        iid: int,
        day: date,
        parts: list[tuple[Actor, State]],
        title: str,
        topic: str,
        place: str,
    ) -> int:
        rng = self.rng
        sid = self.next_source
        self.next_source += 1
        self.recent_sources.append(sid)
        if len(self.recent_sources) > 64:
            del self.recent_sources[:32]
        pieces: list[str] = []
        length = 0
        mentions: list[tuple[int, int, int, str]] = []
        statements: list[tuple[int, int, str, Actor | None, str | None]] = []

        def put(text: str, actor: Actor | None = None) -> int:
            nonlocal length
            at = length
            pieces.append(text)
            length += len(text)
            if actor is not None:
                mentions.append((actor.id, at, at + len(text), text))
            return at

        (a, sa), (b, sb) = parts[0], parts[1]
        put(f"{place.upper()}, {day.strftime('%B')} {day.day}. ")
        put(a.name, a)
        put(" and ")
        put(b.name, b)
        put(f" traded words over the {topic} on {day.isoformat()}, officials said.\n\n")
        for state, other in ((sa, sb), (sb, sa)):
            speaker = rng.choice(state.officials) if rng.random() < 0.9 else None
            quote = rng.choice(self.quotes)
            put('"')
            start = put(quote)
            statements.append((start, start + len(quote), quote, speaker, None))
            if speaker is not None:
                put('," said ')
                speaker_text = speaker.name if rng.random() < 0.7 else speaker.aliases[-1][1]
                put(speaker_text, speaker)
                statements[-1] = (*statements[-1][:4], speaker_text)
                put(f", {speaker.title}, according to the ")
                put(state.ministry.name, state.ministry)
                put(". ")
            else:
                put('," an unnamed official told reporters. ')
            if other.actor.demonym:
                put("The remarks were aimed at the ")
                put(other.actor.demonym, other.actor)
                put(" side.")
            put("\n\n")
            for _ in range(rng.randint(1, 2)):
                put(rng.choice(self.filler))
                put("\n\n")
        for actor, _ in parts[2:]:
            put("Observers noted the role of ")
            put(actor.name, actor)
            put(". ")
        put(rng.choice(self.filler))
        text = "".join(pieces)
        publisher, domain = rng.choice(PUBLISHERS)
        out.source.append(
            (
                sid,
                f"{domain.split('.')[0]}-{day.isoformat()}-{sid}",
                title,
                publisher,
                f"https://{domain}/news/{sid}",
                day,
                text,
                hashlib.sha256(text.encode()).hexdigest(),
                self.extraction_key,
            )
        )
        for start, end, quote, speaker, speaker_text in statements:
            parts_text = [quote, speaker_text or ""]
            if speaker is not None:
                parts_text.append(speaker.name)
            out.statement.append(
                (
                    self.next_statement,
                    quote,
                    speaker_text,
                    start,
                    end,
                    day,
                    sid,
                    speaker.id if speaker else None,
                    iid,
                    " ".join(p for p in parts_text if p),
                )
            )
            self.next_statement += 1
        for actor_id, start, end, surface in mentions:
            out.mention.append((self.next_mention, sid, actor_id, start, end, surface))
            self.next_mention += 1
        return sid
