"""The discourse model: salience, roles, titles and countries of the people an article names.
Every text is invented."""

from __future__ import annotations

import pytest

from app.extraction import ArticleExtraction, Gazetteer, KnownActor, NewActor, extract_article

WORLD = Gazetteer.build(
    [
        KnownActor("finland", "Finland", "state", "FIN", None, (), ("Finnish",), ("Helsinki",)),
        KnownActor("chile", "Chile", "state", "CHL", None, (), ("Chilean",), ("Santiago",)),
        KnownActor("peru", "Peru", "state", "PER", None, (), ("Peruvian",), ("Lima",)),
    ]
)


def extract(text: str) -> ArticleExtraction:
    return extract_article(text, WORLD)


def speakers(result: ArticleExtraction) -> list[str | None]:
    return [s.speaker for s in result.statements]


def actor(result: ArticleExtraction, slug: str) -> NewActor:
    return next(a for a in result.new_actors if a.slug == slug)


def test_a_reporting_clause_subject_stays_the_speaker_over_a_person_it_mentions() -> None:
    result = extract(
        "Border talks\n\n"
        '"Talks will continue," said spokesman Ivan Orlov. He added that President Karl '
        "Sokolov would attend the summit in person.\n\n"
        '"It is a good sign for the whole region," he said.'
    )
    assert speakers(result) == ["ivan-orlov", "ivan-orlov"]


def test_a_role_with_a_nationality_is_the_person_of_that_country() -> None:
    result = extract(
        "Border talks\n\n"
        "Minister Maria Soto of Chile met Finland's foreign minister, Aino Virtanen. "
        '"We agreed on a roadmap," Soto said.\n\n'
        '"It is a first step," the Finnish minister said.'
    )
    assert speakers(result) == ["maria-soto", "aino-virtanen"]
    assert (actor(result, "maria-soto").country, actor(result, "maria-soto").affiliation) == (
        "CHL",
        "chile",
    )


def test_a_possessive_state_in_apposition_gives_the_person_country_and_title() -> None:
    result = extract(
        "Border talks\n\n"
        'Aino Virtanen, Finland\'s trade minister, arrived on Monday. "We want a fair deal," '
        "she said."
    )
    assert speakers(result) == ["aino-virtanen"]
    person = actor(result, "aino-virtanen")
    assert (person.country, person.title, person.affiliation) == (
        "FIN",
        "trade minister",
        "finland",
    )


def test_a_role_in_apposition_before_the_name_gives_country_and_title() -> None:
    result = extract(
        "Border talks\n\n"
        "Chile's foreign ministry spokeswoman, Carla Munoz, spoke after the meeting. "
        '"We expect a reply," she said.'
    )
    assert speakers(result) == ["carla-munoz"]
    person = actor(result, "carla-munoz")
    assert (person.country, person.title) == ("CHL", "foreign ministry spokeswoman")


def test_a_title_is_no_part_of_the_name_and_the_surname_is_the_same_person() -> None:
    result = extract(
        "Mining dispute\n\n"
        'Trade Minister Paul Renard met the delegation on Tuesday. "We are not going to back '
        'down," Renard said.\n\n"Nothing has changed," said Trade Minister Paul Renard.'
    )
    assert speakers(result) == ["paul-renard", "paul-renard"]
    assert [(a.slug, a.name, a.title) for a in result.new_actors] == [
        ("paul-renard", "Paul Renard", "Trade Minister")
    ]


def test_she_is_never_a_state() -> None:
    result = extract(
        "Court ruling\n\n"
        'Chile said on Monday it would take the case to court. "We have exhausted every other '
        'option," she said.'
    )
    assert speakers(result) == [None]


def test_an_introducing_sentence_ending_in_a_colon_gives_the_next_paragraph_its_speaker() -> None:
    result = extract(
        "Water talks\n\n"
        "Peruvian Foreign Ministry spokeswoman Ana Quispe said in a written statement on "
        'Tuesday:\n\n"Peru will defend its sovereign rights with every legal means."'
    )
    assert speakers(result) == ["ana-quispe"]
    assert actor(result, "ana-quispe").country == "PER"


def test_evidence_shows_the_reporting_phrase_and_the_name_a_pronoun_stands_for() -> None:
    text = (
        "Border talks\n\n"
        '"We will respond in kind," Finnish Foreign Minister Aino Virtanen said on Monday.\n\n'
        '"The decision is final," she added.'
    )
    last = extract(text).statements[-1]
    assert last.speaker == "aino-virtanen"
    assert [(e.text, text[e.start : e.end]) for e in last.attribution.evidence] == [
        ("she added", "she added"),
        ("Aino Virtanen", "Aino Virtanen"),
    ]
    assert last.attribution.method == "reporting_after"
    assert 0.0 < last.attribution.confidence <= 1.0


