#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build gazette's entity lists (common/gazetteers/) from redistributable sources.

Reads the three sources staged in shared/data/gazetteers/ (through `zstdcat`):

  mledoze-countries.json.zst        mledoze/countries, ODbL 1.0
  world-leaders-wikidata-2022.csv.zst  Wikidata office holders, CC0
  cia-world-leaders-2019.tsv.zst    CIA World Leaders 2019, US public domain

and writes four sorted UTF-8 lists (format in common/gazetteers/README.md):

  countries.tsv  name TAB type TAB canonical: countries and territories (LOC),
                 their demonyms (MISC, canonical = the country), capitals (LOC)
                 and world regions (LOC)
  people.tsv     name TAB PER TAB canonical TAB aliases: heads of state and
                 government and cabinet members; an alias written `~Name` is a
                 surname, a feature for the tagger that is never matched alone
  orgs.tsv       name TAB ORG TAB canonical TAB aliases: bodies named in CIA
                 office titles, plus hand-written intergovernmental
                 organisations, news agencies and legislatures
  titles.txt     phrase TAB cue: lower-cased office titles (cue `title`) from
                 both leader lists, plus hand-written organisation cue words
                 (cue `org`)

Everything is deterministic: the same sources give byte-identical lists. The
rules that turn source rows into names are written out below; words written
by hand (facts, not copied text) are in the HAND_* tables and are marked as
such in the README.

