"""Fail when the Vietnamese catalogue misses a string the code ships (conventions §6).

Regenerates locale/vi/LC_MESSAGES/django.po from the sources (makemessages), then refuses any
untranslated or fuzzy entry, and checks that %(name)s placeholders match between msgid and msgstr.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
IGNORE = ["var/*", "tests/*", "bench/*", "scripts/*", ".venv/*", "node_modules/*"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{ ?\w+ ?\}\}|%[sd]")


def main() -> int:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="idm.settings.test")
    # file names without line numbers: moving code does not churn the catalogue (or conflict in merges)
    cmd = [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-obsolete", "--add-location", "file",
           "-v", "0"]
    for pattern in IGNORE:
        cmd += ["-i", pattern]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    po = polib.pofile(str(PO))
    problems = []
    for e in po:
        if e.obsolete:
            continue
        where = e.occurrences[0][0] if e.occurrences else "?"
        if "fuzzy" in e.flags:
            problems.append(f"fuzzy: {e.msgid!r} ({where})")
        elif not e.translated():
            problems.append(f"untranslated: {e.msgid!r} ({where})")
        else:
            targets = [e.msgstr] if not e.msgid_plural else list(e.msgstr_plural.values())
            for t in targets:
                if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(t)) and not e.msgid_plural:
                    problems.append(f"placeholders differ: {e.msgid!r} -> {t!r}")
    if problems:
        print(f"{PO.relative_to(ROOT)}: {len(problems)} problem(s)")
        for p in problems:
            print("  " + p)
        print("Translate them in the .po file (Vietnamese), then run make test again.")
        return 1
    print(f"translations: {len([e for e in po if not e.obsolete])} strings, all translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