def test_a_counterpart_in_apposition_is_a_person_a_later_pronoun_can_reach() -> None:
    result = extract(
        "Fisheries pact\n\n"
        'Aino Virtanen said the deal was "a new chapter for both countries and their fishermen." '
        "Her Chilean counterpart, Alberto Soto, was more cautious.\n\n"
        '"The hard part starts now," he said.'
    )
    assert speakers(result) == ["aino-virtanen", "alberto-soto"]


def test_people_named_without_a_role_and_then_by_surname_are_kept_apart_by_gender() -> None:
    result = extract(
        "Talks stall\n\n"
        "Helga Berg met Erik Dahl in Vessby on Monday. She told him the quotas were unfair.\n\n"
        '"We cannot accept this," Berg said afterwards. Dahl disagreed. "The science is '
        'clear," he said.\n\n"He knows my view," she said.'
    )
    assert speakers(result) == ["helga-berg", "erik-dahl", "helga-berg"]


def test_a_headline_role_goes_to_the_person_the_body_names_with_that_role() -> None:
    text = (
        "Minister: 'We will not back down'\n\n"
        "Finland's fisheries minister, Erik Dahl, said on Monday that the quotas were final."
    )
    result = extract(text)
    assert speakers(result) == ["erik-dahl"]
    assert [e.text for e in result.statements[0].attribution.evidence] == [
        "Minister:",
        "Erik Dahl",
    ]
    person = actor(result, "erik-dahl")
    assert (person.country, person.title) == ("FIN", "fisheries minister")


@pytest.mark.parametrize(
    ("phrase", "title", "country"),
    [
        ("Deputy Prime Minister Ana Rocha", "Deputy Prime Minister", None),
        ("Finnish President-elect Ana Rocha", "President-elect", "FIN"),
        ("Ambassador-at-large Ana Rocha", "Ambassador-at-large", None),
        ("Vice-President Ana Rocha", "Vice-President", None),
        ("Sen. Ana Rocha of Peru", None, "PER"),
    ],
)
def test_titles_and_ranks_are_split_from_the_name(
    phrase: str, title: str | None, country: str | None
) -> None:
    result = extract(f'Talks\n\n"We are ready," said {phrase}.')
    assert speakers(result) == ["ana-rocha"]
    person = actor(result, "ana-rocha")
    assert (person.name, person.title, person.country) == ("Ana Rocha", title, country)


def test_a_state_possessive_is_the_country_of_a_body_and_no_part_of_its_name() -> None:
    result = extract(
        'Talks\n\n"We will respond," Finland\'s Coastal Council said in a statement on Monday.'
    )
    assert speakers(result) == ["coastal-council"]
    body = actor(result, "coastal-council")
    assert (body.name, body.kind, body.country, body.affiliation) == (
        "Coastal Council",
        "organization",
        "FIN",
        "finland",
    )


def test_a_former_official_has_a_country_but_speaks_for_no_state() -> None:
    result = extract('Talks\n\n"It was a mistake," said Anna Kovacs, a former ambassador of Chile.')
    person = actor(result, "anna-kovacs")
    assert (person.country, person.affiliation) == ("CHL", None)


@pytest.mark.parametrize("president", ["Karl Sokolov", "Karl Weiss"])
def test_a_role_is_only_the_title_right_before_a_name_not_the_clause_before_it(
    president: str,
) -> None:
    # "The spokesman said President …": the president is no spokesman, curated or not
    world = Gazetteer.build(
        [
            KnownActor("finland", "Finland", "state", "FIN", None, (), ("Finnish",), ()),
            KnownActor("karl-weiss", "Karl Weiss", "person", "FIN", "President", (), (), ()),
        ]
    )
    result = extract_article(
        "Border talks\n\nForeign ministry spokesman Ivan Orlov spoke in Helsinki. The "
        f"spokesman said President {president} had discussed the matter with his Finnish "
        'counterpart. "Both leaders agreed to meet again," the spokesman added.\n\n'
        '"We will not comment on rumours," he said.',
        world,
    )
    assert speakers(result) == ["ivan-orlov", "ivan-orlov"]


NAMESAKES = Gazetteer.build(
    [
        KnownActor("peru", "Peru", "state", "PER", None, (), ("Peruvian",), ("Lima",)),
        KnownActor("elmer-rojas", "Elmer Rojas", "person", "PER", "Foreign Minister", (), (), ()),
        KnownActor("ana-maria-paz", "Ana María Paz", "person", "PER", "Senator", (), (), ()),
    ]
)


def test_a_curated_surname_after_another_given_name_is_another_person() -> None:
    result = extract_article(
        "Fishing row\n\nForeign Minister Elmer Rojas spoke on Monday. Manuel Rojas, a former "
        'ambassador, disagreed. "The lawyers will find a way," he said.',
        NAMESAKES,
    )
    assert speakers(result) == ["manuel-rojas"]


