#!/usr/bin/env python3
"""Generates crates/domains/tests/data/lookalikes.txt: mutations of reference outlets, one
block per rule, after the public Doppelganger examples.

    python3 crates/domains/scripts/gen_lookalikes.py > crates/domains/tests/data/lookalikes.txt

Deterministic (fixed seed). The mutations are written from the rule definitions alone, never
by asking the matcher, so the recall figure measures the matcher against an independent
expectation. Reads data/outlets.tsv and data/common_words.txt (the latter only to know
which outlet labels are common words, for which only suffix swaps onto unusual suffixes and
homoglyphs are lookalikes by definition).
"""
import random
import sys
from pathlib import Path

CRATE = Path(__file__).resolve().parent.parent
rng = random.Random(20240601)

DOPPELGANGER = """\
# Public Doppelganger examples (EU DisinfoLab 2022, VIGINUM 2023, Meta 2022-2024).
washingtonpost.pm\twashingtonpost.com\tsuffix_swap
spiegel.ltd\tspiegel.de\tsuffix_swap
spiegel.agency\tspiegel.de\tsuffix_swap
leparisien.ltd\tleparisien.fr\tsuffix_swap
faz.ltd\tfaz.net\tsuffix_swap
welt.ltd\twelt.de\tsuffix_swap
bild.work\tbild.de\tsuffix_swap
fox-news.top\tfoxnews.com\thyphenation_suffix_swap
theguardian.co.com\ttheguardian.com\tsuffix_swap
20minuts.com\t20minutes.fr\ttypo_suffix_swap
forward.pw\tforward.com\tsuffix_swap
# Hand-written: composed and adversarial tricks, some beyond what the rules model (these
# are expected misses and keep the recall figure honest).
spiegel-de.com\tspiegel.de\tcombosquat
spiegel.de.com\tspiegel.de\tsuffix_swap
spiegel.com.de\tspiegel.de\tsuffix_swap
washingtonpost-com.ltd\twashingtonpost.com\tcombosquat
lemonde-fr.eu\tlemonde.fr\tcombosquat
tagesschau24.de\ttagesschau.de\tcombosquat
zeit-online.info\tzeit.de\tcombosquat
thegaurdian.com\ttheguardian.com\ttypo
theguardian.uk.com\ttheguardian.com\tsuffix_swap
dailymail.co.uk.com\tdailymail.co.uk\tsuffix_swap
nytimes.co\tnytimes.com\tsuffix_swap
reuters.cm\treuters.com\tsuffix_swap
bloomberg.om\tbloomberg.com\tsuffix_swap
xn--lemnde-5ve.fr\tlemonde.fr\thomoglyph
xn--tagesscha-d5i.de\ttagesschau.de\thomoglyph
t-onIine.de\tt-online.de\thomoglyph
welt-news24.ltd\twelt.de\tcombosquat
sueddeutsche-zeitung.info\tsueddeutsche.de\tcombosquat
sp1egel-news.com\tspiegel.de\tcombosquat
fox-newz.com\tfoxnews.com\thyphenation
washington-p0st.com\twashingtonpost.com\thyphenation
nytimes.com-article.info\tnytimes.com\tcombosquat
bbc-news.uk\tbbc.co.uk\tcombosquat
faz-net.com\tfaz.net\tcombosquat
le-monde-fr.info\tlemonde.fr\tcombosquat
"""

UNUSUAL = ["ltd", "top", "work", "agency", "pw", "pm", "online", "site", "info", "xyz",
           "co.com", "eu.com", "news", "live", "click", "space", "fun", "icu", "cc", "life",
           "press", "media", "us.com", "de.com"]
ANY = UNUSUAL + ["com", "net", "org", "eu", "de", "fr", "co.uk", "it", "es", "pl", "ua"]
TLD_WORDS = ["news", "post", "live", "online", "site", "press", "media", "info", "today",
             "review", "world", "tv"]
AFFIX_AFTER = ["news", "online", "24", "live", "today", "info", "daily", "ua", "de", "fr",
               "eu", "world", "media", "365", "uk", "update"]
