"""Sentence templates of the mirror's body text, each worded in many ways.

Real news stories that are not copies of each other share almost no four-word sequences: over
the twenty real pages in ``../shared/data/real-text``, the median share of one page's 4-word
shingles found in another is 0.3 %. Seventeen fixed templates made two unrelated generated
stories share a median 22 % (some pairs over 60 %), which is not news text and would let a
near-duplicate detector learn the templates instead of the stories. So every template here is
written with alternatives ``[a|b|c]`` no more than three words apart, and slots ``{name}``
filled by :func:`crawler.mirror.textgen` (actors, things, reasons, ...): no run of four words
is fixed, and two unrelated stories share a few percent of their shingles, as real ones do.

Alternatives are chosen from the caller's ``random.Random``: the same generator state gives the
same sentence.
"""

from __future__ import annotations

import random
import re

TEMPLATES: tuple[str, ...] = (
    "{actor} [said|announced|confirmed|revealed] {time} [it|that it] {verb_past} the {adj} "
    "{thing}, [a move|a step|a decision|a development] [analysts|observers|industry watchers|"
    "experts] [said|say|believe|suggested] [could reshape|may transform|might upend|"
    "would shake up] the [sector|industry|market|field].",
    "The {thing} [is expected|is due|should be ready|is scheduled] to [enter service|go into "
    "operation|become operational|be fielded] [within|in|in about|inside] {num} years, "
    "[according to|said|reported by|as stated by] {actor}.",
    "[Officials|Ministers|Executives|Managers] [cited|blamed|pointed to|named] {reason} "
    "[as the main|as the chief|as a key|as the biggest] [factor|reason|driver|cause] "
    "[behind|for|in] the [decision|move|delay|change of plan].",
    "The [programme|project|effort|scheme] has [cost|absorbed|consumed|swallowed] {amount} "
    "[so far|to date|already|since its launch], and {actor2} [has promised|has pledged|"
    "is offering|plans to provide] [further|more|extra|additional] [funding|money|support|cash].",
    "{q}We are [confident|sure|certain|convinced] the {thing} will [deliver|achieve|do|"
    "provide] what we [promised|said it would|set out to do|committed to],{q2} [said|added|"
    "told reporters|explained] {person}, {role} at {actor}.",
    "[Critics|Opponents|Sceptics|Some lawmakers] [argue|say|contend|warn] that {reason} "
    "[was underestimated|was overlooked|was played down|got too little attention] "
    "[from the start|at first|early on|for years].",
    "{actor2} is [developing|building|working on|designing] a [rival|competing|similar|"
    "separate] {thing} [of its own|in parallel|for itself|at home], with a [first test|"
    "maiden trial|first flight|first demonstration] [planned|scheduled|expected|pencilled in] "
    "for [next year|the coming months|late next year|early next year].",
    "[Engineers|Technicians|Test crews|Teams] [ran|carried out|completed|conducted] {num} "
    "[trials|tests|test runs|rounds of checks] [before|ahead of the day] the {thing} "
    "[was cleared|was approved|got the go-ahead|was certified] for [flight|use|service|launch].",
    "The [announcement|decision|statement|news] [follows|comes after|caps|ends] [months|"
    "weeks|a year|two years] of [talks|negotiations|discussions|wrangling] [between|involving|"
    "pitting] {actor} [and|against|alongside] {actor2}.",
    "{person}, {role} at {actor2}, [said|told reporters|insisted|maintained] [the schedule|"
    "the timetable|the plan|the calendar] [remained|was still|stayed|is] {q}[tight|demanding|"
    "ambitious|challenging] [but achievable|yet realistic|but doable|but within reach]{q2}.",
    "The [agreement|contract|deal|order] [covers|includes|is for|concerns] {num} [units|"
    "systems|vehicles|platforms] and [includes|comes with|provides for|bundles] [training|"
    "crew training|spare parts|logistics support] and [maintenance|upkeep|repairs|servicing].",
    "[Data|Imagery|Readings|Measurements] from the {thing} [will be|are to be|would be|"
    "should be] [shared|exchanged|pooled|made available] with [partners|allies|researchers|"
    "agencies] in {place}.",
    "[Earlier|Previous|Past|Prior] [attempts|efforts|bids|plans] [stalled|failed|faltered|"
    "collapsed] [because of|due to|amid|over] {reason}, [officials|sources|insiders|"
    "spokespeople] [said|noted|recalled|admitted].",
    "[Some|About|Around|Nearly] {num} [companies|firms|contractors|bidders] [bid for|competed "
    "for|sought|chased] the [contract|award|tender|work], which [runs|lasts|extends|is set to "
    "run] [until|to|through] the [end of the decade|early 2030s|middle of the next decade|"
    "end of 2029].",
    "{actor} [has not disclosed|did not reveal|declined to give|would not say] the [total|"
    "full|overall|exact] [value|cost|price|size] of the [deal|order|contract|agreement].",
    "[Analysts|Observers|Experts|Consultants] [said|warned|believe|cautioned] {reason} "
    "[could still|may yet|might still|is likely to] [delay|hold up|slow|push back] the {thing} "
    "by [several|a few|some|many] [months|weeks|quarters|seasons].",
)
"""Sentence templates: ``[a|b]`` alternatives and ``{slot}`` slots (see the module doc)."""

_ALTERNATIVES_RE = re.compile(r"\[([^\[\]]*)\]")


def choose(rng: random.Random, template: str) -> str:
    """The template with one alternative chosen in every ``[a|b|...]`` (slots left as they are).

    >>> choose(random.Random(1), "[A|B] {slot} [c|d].") in {"A {slot} c.", "A {slot} d.",
    ...                                                     "B {slot} c.", "B {slot} d."}
    True
    >>> choose(random.Random(1), "no alternatives")
    'no alternatives'
    """
    return _ALTERNATIVES_RE.sub(lambda m: rng.choice(m.group(1).split("|")), template)


def sentence_template(rng: random.Random) -> str:
    """One template, its alternatives chosen, ready for slot filling.

    >>> "[" in sentence_template(random.Random(2))
    False
    """
    return choose(rng, rng.choice(TEMPLATES))