def test_a_surname_alone_is_the_person_last_named_in_full_with_it() -> None:
    result = extract_article(
        "Fishing row\n\nForeign Minister Elmer Rojas spoke on Monday.\n\nLucia Rojas, a "
        'researcher at a policy centre, said the row would pass. "Nobody wants a fight," '
        'Rojas said.\n\n"It will pass," María Paz said.',
        NAMESAKES,
    )
    assert speakers(result) == ["lucia-rojas", "ana-maria-paz"]


def test_a_pronoun_after_a_surname_resolved_in_context_reaches_that_person() -> None:
    result = extract_article(
        'Fishing row\n\nSenator Ana María Paz said she would ask questions. "We want '
        'answers," she said.\n\nLucia Rojas, a researcher at a policy centre, said the row '
        'would pass. "Nobody wants a fight," Rojas said.\n\nShe said the row showed the limits '
        'of the treaty. "On paper we agree," she said.',
        NAMESAKES,
    )
    assert speakers(result) == ["ana-maria-paz", "lucia-rojas", "lucia-rojas"]


def test_a_possessor_is_no_subject_and_a_relative_named_in_apposition_is_a_person() -> None:
    result = extract(
        "Trader held\n\nInterior Minister Ana Soto said the trader Pablo Ruiz was held "
        'lawfully. "He broke our rules," she said.\n\nRuiz\'s lawyer, Tomas Vidal, said his '
        'client had not been charged. "My client has every paper," he said.\n\nRuiz\'s wife, '
        "Elena Marsh, said he was ill. Speaking in Lima, she appealed to the minister.\n\n"
        '"Let my husband come home," she said.'
    )
    assert speakers(result) == ["ana-soto", "tomas-vidal", "elena-marsh"]


def test_a_title_of_the_sentence_before_says_nothing_of_a_gender() -> None:
    result = extract(
        'Gas row\n\nSpokeswoman Olga Lind spoke first. "We are used to this," the spokeswoman '
        "stressed. Energy Minister Pavel Brand, in turn, claimed that the government had "
        '"never blocked gas." "The gas is on the market," he said.'
    )
    assert speakers(result) == ["olga-lind", "pavel-brand", "pavel-brand"]


BODIES = Gazetteer.build(
    [
        KnownActor("norland", "Norland", "state", "NRL", None, (), ("Norlandic",), ("Vessby",)),
        KnownActor("sudoria", "Sudoria", "state", "SUD", None, (), ("Sudorian",), ("Port Amal",)),
        KnownActor(
            "norland-trade-ministry",
            "Trade Ministry of Norland",
            "organization",
            "NRL",
            None,
            ("Norlandic trade ministry",),
            (),
            (),
            "norland",
        ),
        KnownActor("coastal-league", "Coastal League", "organization", None, None, ("CL",), (), ()),
    ]
)


def test_an_opening_place_is_no_subject() -> None:
    result = extract_article(
        "Asylum row\n\nIn Port Amal, the Norlandic trade ministry said on Friday that asylum "
        'was "a principle no pressure will change."',
        BODIES,
    )
    assert speakers(result) == ["norland-trade-ministry"]


@pytest.mark.parametrize(
    "subject",
    ["A CL spokesman in Vessby", "A spokesperson for the Coastal League in Vessby"],
)
def test_a_place_after_a_body_or_its_spokesperson_is_where_they_spoke(subject: str) -> None:
    result = extract_article(
        f'Row\n\n{subject} said the league had "received reports from both parties."', BODIES
    )
    assert speakers(result) == ["coastal-league"]


def test_a_curated_body_whose_name_has_a_comma_is_found_whole() -> None:
    world = Gazetteer.build(
        [
            KnownActor("norland", "Norland", "state", "NRL", None, (), ("Norlandic",), ()),
            KnownActor(
                "norland-fisheries",
                "Department for Fisheries, Food and Coastal Affairs",
                "organization",
                "NRL",
                None,
                affiliation="norland",
            ),
        ]
    )
    result = extract_article(
        "Quota row\n\nA spokesperson for Norland's Department for Fisheries, Food and Coastal "
        'Affairs said the ministry was "deeply concerned by unilateral quotas."',
        world,
    )
    assert speakers(result) == ["norland-fisheries"]


def test_a_participle_after_a_document_is_not_its_reporting_verb() -> None:
    result = extract_article(
        "Balloon row\n\nThe Norlandic trade ministry said in a statement posted on Telegram that "
        'Sudoria was "punishing its own citizens."',
        BODIES,
    )
    assert speakers(result) == ["norland-trade-ministry"]


