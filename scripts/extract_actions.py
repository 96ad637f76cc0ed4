#!/usr/bin/env python3
"""Extract the action catalog of the "Horizontaal Integratie- en Gelijke Kansenbeleidsplan
2020-2024" from its plain-text copy and write seeds/actions_2020_2024.json.

Usage (from the repository root):

    python3 scripts/extract_actions.py [PATH_TO_003_TXT] [OUTPUT_JSON]

Defaults: ../shared/seeds/003_f4093f3783d53d33.txt and seeds/actions_2020_2024.json
(relative to the repository root). Deterministic, no network, standard library only.

The text is a PDF-to-text dump: every printed line is followed by an empty line, a line
holding a single space marks the end of a (multi-line) heading, and the two-column tables of
each "Actie X.Y" block come out as "Doelstellingen ...", "Bevoegde beleidsdomeinen en
ministers", "Realisatie (van het) Regeerakkoord ...", "Timing ...", "Budget ..." lines.
Titles, objectives, policy domains and timing are copied as they stand; only hard line
breaks (and the one line-end hyphenation listed in HYPHEN_JOINS) are cleaned up.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SRC = os.path.normpath(os.path.join(ROOT, "..", "shared", "seeds", "003_f4093f3783d53d33.txt"))
DEFAULT_OUT = os.path.join(ROOT, "seeds", "actions_2020_2024.json")

PLAN_CODE = "HIGKB-2020-2024"
PLAN_TITLE = "Horizontaal Integratie- en Gelijke Kansenbeleidsplan 2020-2024"

# The 22 actions the plan lists under "Overzicht van de acties waarop lokale besturen kunnen
# intekenen vanuit de provisie samenleven" (section "2. De regierol van de lokale besturen").
ELIGIBLE = [
    "1.4", "2.1", "2.2", "2.5", "2.6", "2.7", "2.9", "2.10",
    "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8",
    "4.2", "4.3", "5.3", "5.4", "5.5", "8.2",
]

# Line-end hyphens inside extracted fields: how to join (hand-checked against the text).
# key = (text before the break ending in "-", first word after the break)
# "keep" joins without space and keeps the hyphen (the word is spelled with a hyphen
# elsewhere in the plan, e.g. "migratie-achtergrond" in Actie 3.3's description).
HYPHEN_JOINS = {
    ("migratie-", "achtergrond"): "keep",
}

ACTIE_RE = re.compile(r"^Actie (\d+)\.(\d+)\.?:?\s*(.*)$")
THEME_RE = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
PAGE_NUMBER_RE = re.compile(r"^\d{1,3}$")


def norm_ws(s):
    return re.sub(r"\s+", " ", s).strip()


def join_lines(parts):
    """Join wrapped lines into one string, handling line-end hyphens via HYPHEN_JOINS."""
    out = ""
    for part in parts:
        part = norm_ws(part)
        if not part:
            continue
        if not out:
            out = part
            continue
        if re.search(r"\w-$", out):
            last = out.split(" ")[-1]
            first = part.split(" ")[0]
            rule = HYPHEN_JOINS.get((last, first))
            if rule is None:
                raise SystemExit(f"unreviewed line-end hyphen: {last!r} + {first!r}; add it to HYPHEN_JOINS")
            if rule == "keep":
                out = out + part
            elif rule == "drop":
                out = out[:-1] + part
            else:
                raise SystemExit(f"bad rule {rule!r}")
        else:
            out = out + " " + part
    return out


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


def heading(lines, i):
    """Collect a heading starting at line i, up to the first line holding only blanks."""
    parts = []
    j = i
    while j < len(lines) and not (lines[j] != "" and lines[j].strip() == ""):
        if lines[j].strip():
            parts.append(lines[j])
        j += 1
        if j - i > 12:
            raise SystemExit(f"heading at line {i + 1} does not end")
    return parts, j


def extract_themes(lines):
    start = next(i for i, l in enumerate(lines) if l.strip() == "DOELSTELLINGEN EN ACTIES")
    themes = []
    for i in range(start, len(lines)):
        m = THEME_RE.match(lines[i].strip())
        if not m:
            continue
        number = int(m.group(1))
        if number != len(themes) + 1:
            continue  # e.g. a numbered sentence; chapters run 1..10 in order
        parts, _ = heading(lines, i)
        parts[0] = THEME_RE.match(parts[0].strip()).group(2)
        themes.append({"number": number, "title": join_lines(parts)})
    return themes


def split_objectives(parts):
    """Objectives: either one sentence or a list of '- ' bullets; keep bullets one per line."""
    items = []
    for p in parts:
        s = norm_ws(p)
        if not s:
            continue
        if s.startswith("- ") or s == "-":
            items.append([s])
        elif not items:
            items.append([s])
        else:
            items[-1].append(s)
    return "\n".join(join_lines(item) for item in items)


def _entry_complete(entry):
    """An entry is complete once it reads '... – minister Firstname Lastname'."""
    m = re.search(r"–\s*minister\s+(.*)$", entry)
    return bool(m) and len(m.group(1).split()) >= 2


def split_policy_domains(parts):
    """Entries look like 'Domein – minister Naam'; wrapped lines are continuations.

    A line continues the previous entry when that entry is not complete yet and either the
    entry has no dash yet ('Gelijke Kansen, ..., Binnenlands' + 'Bestuur en Stedenbeleid –
    minister Bart Somers') or the line has none ('... – minister Bart' + 'Somers').
    ('Welzijn – minister Beke' in Actie 2.7 is a complete one-name entry; it is the last line.)
    """
    entries = []
    for p in parts:
        s = norm_ws(p)
        if not s:
            continue
        last = " ".join(entries[-1]) if entries else None
        if last is not None and not _entry_complete(last) and ("–" not in s or "–" not in last):
            entries[-1].append(s)
        else:
            entries.append([s])
    return [join_lines(e) for e in entries]


def extract_action(lines, start, end, code):
    m = ACTIE_RE.match(lines[start].strip())
    title_parts, j = heading(lines, start)
    title_parts[0] = m.group(3)
    title = join_lines(title_parts)

    block = [l for l in lines[j:end]]
    stripped = [l.strip() for l in block]

    def find(pred, frm=0):
        for k in range(frm, len(stripped)):
            if pred(stripped[k]):
                return k
        raise SystemExit(f"Actie {code}: field not found")

    k_obj = find(lambda s: re.match(r"^Doelstelling(en)?\b", s) is not None)
    k_pol = find(lambda s: s.startswith("Bevoegde"), k_obj)
    k_tim = find(lambda s: s.startswith("Timing"), k_pol)
    # "Realisatie (van het) Regeerakkoord" closes the policy-domain cell; Actie 9.2 has none
    k_real = next((k for k in range(k_pol, k_tim) if stripped[k].startswith("Realisatie")), k_tim)
    k_bud = find(lambda s: s.startswith("Budget"), k_tim)

    obj_parts = [re.sub(r"^Doelstelling(en)?\s*", "", stripped[k_obj])] + stripped[k_obj + 1:k_pol]
    obj_parts = [p for p in obj_parts if not PAGE_NUMBER_RE.match(p)]
    objectives = split_objectives(obj_parts)

    # skip the (wrapped) header "Bevoegde beleidsdomeinen en ministers"
    k = k_pol
    header = ""
    while "ministers" not in header:
        header += " " + stripped[k]
        k += 1
    if norm_ws(header) != "Bevoegde beleidsdomeinen en ministers":
        raise SystemExit(f"Actie {code}: unexpected header {header!r}")
    pol_parts = [p for p in stripped[k:k_real] if not PAGE_NUMBER_RE.match(p)]
    policy = split_policy_domains(pol_parts)

    timing = norm_ws(re.sub(r"^Timing\s*", "", stripped[k_tim]))
    # no timing continues on a next line in this plan; check it
    nxt = [s for s in stripped[k_tim + 1:k_bud] if s]
    if nxt:
        raise SystemExit(f"Actie {code}: unexpected text after Timing: {nxt!r}")

    return {
        "title": title,
        "objectives": objectives,
        "policy_domains": "; ".join(policy),
        "timing": timing,
    }


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SRC
    out = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_OUT
    lines = read_lines(src)

    themes = extract_themes(lines)
    assert [t["number"] for t in themes] == list(range(1, 11)), themes

    starts = [i for i, l in enumerate(lines) if ACTIE_RE.match(l.strip())]
    # independent count: every line that mentions "Actie X.Y" anywhere
    raw_count = sum(1 for l in lines if re.search(r"Actie \d+\.\d+", l))
    assert len(starts) == raw_count, (len(starts), raw_count)

    actions = []
    for n, i in enumerate(starts):
        m = ACTIE_RE.match(lines[i].strip())
        code = f"{int(m.group(1))}.{int(m.group(2))}"
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        fields = extract_action(lines, i, end, code)
        actions.append({
            "code": code,
            "theme": int(m.group(1)),
            **fields,
            "samenleven_eligible": code in ELIGIBLE,
        })

    codes = [a["code"] for a in actions]
    assert len(set(codes)) == len(codes), "duplicate action codes"
    missing = [c for c in ELIGIBLE if c not in codes]
    assert not missing, f"eligible codes missing from the text: {missing}"
    assert sum(a["samenleven_eligible"] for a in actions) == 22
    theme_numbers = {t["number"] for t in themes}
    for a in actions:
        assert a["theme"] in theme_numbers
        for f in ("title", "objectives", "policy_domains", "timing"):
            assert a[f], (a["code"], f)
        assert re.fullmatch(r"20\d\d( ?[-–] ?20\d\d)?", a["timing"]), (a["code"], a["timing"])

    doc = {
        "plan_code": PLAN_CODE,
        "plan_title": PLAN_TITLE,
        "source": ("shared/seeds/003_f4093f3783d53d33.txt (plain-text copy of the plan, chapter "
                   "'DOELSTELLINGEN EN ACTIES', every 'Actie X.Y' block; eligibility from the list "
                   "'Overzicht van de acties waarop lokale besturen kunnen intekenen vanuit de provisie "
                   "samenleven' in section '2. De regierol van de lokale besturen'); extracted by "
                   "scripts/extract_actions.py"),
        "themes": themes,
        "actions": actions,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")

    print(f"'Actie X.Y' blocks in text: {raw_count}")
    print(f"actions written:            {len(actions)}")
    print(f"themes:                     {len(themes)}")
    print(f"samenleven_eligible:        {sum(a['samenleven_eligible'] for a in actions)} "
          f"({', '.join(a['code'] for a in actions if a['samenleven_eligible'])})")
    print(f"wrote {os.path.relpath(out, ROOT)}")


if __name__ == "__main__":
    main()