AFFIX_BEFORE = ["the", "my", "real", "official", "www", "daily", "news", "eu"]
KEYBOARD = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij",
    "i": "uok", "o": "ipl", "p": "ol", "a": "qsz", "s": "adw", "d": "sfe", "f": "dgr",
    "g": "fht", "h": "gjy", "j": "hku", "k": "jli", "l": "ko", "z": "xa", "x": "zcs",
    "c": "xvd", "v": "cbf", "b": "vng", "n": "bmh", "m": "nj",
}
CYRILLIC_LOOKALIKE = {"a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у",
                      "i": "і", "j": "ј", "s": "ѕ"}
ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}
ASCII_LOOKALIKE = [("m", "rn"), ("w", "vv"), ("d", "cl"), ("o", "0"), ("l", "1"), ("i", "1")]
ROMAN_TO_CYRILLIC_DIGRAPHS = [("shch", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("ya", "я"),
                              ("yu", "ю"), ("kh", "х"), ("ts", "ц")]
ROMAN_TO_CYRILLIC = {"a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з",
                     "i": "и", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п",
                     "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "y": "ы"}


def load():
    common = {w.split("#")[0].strip() for w in (CRATE / "data/common_words.txt").read_text().splitlines()}
    outlets, legit = [], set()
    for line in (CRATE / "data/outlets.tsv").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        canonical = f[0]
        siblings = [s for s in (f[3].split(",") if len(f) > 3 else []) if s]
        generic = len(f) > 4 and "generic" in f[4]
        legit.add(canonical)
        legit.update(siblings)
        label, suffix = canonical.split(".", 1)
        strength = ("generic" if generic else "short" if len(label) <= 3
                    else "common" if label in common else "distinctive")
        outlets.append((canonical, label, suffix, strength))
    return sorted(outlets), legit


OUTLETS, LEGIT = load()
LABELS = {label for _, label, _, _ in OUTLETS}
seen = set()


def puny(label):
    if label.isascii():
        return label
    return "xn--" + label.encode("punycode").decode("ascii")


def valid(label):
    ascii_label = puny(label)
    return (0 < len(ascii_label) <= 63 and not label.startswith("-")
            and not label.endswith("-") and label[2:4] != "--"
            and (not label.isascii() or all(c.isalnum() or c == "-" for c in label)))


def emit(out, label, suffix, canonical, rule):
    if not valid(label):
        return False
    domain = f"{puny(label)}.{suffix}"
    original = canonical.split(".", 1)[0]
    # A mutation that happens to be another outlet's label would be ambiguous.
    if domain in LEGIT or domain in seen or (label in LABELS and label != original):
        return False
    seen.add(domain)
    out.append(f"{domain}\t{canonical}\t{rule}")
    return True


def other_suffix(suffix, pool):
    return rng.choice([s for s in pool if s != suffix])


def typo(label, edits):
    for _ in range(50):
        s = list(label)
        for _ in range(edits):
            op = rng.choice(["delete", "insert", "substitute", "transpose"])
            letters = [i for i, c in enumerate(s) if c.isalpha()]
            i = rng.choice(letters)
            if op == "delete":
                del s[i]
            elif op == "insert":
                s.insert(i, rng.choice([s[i]] + list(KEYBOARD.get(s[i], "e"))))
            elif op == "substitute":
                s[i] = rng.choice(KEYBOARD.get(s[i], "e"))
            elif i + 1 < len(s) and s[i + 1].isalpha() and s[i] != s[i + 1]:
                s[i], s[i + 1] = s[i + 1], s[i]
        out = "".join(s)
        if out != label:
            return out
    return None


def hyphenate(label):
    if "-" in label:
        return label.replace("-", "", 1)
    if len(label) < 5:
        return None
    i = rng.randrange(2, len(label) - 1)
    return label[:i] + "-" + label[i:]


def homoglyph_idn(label):
    spots = [i for i, c in enumerate(label) if c in CYRILLIC_LOOKALIKE or c in ACCENTED]
    if not spots:
        return None
    s = list(label)
    for i in rng.sample(spots, min(len(spots), rng.choice([1, 1, 2]))):
        table = CYRILLIC_LOOKALIKE if s[i] in CYRILLIC_LOOKALIKE and rng.random() < 0.7 else ACCENTED
        s[i] = table.get(s[i], CYRILLIC_LOOKALIKE.get(s[i], s[i]))
    return "".join(s)


def homoglyph_ascii(label):
    options = [(a, b) for a, b in ASCII_LOOKALIKE if a in label[1:] or (a in label and not b[0].isdigit())]
    if not options:
        return None
    a, b = rng.choice(options)
    spots = [i for i in range(len(label)) if label.startswith(a, i) and (i > 0 or not b[0].isdigit())]
    i = rng.choice(spots)
    return label[:i] + b + label[i + len(a):]


def cyrillic(label):
    out, i = [], 0
    while i < len(label):
        for roman, cyr in ROMAN_TO_CYRILLIC_DIGRAPHS:
            if label.startswith(roman, i):
                out.append(cyr)
                i += len(roman)
                break
        else:
            if label[i] not in ROMAN_TO_CYRILLIC:
                return None
            out.append(ROMAN_TO_CYRILLIC[label[i]])
            i += 1
    return "".join(out)


def umlaut(label):
    for roman, uml in [("ue", "ü"), ("oe", "ö"), ("ae", "ä")]:
        if roman in label:
            return label.replace(roman, uml, 1) if rng.random() < 0.6 else label.replace(roman, roman[0], 1)
    return None


def pick(strengths, n, min_len=0, pred=lambda label: True):
    pool = [o for o in OUTLETS if o[3] in strengths and len(o[1]) >= min_len and pred(o[1])]
    return rng.sample(pool, min(n, len(pool)))


def main():
    blocks = []

    out = []
    for canonical, label, suffix, strength in pick({"distinctive"}, 70):
        emit(out, label, other_suffix(suffix, ANY), canonical, "suffix_swap")
    for canonical, label, suffix, strength in pick({"short", "common"}, 50):
        emit(out, label, other_suffix(suffix, UNUSUAL), canonical, "suffix_swap")
    blocks.append(("suffix_swap: the exact label under another public suffix", out))

    out = []
    for canonical, label, suffix, _ in pick({"distinctive"}, 90, min_len=6):
        t = typo(label, 2 if len(label) >= 10 and rng.random() < 0.3 else 1)
        if t:
            emit(out, t, suffix, canonical, "typo")
    blocks.append(("typo: one edit (two for labels of ten letters or more), same suffix", out))

    out = []
    for canonical, label, suffix, _ in pick({"distinctive"}, 70, min_len=6):
        t = typo(label, 2 if len(label) >= 10 and rng.random() < 0.3 else 1)
        if t:
            emit(out, t, other_suffix(suffix, ANY), canonical, "typo_suffix_swap")
    blocks.append(("typo_suffix_swap: a typo under another suffix", out))

    out = []
    for canonical, label, suffix, _ in pick({"distinctive"}, 40, min_len=5):
        h = hyphenate(label)
        if h:
            emit(out, h, suffix, canonical, "hyphenation")
    for canonical, label, suffix, _ in OUTLETS:
        for word in TLD_WORDS:
            if _ == "distinctive" and len(label) >= 5 and label.endswith(word) and len(label) > len(word) + 1:
                emit(out, label[: -len(word)], word, canonical, "hyphenation")
    blocks.append(("hyphenation: hyphen added or removed, or the label split by a dot", out))

    out = []
    for canonical, label, suffix, _ in pick({"distinctive"}, 35, min_len=5):
        h = hyphenate(label)
        if h:
            emit(out, h, other_suffix(suffix, ANY), canonical, "hyphenation_suffix_swap")
    blocks.append(("hyphenation_suffix_swap", out))

    out = []
    for canonical, label, suffix, strength in pick({"distinctive", "common", "short"}, 50):
        h = homoglyph_idn(label)
        if h:
            emit(out, h, suffix, canonical, "homoglyph")
    for canonical, label, suffix, strength in pick({"distinctive", "common"}, 40, min_len=4):
        h = homoglyph_ascii(label)
        if h:
            emit(out, h, suffix, canonical, "homoglyph")
    blocks.append(("homoglyph: IDN homographs (punycode) and ASCII look-alikes", out))

    out = []
    for canonical, label, suffix, strength in pick({"distinctive", "common"}, 45, min_len=4):
        h = homoglyph_idn(label) if rng.random() < 0.5 else homoglyph_ascii(label)
        if h:
            emit(out, h, other_suffix(suffix, ANY if strength == "distinctive" else UNUSUAL),
                 canonical, "homoglyph_suffix_swap")
    blocks.append(("homoglyph_suffix_swap", out))

    out = []
    for canonical, label, suffix, _ in pick({"distinctive"}, 45, min_len=5, pred=cyrillic):
        emit(out, cyrillic(label), suffix, canonical, "transliteration")
    for canonical, label, suffix, _ in OUTLETS:
        if _ == "distinctive":
            u = umlaut(label)
            if u:
                emit(out, u, suffix, canonical, "transliteration")
    blocks.append(("transliteration: Cyrillic spelling, umlauts written or dropped", out))

    out = []
    for canonical, label, suffix, _ in pick({"distinctive"}, 25, min_len=5, pred=cyrillic):
        emit(out, cyrillic(label), other_suffix(suffix, ANY), canonical, "transliteration_suffix_swap")
    blocks.append(("transliteration_suffix_swap", out))

    out = []
    for canonical, label, suffix, _ in pick({"distinctive"}, 45, min_len=4):
        affix = rng.choice(AFFIX_AFTER)
        emit(out, f"{label}-{affix}", rng.choice(ANY), canonical, "combosquat")
    for canonical, label, suffix, _ in pick({"distinctive"}, 20, min_len=4):
        emit(out, f"{rng.choice(AFFIX_BEFORE)}-{label}", rng.choice(ANY), canonical, "combosquat")
    for canonical, label, suffix, _ in pick({"distinctive"}, 30, min_len=5):
        emit(out, f"{label}{rng.choice(AFFIX_AFTER)}", rng.choice(ANY), canonical, "combosquat")
    for canonical, label, suffix, _ in pick({"distinctive", "generic", "common"}, 20,
                                               pred=lambda l: True):
        flat = canonical.replace(".", "")
        if len(flat) >= 7:
            emit(out, flat, rng.choice(["com", "net", "info", "online"]), canonical, "combosquat")
    blocks.append(("combosquat: the label among news words, country codes, numbers", out))

    sys.stdout.write("# Lookalike domains that MUST be reported: domain<TAB>imitates<TAB>expected_rule.\n")
    sys.stdout.write("# Generated by crates/domains/scripts/gen_lookalikes.py (deterministic); do not edit\n")
    sys.stdout.write("# by hand below the Doppelganger block, regenerate instead.\n")
    sys.stdout.write(DOPPELGANGER)
    for title, lines in blocks:
        sys.stdout.write(f"# --- {title} ({len(lines)}) ---\n")
        sys.stdout.write("".join(line + "\n" for line in lines))


main()