def test_its_ministry_is_the_ministry_of_the_state_the_pronoun_stands_for() -> None:
    result = extract_article(
        "Mining row\n\nNorland's government defended the licence. Its Trade Ministry said in a "
        'statement that Norland had "every right to sponsor it".\n\n"We are a small '
        'country," the ministry said.',
        BODIES,
    )
    assert speakers(result) == ["norland-trade-ministry", "norland-trade-ministry"]


def test_an_office_run_into_a_name_is_split_off() -> None:
    result = extract(
        "Border checks\n\nThe post was shared by the Finnish Green MP Lena Brook, who added her "
        'own comment: "She is right."'
    )
    assert speakers(result) == ["lena-brook"]
    assert actor(result, "lena-brook").name == "Lena Brook"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            'Canal deal\n\nResidents welcomed it. "Now there will be a schedule," said Zamira '
            "Abdy, a farmer.\n\nChilean Ambassador to Peru Liu Jian, who attended the ceremony, "
            'told reporters that Chile welcomed the deal. "Chile hopes for calm," he said.',
            "liu-jian",
        ),
        (
            "Water row\n\nMeanwhile, Vice President and Head of the Department of Environment "
            'Zahra Karimi, who visited the border, described it as "a catastrophe".\n\n"The dust '
            'does not recognise borders," she told reporters.',
            "zahra-karimi",
        ),
    ],
)
def test_a_long_title_with_to_or_of_before_a_name_introduces_the_person(
    text: str, speaker: str
) -> None:
    assert speakers(extract(text))[-1] == speaker


def test_an_unnamed_spokesperson_of_a_body_is_not_a_spokesman_named_long_before() -> None:
    result = extract_article(
        "Balloon row\n\nTrade ministry spokesman Ivan Orlov called the closure hysteria. "
        '"Smuggling is a crime on both sides," he said.\n\nAirports stayed shut on Monday. '
        "Hundreds of trucks waited at the border. Drivers slept in their cabs.\n\nThe Coastal "
        "League's spokesperson for trade said the league was ready to act. \"This is "
        'unacceptable," the spokesperson said.',
        BODIES,
    )
    assert speakers(result) == ["ivan-orlov", "coastal-league"]


def test_the_spokesman_of_a_body_just_after_a_named_one_is_that_one() -> None:
    result = extract_article(
        "Balloon row\n\nTrade ministry spokesman Ivan Orlov spoke on Monday. The Coastal "
        'League\'s spokesman said the league was ready. "We will act," the spokesman added.',
        BODIES,
    )
    assert speakers(result) == ["ivan-orlov"]


def test_a_one_word_name_in_apposition_to_a_body_is_that_body() -> None:
    result = extract(
        "Border closed\n\nThe Finnish hauliers' association, Kelta, said 1,200 trucks were "
        'stuck.\n\n"Our drivers sleep in their cabs," Kelta said in a statement.'
    )
    assert speakers(result) == ["kelta"]
    assert actor(result, "kelta").kind == "organization"


def test_the_diplomat_is_a_person_whose_title_places_them_in_a_foreign_service() -> None:
    ministry = extract(
        "Buoys row\n\n"
        'Helsinki calls the buoy dispute a bid to "stir up trouble along the river," '
        "Director of the Northern Department of the Finnish Foreign Ministry Oskar Brandt "
        "said in a radio interview.\n\n"
        '"Nobody ever drew that line on a map," the diplomat noted.'
    )
    assert speakers(ministry) == ["oskar-brandt", "oskar-brandt"]
    # a director of something else is no diplomat: the phrase names someone unnamed
    port = extract(
        "Buoys row\n\n"
        'Helsinki calls the buoy dispute a bid to "stir up trouble along the river," '
        "Director of the Harbour Department Oskar Brandt said in a radio interview.\n\n"
        '"Nobody ever drew that line on a map," the diplomat noted.'
    )
    assert speakers(port)[1] is None


def test_a_given_name_and_surname_introduce_a_person_without_a_role() -> None:
    result = extract(
        "Permit row\n\n"
        "Spokeswoman Anna Berg defended the rules. In the old town, 74-year-old Maria Lind "
        "held up the eviction notice for the cameras.\n\n"
        '"My whole family grew up on this street," she said.'
    )
    assert speakers(result) == ["maria-lind"]


MISSIONS = Gazetteer.build(
    [
        KnownActor("finland", "Finland", "state", "FIN", None, (), ("Finnish",), ("Helsinki",)),
        KnownActor("chile", "Chile", "state", "CHL", None, (), ("Chilean",), ("Santiago",)),
        KnownActor("peru", "Peru", "state", "PER", None, (), ("Peruvian",), ("Lima",)),
        KnownActor("fin-embassy-chile", "Embassy of Finland in Chile", "organization", "FIN",
                   None, ("Finnish Embassy in Chile",)),
        KnownActor("fin-embassy-peru", "Embassy of Finland in Peru", "organization", "FIN",
                   None),
    ]
)  # fmt: skip


