"""Who said each statement."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.extraction import ArticleExtraction, Gazetteer, KnownActor, extract_article

Extract = Callable[[str], ArticleExtraction]


def speakers(result: ArticleExtraction) -> list[str | None]:
    return [s.speaker for s in result.statements]


@pytest.mark.parametrize(
    "text",
    [
        '"We will respond to any aggression," Kanani said.',
        '"We will respond to any aggression," said Kanani.',
        '"We will respond to any aggression," Kanani added.',
        '"We will respond to any aggression," Kanani stressed on Monday.',
        '"We will respond to any aggression," Kanani told reporters.',
        '"We will respond to any aggression," Nasser Kanani, the ministry spokesman, said.',
        'Kanani said that "we will respond to any aggression."',
        'Kanani noted: "We will respond to any aggression."',
        'Kanani underscored that Iran "will respond to any aggression."',
        'Kanani emphasized, "We will respond to any aggression."',
        'Kanani: "We will respond to any aggression."',
        'According to Kanani, "we will respond to any aggression."',
        '"We will respond to any aggression," according to Kanani.',
        '"We will respond to any aggression," IRNA quoted Kanani as saying.',
        'Iranian Foreign Ministry spokesman Nasser Kanaani declared that Tehran "will respond '
        'to any aggression."',
    ],
)
def test_attribution_patterns_name_the_speaker(extract: Extract, text: str) -> None:
    assert speakers(extract(text)) == ["nasser-kanani"]


def test_speaker_text_is_the_phrase_as_written(extract: Extract) -> None:
    text = 'Iranian Foreign Ministry spokesman Nasir Kenani said: "We demand explanations."'
    statement = extract(text).statements[0]
    assert statement.speaker_text == "Iranian Foreign Ministry spokesman Nasir Kenani"
    assert statement.speaker == "nasser-kanani"


def test_transliteration_and_accent_variants_resolve_to_the_curated_person(
    gazetteer: Gazetteer,
) -> None:
    def slug(name: str) -> str | None:
        actor = gazetteer.resolve(name)
        return actor.slug if actor is not None else None

    assert slug("Nasir Kenani") == "nasser-kanani"
    assert slug("Kanaani") == "nasser-kanani"
    assert slug("Pezeşkian") == "masoud-pezeshkian"
    assert slug("the Iranian Foreign Ministry") == "iran-foreign-ministry"
    assert slug("Tehran") == "iran"
    assert slug("Said") is None


def test_surname_alone_resolves_to_the_known_person(extract: Extract) -> None:
    result = extract('"Relations are improving," Pezeşkian said.')
    assert speakers(result) == ["masoud-pezeshkian"]
    assert result.statements[0].speaker_text == "Pezeşkian"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '"The claims are groundless," the Azerbaijani Defense Ministry stated.',
            "azerbaijan-defense-ministry",
        ),
        (
            '"We demand explanations," the Iranian Foreign Ministry said in a statement.',
            "iran-foreign-ministry",
        ),
        (
            "The Azerbaijani Defense Ministry issued a statement on Friday.\n\n"
            'The statement reads that "the accusations are absurd and unacceptable."',
            "azerbaijan-defense-ministry",
        ),
        (
            "The Azerbaijani Defense Ministry rejected the claims.\n\n"
            '"Our army liberated our lands on its own," the ministry said.',
            "azerbaijan-defense-ministry",
        ),
        (
            "The Azerbaijani Defense Ministry rejected the claims. The ministry reminded Iran "
            'that "its forces never crossed the border."',
            "azerbaijan-defense-ministry",
        ),
        ('"Contacts are continuing with both capitals," the Kremlin said.', "russia"),
        (
            "Tehran's Foreign Ministry said: “The embassy will reopen soon.”",
            "iran-foreign-ministry",
        ),
    ],
)
def test_organisations_speak_as_themselves(extract: Extract, text: str, expected: str) -> None:
    assert speakers(extract(text)) == [expected]


def test_pronoun_refers_to_the_subject_of_the_previous_sentence(extract: Extract) -> None:
    text = (
        "Pezeshkian met Aliyev and Bayramov in Baku on Monday.\n\n"
        '"Iran will support its neighbours in every way," he said.'
    )
    assert speakers(extract(text)) == ["masoud-pezeshkian"]


def test_pronoun_can_refer_to_a_person_the_curated_data_does_not_know(extract: Extract) -> None:
    text = (
        "The latest statement by Ali Akbar Velayati, the adviser to Iran's supreme leader, "
        "shows that Iran has taken a step back after Pezeshkian met Aliyev.\n\n"
        '"Iran will support its neighbours in every way," he said.'
    )
    result = extract(text)
    assert speakers(result) == ["ali-akbar-velayati"]
    assert result.new_actors[0].name == "Ali Akbar Velayati"


def test_pronoun_skips_an_opening_adverbial_to_reach_the_subject(extract: Extract) -> None:
    text = (
        "During a meeting with Azerbaijan's Foreign Minister Jeyhun Bayramov, Pezeshkian "
        "praised the ties.\n"
        '"There is no need to build walls at borders," he said.'
    )
    assert speakers(extract(text)) == ["masoud-pezeshkian"]


def test_pronoun_object_of_quoted_as_saying_is_the_speaker(extract: Extract) -> None:
    text = (
        "This statement was made on Monday by Nasser Kanani, official spokesman for the "
        "Iranian MFA.\n\n"
        '"The region needs stability and calm," the Iranian MFA Telegram channel quoted him '
        'as saying. - "We have tried to overcome these tensions."'
    )
    result = extract(text)
    assert speakers(result) == ["nasser-kanani", "nasser-kanani"]
    assert [s.speaker_text for s in result.statements] == ["him", "him"]


def test_role_reference_resolves_to_the_latest_person_with_that_role(extract: Extract) -> None:
    text = (
        "Foreign Minister Jeyhun Bayramov met Iranian President Masoud Pezeshkian.\n\n"
        '"Dialogue is the only way forward," the minister said.\n\n'
        '"We agree with our neighbours," the president added.'
    )
    assert speakers(extract(text)) == ["jeyhun-bayramov", "masoud-pezeshkian"]


def test_short_reference_to_an_unknown_official_reaches_the_new_actor(extract: Extract) -> None:
    text = (
        "Russian Foreign Ministry spokeswoman Maria Zakharova spoke on Monday.\n"
        '"We are ready to provide all necessary assistance," she said.\n'
        '"Moscow keeps close contacts with both capitals," the spokeswoman added.'
    )
    result = extract(text)
    assert speakers(result) == ["maria-zakharova", "maria-zakharova"]


def test_unknown_speaker_becomes_a_new_actor_with_country_title_and_affiliation(
    extract: Extract,
) -> None:
    text = (
        '"Tehran has been escalating for months," Azerbaijani political analyst Nasimi '
        'Mammadli told ASTNA.\n\n"Baku will not be intimidated," Mammadli added.\n\n'
        '"We handed over a note of protest," Azerbaijani Foreign Ministry spokesperson '
        "Aykhan Hajizada said."
    )
    result = extract(text)
    assert speakers(result) == ["nasimi-mammadli", "nasimi-mammadli", "aykhan-hajizada"]
    analyst, spokesperson = result.new_actors
    assert (analyst.slug, analyst.name, analyst.kind) == (
        "nasimi-mammadli",
        "Nasimi Mammadli",
        "person",
    )
    assert (analyst.country, analyst.title, analyst.affiliation) == (
        "AZE",
        "political analyst",
        None,
    )
    assert spokesperson.country == "AZE"
    assert spokesperson.affiliation == "azerbaijan-foreign-ministry"


def test_new_actor_named_by_surname_takes_the_full_name_given_earlier(extract: Extract) -> None:
    text = (
        "Elkhan Shahinoglu, a political scientist, remains sceptical.\n"
        '"Russian mediation has never favoured Azerbaijan," Shahinoglu said.'
    )
    result = extract(text)
    assert speakers(result) == ["elkhan-shahinoglu"]
    assert result.new_actors[0].name == "Elkhan Shahinoglu"
    assert result.new_actors[0].title == "political scientist"


def test_possessive_speech_noun_names_the_speaker(extract: Extract) -> None:
    text = (
        "Iran's statements in support of Armenia, such as \"Armenia's integrity is our red line\"."
    )
    assert speakers(extract(text)) == ["iran"]


def test_colon_at_the_end_of_a_paragraph_introduces_the_next_quotation(extract: Extract) -> None:
    text = (
        "According to Eli Cohen, Israel's position is clear:\n\n"
        "“Iran threatens the whole region and must be stopped.”"
    )
    assert speakers(extract(text)) == ["eli-cohen"]


def test_interview_answers_are_not_statements_but_name_the_interviewee_of_a_quoted_headline(
    extract: Extract,
) -> None:
    text = (
        '"Tehran will not change its policy towards Baku soon"\n'
        'Farid Mehdiyev, an expert, is cautious. "Iran\'s words need deeds," Mehdiyev told us.\n'
        "Question: Is Iran sincere?\n"
        "Answer: I doubt it. Tehran will not change its policy towards Baku soon.\n"
        "Question: And Russia?\n"
        "Answer: Moscow is busy elsewhere.\n"
    )
    result = extract(text)
    assert [s.text for s in result.statements] == [
        "Tehran will not change its policy towards Baku soon",
        "Iran's words need deeds,",
    ]
    assert speakers(result) == ["farid-mehdiyev", "farid-mehdiyev"]


def test_quotation_without_any_attribution_has_no_speaker(extract: Extract) -> None:
    result = extract('The border was calm.\n\n"Peace is possible, but it is fragile and far away."')
    assert speakers(result) == [None]
    assert result.statements[0].speaker_text is None


def test_unknown_body_becomes_a_new_organisation(extract: Extract) -> None:
    result = extract('"We are deeply concerned," the European Union said in a statement.')
    assert speakers(result) == ["european-union"]
    assert result.new_actors[0].kind == "organization"
    assert result.new_actors[0].name == "European Union"


def test_lone_unknown_word_is_no_evidence_of_a_person(extract: Extract) -> None:
    result = extract('Hamas said: "We accept the proposal." NATO said: "We welcome the deal."')
    assert speakers(result) == [None, "nato"]
    assert [(a.slug, a.kind) for a in result.new_actors] == [("nato", "organization")]


def test_anonymous_official_speaks_for_no_one_not_an_earlier_person(extract: Extract) -> None:
    # An anonymous source's words are not the state's position (heldout/README.md).
    text = (
        "Kanani spoke on Monday.\n\n"
        'A senior Iranian official, speaking on condition of anonymity, said: "We are not '
        'looking for a fight."\n\n"We will not be the first to shoot," the official said.'
    )
    assert speakers(extract(text)) == [None, None]


def test_unnamed_spokesperson_speaks_for_the_body_named(extract: Extract) -> None:
    text = (
        "The Iranian Foreign Ministry and the Azerbaijani Defense Ministry both issued "
        'statements.\n\n"We are not looking for a fight," a defense ministry spokesman '
        "told reporters."
    )
    assert speakers(extract(text)) == ["azerbaijan-defense-ministry"]


def test_unattributed_quote_takes_the_subject_of_the_sentence_before(extract: Extract) -> None:
    text = 'Bayramov was blunt. "We will not tolerate interference in our internal affairs."'
    assert speakers(extract(text)) == ["jeyhun-bayramov"]


def test_headline_attribution_after_the_clause_names_the_speaker(extract: Extract) -> None:
    result = extract("Iran 'will respond decisively' to any attack, says Amir-Abdollahian\n\nText.")
    assert speakers(result) == ["hossein-amir-abdollahian"]


# ------------------------------------------------------------------ rules for unseen text


@pytest.mark.parametrize(
    ("text", "slug", "name"),
    [
        ('"We saw the ships," said Commodore Jay Rivera, a navy spokesman.', "jay-rivera", ""),
        ('Shadow minister Dame Ann Hollis said: "This deal is a surrender."', "ann-hollis", ""),
        (
            'Lt. Gen. John Smith, the commander, said the drills were "routine and defensive."',
            "john-smith",
            "John Smith",
        ),
        (
            'His Excellency Dr Omar Haidari, the envoy, said talks were "going well."',
            "omar-haidari",
            "Omar Haidari",
        ),
        ('"We will not be silenced," said the country\'s chief rabbi, David Lau.', "david-lau", ""),
        (
            'Somalia\'s President Hassan Sheikh Mohamud said the deal was "null and void."',
            "hassan-sheikh-mohamud",
            "Hassan Sheikh Mohamud",
        ),
    ],
)
def test_new_actor_names_leave_out_ranks_and_honorifics(
    extract: Extract, text: str, slug: str, name: str
) -> None:
    result = extract(text)
    assert speakers(result) == [slug]
    if name:
        assert result.new_actors[0].name == name


def test_she_does_not_go_to_a_man_when_a_woman_was_named(extract: Extract) -> None:
    text = (
        "Azerbaijani Foreign Ministry spokeswoman Leyla Abdullayeva spoke after Kanani's "
        "briefing.\n\n"
        "Asked about Kanani's remarks on Monday, the spokeswoman said Baku was calm.\n\n"
        '"Our position has not changed," she said.'
    )
    assert speakers(extract(text)) == ["leyla-abdullayeva"]


def test_he_does_not_go_to_a_woman(extract: Extract) -> None:
    text = (
        "Maria Lopez, the mayor of the border town, criticised Bayramov. "
        '"He has abandoned us," she said.\n\n'
        "Bayramov met Ms Lopez later.\n\n"
        '"We have done everything possible," he said.'
    )
    assert speakers(extract(text)) == ["maria-lopez", "jeyhun-bayramov"]


def test_gender_from_kin_nouns_and_earlier_pronouns(extract: Extract) -> None:
    text = (
        "Leila Aziz, the sister of the late commander, addressed the rally.\n\n"
        "Pezeshkian, who took office last year, has promised an inquiry.\n\n"
        '"We want the truth," she said.'
    )
    assert speakers(extract(text)) == ["leila-aziz"]


def test_family_name_first_reference_reaches_the_full_name(extract: Extract) -> None:
    text = (
        "Foreign ministry spokesperson Wang Ling told a briefing that Beijing was watching.\n\n"
        '"We call on all sides to show restraint," Wang said.'
    )
    assert speakers(extract(text)) == ["wang-ling"]


def test_same_surname_with_another_given_name_is_another_person(extract: Extract) -> None:
    text = (
        "The bloc's chairman, Captain Ibrahim Kone, signed the communique.\n\n"
        'Aminata Kone, a researcher, said the tone was new. "This is unusual," she said.'
    )
    assert speakers(extract(text)) == ["aminata-kone"]


@pytest.mark.parametrize(
    "text",
    [
        # a role, then the name in apposition
        'Its spokeswoman, Leyla Abdullayeva, said the claims were "completely unfounded."',
        # a name, then a long description in apposition
        "Leyla Abdullayeva, a spokeswoman for the ministry in Baku, said the claims were "
        '"completely unfounded."',
        # an opening adverbial, a relative clause, then the verb
        "In Baku, Leyla Abdullayeva, who spoke after the meeting, said the claims were "
        '"completely unfounded."',
        # after the quotation: role, then name
        '"The claims are completely unfounded," a ministry spokeswoman, Leyla Abdullayeva, '
        "told reporters.",
        # a relative clause whose verb introduces the quotation
        "Kanani dismissed remarks by spokeswoman Leyla Abdullayeva, who said the claims were "
        '"completely unfounded."',
        # a second verb coordinated with the first
        "Spokeswoman Leyla Abdullayeva said Baku was calm and insisted the claims were "
        '"completely unfounded."',
    ],
)
def test_subject_across_appositions_and_relative_clauses(extract: Extract, text: str) -> None:
    assert speakers(extract(text)) == ["leyla-abdullayeva"]


def test_headline_quote_takes_the_speaker_of_the_body_statement(extract: Extract) -> None:
    text = (
        "Iran says Baku drills a 'grave threat' to the region\n\n"
        'The Iranian Foreign Ministry said on Monday the drills were a "grave threat to '
        'regional peace."\n'
    )
    result = extract(text)
    assert [s.text for s in result.statements] == [
        "grave threat",
        "grave threat to regional peace.",
    ]
    assert speakers(result) == ["iran-foreign-ministry", "iran-foreign-ministry"]


def test_crosshead_quote_is_a_statement_of_the_body_speaker(extract: Extract) -> None:
    text = (
        "Reactions in Baku\n\n"
        "14:05\n"
        "Analyst: 'Nobody wins'\n\n"
        "Nasimi Mammadli, a political analyst, was blunt.\n\n"
        '"Nobody wins a war like this," Mammadli said.\n'
    )
    result = extract(text)
    assert [s.text for s in result.statements] == ["Nobody wins", "Nobody wins a war like this,"]
    assert speakers(result) == ["nasimi-mammadli", "nasimi-mammadli"]


def test_body_named_by_head_word_alone_is_the_body_named_before(extract: Extract) -> None:
    text = (
        "The ministry welcomed the statement issued by the Caspian Economic Council, in which "
        'the Council "reaffirmed its support for the talks."'
    )
    assert speakers(extract(text)) == ["caspian-economic-council"]


def test_reporting_media_do_not_speak_the_reported_words(extract: Extract) -> None:
    text = (
        "State media reported that Pezeshkian visited a border post on Monday, calling for "
        '"a swift end to provocations."'
    )
    assert speakers(extract(text)) == ["masoud-pezeshkian"]


def test_interviewee_introduced_by_we_spoke_to(extract: Extract) -> None:
    text = (
        '"Tehran will not change course": a veteran diplomat on the crisis\n\n'
        "We spoke to Farid Mehdiyev, a former ambassador, about the crisis.\n\n"
        "Q: Will Iran change course?\n\n"
        "A: No. Tehran will not change course, whatever Baku does.\n"
    )
    assert speakers(extract(text)) == ["farid-mehdiyev"]


def test_she_continues_the_subject_of_the_sentence_before(extract: Extract) -> None:
    # a woman named earlier does not outrank the nearer subject of unknown gender
    text = (
        'Analyst Sarah Miles said: "The talks failed."\n\n'
        "Presidential spokesperson Kang Yu-jung told reporters the talks would go on.\n\n"
        '"We remain ready," she said.'
    )
    assert speakers(extract(text)) == ["sarah-miles", "kang-yu-jung"]


def test_names_with_accented_capitals_are_names(extract: Extract) -> None:
    text = (
        'Analyst Peter Hall said: "It failed."\n\n'
        "Gizem Özkan, a researcher at the Foreign Policy Institute, said officials were "
        'frustrated. "Syria is where the two could collide," she said.'
    )
    assert speakers(extract(text)) == ["peter-hall", "gizem-ozkan"]


def test_whole_name_in_apposition_after_a_role(extract: Extract) -> None:
    text = (
        'Analyst Peter Hall said: "It failed."\n\n'
        "In Hargeisa, Somaliland's foreign minister, Abdirahman Dahir Adan, said the region "
        'had not been consulted. "Nobody can negotiate for us," he told reporters.'
    )
    assert speakers(extract(text)) == ["peter-hall", "abdirahman-dahir-adan"]


def test_variant_spelling_inside_a_longer_name_is_someone_else(extract: Extract) -> None:
    text = '"We reject the allegations," said the representative, Mohamed Kanaani Abushahab.'
    assert speakers(extract(text)) == ["mohamed-kanaani-abushahab"]


def test_the_role_word_goes_to_the_person_who_last_spoke_with_that_role(extract: Extract) -> None:
    text = (
        'Foreign ministry spokesperson Peter Hall said: "It failed."\n\n'
        '"We are watching," coast guard spokesperson John Reed said.\n\n'
        '"It is over," Hall stressed.\n\n'
        'The spokesperson also said the award was "null and void."'
    )
    assert speakers(extract(text)) == ["peter-hall", "john-reed", "peter-hall", "peter-hall"]


def test_relative_clause_without_commas_is_not_the_subject(extract: Extract) -> None:
    text = 'A European diplomat who served in Tehran told me, "We kept saying partnership."'
    assert speakers(extract(text)) == [None]


def test_rank_before_a_name_in_apposition_leaves_the_name(extract: Extract) -> None:
    text = (
        'Analyst Peter Hall said: "It failed."\n\n'
        "Niger's military leader, General Abdourahamane Tiani, has said the transition "
        'could last "as long as necessary".'
    )
    assert speakers(extract(text)) == ["peter-hall", "abdourahamane-tiani"]


def test_according_to_a_document_defers_to_the_named_speaker(extract: Extract) -> None:
    text = (
        "Analyst Peter Hall, who led the delegation, said talks would continue to "
        '"enhance consensus", according to a readout published by the agency.'
    )
    assert speakers(extract(text)) == ["peter-hall"]


def test_pronoun_continues_the_unnamed_representative_of_a_state(extract: Extract) -> None:
    text = (
        'The representative of Azerbaijan said the text was "a step forward". '
        '"We will keep talking to everyone," she said.\n\n'
        'The representative of Iran said it was "unbalanced and hasty". '
        '"We abstained for that reason," he said.'
    )
    assert speakers(extract(text)) == ["azerbaijan", "azerbaijan", "iran", "iran"]


def test_name_with_a_particle_before_a_capitalised_title_is_introduced(extract: Extract) -> None:
    text = (
        "The Council heard a briefing by Peter de Hall, Personal Envoy of the Secretary-General, "
        "who warned that time was short.\n\n"
        '"The window is open, but not forever," he said.'
    )
    assert speakers(extract(text)) == ["peter-de-hall"]


def test_first_person_in_a_labelled_answer_is_the_label(extract: Extract) -> None:
    text = (
        "Headline\n\nWe spoke to Peter Hall, a former diplomat.\n\n"
        "Q: Was the pause a mistake?\n\n"
        'HALL: No. I said at the time, "Cooperation is not a reward for good behaviour."\n\n'
        "Q: And now?\n\n"
        "HALL: We must keep talking."
    )
    assert speakers(extract(text)) == ["peter-hall"]


def test_headline_words_said_in_a_labelled_answer_are_the_label_speaker(extract: Extract) -> None:
    text = (
        '"The Caspian cannot be frozen in time": an interview\n\n'
        "Anna Berg served as an envoy to the region until 2020. The transcript is edited.\n\n"
        "HOST: Was the pause a mistake?\n\n"
        "BERG: No. The Caspian cannot be frozen in time while we wait for the war to end."
    )
    assert speakers(extract(text)) == ["anna-berg"]


def test_one_unnamed_diplomat_and_plural_sources_are_anonymous(extract: Extract) -> None:
    text = (
        'EU diplomats said patience was wearing thin. "Both sides are waiting for the other '
        'to blink," said one senior EU diplomat, speaking on condition of anonymity.\n\n'
        'According to Iranian diplomatic sources, the projects will be "financed by oil sales".'
    )
    assert speakers(extract(text)) == [None, None]


def test_in_the_words_of_a_role_with_a_name_in_apposition(extract: Extract) -> None:
    text = (
        "In the words of the Vice Minister for Multilateral Affairs, Peter Hall, "
        '"the mechanism will allow us to act jointly."'
    )
    assert speakers(extract(text)) == ["peter-hall"]


def test_people_introduced_by_a_who_clause_or_a_civilian_role(extract: Extract) -> None:
    text = (
        'Analyst Peter Hall said trade was "back to normal".\n\n'
        "Anna Berg, who runs a family winery near Baku, said orders had returned.\n\n"
        '"We lost our biggest market overnight," she said.\n\n'
        "Near the border, Leyla Aliyeva, a 47-year-old rice farmer, said she was afraid.\n\n"
        '"We ran with only the clothes we had," she told reporters.'
    )
    assert speakers(extract(text)) == ["peter-hall", "anna-berg", "leyla-aliyeva"]


def test_a_four_word_name_before_a_capitalised_title_is_whole(extract: Extract) -> None:
    text = (
        "Maria Ana Lopez Berg, Assistant Secretary-General for Africa, said talks had stalled. "
        'The parties were "convinced that they can win", she said.'
    )
    assert speakers(extract(text)) == ["maria-ana-lopez-berg"]


def test_a_ministry_in_a_capital_is_the_ministry_not_the_state(extract: Extract) -> None:
    text = (
        "The foreign ministry in Tehran said in a statement that Iran "
        '"remains fully committed to the ceasefire".'
    )
    assert speakers(extract(text)) == ["iran-foreign-ministry"]


def test_a_leading_conjunction_is_no_part_of_the_speaker(extract: Extract) -> None:
    text = (
        "The Azerbaijani Defense Ministry met reporters in Baku.\n\n"
        "But the ministry issued a statement saying its officers "
        '"continue to believe in the value of cooperation."'
    )
    assert speakers(extract(text)) == ["azerbaijan-defense-ministry"]


def test_a_name_of_a_body_is_the_person(extract: Extract) -> None:
    text = 'Peter Hall of the Caspian Herders Council put it directly: "We lived here first."'
    assert speakers(extract(text)) == ["peter-hall"]


def test_a_hyphenated_title_names_the_curated_person_holding_it() -> None:
    world = Gazetteer.build(
        [
            KnownActor(
                "ana-berg", "Ana Berg", "person", None, "Secretary-General of the United Nations"
            )
        ]
    )
    text = 'In his report, the Secretary-General urged the parties "to engage in good faith".'
    assert speakers(extract_article(text, world)) == ["ana-berg"]


def test_continue_to_is_no_speech_verb(extract: Extract) -> None:
    text = (
        "Bayramov said after the meeting that Azerbaijan would continue to host talks "
        '"for as long as both parties want."'
    )
    assert speakers(extract(text)) == ["jeyhun-bayramov"]


def test_a_ministry_with_a_portfolio_word_is_the_whole_phrase(extract: Extract) -> None:
    text = (
        "Iran's commerce ministry, for its part, said in a statement that it "
        '"firmly supports the restoration of the body."'
    )
    assert extract(text).statements[0].speaker_text == "Iran's commerce ministry"


def test_an_address_opening_a_question_is_not_the_subject(extract: Extract) -> None:
    text = (
        "Analyst Peter Hall spoke first.\n\n"
        "QUESTION (Anna Berg, Reuters): Mr President, Tehran says the text was adopted "
        '"over the objections of Iran." How do you respond?\n\n'
        "QUESTION (Anna Berg, Reuters): Minister, Iran's foreign ministry wrote that Iran "
        '"could not accompany" the text. Is that real?'
    )
    assert speakers(extract(text)) == ["iran", "iran-foreign-ministry"]


def test_a_surname_with_a_lower_case_arabic_article(extract: Extract) -> None:
    text = (
        "Hind al-Tamimi, a hydrologist at the University of Tehran, said the text lacked "
        "guarantees.\n\n"
        '"A framework is only a framework," al-Tamimi told reporters. She said Iran needed '
        '"at least 500 cubic metres per second" from the dams.'
    )
    assert speakers(extract(text)) == ["hind-al-tamimi", "hind-al-tamimi"]


def test_the_head_of_state_is_the_leader_last_named(extract: Extract) -> None:
    text = (
        "The President of the Republic, Masoud Pezeshkian, said the border "
        '"should never have been closed". "There is no border between brothers," the Head '
        "of State added."
    )
    assert speakers(extract(text)) == ["masoud-pezeshkian", "masoud-pezeshkian"]


def test_a_relative_clause_after_the_quote_is_no_attribution(extract: Extract) -> None:
    text = (
        'The Azerbaijani Defense Ministry said the drills "once again demonstrated '
        'aggression," which it said were putting the region at risk.'
    )
    assert speakers(extract(text)) == ["azerbaijan-defense-ministry"]


def test_a_name_in_apposition_to_a_possessed_noun_is_introduced(extract: Extract) -> None:
    text = (
        'Analyst Peter Hall once said the body was "a disaster for everyone."\n\n'
        "His successor, Anna Berg, shows no greater appetite. The body, she told senators, "
        'had "lost its way."'
    )
    assert speakers(extract(text)) == ["peter-hall", "anna-berg"]


def test_paid_tribute_is_a_speech_verb(extract: Extract) -> None:
    text = (
        "In a speech at the ceremony, Anna Berg, a deputy minister, paid tribute to "
        '"all the workers who passed away at the mines."'
    )
    assert speakers(extract(text)) == ["anna-berg"]


def test_a_person_introduced_by_a_whose_clause(extract: Extract) -> None:
    text = (
        "Anna Berg, whose grandfather worked at the mines, said she had hoped to attend.\n\n"
        '"He did not go there because he wanted to," Berg told reporters.'
    )
    assert speakers(extract(text)) == ["anna-berg"]


def test_a_whose_clause_about_a_relative_says_nothing_of_gender(extract: Extract) -> None:
    text = (
        "Anna Berg, a deputy minister, said the workers were honoured.\n\n"
        "Lee Soo-min, whose grandfather worked at the mines from 1943 to 1945, said she had "
        "hoped to attend.\n\n"
        '"My grandfather did not go there because he wanted to," she told reporters.'
    )
    assert speakers(extract(text)) == ["lee-soo-min"]


def test_a_rank_before_a_name_in_apposition_to_a_role(extract: Extract) -> None:
    text = (
        "Its spokesman, Senior Col. Peter Hall, said the drills tested the ability to "
        '"seize superiority" and more.'
    )
    assert speakers(extract(text)) == ["peter-hall"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # two ranks before a name: the name is not cut after the first rank's match
        (
            "A naval historian, retired Major General Tariq Abu Nasser, wrote in a column that "
            'the fleet was "built for a different sea".\n\n"Nobody plans for this," the '
            "historian said.",
            ["tariq-abu-nasser", "tariq-abu-nasser"],
        ),
        # a modifier before the rank is no participle clause: the apposition names him
        (
            "A naval historian, retired Brigadier Salim Bin Rashed, wrote in a column that the "
            'fleet was "built for a different sea".',
            ["salim-bin-rashed"],
        ),
        (
            'Security adviser Leila Abu Hamdan said the plan was "not enough".\n\n'
            '"We need more," Abu Hamdan added.',
            ["leila-abu-hamdan", "leila-abu-hamdan"],
        ),
        (
            'The lawyer Ana de la Vega said: "This cannot stand."\n\n'
            '"It is a test," de la Vega said.',
            ["ana-de-la-vega", "ana-de-la-vega"],
        ),
    ],
)
def test_a_surname_with_a_particle_stays_whole(
    extract: Extract, text: str, expected: list[str]
) -> None:
    assert speakers(extract(text)) == expected


def test_a_new_persons_slug_drops_accents_as_the_annotation_guide_says(extract: Extract) -> None:
    text = (
        'Ayşe Koç, a teacher, said the road was "long overdue".\n\n'
        '"We have waited," said Çağrı Şahinoğlu, a farmer.'
    )
    result = extract(text)
    assert speakers(result) == ["ayse-koc", "cagri-sahinoglu"]
    assert {a.slug for a in result.new_actors} == {"ayse-koc", "cagri-sahinoglu"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a body speaking of its own state: the body, not the state it names
        (
            "The Azerbaijani Foreign Ministry, in a two-line written note to the press, said "
            'Azerbaijan maintained "warm ties with every neighbour".',
            ["azerbaijan-foreign-ministry"],
        ),
        (
            'The Azerbaijani Foreign Ministry said Azerbaijan insisted on "full respect for the '
            'agreements".',
            ["azerbaijan-foreign-ministry"],
        ),
        # counterexample: of another state, the later verb may report that state's words
        (
            'The Azerbaijani Foreign Ministry said Armenia insisted on "full respect for the '
            'agreements".',
            ["armenia"],
        ),
        # an infinitive speech verb has no subject of its own: the finite verb's subject speaks
        (
            "Spokeswoman Lena Berg said the ministry had called in the Armenian envoy posted in "
            'Baku to voice "deep unease about the drills".',
            ["lena-berg"],
        ),
        # a parenthesis (the name in another script) between the name and its participle
        (
            "Azerbaijan recalled its envoy on Monday, with Deputy Foreign Minister Lena Berg "
            '(莉娜) saying the step was "an answer to pressure at the border".',
            ["lena-berg"],
        ),
    ],
)
def test_the_reporting_clause_names_the_body_or_person_not_the_state_it_speaks_of(
    extract: Extract, text: str, expected: list[str | None]
) -> None:
    assert speakers(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the periods of abbreviated ranks are no punctuation between the quote and its clause
        (
            'The ferry route was shut.\n\n"Any boat that crosses will be stopped," Brig. Gen. '
            'Ivo Brandt, the coast guard chief, told a radio station. "We hope it never comes '
            'to that."',
            ["ivo-brandt", "ivo-brandt"],
        ),
        # a body's acronym in parentheses inside the speaker's phrase
        (
            "BAKU - Azerbaijan complained on Tuesday.\n\nAn Azerbaijani Foreign Ministry (MFA) "
            'spokesperson said Azerbaijan had "registered with alarm" the overflights.',
            ["azerbaijan-foreign-ministry"],
        ),
        # a lone word the article first wrote with a company's last word is that company
        (
            "Vessmark Pharma shares slid on Monday.\n\nVessmark said in a note to investors "
            'that it was "watching events hour by hour".',
            ["vessmark-pharma"],
        ),
        # counterexample: a lone word never completed stays no one
        (
            'Shares slid.\n\nVessmark said in a note to investors that it was "watching events '
            'hour by hour".',
            [None],
        ),
        # an apposition describing a company, with a relative clause of its own
        (
            "Ferries sailed again.\n\nSkyhop, the ferry line's subsidiary that runs the night "
            'crossing to Baku, said it would keep sailing "on the usual timetable" for now.',
            ["skyhop"],
        ),
    ],
)
def test_ranks_acronyms_and_companies_in_the_speaker_phrase(
    extract: Extract, text: str, expected: list[str | None]
) -> None:
    assert speakers(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "read out" is a verb: the reader introduces the quotation
        (
            "Deputy Minister Lena Berg read out the ministry's reply to the press corps gathered "
            "in the main hall of the ministry on Friday:"
            '\n\n"Every lawful remedy will be pursued."',
            ["lena-berg"],
        ),
        # counterexample: "a communiqué read out on television" is a participle, not the verb
        (
            "The Azerbaijani Foreign Ministry said in a communiqué read out on public television "
            'that the aircraft was hit "well inside our borders".',
            ["azerbaijan-foreign-ministry"],
        ),
        # a vague role is all the article gave the person who just spoke: "the MP" is her,
        # not a lawmaker paragraphs back
        (
            'Lawmaker Ivo Brandt said the deal was "a disgrace".\n\nThe session ran late.\n\n'
            "Lena Berg, a member of the parliament's budget committee, said deputies would file "
            'a motion.\n\n"This is about more than one budget line," the MP stressed.',
            ["ivo-brandt", "lena-berg"],
        ),
    ],
)
def test_readers_and_vague_roles(extract: Extract, text: str, expected: list[str | None]) -> None:
    assert speakers(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # of two curated foreign ministries: that of the side the article has been quoting
        (
            "Nasser Kanani, the Iranian spokesman, said the talks had failed.\n\n"
            '"We have said this many times," Kanani said after meeting the Azerbaijani envoy.'
            '\n\nHours later the Foreign Ministry wrote on its website: "The crew has to be '
            'released at once."',
            ["nasser-kanani", "iran-foreign-ministry"],
        ),
        # ... unless the ministry's own sentence names the state
        (
            "Nasser Kanani, the Iranian spokesman, said the talks had failed.\n\n"
            '"We have said this many times," Kanani said.\n\nIn Baku, the Foreign Ministry '
            'said it expected "an open inquiry with observers".',
            ["nasser-kanani", "azerbaijan-foreign-ministry"],
        ),
    ],
)
def test_which_states_ministry_an_unqualified_ministry_is(
    extract: Extract, text: str, expected: list[str | None]
) -> None:
    assert speakers(extract(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an apposition describing a company, whose relative clause runs long
        (
            "Ferries sailed again.\n\nSkyhop, the Azerbaijani ferry line's subsidiary that runs "
            "the only night crossing between the two ports, said its boats would keep sailing "
            '"on the usual timetable" for now.',
            ["skyhop"],
        ),
        # an undersecretary is a role: "Azerbaijan's undersecretary" is the person so named
        (
            "Azerbaijan's undersecretary for foreign affairs said the reply was \"far from "
            'enough".\n\nUndersecretary Lena Berg spoke on Monday.\n\n"We want facts," Berg '
            "said.",
            ["lena-berg", "lena-berg"],
        ),
    ],
)
def test_companies_and_undersecretaries(
    extract: Extract, text: str, expected: list[str | None]
) -> None:
    assert speakers(extract(text)) == expected


def test_an_external_affairs_ministry_saying() -> None:
    world = Gazetteer.build(
        [
            KnownActor("norland", "Norland", "state", "NRL", None, (), ("Norlandic",), ("Vessby",)),
            KnownActor(
                "norland-external-affairs-ministry",
                "Ministry of External Affairs of Norland",
                "organization",
                "NRL",
                None,
                ("external affairs ministry",),
                affiliation="norland",
            ),
        ]
    )
    text = (
        "VESSBY: Norland on Friday filed a complaint, with the Norlandic external affairs "
        'ministry saying the ban was "aimed squarely at our athletes".'
    )
    assert speakers(extract_article(text, world)) == ["norland-external-affairs-ministry"]


def test_an_answer_label_is_not_the_subject_of_a_quoted_third_party(extract: Extract) -> None:
    # "NAME:" opening an answer is a label, read like a dateline (its colon ends it): the
    # quoted words are the teacher's, whom the article does not name
    text = (
        "Q: Are you hopeful?\nLUNDQVIST: I am cautious by profession. But my old teacher used "
        'to say, "Rivers outlast treaties."\n'
    )
    assert speakers(extract(text)) == [None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "member states", "Nordic states" are the noun, never a reporting verb
        (
            'The Azerbaijani Foreign Ministry said shelter among member states was "a rare step".',
            ["azerbaijan-foreign-ministry"],
        ),
        (
            "The Azerbaijani Foreign Ministry urged the other Nordic states to "
            '"stand together on the matter of the strait".',
            ["azerbaijan-foreign-ministry"],
        ),
        # an acronym in parentheses after a body's name, though its initials differ
        (
            "Tolls go through the Vessby Canal Authority (ACV).\n\nA spokesperson for the ACV "
            'said fees are fixed "by a published formula".',
            ["vessby-canal-authority"],
        ),
        # an unnamed spokesperson of a named state speaks for it, not for the spokeswoman of
        # another state named in the next paragraph
        (
            "Armenia's cabinet spokesman, left unnamed by the report, said the country hoped for "
            '"a route to growth".\n\nIn Baku, Azerbaijani foreign ministry spokeswoman Lena '
            'Berg said Azerbaijan "notes the decision and hopes for more".',
            ["armenia", "lena-berg"],
        ),
    ],
)
def test_states_acronyms_and_unnamed_spokespersons(
    extract: Extract, text: str, expected: list[str | None]
) -> None:
    assert speakers(extract(text)) == expected


def test_an_organ_of_a_curated_body_is_a_body_of_its_own() -> None:
    world = Gazetteer.build(
        [
            KnownActor("harbour-community", "Harbour Community", "organization", None, None),
        ]
    )
    text = (
        "The General Secretariat of the Harbour Community announced that it would "
        '"review the whole file". It asked both members to "return to the table".\n\n'
        'The Harbour Community said it was "worried by the delays in both capitals".'
    )
    assert speakers(extract_article(text, world)) == [
        "general-secretariat-of-the-harbour-community",
        "general-secretariat-of-the-harbour-community",
        "harbour-community",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "'Talks moving in the right direction,' says Azerbaijani deputy FM\nExperts to meet next "
        "month, Deputy Foreign Minister Lena Berg says\n\nBAKU\n\nDeputy Foreign Minister "
        'Lena Berg said talks were "moving in the right direction".',
        "'Talks moving in the right direction,' says Azerbaijani PM\n\nPrime Minister Lena "
        'Berg said talks were "moving in the right direction".',
    ],
)
def test_a_headline_fm_or_pm_is_the_minister_the_article_names(extract: Extract, text: str) -> None:
    result = extract(text)
    assert speakers(result) == ["lena-berg", "lena-berg"]
    # a demonym names no one: the headline's phrase refers to her, and is measured as such
    assert result.statements[0].attribution.bucket == "refer/same"


@pytest.mark.parametrize(
    "text",
    [
        # the object of "told" before the reported clause
        'Lena Berg told reporters that Azerbaijan had asked the embassy for "a written account '
        'of the visit."',
        # a second that-clause of the same verb, after a quotation in the first
        'Secretary Lena Berg told reporters the bureau was "an embassy under another name" and '
        'that Azerbaijan had asked the embassy for "a written account of the visit."',
    ],
)
def test_a_state_in_the_clause_a_person_reports_is_not_the_speaker(
    extract: Extract, text: str
) -> None:
    assert set(speakers(extract(text))) == {"lena-berg"}


def test_an_assemblywoman_introduced_by_apposition_is_the_she_that_follows(
    extract: Extract,
) -> None:
    text = (
        '"We stay open to talks," said Ms Lena Berg.\n\nDeputy Minister Omar Rahman said the '
        'row was "about land, not aircraft".\n\nA provincial assemblywoman, Nuraini Yusof, '
        'said families were anxious. "No one consulted the town," she posted online.'
    )
    assert speakers(extract(text)) == ["lena-berg", "omar-rahman", "nuraini-yusof"]


def test_a_body_named_with_its_acronym_in_parentheses(extract: Extract) -> None:
    text = (
        "The Harbour Community of Northern States (HCNS) announced that it was "
        '"tracking the standoff closely" in both capitals.'
    )
    statement = extract(text).statements[0]
    assert statement.speaker == "harbour-community-of-northern-states"
    # the speaker phrase closes the parenthesis it opens
    assert statement.speaker_text == "The Harbour Community of Northern States (HCNS)"


def test_a_rank_or_style_before_a_full_name_introduces_the_person(extract: Extract) -> None:
    # no role and no reporting verb: "Rep." alone says a person is named, whom "she" can reach
    text = (
        '"I rang the consulate every week," said Park Sung-ho, whose son is missing.\n\n'
        'Rep. Yoon Mi-kyung of the opposition bloc asked for a new fund. "Someone must answer '
        'for this delay," she said at a hearing.'
    )
    assert speakers(extract(text)) == ["park-sung-ho", "yoon-mi-kyung"]


def test_a_possessive_pronoun_and_office_is_the_persons_office_not_a_new_body(
    extract: Extract,
) -> None:
    text = (
        "Brazil skipped the summit. Vice-President Joao Ramos had been due to attend. His "
        'office said that Brazil would not be represented "at any level" and that this was "a '
        'clear signal to our partners."'
    )
    result = extract(text)
    assert speakers(result) == ["joao-ramos", "joao-ramos"]
    assert [a.slug for a in result.new_actors] == ["joao-ramos"]


def test_a_later_mention_by_both_surnames_is_the_person_named_in_full(extract: Extract) -> None:
    text = (
        'Uruguayan Foreign Minister Pedro Salgado Ruiz rejected the claim. "We will not go '
        'back to court," he said. Later, Salgado Ruiz added: "Nobody wants that."\n\n'
        'Ana Ruiz, a nurse, disagreed. "It is not so simple," Ana Ruiz said.'
    )
    result = extract(text)
    assert speakers(result) == ["pedro-salgado-ruiz", "pedro-salgado-ruiz", "ana-ruiz"]
    assert [a.slug for a in result.new_actors] == ["pedro-salgado-ruiz", "ana-ruiz"]


def test_the_end_of_an_institutes_name_is_no_part_of_the_persons_name(extract: Extract) -> None:
    text = (
        "Senior fellow at the Institute of Trade and International Relations Marek Dvorak "
        'told reporters the row was old. "The dispute is seven years old," the expert said.'
    )
    result = extract(text)
    assert speakers(result) == ["marek-dvorak"]
    assert result.new_actors[0].name == "Marek Dvorak"


def test_a_sentences_opening_conjunction_is_no_part_of_a_bodys_name(extract: Extract) -> None:
    text = (
        "Norland offered a deal. But Vessby's government said on Wednesday it needed time. "
        '"We will consult widely," it said.'
    )
    result = extract(text)
    assert speakers(result) == ["vessby-government"]
    assert not any(a.slug.startswith("but-") for a in result.new_actors)


def test_a_ledes_unnamed_spokesperson_is_the_one_the_next_paragraph_names(
    extract: Extract,
) -> None:
    text = (
        'Norland says port safety "not negotiable"\n\n'
        "VESSBY, March 6 -- Norland on Wednesday kept its travel advisory, with a government "
        'spokesperson saying the safety of its sailors was "not negotiable" after ships were '
        "stopped.\n\n"
        "Speaking in Vessby, Norlandic government spokesperson Ivo Dalen said sailors had been "
        'detained for months.\n\n"We have documented forty cases," Dalen said.'
    )
    # the headline's words are the lede's, whose spokesperson the next paragraph names
    assert speakers(extract(text)) == ["ivo-dalen", "ivo-dalen", "ivo-dalen"]


def test_an_unnamed_spokesperson_after_the_lede_stays_unnamed(extract: Extract) -> None:
    text = (
        "Norland kept its travel advisory on Wednesday.\n\n"
        "Ships were stopped at the border post.\n\n"
        "Trade fell sharply in the spring.\n\n"
        'A government spokesperson said the rules were "under review for now".\n\n'
        "Norlandic government spokesperson Ivo Dalen said sailors had been detained for "
        'months. "We have documented forty cases," Dalen said.'
    )
    assert speakers(extract(text))[0] != "ivo-dalen"


def test_state_media_home_ministry_is_the_dateline_state_s(extract: Extract) -> None:
    # State-media style: the home ministry is named by its kind alone, and "The Ministry"
    # after it stays that ministry though the other state's ministry is named in between
    text = (
        "Baku recalls its envoy over cargo row\n"
        "Baku, March 3, AZERTAC -- The Republic of Azerbaijan has recalled its ambassador "
        "from Tehran and halted new cargo permits for Iran, the Ministry of Foreign Affairs "
        "announced today.\n\n"
        "Later the Ministry said it had learnt with regret of a letter from the Iranian "
        "Foreign Ministry about two detained drivers.\n\n"
        'The Ministry declared: "The letter lectures the Republic of Azerbaijan on its own '
        'courts."\n\n'
        'The Ministry added that Baku "will answer every such letter in kind."\n'
    )
    assert speakers(extract(text)) == ["azerbaijan-foreign-ministry"] * 2


def test_home_ministry_follows_the_dateline_only_when_the_sentence_names_that_state(
    extract: Extract,
) -> None:
    # "the Foreign Ministry" named without its state in a sentence that names the dateline's
    # state and another: the dateline state's, not the one named last
    text = (
        "Envoy summoned\n"
        "Tehran, May 2 -- After Iran summoned the envoy of Azerbaijan on Monday, the "
        'Foreign Ministry said: "This cannot go unanswered."\n'
    )
    assert speakers(extract(text)) == ["iran-foreign-ministry"]


def test_headline_role_with_unknown_modifiers_after_a_possessive_is_the_person_named_next(
    extract: Extract,
) -> None:
    # "says Norland's <words> envoy": the lower-case words qualify the role, so the phrase is
    # the envoy the standfirst names, not the state before the possessive
    text = (
        "'Talks alone cannot mend this,' says Iran's border talks envoy\n"
        "A year after the truce, Iran's special envoy, Nasser Kanani, tells us why he wants "
        "it reopened.\n\n"
        "Iran and Azerbaijan signed a truce last year.\n"
    )
    result = extract(text)
    assert speakers(result) == ["nasser-kanani"]
    assert [s.speaker_text for s in result.statements] == ["Iran's border talks envoy"]


def test_name_of_a_body_opening_a_sentence_is_the_person_the_next_pronoun_means(
    extract: Extract,
) -> None:
    # "<Given> <Surname> of the <Body>, which …, <verb> …" and then '"…," she said': the
    # newcomer, not the woman quoted before her
    text = (
        "Iran's envoy, Mina Rostami, spoke to us on Monday.\n\n"
        '"The pact is asleep, not dead," Rostami said.\n\n'
        "Zarina Okoli of the Caspian Heritage Trust, which runs the coastal archive, "
        'welcomed the tone but stayed wary. "Kind words cost nothing," she said.\n'
    )
    assert speakers(extract(text))[-1] == "zarina-okoli"


def test_subject_name_in_apposition_is_a_person_when_the_next_sentence_says_he(
    extract: Extract,
) -> None:
    # The pronoun that shows the sentence's subject to be a person may come in the next
    # sentence, the quotation's own: "Name, a …, said …. "…," he said."
    text = (
        '"The crossing stays shut," Nasser Kanani said on Monday.\n\n'
        "Tomas Beridze, a 41-year-old nomad from Yerevan who waited two days, said the "
        "guards had been calm.\n\n"
        '"They told us to come back next week," he said.\n'
    )
    assert speakers(extract(text)) == ["nasser-kanani", "tomas-beridze"]