Usage: scripts/build_gazetteers.py [--src DIR] [--out DIR]
"""

import argparse
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_SRC = os.path.join(os.path.dirname(ROOT), "shared", "data", "gazetteers")
DEFAULT_OUT = os.path.join(ROOT, "common", "gazetteers")

SRC_COUNTRIES = "mledoze-countries.json.zst"
SRC_WIKIDATA = "world-leaders-wikidata-2022.csv.zst"
SRC_CIA = "cia-world-leaders-2019.tsv.zst"

# ---- hand-written facts ---------------------------------------------------

# Two-letter ISO codes are skipped as names (too many are English words),
# except these, which are ordinary English short forms of the country.
HAND_KEEP_CODES = {"US"}

# English short forms absent from mledoze, and countries of the 20th century
# that news archives still name: (name, type, canonical).
HAND_PLACES = [
    ("Britain", "LOC", "United Kingdom"),
    ("England", "LOC", "England"),
    ("Scotland", "LOC", "Scotland"),
    ("Wales", "LOC", "Wales"),
    ("Northern Ireland", "LOC", "Northern Ireland"),
    ("English", "MISC", "England"),
    ("Scottish", "MISC", "Scotland"),
    ("Scot", "MISC", "Scotland"),
    ("Scots", "MISC", "Scotland"),
    ("Welsh", "MISC", "Wales"),
    ("Northern Irish", "MISC", "Northern Ireland"),
    ("Turkey", "LOC", "Türkiye"),
    ("Kiev", "LOC", "Kyiv"),
    ("Soviet Union", "LOC", "Soviet Union"),
    ("USSR", "LOC", "Soviet Union"),
    ("Soviet", "MISC", "Soviet Union"),
    ("Soviets", "MISC", "Soviet Union"),
    ("Yugoslavia", "LOC", "Yugoslavia"),
    ("Yugoslav", "MISC", "Yugoslavia"),
    ("Czechoslovakia", "LOC", "Czechoslovakia"),
    ("Czechoslovak", "MISC", "Czechoslovakia"),
    ("Zaire", "LOC", "Zaire"),
    ("East Germany", "LOC", "East Germany"),
    ("West Germany", "LOC", "West Germany"),
    ("European", "MISC", "Europe"),
    ("Europeans", "MISC", "Europe"),
    ("Asian", "MISC", "Asia"),
    ("Asians", "MISC", "Asia"),
    ("African", "MISC", "Africa"),
    ("Africans", "MISC", "Africa"),
    ("Arab", "MISC", "Arab"),
    ("Arabs", "MISC", "Arab"),
    ("Latin America", "LOC", "Latin America"),
    ("Latin American", "MISC", "Latin America"),
    ("Middle East", "LOC", "Middle East"),
    ("Middle Eastern", "MISC", "Middle East"),
    ("Gulf", "LOC", "Gulf"),
    ("Persian Gulf", "LOC", "Persian Gulf"),
]

# International organisations, news agencies and legislatures, as
# (full name, [abbreviations and other names]). Facts, written by hand.
HAND_ORGS = [
    # intergovernmental organisations
    ("United Nations", ["UN", "U.N."]),
    ("United Nations Security Council", ["UN Security Council",
                                         "U.N. Security Council", "UNSC"]),
    ("United Nations General Assembly", ["UN General Assembly", "UNGA"]),
    ("North Atlantic Treaty Organization", ["NATO", "Nato"]),
    ("European Union", ["EU", "E.U."]),
    ("European Commission", []),
    ("European Parliament", []),
    ("European Central Bank", ["ECB"]),
    ("Council of Europe", []),
    ("BRICS", []),
    ("Organization of the Petroleum Exporting Countries", ["OPEC", "OPEC+"]),
    ("International Atomic Energy Agency", ["IAEA"]),
    ("World Health Organization", ["WHO"]),
    ("International Monetary Fund", ["IMF"]),
    ("World Bank", []),
    ("World Trade Organization", ["WTO"]),
    ("Association of Southeast Asian Nations", ["ASEAN"]),
    ("Shanghai Cooperation Organisation", ["SCO",
                                           "Shanghai Cooperation Organization"]),
    ("African Union", ["AU"]),
    ("Arab League", ["League of Arab States"]),
    ("Organization for Security and Co-operation in Europe",
     ["OSCE", "Organization for Security and Cooperation in Europe"]),
    ("Group of Seven", ["G7", "G-7"]),
    ("Group of Twenty", ["G20", "G-20"]),
    ("Group of Eight", ["G8", "G-8"]),
    ("Commonwealth of Independent States", ["CIS"]),
    ("Collective Security Treaty Organization", ["CSTO"]),
    ("Eurasian Economic Union", ["EAEU"]),
    ("Gulf Cooperation Council", ["GCC"]),
    ("Organisation of Islamic Cooperation", ["OIC"]),
    ("Organisation for Economic Co-operation and Development",
     ["OECD", "Organization for Economic Cooperation and Development"]),
    ("International Criminal Court", ["ICC"]),
    ("International Court of Justice", ["ICJ"]),
    ("International Committee of the Red Cross", ["ICRC", "Red Cross"]),
    ("United Nations Children's Fund", ["UNICEF"]),
    ("United Nations High Commissioner for Refugees", ["UNHCR"]),
    ("United Nations Educational, Scientific and Cultural Organization",
     ["UNESCO"]),
    ("Food and Agriculture Organization", ["FAO"]),
    ("World Food Programme", ["WFP"]),
    ("International Labour Organization", ["ILO"]),
    ("Interpol", ["INTERPOL"]),
    ("Asia-Pacific Economic Cooperation", ["APEC"]),
    ("Asian Development Bank", ["ADB"]),
    ("European Bank for Reconstruction and Development", ["EBRD"]),
    ("Bank for International Settlements", ["BIS"]),
    ("New Development Bank", []),
    ("Organization of American States", ["OAS"]),
    ("Economic Community of West African States", ["ECOWAS"]),
    ("Southern African Development Community", ["SADC"]),
    ("Non-Aligned Movement", []),
    ("Commonwealth of Nations", []),
    ("Organisation for the Prohibition of Chemical Weapons", ["OPCW"]),
    ("Comprehensive Nuclear-Test-Ban Treaty Organization", ["CTBTO"]),
    ("Mercosur", []),
    # news agencies
    ("Reuters", []),
    ("Associated Press", ["AP"]),
    ("Agence France-Presse", ["AFP"]),
    ("TASS", ["Tass", "ITAR-TASS"]),
    ("RIA Novosti", []),
    ("Interfax", []),
    ("Xinhua", ["Xinhua News Agency"]),
    ("Islamic Republic News Agency", ["IRNA"]),
    ("Iranian Students' News Agency", ["ISNA"]),
    ("Fars News Agency", []),
    ("Tasnim News Agency", []),
    ("Mehr News Agency", []),
    ("Anadolu Agency", []),
    ("Kyodo", ["Kyodo News"]),
    ("Yonhap", []),
    ("Korean Central News Agency", ["KCNA"]),
    ("Deutsche Presse-Agentur", ["dpa"]),
    ("ANSA", []),
    ("EFE", []),
    ("Press Trust of India", ["PTI"]),
    ("Bloomberg", []),
    ("Al Jazeera", []),
    ("BBC", []),
    # legislatures and their chambers
    ("State Duma", ["Duma"]),
    ("Federation Council", []),
    ("Federal Assembly", []),
    ("Islamic Consultative Assembly", ["Majlis"]),
    ("Guardian Council", []),
    ("Expediency Council", []),
    ("Knesset", []),
    ("Bundestag", []),
    ("Bundesrat", []),
    ("National People's Congress", []),
    ("Verkhovna Rada", []),
    ("Sejm", []),
    ("House of Commons", []),
    ("House of Lords", []),
    ("House of Representatives", []),
    ("US Congress", ["U.S. Congress"]),
    ("US Senate", ["U.S. Senate"]),
    ("Lok Sabha", []),
    ("Rajya Sabha", []),
    ("Grand National Assembly", []),
]

# Organisation cue words: a capitalised one inside a name makes it an
# organisation ("Foreign Ministry", "Federation Council").
HAND_ORG_CUES = [
    "agency", "airlines", "alliance", "army", "assembly", "association",
    "authority", "bank", "board", "bureau", "cabinet", "chamber", "co",
    "commission", "committee", "company", "congress", "corp", "corporation",
    "council", "court", "department", "duma", "exchange", "federation",
    "forces", "foundation", "front", "fund", "group", "guard", "inc",
    "institute", "league", "ltd", "ministry", "movement", "navy",
    "news agency", "office", "organisation", "organization", "parliament",
    "party", "plc", "police", "senate", "service", "union", "university",
]

# Title cues as news writes them, beside the official titles of the sources.
HAND_TITLES = [
    "ambassador", "archbishop", "ayatollah", "bishop", "cardinal", "ceo",
    "chairman", "chairwoman", "chancellor", "chief", "chief executive",
    "colonel", "commander", "defence minister", "defence secretary",
    "deputy", "deputy foreign minister", "diplomat", "director-general",
    "dr", "dr.", "emir", "envoy", "foreign minister", "foreign secretary",
    "general", "governor", "head", "judge", "king", "lawmaker", "leader",
    "legislator", "lord", "mayor", "minister", "mp", "mr", "mr.", "mrs",
    "mrs.", "ms", "ms.", "negotiator", "official", "pope", "premier",
    "president-elect", "prime minister", "prince", "princess", "prosecutor",
    "queen", "secretary-general", "secretary general", "senator", "sheikh",
    "speaker", "special envoy", "spokesman", "spokesperson", "spokeswoman",
    "vice-president",
]

# Transliterations a news wire uses for the romanisation of the CIA list
# (BGN/PCGN): each variant becomes an alias of the same person.
HAND_TRANSLIT = {
    "Aleksandr": ["Alexander"],
    "Aleksey": ["Alexei", "Alexey", "Aleksei"],
    "Andrey": ["Andrei"],
    "Dmitriy": ["Dmitry"],
    "Maksim": ["Maxim"],
    "Nikolay": ["Nikolai"],
    "Sergey": ["Sergei"],
    "Yevgeniy": ["Yevgeny", "Evgeny"],
    "Yuriy": ["Yuri", "Yury"],
    "Abdallah": ["Abdullah"],
    "Hasan": ["Hassan"],
    "Hosein": ["Hossein", "Hussein"],
    "Mahmud": ["Mahmoud"],
    "Mohammad": ["Mohammed", "Muhammad"],
    "Muhammad": ["Mohammed", "Mohammad"],
}

# Lower-case name particles (never a given name or surname on their own).
PARTICLES = {"al", "bin", "bint", "ibn", "da", "das", "de", "del", "della",
             "der", "den", "di", "do", "dos", "du", "e", "el", "la", "le",
             "van", "von", "y"}
# Wikidata labels that start with a title, not a name.
# Words that chain a father's name: "first last" of such a name is not a name.
PATRONYM = {"bin", "bint", "ibn", "ben"}
LABEL_TITLES = {"Pope", "King", "Queen", "Prince", "Princess", "Sheikh",
                "Emir", "Sultan"}
ROMAN = re.compile(r"^[IVX]+$")
# Heads of government words that end the prefix of an official country name
# ("Republic of X", "Grand Duchy of X"): what follows is a short form.
STATE_WORDS = {"Republic", "Kingdom", "State", "States", "Commonwealth",
               "Principality", "Sultanate", "Duchy", "Federation",
               "Confederation", "Emirate", "Territory", "Collectivity",
               "Bailiwick", "Union", "Country"}
# Org cue words that, inside a phrase of a CIA office title, mark the phrase
# as the name of a body ("Governor of the Central Bank of Iran").
ORG_WORDS = {"Agency", "Assembly", "Authority", "Bank", "Board", "Bureau",
             "Cabinet", "Chamber", "Commission", "Committee", "Corporation",
             "Council", "Court", "Directorate", "Duma", "Forces", "Fund",
             "Guard", "Institute", "Office", "Organization", "Organisation",
             "Parliament", "Party", "Police", "Service", "Union"}
ABBREV = {"Govt.": "Government", "Intl.": "International",
          "Natl.": "National", "Dept.": "Department"}


# ---- helpers --------------------------------------------------------------

def zstdcat(path):
    """The decompressed text of @path, via the zstd command-line tool."""
    out = subprocess.run(["zstdcat", path], check=True,
                         stdout=subprocess.PIPE).stdout
    return out.decode("utf-8")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def clean(s):
    """NFC, one space between words, no control characters."""
    s = unicodedata.normalize("NFC", s)
    s = s.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(s.split())


def latin(s):
    """True when every letter of @s is a Latin letter (no IPA, no other
    script): the lists are for English-language news."""
    for ch in s:
        if not ch.isalpha():
            continue
        o = ord(ch)
        if 0x250 <= o <= 0x2FF:
            return False
        if not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True


def usable(s):
    """A name the lists can hold: Latin script, starts with a capital or a
    digit, no characters that the TSV format reserves."""
    if not s or any(c in s for c in "\t\n\r|"):
        return False
    if not (s[0].isupper() or s[0].isdigit()):
        return False
    return latin(s)


def ascii_fold(s):
    """@s without diacritics ("Fernández" -> "Fernandez"); other letters kept."""
    d = unicodedata.normalize("NFKD", s)
    return unicodedata.normalize(
        "NFC", "".join(c for c in d if not unicodedata.combining(c)))


def variants(s):
    """@s and its diacritic-free spelling."""
    out = [s]
    f = ascii_fold(s)
    if f != s:
        out.append(f)
    return out


def drop_paren(s):
    """"Falkland Islands (Malvinas)" -> "Falkland Islands"."""
    t = clean(re.sub(r"\s*\([^)]*\)", "", s))
    return t if t != s else None


def saint_variants(s):
    """"St. George's" <-> "Saint George's"."""
    if s.startswith("St. "):
        return [s, "Saint " + s[4:]]
    if s.startswith("Saint "):
        return [s, "St. " + s[6:]]
    return [s]


def plural(demonym):
    """English plural of a demonym, or None when it has none of its own
    ("Chinese", "Swiss", "British")."""
    last = demonym.split()[-1]
    if last == "Czech":
        return demonym + "s"
    if re.search(r"(sh|ch|ese|s|x|z)$", last) or not last[-1].isalpha():
        return None
    return demonym + "s"


def country_rank(c):
    """Sort key: UN members, then independent states, then larger area
    first; decides which country a shared demonym or alias names."""
    return (not c.get("unMember"), not c.get("independent"),
            -(c.get("area") or 0), c["cca3"])


# ---- countries ------------------------------------------------------------

def build_countries(data):
    """Rows (name, type, canonical) from mledoze/countries."""
    ranked = sorted(data, key=country_rank)
    # candidates[name] = list of (priority, type, canonical); the lowest
    # priority wins, then the better-ranked country (ranked order).
    cand = {}

    def add(name, typ, canon, prio):
        name = clean(name)
        if not usable(name):
            return
        for v in variants(name):
            p = prio if v == name else prio + 0.5
            cand.setdefault(v, []).append((p, typ, canon))

    demonyms = set()
    for c in ranked:
        for d in (c.get("demonyms", {}).get("eng") or {}).values():
            for part in d.split(","):
                if clean(part):
                    demonyms.add(clean(part))

    short_forms = {}  # derived short form -> set of countries
    for c in ranked:
        common = clean(c["name"]["common"])
        names = [common, clean(c["name"]["official"])]
        # 0: the country's own names
        for n in names:
            add(n, "LOC", common, 0)
            p = drop_paren(n)
            if p:
                add(p, "LOC", common, 2)
        # 1: alternative spellings; two-letter codes only when well known;
        #    "Korea, Republic of" is an index form, not a name in text
        for a in c.get("altSpellings", []):
            a = clean(a)
            if a == c["cca2"] and a not in HAND_KEEP_CODES:
                continue
            if "," in a:
                continue
            # an alias that is a demonym ("Thai") is the adjective in text,
            # unless the country's name starts with it ("Vatican City")
            typ = "LOC"
            if a in demonyms and not (common + " ").startswith(a + " "):
                typ = "MISC"
            add(a, typ, common, 1)
            # dotted form of an all-caps short form: UK -> U.K.
            if re.fullmatch(r"[A-Z]{2,3}", a):
                add(".".join(a) + ".", "LOC", common, 1)
        # 2: short forms inside official names: "Republic of Turkey" ->
        #    "Turkey", "Commonwealth of the Bahamas" -> "Bahamas"
        for n in names + [clean(a) for a in c.get("altSpellings", [])]:
            m = re.match(r"^(.*?)\b(\w+) of (the )?(.+)$", n)
            if not m or m.group(2) not in STATE_WORDS:
                continue
            s = m.group(4)
            p = drop_paren(s)
            s = p or s
            if "," in s or " of " in s:
                continue
            short_forms.setdefault(s, set()).add(common)
        # 3: demonyms (MISC) and their plurals; canonical is the country
        for d in (c.get("demonyms", {}).get("eng") or {}).values():
            for part in d.split(","):
                part = clean(part)
                if not part:
                    continue
                add(part, "MISC", common, 3)
                pl = plural(part)
                # no "Vaticans": a demonym that is the country's own name
                if pl and not (common + " ").startswith(part + " "):
                    add(pl, "MISC", common, 3)
        # 4: capitals; canonical is the capital
        for cap in c.get("capital", []):
            cap = clean(cap)
            for v in saint_variants(cap):
                add(v, "LOC", cap, 4)
            if cap.endswith(" D.C."):
                add(cap[:-5], "LOC", cap, 4)
            if cap.startswith("City of "):
                add(cap[8:], "LOC", cap, 4)
    for s, owners in short_forms.items():
        # "Korea" shortens two official names: it is its own canonical
        canon = next(iter(owners)) if len(owners) == 1 else s
        add(s, "LOC", canon, 2)
    # 5: world regions and subregions named by the data
    for c in ranked:
        for r in (c.get("region"), c.get("subregion")):
            if r:
                add(r, "LOC", clean(r), 5)
    for name, typ, canon in HAND_PLACES:
        add(name, typ, canon, 6)

    rows = []
    for name, cs in cand.items():
        # min() keeps the first of equal priorities: insertion followed the
        # country ranking
        best = min(cs, key=lambda t: t[0])
        rows.append((name, best[1], best[2]))
    return sorted(rows)


# ---- people ---------------------------------------------------------------

def is_caps_seg(seg):
    letters = [ch for ch in seg if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def title_seg(seg):
    """"ZARIF" -> "Zarif", "O'BRIEN" -> "O'Brien", "MCCAIN" -> "McCain"."""
    parts = seg.split("'")
    out = []
    for i, p in enumerate(parts):
        if i > 0 and len(parts[i - 1]) > 1:
            out.append(p.lower())
        else:
            out.append(p[:1].upper() + p[1:].lower())
    s = "'".join(out)
    if re.match(r"^Mc[a-z]{2,}", s):
        s = "Mc" + s[2].upper() + s[3:]
    return s


def cia_person(raw):
    """Parse a CIA name ("Mohammad Javad ZARIF-Khonsari", surnames in capitals)
    into (full, given words before the surname, surname words, surname
    forms): names in title case, surname forms are the surname and, for a
    compound like "ZARIF-Khonsari", its capitalised part ("Zarif")."""
    toks = clean(raw).split()
    caps = [i for i, t in enumerate(toks)
            if any(is_caps_seg(s) for s in t.split("-"))]
    if caps:
        lo, hi = caps[0], caps[-1]
    elif len(toks) > 1 and re.fullmatch(r"[A-Z]", toks[0]):
        lo = hi = 0  # "E Jingping", "O Chun Bok": a one-letter surname
    else:
        lo = hi = len(toks) - 1
    out = []
    short = []  # the surname reduced to its capitalised parts
    for i, t in enumerate(toks):
        in_run = lo <= i <= hi
        if in_run and i > 0 and t.lower() in PARTICLES and \
                (t.isupper() or t.islower()):
            out.append(t.lower())
            short.append(t.lower())
            continue
        segs = t.split("-")
        if in_run:
            conv = [title_seg(s) if is_caps_seg(s) or
                    re.fullmatch(r"[A-Z]", s) else s for s in segs]
            out.append("-".join(conv))
            keep = [j for j, s in enumerate(segs)
                    if is_caps_seg(s) or re.fullmatch(r"[A-Z]", s)]
            # "al-RAJHI" keeps its article; "ZARIF-Khonsari" -> "Zarif"
            keep += [j - 1 for j in keep
                     if j > 0 and segs[j - 1].lower() in PARTICLES]
            capsonly = [conv[j] for j in sorted(set(keep))]
            short.append("-".join(capsonly) if capsonly else "-".join(conv))
        else:
            out.append(t)
    given = out[:lo]
    surname = out[lo:hi + 1]
    forms = [" ".join(surname)]
    if short and " ".join(short) != forms[0]:
        forms.append(" ".join(short))
    return " ".join(out), given, surname, out[hi + 1:], forms


def translit(name):
    """Aliases of @name with one word in another common transliteration."""
    words = name.split()
    out = []
    for i, w in enumerate(words):
        for v in HAND_TRANSLIT.get(w, []):
            out.append(" ".join(words[:i] + [v] + words[i + 1:]))
    return out


def nickname(name):
    """Split a quoted nickname off a name: 'Joseph "Joe" Benedict HOCKEY' ->
    ("Joseph Benedict HOCKEY", "Joe"). Also drops "(acting)" and a title
    after a comma ("Albert II, Prince of Monaco")."""
    name = clean(re.sub(r"\s*\([^)]*\)", "", name).split(", ")[0])
    m = re.search(r'\s*"([^"]+)"', name)
    if not m:
        return name, None
    return clean(name[:m.start()] + " " + name[m.end():]), clean(m.group(1))


def surname_forms(s):
    """A surname and, for an Arabic one with its article ("al-Asad"), the
    name without it ("Asad"), as news writes it on a second mention."""
    out = [s]
    m = re.fullmatch(r"(?i:al|el|ad|an|ar|as|ash|at|az)-(.+)", s)
    if m:
        out.append(m.group(1)[:1].upper() + m.group(1)[1:])
    return out


def feature_ok(s):
    """A surname the lists can hold: unlike a name it may start lower-case
    ("al-Asad")."""
    return bool(s) and not any(c in s for c in "\t\n\r|") and latin(s)


def build_people(cia_text, wd_text):
    """Rows (name, "PER", canonical, aliases) for every person of both lists.
    An alias that two different people share is dropped from both."""
    persons = {}  # full name -> {"aliases": set, "surnames": set}

    def person(full):
        return persons.setdefault(full, {"aliases": set(), "surnames": set()})

    rd = csv.DictReader(io.StringIO(cia_text), delimiter="\t")
    for row in rd:
        raw, nick = nickname(row["person_name"])
        if not raw or len(raw.split()) < 2 or not usable(raw):
            continue  # one-word names ("EVANS") are too ambiguous to match
        full, given, surname, post, forms = cia_person(raw)
        p = person(full)
        for f in forms:
            p["surnames"].update(surname_forms(f))
        # "first last" only where the first word is a whole given name:
        # not "Abd" of "Abd al-Rahman", not "Ali" of "Ali bin Isa", not
        # the initial of "J. R. Semeleer"
        first_ok = len(given) == 1 or (
            len(given) > 1 and given[0] not in ("Abd", "Abu") and
            given[1][:1].isupper())
        if given and re.fullmatch(r"[A-Z]\.?", given[0]):
            first_ok = False
        for sf in forms if given else []:
            if first_ok:
                p["aliases"].add(given[0] + " " + sf)
            if len(given) > 1:
                p["aliases"].add(" ".join(given) + " " + sf)
        for sf in forms if nick else []:
            p["aliases"].add(nick + " " + sf)  # "Joe Hockey"
    # every form of a CIA person -> its full name; a surname of several
    # words is the name in use ("MUHAMMAD BIN SALMAN bin Abd al-Aziz ...")
    cia_index = {}
    for full, p in persons.items():
        forms = [full] + sorted(p["aliases"])
        forms += [s for s in sorted(p["surnames"]) if len(s.split()) > 1]
        for f in forms:
            for v in variants(f):
                for t in [v] + translit(v):
                    cia_index.setdefault(t, set()).add(full)

    canon_of = {full: full for full in persons}
    rd = csv.DictReader(io.StringIO(wd_text))
    for row in rd:
        label, nick = nickname(row["officeholderLabel"])
        if not usable(label) or re.fullmatch(r"Q\d+", label):
            continue
        hits = set()
        for v in variants(label):
            hits |= cia_index.get(v, set())
        if len(hits) == 1:
            # the same person in both lists: Wikidata's label is the form
            # news uses ("Vladimir Putin"), so it becomes the canonical one
            full = hits.pop()
            canon_of[full] = label
            persons[full]["aliases"].add(label)
            continue
        p = person(label)
        canon_of.setdefault(label, label)
        words = label.split()
        if len(words) < 2 or words[0] in LABEL_TITLES or \
                ROMAN.match(words[-1]) or " of " in label:
            continue  # "Naruhito", "Pope Francis", "Charles III"
        i = len(words) - 1
        while i > 1 and words[i - 1].lower() in PARTICLES:
            i -= 1
        p["surnames"].update(surname_forms(" ".join(words[i:])))
        if i > 1 and not PATRONYM & set(words):
            p["aliases"].add(words[0] + " " + " ".join(words[i:]))
        if nick:
            p["aliases"].add(nick + " " + " ".join(words[i:]))

    # expand aliases (diacritics, transliterations) and find shared ones
    owners = {}
    expanded = {}
    for full, p in persons.items():
        names = set()
        for a in [full] + sorted(p["aliases"]):
            for v in variants(a):
                names.add(v)
                names.update(translit(v))
        names = {n for n in names if usable(n)}
        expanded[full] = names
        for n in names:
            owners.setdefault(n, set()).add(canon_of[full])
    rows = []
    for full, names in expanded.items():
        canon = canon_of[full]
        aliases = sorted(n for n in names
                         if n != full and owners[n] == {canon})
        sur = sorted("~" + s for s in persons[full]["surnames"]
                     if feature_ok(s) and s != full)
        rows.append((full, "PER", canon, aliases + sur))
    return sorted(rows)


# ---- titles ---------------------------------------------------------------

def title_head(t):
    """"minister of foreign affairs" -> "minister"; "" when no split."""
    m = re.search(r" (of|for|to|in|on|and|&|\() |, ", t)
    return t[:m.start()] if m else ""


def minister_forms(t):
    """News forms of "[deputy] minister of X": "[deputy] X minister"."""
    m = re.fullmatch(r"((?:first |second |deputy |vice )*)minister (?:of|for) "
                     r"(?:the )?([a-z]+(?: [a-z]+)?)", t)
    if not m:
        return []
    pre, dom = m.group(1), m.group(2)
    words = dom.split()
    if words[0] in ("state", "the") or len(words) > 2:
        return []
    doms = [dom]
    if dom == "foreign affairs":
        doms = ["foreign"]
    elif len(words) == 2 and words[0] in ("national", "public", "internal",
                                          "home", "foreign"):
        doms.append(words[1])
    out = []
    for d in doms:
        out.append(pre + d + " minister")
        out.append("deputy " + d + " minister")
    return out


def build_titles(cia_text, wd_text):
    """Phrases (lower case) with their cue kind, sorted."""
    titles = set()

    def add(t):
        t = clean(t.lower())
        for k, v in ABBREV.items():
            t = t.replace(k.lower(), v.lower())
        if t and "\t" not in t:
            titles.add(t)

    raw = []
    for row in csv.DictReader(io.StringIO(cia_text), delimiter="\t"):
        raw.append(row["office_title"])
    for row in csv.DictReader(io.StringIO(wd_text)):
        raw.append(row["positionLabel"])
    for t in raw:
        t = clean(t).lower()
        if not t:
            continue
        add(t)
        p = drop_paren(t)
        if p:
            add(p)
        h = title_head(t)
        if h:
            add(h)
        for f in minister_forms(p or t):
            add(f)
    # "crown prince & deputy prime minister": each side that is a title
    heads = {title_head(t) or t for t in titles}
    for t in sorted(titles):
        for part in t.split(" & ")[1:]:
            h = title_head(part) or part
            if h in heads:
                add(part)
    for t in HAND_TITLES:
        add(t)
    rows = [(t, "title") for t in titles]
    rows += [(c, "org") for c in HAND_ORG_CUES]
    return sorted(set(rows))


# ---- organisations --------------------------------------------------------

def cia_bodies(cia_text):
    """Names of bodies inside CIA office titles, with the abbreviation the
    title gives: "Director of Federal Security Service (FSB)" ->
    ("Federal Security Service", "FSB"). Only titles that head a body count
    ("Governor of ...", "Chairman of ..."): what follows "Minister of" is a
    portfolio ("Civil Service & Administrative Reform"), not a name. The
    name must end in an organisation word, or have one just before its own
    "of" ("Central Bank of Iran", "Bank of England")."""
    out = {}
    for row in csv.DictReader(io.StringIO(cia_text), delimiter="\t"):
        t = clean(row["office_title"])
        for k, v in ABBREV.items():
            t = t.replace(k, v)
        m = re.search(r" of (the )?", t)
        if not m or "Minister" in t[:m.start()]:
            continue
        rest = t[m.end():]
        if ", &" in rest:
            continue  # a list of portfolios, not one name
        for part in rest.split(", "):
            abbr = None
            pm = re.search(r"\s*\(([^)]*)\)", part)
            if pm:
                if re.fullmatch(r"[A-Z]{2,6}", pm.group(1)):
                    abbr = pm.group(1)
                part = clean(part[:pm.start()] + part[pm.end():])
            part = re.sub(r"^[Tt]he ", "", part)
            words = part.split()
            if len(words) < 2 or not words[0][0].isupper():
                continue
            if any(w[0].islower() and w not in ("of", "the", "and", "&")
                   for w in words) or re.search(r"\d", part):
                continue
            head = part.split(" of ")[0].split()
            if head[-1] not in ORG_WORDS or not usable(part):
                continue
            out.setdefault(part, set())
            if abbr:
                out[part].add(abbr)
            if " & " in part:
                out[part].add(part.replace(" & ", " and "))
    return out


def build_orgs(cia_text):
    """Rows (name, "ORG", canonical, aliases)."""
    orgs = {}
    for name, aliases in cia_bodies(cia_text).items():
        orgs.setdefault(name, set()).update(aliases)
    for name, aliases in HAND_ORGS:
        orgs.setdefault(name, set()).update(aliases)
    owners = {}
    for name, aliases in orgs.items():
        for a in aliases | {name}:
            owners.setdefault(a, set()).add(name)
    rows = []
    for name, aliases in orgs.items():
        if len(owners[name]) > 1:
            continue  # also someone's alias: keep it as that alias only
        keep = sorted(a for a in aliases if owners[a] == {name}
                      and a != name and usable(a.upper()))
        rows.append((name, "ORG", name, keep))
    return sorted(rows)


# ---- output ---------------------------------------------------------------

# The ceilings of common/gazetteer.h: a longer name would fail to load.
NAME_MAX = 256
MAX_TOKENS = 32


def check_name(s):
    """Fail on a name that the loader would refuse or misread."""
    assert s and not any(c in s for c in "\t\n\r|"), repr(s)
    assert not s.startswith("#"), s
    assert len(s.replace(" ", "").encode("utf-8")) <= NAME_MAX, s
    assert len(s.split()) <= MAX_TOKENS, s


def write_tsv(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            check_name(r[0])
            cols = list(r[:3])
            if len(r) > 3 and r[3]:
                for a in r[3]:
                    check_name(a[1:] if a.startswith("~") else a)
                cols.append("|".join(r[3]))
            f.write("\t".join(cols) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default=DEFAULT_SRC,
                    help="directory of the zstd-compressed sources")
    ap.add_argument("--out", default=DEFAULT_OUT,
                    help="directory to write the lists to")
    args = ap.parse_args()

    paths = {k: os.path.join(args.src, k)
             for k in (SRC_COUNTRIES, SRC_WIKIDATA, SRC_CIA)}
    countries = json.loads(zstdcat(paths[SRC_COUNTRIES]))
    wd = zstdcat(paths[SRC_WIKIDATA])
    cia = zstdcat(paths[SRC_CIA])

    os.makedirs(args.out, exist_ok=True)
    outputs = {
        "countries.tsv": build_countries(countries),
        "people.tsv": build_people(cia, wd),
        "orgs.tsv": build_orgs(cia),
        "titles.txt": build_titles(cia, wd),
    }
    for name, rows in outputs.items():
        path = os.path.join(args.out, name)
        write_tsv(path, rows)
        print(f"{name}: {len(rows)} rows, {os.path.getsize(path)} bytes")
    for k, p in sorted(paths.items()):
        print(f"source {k}: sha256 {sha256(p)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