@pytest.mark.parametrize(
    ("subject", "speaker"),
    [
        # the curated alias runs on past where the reporting phrase stops
        ("The Finnish Embassy in Chile", "fin-embassy-chile"),
        # the host named by its capital, and a name that is no alias
        ("The Finnish Embassy in Lima", "fin-embassy-peru"),
        ("The Finnish Embassy in Peru", "fin-embassy-peru"),
    ],
)
def test_an_embassy_in_a_place_is_that_states_mission_there(subject: str, speaker: str) -> None:
    text = (
        "Export row\n\n"
        f'{subject} put out a short note late on Friday, arguing that Helsinki "will not '
        'accept quotas it never signed."'
    )
    assert speakers(extract_article(text, MISSIONS)) == [speaker]


def test_a_common_noun_before_a_bodys_proper_name_is_no_part_of_the_name() -> None:
    result = extract(
        "Port row\n\n"
        "The fishermen's advocacy group Harbour Watch Council welcomed the ruling and urged "
        'the cabinet to "fine the owners, not warn them again."'
    )
    assert speakers(result) == ["harbour-watch-council"]
    assert actor(result, "harbour-watch-council").name == "Harbour Watch Council"


def test_a_byline_author_is_no_one_a_pronoun_reaches() -> None:
    result = extract(
        "Trade row\n\nBy Maria Lind, Helsinki\n\n"
        "Trade Minister Pella Soto, who has visited Santiago twice, sounded more careful.\n\n"
        '"A truce on tariffs settles nothing yet," she said.'
    )
    assert speakers(result) == ["pella-soto"]


def test_a_given_name_after_a_possessive_is_a_person() -> None:
    result = extract(
        "Trade row\n\nSpokeswoman Anna Berg defended the plan. The party's Maria Lind, whose "
        'district borders the port, welcomed the delay. "This was overdue," she said.'
    )
    assert speakers(result) == ["maria-lind"]


def test_the_minister_is_the_reporting_subject_rather_than_the_minister_she_names() -> None:
    result = extract(
        "Trade row\n\nTrade Minister Eva Lind met exporters on Monday. Lind said she would "
        "phone her Chilean counterpart, Commerce Minister Karl Weiss, on Friday. "
        '"He will hear from me what you heard today," the minister said.'
    )
    assert speakers(result) == ["eva-lind"]


@pytest.mark.parametrize("opening", ["Separately,", "In Lima on Thursday,", "Meanwhile,"])
def test_the_spokesperson_is_the_unnamed_one_just_introduced_for_a_body(opening: str) -> None:
    result = extract(
        "Chip row\n\nFinnish Foreign Ministry spokesperson Karl Weiss made the remarks at a "
        f"regular briefing.\n\n{opening} a spokesperson for the Ministry of Industry told a "
        'radio station that the levies "punish our smelters for nothing."\n\n"We expect '
        'the levies to be dropped by spring," the spokesperson said.'
    )
    assert speakers(result) == ["ministry-of-industry", "ministry-of-industry"]


def test_a_title_before_a_given_name_is_no_part_of_the_person_introduced() -> None:
    result = extract(
        "Bay row\n\nHis daughter, Maria Lind, who runs the office, said crews were angry. "
        '"They are called criminals," she said.\n\nResearchers disagree with each other. '
        "Dr Helen Marsh of the Harbour Institute, who counts the fish each spring, said the "
        'nets did harm. "Shared monitoring would settle most of this," she said.'
    )
    assert speakers(result) == ["maria-lind", "helen-marsh"]


def test_a_hyphenated_given_name_introduces_the_whole_name() -> None:
    result = extract(
        "Canal row\n\nA spokesman for the Chilean Trade Ministry called the talks a failure.\n\n"
        "Jean-Maria Castel, who keeps bees near the border, spoke after the meeting.\n\n"
        '"She offered a border council, and that is a first," he said.'
    )
    assert speakers(result) == ["jean-maria-castel"]


def test_a_sentence_opening_conjunction_is_no_part_of_the_name_it_introduces() -> None:
    result = extract(
        "Border talks\n\n"
        "The writer Boris Salan was arrested in Helsinki last month.\n\n"
        "But Karel Odali, a lecturer in international relations, said the arrest was planned.\n\n"
        '"Nobody believes it was a coincidence," he told reporters.'
    )
    assert speakers(result) == ["karel-odali"]


@pytest.mark.parametrize(
    ("full", "alone", "slug"),
    [
        ("Karel Ould-Ali", "Ould-Ali", "karel-ould-ali"),
        ("Mariam Al Sabri", "Al Sabri", "mariam-al-sabri"),
    ],
)
def test_a_hyphenated_or_particle_surname_alone_is_the_person_named_in_full(
    full: str, alone: str, slug: str
) -> None:
    result = extract(
        "Border talks\n\n"
        f"{full}, a lecturer in international relations, spoke on Monday.\n\n"
        f'{alone} said the government was under pressure from "those who never wanted a thaw."'
    )
    assert speakers(result) == [slug]


