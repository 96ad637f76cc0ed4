#!/usr/bin/env python3
"""Extract the action catalog of the "Horizontaal Gelijkekansenbeleidsplan 2025-2029" from its
plain-text copy and write seeds/actions_2025_2029.json.

Usage (from the repository root):

    python3 scripts/extract_actions_2025.py [PATH_TO_004_TXT] [OUTPUT_JSON]

Defaults: ../shared/seeds/004_0adea5eaa723683f.txt and seeds/actions_2025_2029.json.
Deterministic, no network, standard library only.

The plan numbers its 56 actions straight through ("Actie 17."), under seven main objectives
(hoofddoelstellingen, "HD") split into operational objectives ("OD 3.3"). Every action block
has a title, a description, and the cells "Verantwoordelijke minister(s)", "In samenwerking
met", "Tijdspad" and "Indicator(en)". We keep: the title; as objectives the OD the action
serves ("OD 3.3: We analyseren en verhogen de toegankelijkheid in Vlaanderen"); as policy
domains the responsible and co-operating ministers; the timing; and the indicators, one per
line. Descriptions are not extracted. Actie 51 has no cells of its own ("Deze actie wordt
uitgewerkt onder actie 46."): that sentence is kept as its objectives' second line.

No action of this plan is designated for the provisie Samenleven (the plan has no such list):
`samenleven_eligible` is false everywhere. The demo call of seeds/calls/ chooses its actions
itself and says so.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SRC = os.path.normpath(os.path.join(ROOT, "..", "shared", "seeds", "004_0adea5eaa723683f.txt"))
DEFAULT_OUT = os.path.join(ROOT, "seeds", "actions_2025_2029.json")

PLAN_CODE = "HGKBP-2025-2029"
PLAN_TITLE = "Horizontaal Gelijkekansenbeleidsplan 2025-2029"

ACTIE_RE = re.compile(r"^Actie (\d+)\.\s*(.*)$")
OD_RE = re.compile(r"^\d+\.\d+\.\d+\s+OD (\d+)\.(\d+):?\s*(.*)$")
HEADING_RE = re.compile(r"^\d+(\.\d+)+\s")
OBJECTIVE_RE = re.compile(r"^(\d)\.\s+(\S.*)$")


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def is_marker(line):
    """A line holding only blanks (not empty) ends a heading or a cell in this dump."""
    return line != "" and line.strip() == ""


def themes(lines):
    start = next(i for i, l in enumerate(lines) if "volgende 7" in l)
    out = []
    i = start + 1
    while len(out) < 7 and i < len(lines):
        m = OBJECTIVE_RE.match(lines[i].strip())
        if m:
            out.append({"number": int(m.group(1)), "title": norm(m.group(2))})
        elif out and lines[i].strip() and not lines[i].strip().startswith("doelstellingen"):
            out[-1]["title"] = norm(out[-1]["title"] + " " + lines[i])
        i += 1
    assert [t["number"] for t in out] == list(range(1, 8)), out
    return out


def ods(lines):
    """Every OD heading with its line number (headings may wrap onto one more line)."""
    out = []
    for i, l in enumerate(lines):
        m = OD_RE.match(l.strip())
        if not m:
            continue
        text = m.group(3)
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if nxt and not ACTIE_RE.match(nxt) and not HEADING_RE.match(nxt):
            text += " " + nxt
        out.append((i, f"OD {m.group(1)}.{m.group(2)}: {norm(text)}", int(m.group(1))))
    return out


def cell(block, label_re, stop_res):
    """The text of a cell: what follows its label on the label's line and the next lines,
    up to the next label or a blank-only line."""
    for k, l in enumerate(block):
        m = label_re.match(l.strip())
        if not m:
            continue
        parts = [m.group(1)] if m.group(1).strip() else []
        for l2 in block[k + 1:]:
            s = l2.strip()
            if is_marker(l2) or any(r.match(s) for r in stop_res):
                break
            if s:
                parts.append(s)
        return parts
    return None


VERANTWOORDELIJKE = re.compile(r"^Verantwoordelijke\s*(.*)$")
SAMEN = re.compile(r"^In samenwerking met\s*(.*)$")
TIJDSPAD = re.compile(r"^Tijdspad\s*(.*)$")
# One block has PDF debris before the label ("2029Indicator(en)").
INDICATOR = re.compile(r"^(?:\d{4})?Indicator\(en\)\s*(.*)$")
LABELS = [VERANTWOORDELIJKE, SAMEN, TIJDSPAD, INDICATOR]


def bullets(parts):
    """Cell lines to items: '- ' starts an item, other lines continue the last one."""
    items = []
    for p in parts:
        if p.startswith("- ") or p == "-":
            items.append(p[2:].strip())
        elif items:
            items[-1] = norm(items[-1] + " " + p)
        else:
            items.append(p)
    return [norm(i) for i in items if norm(i)]


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SRC
    out_path = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_OUT
    with open(src, encoding="utf-8") as f:
        lines = f.read().split("\n")

    theme_list = themes(lines)
    od_list = ods(lines)
    starts = [i for i, l in enumerate(lines) if ACTIE_RE.match(l.strip())]
    raw_count = sum(1 for l in lines if re.match(r"^\s*Actie \d+\.", l))
    assert len(starts) == raw_count == 56, (len(starts), raw_count)

    actions = []
    for n, i in enumerate(starts):
        m = ACTIE_RE.match(lines[i].strip())
        number = int(m.group(1))
        assert number == n + 1, (number, n)
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        # the block ends at the next OD/HD heading too
        for k in range(i + 1, end):
            if HEADING_RE.match(lines[k].strip()):
                end = k
                break
        # A wrapped title goes on for a line or two, up to a blank-only line; when more lines
        # come before that marker, the description started right under a one-line title.
        title_parts = [m.group(2)]
        j = i + 1
        more = []
        while j < end and not is_marker(lines[j]) and len(more) < 3:
            if lines[j].strip():
                more.append(lines[j])
            j += 1
        if len(more) <= 2 and j < end and is_marker(lines[j]):
            title_parts += more
            block = lines[j:end]
        else:
            block = lines[i + 1:end]
        title = norm(" ".join(title_parts))
        od = [o for o in od_list if o[0] < i][-1]
        responsible = cell(block, VERANTWOORDELIJKE, LABELS)
        together = cell(block, SAMEN, LABELS)
        timing = cell(block, TIJDSPAD, LABELS)
        # "Tijdspad" is one line; what follows it before the next label is PDF debris ("2025-").
        if timing and len(timing) > 1 and re.search(r"20\d\d", timing[0]):
            timing = timing[:1]
        indicators = cell(block, INDICATOR, LABELS)
        objectives = od[1]
        if responsible is None:
            note = norm(" ".join(l for l in block if l.strip()))
            assert "uitgewerkt onder actie" in note, (number, note)
            objectives += "\n" + note
            policy = ""
        else:
            # the label wraps: "Verantwoordelijke" / "minister(s)"
            responsible = [p for p in responsible if p != "minister(s)"]
            policy = "Verantwoordelijk: " + ", ".join(bullets(responsible))
            if together:
                policy += "; in samenwerking met: " + ", ".join(bullets(together))
            assert indicators, number  # Actie 53 has no "Tijdspad"
        action = {
            "code": str(number),
            "theme": od[2],
            "title": title,
            "objectives": objectives,
            "policy_domains": policy,
            "timing": norm(" ".join(timing)) if timing else None,
            "indicators": "\n".join("- " + b for b in bullets(indicators)) if indicators else None,
            "samenleven_eligible": False,
        }
        if action["timing"]:
            assert re.search(r"20\d\d", action["timing"]), (number, action["timing"])
        actions.append(action)

    assert len({a["code"] for a in actions}) == 56
    assert {a["theme"] for a in actions} == set(range(1, 8))
    doc = {
        "plan_code": PLAN_CODE,
        "plan_title": PLAN_TITLE,
        "source": ("shared/seeds/004_0adea5eaa723683f.txt (plain-text copy of the plan, chapter "
                   "'2 GEÏNTEGREERD ACTIEPLAN', every 'Actie N.' block with its OD heading and the cells "
                   "'Verantwoordelijke minister(s)', 'In samenwerking met', 'Tijdspad', 'Indicator(en)'); "
                   "themes = the 7 objectives of section 1.3; extracted by scripts/extract_actions_2025.py"),
        "themes": theme_list,
        "actions": actions,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"actions written: {len(actions)}")
    print(f"themes:          {len(theme_list)}")
    print(f"with indicators: {sum(1 for a in actions if a['indicators'])}")
    print(f"wrote {os.path.relpath(out_path, ROOT)}")


if __name__ == "__main__":
    main()
