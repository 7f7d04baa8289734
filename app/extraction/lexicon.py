"""General English word lists for attribution. Nothing here names a particular actor."""

from __future__ import annotations


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


# Verbs that introduce or follow a direct quotation.
SPEECH_VERBS = _forms(
    "say/said/says/saying",
    "tell/told/tells/telling",
    "write/wrote/writes/writing/written",
    "read/reads/reading",
    "speak/spoke/speaks/speaking/spoken",
    "add",
    "note",
    "stress",
    "state",
    "emphasize",
    "emphasise",
    "underscore",
    "underline",
    "declare",
    "claim",
    "assert",
    "insist",
    "explain",
    "warn",
    "urge",
    "tweet",
    "post",
    "announce",
    "remark",
    "reply",
    "respond",
    "answer",
    "continue",
    "conclude",
    "argue",
    "observe",
    "comment",
    "recall",
    "reiterate",
    "affirm",
    "confirm",
    "acknowledge",
    "admit/admitted/admits/admitting",
    "assess",
    "describe",
    "call",
    "term",
    "characterize",
    "characterise",
    "label/labelled/labeled/labels/labelling",
    "brand",
    "denounce",
    "condemn",
    "accuse",
    "charge",
    "demand",
    "ask",
    "vow",
    "pledge",
    "promise",
    "threaten",
    "quip",
    "joke",
    "caution",
    "complain",
    "suggest",
    "propose",
    "highlight",
    "mention",
    "report",
    "quote",
    "cite",
    "remind",
    "point",
    "stress",
    "contend",
    "maintain",
    "allege",
    "deny",
    "dismiss",
    "criticize",
    "criticise",
    "slam",
    "blast",
    "praise",
    "welcome",
    "hail",
    "predict",
    "reveal",
    "disclose",
    "inform",
    "assure",
    "lament",
    "recount",
    "add",
    "counter",
    "retort",
    "exclaim",
    "proclaim",
    "announce",
    "stipulate",
    "specify",
    "clarify",
    "mention",
    "express",
    "voice",
    "reaffirm",
    "repeat",
    "indicate",
    "opine",
    "believe",
    "think/thought/thinks/thinking",
    "feel/felt/feels/feeling",
    "hope",
    "fear",
    "agree",
    "disagree",
    "wonder",
    "shout",
    "cry/cried/cries/crying",
    "whisper",
    "thank",
    "concede",
    "signal/signalled/signaled/signals/signalling/signaling",
    "rule",
    "order",
    "direct",
    "reject",
)
# Nouns for a spoken or written text: "X's statements such as ...", "the statement reads".
SPEECH_NOUNS = frozenset(
    """statement statements remark remarks comment comments word words speech speeches message
    messages letter letters tweet tweets post posts declaration declarations communique
    communiqué communiques release interview interviews address words remarks response
    announcement announcements note notes position positions view views stance line
    argument assessment verdict""".split()
)
# Texts whose "author" is their issuer: "the statement reads that ...".
DOCUMENT_NOUNS = frozenset(
    """statement communique communiqué declaration release letter note report document
    message announcement readout""".split()
)
PRONOUNS_PERSON = frozenset({"he", "she", "him", "her"})
PRONOUNS_PLURAL = frozenset({"they", "them"})
PRONOUNS_THING = frozenset({"it"})
PRONOUNS = PRONOUNS_PERSON | PRONOUNS_PLURAL | PRONOUNS_THING