@pytest.mark.parametrize(
    ("introduction", "reference", "speaker"),
    [
        (
            "Every morning, Esther Lenko joins the queue with a basin of fish.",
            "the trader",
            "esther-lenko",
        ),
        ("Deputy Ivan Belov wrote that the arrests were political.", "the lawmaker", "ivan-belov"),
        (
            "A member of the parliament's foreign affairs committee, Aino Virtanen, told "
            "reporters the decision was a mistake.",
            "the lawmaker",
            "aino-virtanen",
        ),
        # an expert may be described as another kind of expert
        ("Ana Lind, a research fellow at the institute, spoke.", "the academic", "ana-lind"),
        # an official may be described as another kind of official
        ("Chief Cabinet Secretary Ivan Belov spoke on Monday.", "the top spokesman", "ivan-belov"),
        # an office is someone else's: "the president" after a spokesman
        ("Spokesman Ivan Belov told reporters the talks would resume.", "the president", None),
        # a minister is no analyst, and "the spokeswoman" is no man
        ("Minister Ana Lind met reporters on Monday.", "the analyst", None),
        ("Minister Ivan Belov met reporters on Monday.", "the spokeswoman", None),
    ],
)
def test_a_definite_role_nobody_was_named_with_is_the_person_just_named(
    introduction: str, reference: str, speaker: str | None
) -> None:
    result = extract(f'Border talks\n\n{introduction}\n\n"We will not give up," {reference} said.')
    assert speakers(result) == [speaker]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an anonymous source inside a body is nobody the article names, nor the body
        (
            'A source in the Finnish Water Board told reporters the tests were "in order."\n\n'
            '"All procedures are complete," the source said.',
            [None, None],
        ),
        # plural sources need no determiner to be unnamed
        (
            "The Peruvian Defence Ministry held a briefing. Sources from the Peruvian "
            'Defence Ministry said the navy was "monitoring the situation closely".',
            [None],
        ),
        # a bare spokesperson speaks for the body the sentence before has as its subject
        (
            'The Chilean Water Board rejected the offer.\n\n"There can be no deal," a '
            "spokeswoman said.",
            ["chilean-water-board"],
        ),
        # "a museum spokesperson": the museum named earlier
        (
            "In a statement, the Lima National Museum said it was open to talks. A museum "
            'spokesperson said: "We operate within the law."',
            ["lima-national-museum"],
        ),
        # an abbreviation stands for the body the article named in full
        (
            "The Lima River Commission (LRC) said it had received notice of the project. "
            '"Dialogue remains the best way," an LRC spokesperson said.',
            ["lima-river-commission"],
        ),
        # a person as the subject before gives a bare spokesperson no body
        (
            'Ana Soto rejected the offer.\n\n"There can be no deal," a spokeswoman said.',
            [None],
        ),
    ],
)
def test_unnamed_sources_and_spokespeople_follow_the_guide(
    text: str, expected: list[str | None]
) -> None:
    assert speakers(extract("Border talks\n\n" + text)) == expected


def test_a_given_name_that_folds_to_a_demonym_is_no_state() -> None:
    result = extract(
        "Border talks\n\n"
        'Senator Ana Soto said the government had "put the harvest at risk."\n\n'
        "Chileán Ortega, a former ambassador, was more sympathetic. "
        '"The images shocked the whole country," he said.'
    )
    assert speakers(result) == ["ana-soto", "chilean-ortega"]


@pytest.mark.parametrize(
    ("introduction", "slug"),
    [
        # a person introduced by their age alone
        ("Olu Adeyemi, 45, has fished these waters since boyhood.", "olu-adeyemi"),
        ("Yevgeny Prokhorov, 61, has fished these waters since boyhood.", "yevgeny-prokhorov"),
        # surname particles after a role, one or two of them
        ("Retired teacher Ahmed bin Khalid joined the protest on Sunday.", "ahmed-bin-khalid"),
        ("Retired teacher Luis de la Cruz joined the protest on Sunday.", "luis-de-la-cruz"),
    ],
)
def test_a_person_introduced_without_a_reporting_verb_is_the_later_pronoun(
    introduction: str, slug: str
) -> None:
    result = extract(
        f"Harbour row\n\n{introduction}\n\nThe harbour was closed in March after a row between "
        'the two governments.\n\n"We cannot wait another season," he said.'
    )
    assert speakers(result) == [slug]


