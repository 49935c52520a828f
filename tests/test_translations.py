"""Romanian is complete and the committed .mo matches the .po (a fresh machine has no gettext)."""

import ast
import gettext
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "ro" / "LC_MESSAGES" / "django.po"


def entries(path):
    """(flags, msgctxt, msgid, [msgstr...]) for every entry of a .po file; a small reader, enough for ours."""
    result, current, key = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current and current.get("msgid") is not None:
                result.append(current)
            current, key = None, None
            continue
        current = current or {"flags": "", "msgstr": {}}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, int):
                current["msgstr"][key] += value
            else:
                current[key] += value
        else:
            word, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if word.startswith("msgstr"):
                key = int(word[7:-1]) if "[" in word else 0
                current["msgstr"][key] = value
            else:
                key = word
                current[key] = value
    return result


def test_every_romanian_string_is_translated_and_none_is_fuzzy():
    found = [e for e in entries(PO) if e["msgid"]]
    assert len(found) > 600
    untranslated = [e["msgid"] for e in found if not all(e["msgstr"].values()) or "fuzzy" in e["flags"]]
    assert untranslated == []


def test_the_committed_mo_matches_the_po():
    with open(PO.with_suffix(".mo"), "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in entries(PO):
        msgid = entry["msgid"]
        if not msgid:
            continue
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            assert catalogue.ngettext(msgid, entry["msgid_plural"], 1) == entry["msgstr"][0], msgid
        else:
            assert catalogue.gettext(msgid) == entry["msgstr"][0], msgid