# Words naming a person's role. Lower-cased.
PERSON_ROLES = frozenset(
    """spokesman spokeswoman spokesperson minister president premier chancellor ambassador
    envoy analyst expert scientist official adviser advisor aide secretary director chairman
    chairwoman chairperson chair speaker member lawmaker legislator mp senator congressman
    congresswoman representative diplomat commander general admiral colonel lieutenant major
    captain chief head leader deputy professor researcher journalist editor correspondent
    governor mayor king queen prince emir sheikh ayatollah cleric imam pope monarch ruler
    premier attache attaché consul counsellor counselor prosecutor judge attorney lawyer
    politician activist author writer observer commentator economist historian scholar
    negotiator mediator coordinator rapporteur delegate commissioner inspector officer
    agent soldier sergeant marshal founder ceo candidate opposition dissident witness
    resident source sources officials fellow lecturer specialist strategist consultant
    pundit blogger presenter anchor host spokespeople aides rabbi bishop archbishop
    cardinal patriarch mufti priest farmer villager fisherman teacher student doctor nurse
    engineer shopkeeper trader merchant exporter importer businessman businesswoman
    entrepreneur campaigner refugee veteran worker driver hydrologist geologist ecologist
    climatologist sociologist criminologist academic secretary-general
    director-general""".split()
)
# Which roles a later short reference may stand for: "the top diplomat" for a foreign
# minister, "the official" for a spokesman. A specific role stands only for its equivalents.
_GENERIC_ROLES = {
    "diplomat": "diplomat minister ambassador envoy consul spokesman spokeswoman spokesperson",
    "official": "official minister spokesman spokeswoman spokesperson ambassador envoy diplomat "
    "adviser advisor aide secretary director commander officer deputy head chief",
    "leader": "leader president premier chancellor king emir ayatollah head",
    "premier": "premier prime",
}
_EQUIVALENT_ROLES = (
    "spokesman spokeswoman spokesperson",
    "ambassador envoy",
    "adviser advisor aide",
    "analyst expert scientist researcher scholar fellow observer commentator specialist",
    "lawmaker legislator mp senator congressman congresswoman",
    "commander general chief",
)
ROLE_SYNONYMS: dict[str, frozenset[str]] = {
    role: frozenset(group.split()) for group in _EQUIVALENT_ROLES for role in group.split()
}
ROLE_SYNONYMS.update({role: frozenset(words.split()) for role, words in _GENERIC_ROLES.items()})
# Words that modify a role: "foreign minister", "political analyst". Lower-cased.
ROLE_MODIFIERS = frozenset(
    """foreign defense defence interior prime deputy vice former acting senior top chief
    political military security national supreme special state press public official
    economic finance trade energy justice culture health education executive general
    permanent high first second assistant regional local international independent leading
    well-known prominent veteran retired ground air naval armed presidential parliamentary
    government affairs policy strategic associate commerce agriculture environment water
    transport labour labor industry""".split()
)
# Heads of organisation names. Lower-cased.
ORG_HEADS = frozenset(
    """ministry ministries army armies forces force navy agency office department service
    services council committee commission parliament assembly government administration
    embassy consulate mission corps guard guards authority authorities court union
    organization organisation alliance bloc bank fund institute center centre party
    movement front channel network television tv radio newspaper outlet media agency
    secretariat presidency cabinet kremlin pentagon command headquarters staff police
    directorate bureau board group coalition federation league delegation side community
    tribunal forum conference""".split()
)
# Lower-case words that may sit inside a speaker's noun phrase.
NP_FUNCTION = frozenset({"the", "a", "an", "of", "for", "to", "and", "in"}) | frozenset(
    # particles inside personal names: "Ursula von der Leyen", "Abdullah bin Zayed"
    "de del della der den van von bin ibn al el da di du la le dos das".split()
)
# Adverbs and auxiliaries between a speaker and the verb: "Kenani also said".
BETWEEN_SPEAKER_AND_VERB = frozenset(
    """also further later then again previously earlier once reportedly repeatedly clearly
    strongly officially publicly has had have was is were are will would had already
    additionally separately recently finally firmly openly explicitly quickly sharply
    bluntly angrily directly immediately""".split()
)
# Leading words of a sentence that open an adverbial, not a subject.
ADVERBIAL_OPENERS = frozenset(
    """at in on during after before while following speaking addressing asked when since
    despite with without amid among according as upon for from by through under over
    earlier later meanwhile however today yesterday tonight last this""".split()
)
# Honorifics, ranks and styles written before a name; they are not part of the name
# ("Commodore Jay Tarriela" is Jay Tarriela). Lower-cased, without a final period.
HONORIFICS = frozenset(
    """mr mrs ms miss mx dr prof professor sir dame lord lady hon honourable honorable rt
    excellency majesty highness commodore admiral adm rear vice general gen lieutenant
    lt colonel col major maj captain capt cmdr commander sgt sergeant brigadier brig
    marshal field corporal cpl private pte rev reverend father sister brother imam rabbi
    ayatollah sheikh shaikh sheikha emir amir sultan king queen prince princess crown
    president vice-president premier chancellor senator sen rep congressman
    congresswoman governor gov mayor judge justice ambassador secretary minister deputy
    speaker chairman chairwoman chief spokesman spokeswoman spokesperson""".split()
)
# Words that say a person is a woman or a man.
FEMALE_WORDS = frozenset(
    """she her hers herself mrs ms miss dame lady madam madame mme queen princess sheikha
    spokeswoman chairwoman congresswoman businesswoman stateswoman councilwoman sister
    daughter mother wife widow grandmother aunt niece woman girl actress""".split()
)
MALE_WORDS = frozenset(
    """he him his himself mr sir lord king prince sheikh emir sultan spokesman chairman
    congressman businessman statesman councilman brother son father husband widower
    grandfather uncle nephew man boy""".split()
)
# Common given names whose bearers are overwhelmingly women or men, across the languages
# news is written about (folded to ASCII, lower case). A general list, used only as weak
# evidence of a person's gender; names used for both (Jean, Andrea, Kim, Yuki) are left out.
FEMALE_FIRST_NAMES = frozenset(
    """mary maria marie anna anne ann annie elizabeth catherine katherine kate margaret sarah
    sara emma olivia sophia sophie isabella isabel isabelle charlotte amelia emily hannah
    laura julia julie claire clara helen helena ellen eleanor alice victoria rachel rebecca
    jessica jennifer linda susan karen nancy lisa betty sandra donna carol ruth sharon
    michelle amy angela melissa deborah stephanie kimberly nicole christine christina
    samantha natalie diana jane joan judith janet patricia barbara dorothy heather teresa
    theresa gloria martha ursula hillary madeleine brigitte monique nathalie sylvie valerie
    francoise helene chantal christiane ingrid petra sabine claudia giulia francesca chiara
    giorgia elena lucia carmen ana rosa pilar dolores mercedes beatriz ines sofia paula
    marta gabriela fernanda daniela carolina camila valentina mariana luisa adriana olga
    tatiana tatyana irina svetlana natalia natalya yelena ekaterina yekaterina anastasia
    marina galina lyudmila yulia oksana iryna olena kateryna agnieszka katarzyna magdalena
    malgorzata ewa zuzana jana eva ivana fatima fatma aisha ayesha maryam mariam zainab
    zeynep khadija amina aminata layla leila noor nour huda hana rania yasmin yasmine shirin
    nasrin parisa fatemeh zahra elif ayse emine hatice merve priya pooja sunita anita kavita
    lakshmi indira sonia sushma nirmala mei yoko keiko yuko akiko naomi ngozi grace joyce
    esther mercy faith""".split()
)
MALE_FIRST_NAMES = frozenset(
    """john james robert michael william david richard joseph thomas charles christopher
    daniel matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george
    edward ronald timothy jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry
    justin scott benjamin samuel gregory frank alexander raymond patrick jack dennis jerry
    aaron henry peter adam nathan douglas walter harold carl jeremy keith roger gerald
    arthur sean lawrence joe noah albert bruce alan ralph roy juan wayne eugene louis russell
    vincent philip boris vladimir sergei sergey dmitry dmitri alexei alexey andrei andrey
    mikhail nikolai ivan igor oleg yuri viktor volodymyr petro emmanuel francois jacques
    pierre olaf friedrich wolfgang helmut gerhard hans karl klaus jurgen mohammed muhammad
    mohamed mohammad ahmed ahmad hassan hussein hossein mahmoud abdullah abdul omar umar
    khalid ibrahim ismail yusuf youssef mustafa mehmet hakan emre murat masoud javad hamid
    reza mehdi abbas tariq imran narendra rahul amit fumio shinzo shigeru taro kenji
    hiroshi takeshi moshe yitzhak ehud luiz jair nicolas javier carlos jose luis miguel
    pedro antonio manuel francisco jorge alejandro gustavo andres rodrigo alberto fernando
    ricardo eduardo sergio mario giuseppe giovanni marco matteo luca paolo olusegun cyril
    thabo""".split()
)
# Roles in which the news quotes people without naming them ("a senior official", "a
# diplomat familiar with the talks", "a ministry spokesperson").
ANONYMOUS_ROLES = frozenset(
    """official source diplomat spokesman spokeswoman spokesperson aide adviser advisor
    officer commander negotiator lawmaker legislator senator member insider envoy
    representative delegate minister analyst expert witness resident""".split()
)