def test_a_body_spokesperson_in_a_capital_speaks_for_that_state_s_body() -> None:
    world = Gazetteer.build(
        [
            *WORLD.actors,
            KnownActor(
                "peru-foreign-ministry",
                "Peruvian Foreign Ministry",
                "organization",
                "PER",
                None,
                (),
                (),
                (),
                "peru",
            ),
        ]
    )
    result = extract_article(
        'Border talks\n\n"We will wait," said a Foreign Ministry spokesman in Lima.', world
    )
    assert speakers(result) == ["peru-foreign-ministry"]


@pytest.mark.parametrize(
    ("subject", "speaker"),
    [
        # a personal pronoun in the sentence shows the name is a person's
        ("Bakhtiyor Yusupov and his brother have waited at the crossing", "bakhtiyor-yusupov"),
        # a body opens a sentence the same way, and is no one a "he" can be
        ("Harbour Rights Watch has criticised the closure", "karl-weiss"),
    ],
)
def test_a_sentence_subject_unknown_to_the_data_is_a_person_only_with_a_pronoun(
    subject: str, speaker: str
) -> None:
    result = extract(
        'Harbour row\n\nForeign Minister Karl Weiss said the talks were "over".\n\n'
        f"The border has been closed since March.\n\n{subject}.\n\n"
        'Traders have lost millions.\n\n"Nobody listens to us," he said.'
    )
    assert speakers(result)[-1] == speaker


# Round 8: the discourse model keeps the subject of every reporting clause, introduces
# people and bodies by the forms news uses, and weighs recency over a far-back gender.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the subject of a reporting clause that quotes no one outranks a person it names,
        # even after an opening clause that names someone else
        (
            "Spokesman Ivan Dahl opened the briefing.\n\n"
            "Questioned on whether Premier Karl Weiss had met the visiting envoy, Tomas "
            "Brandt, the spokesman replied that no meeting was scheduled.\n\n"
            '"The premier reads every letter himself," he said.',
            "ivan-dahl",
        ),
        # a family name written first, alone as a reporting subject, is the person
        (
            "Spokeswoman Zhou Lan opened the briefing. Professor Ana Rocha said the quota "
            "was lawful.\n\nZhou asked the neighbours to wait for the survey. "
            '"The figures will be public in May," she said.',
            "zhou-lan",
        ),
        # a spokesperson for a body named in apposition is the person, not the body
        (
            "Pilot row\n\nA spokeswoman for the Harbour Pilots Guild, Ana Rocha, said the "
            'new tariffs were lawful.\n\n"Every pilot was consulted," she said.',
            "ana-rocha",
        ),
        # a person the sentence before introduces as its subject outranks a woman named
        # earlier, and so does one quoted after a long apposition
        (
            "Minister Ana Rocha spoke first.\n\nAt the ferry pier, trader Rosalind Okonkwo "
            'counted her crates.\n\n"We sell whatever arrives," she said.',
            "rosalind-okonkwo",
        ),
        (
            "Minister Ana Rocha spoke first.\n\nDr Ifeoma Keller, a historian at the Vessby "
            "Institute of Maritime Affairs, said the quarrel was older than both "
            'governments.\n\n"The maps were drawn in a hurry," she said.',
            "ifeoma-keller",
        ),
        # "In her words" / "In his opinion" is the speaker the pronoun stands for
        (
            "Deputy Minister Ana Rocha told reporters the offer stood.\n\nIn her view, the "
            'ferry timetable "can wait until spring".',
            "ana-rocha",
        ),
        # a pronoun after a role noun is no evidence of the named person's gender
        (
            "Deputy Minister Noor Sahak said the attaché would carry a letter back to his "
            'capital.\n\n"The position stands," she said.',
            "noor-sahak",
        ),
        # "a fisherman who would not give his name" is someone unnamed, not a man named
        # before
        (
            "Minister Karl Weiss said the talks would go on.\n\nIn the port, a fisherman who "
            'would not give his name said the patrols had stopped. "Nobody checks the nets '
            'now," he said.',
            None,
        ),
        # people introduced by a kin noun or an apposition headed by what they do
        (
            "Minister Ana Rocha spoke first.\n\nAt the quay, the sister of one of the "
            "arrested sailors, Zara Okafor, said her brother had worked the barges since "
            'school.\n\n"He only carries grain," she said.',
            "zara-okafor",
        ),
        (
            "Minister Ana Rocha spoke first.\n\nAmong the protesters was Zara Okafor, a "
            "retired schoolteacher from Vessby, who said the reservoir plan ignored the "
            'valley. "We wrote letters for a year," she wrote.',
            "zara-okafor",
        ),
        # "Another envoy … sounded less sure" is someone unnamed, not a woman named before
        (
            "Minister Ana Rocha said the talks would go on.\n\nAnother envoy, whose "
            'government had funded the project, sounded less sure. "It may yet pass '
            'quietly," she said.',
            None,
        ),
    ],
)
def test_the_discourse_keeps_reporting_subjects_and_new_people(
    text: str, expected: str | None
) -> None:
    assert speakers(extract("Harbour row\n\n" + text))[-1] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a lone name with a body in apposition is that body
        (
            'Vesscom, the regional ports association, said the levy was "a burden on dockers".',
            "vesscom",
        ),
        # a body's name that opens with its head, after a word that places it
        (
            "The Vessby-based Council of Coastal Towns, which meets twice a year, said the "
            'tariff was "a tax on fishermen".',
            "council-of-coastal-towns",
        ),
        # an apposition with a clause of its own is skipped to reach the subject
        (
            "The Harbour Bridge and Ferry Commission, the agency that runs the crossings, "
            'said the timetable "will be restored by June".',
            "harbour-bridge-and-ferry-commission",
        ),
        # an abbreviation stands for the body the article spelled out, curated or not
        (
            "The Harbour Community of Northern Coastal States (HCNCS) met on Monday. HCNCS "
            'said the fishing season would be "calm and orderly".',
            "harbour-community-of-northern-coastal-states",
        ),
        # a document of a body, or a body's statement introduced by "with", is the body's
        (
            "A communiqué was issued on Monday.\n\nThe communiqué of the Harbour Ministry "
            'ended by noting that the port "will stay open to all flags".',
            "harbour-ministry",
        ),
        (
            "The Coastal Secretariat of Fisheries hit back with a note saying that the "
            'quotas were "fixed by law".',
            "coastal-secretariat-of-fisheries",
        ),
        # "the Foreign Ministry" without a state is the curated one of the state named
        (
            'Talks in Lima\n\nIn Lima, the Foreign Ministry said the visit was "not on the '
            'agenda".',
            "peru-foreign-ministry",
        ),
        # a state's official by role is the person, not the state
        (
            'Peru\'s deputy minister for trade says Lima expects "a quick answer" on the quotas.',
            "marta-quispe",
        ),
    ],
)
def test_bodies_and_officials_are_named_by_the_forms_news_uses(
    text: str, expected: str | None
) -> None:
    world = Gazetteer.build(
        [
            *WORLD.actors,
            KnownActor(
                "peru-foreign-ministry",
                "Ministry of Foreign Affairs of Peru",
                "organization",
                "PER",
                None,
                ("Peruvian Foreign Ministry",),
                (),
                (),
                "peru",
            ),
            KnownActor(
                "marta-quispe",
                "Marta Quispe",
                "person",
                "PER",
                "Deputy Minister for Trade of Peru",
            ),
        ]
    )
    assert speakers(extract_article("Island row\n\n" + text, world))[-1] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a clause after the quotation with its own subject and verb is not its reporting
        # clause: a participle, a relative, a verb with its own that-clause
        (
            'Ambassador Ana Rocha said Norland had received "with relief" the letters of two '
            "mayors pledging their support.",
            "ana-rocha",
        ),
        (
            'The Harbour Office said the storm had sunk "several small boats" from two '
            "villages that it said had ignored the warnings.",
            "harbour-office",
        ),
        (
            'A Vessby official, who asked not to be named, said Norland had been "taken by '
            'surprise" in the week Sudoria confirmed that it would close the canal.',
            None,
        ),
        # a participle phrase is no part of the subject
        ('A pilot cited in the audit described it plainly: "The radar was off."', None),
        # a question after the quotation is no reporting clause
        (
            'Q: Two governors disagree. One of them said Vessby was "gambling with the '
            'harvest." Does the cabinet speak for the regions?',
            None,
        ),
        # a second that-clause belongs to the verb of the first
        (
            "Minister Tomas Brandt spoke first. He noted that the governor had urged the "
            'agency to repair the dykes, and that she would visit the coast "to see the '
            'damage herself."',
            "tomas-brandt",
        ),
        # the one told in a passive is no speaker; the verb before names one
        (
            'The Harbour Office said the captain was told that the berth was "reserved for cargo".',
            "harbour-office",
        ),
        # the first person as a reporting subject leaves the statement to the interview
        (
            "Ana Rocha is Norland's trade envoy.\n\nQ: Any progress?\n\nROCHA: When we met "
            'in Vessby I told the other side, "Our offer has a deadline."',
            "ana-rocha",
        ),
    ],
)
def test_a_clause_of_its_own_names_no_speaker(text: str, expected: str | None) -> None:
    assert speakers(extract("Harbour row\n\n" + text))[-1] == expected


def test_a_role_followed_by_its_verb_is_no_apposition_to_the_name_before_it() -> None:
    # "Pressed on X, the chief engineer replied": X is no person the role describes
    result = extract(
        "Harbour row\n\nPressed on whether Norland would bring the dispute before the "
        "Coastal Nations, the chief engineer replied that every route was open.\n\n"
        '"The dredgers are ready," she said.'
    )
    assert "coastal-nations" not in speakers(result)
    assert all(a.slug != "coastal-nations" for a in result.new_actors)
