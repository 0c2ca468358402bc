"""Set Vietnamese translations from the command line: po_set.py 'msgid' 'msgstr' [...].
Clears the fuzzy flag of the entries it sets."""

import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "vi" / "LC_MESSAGES" / "django.po"

po = polib.pofile(str(PO))
pairs = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=True))
for e in po:
    if e.msgid in pairs:
        if e.msgid_plural:  # Vietnamese has one plural form
            e.msgstr_plural = {0: pairs.pop(e.msgid)}
        else:
            e.msgstr = pairs.pop(e.msgid)
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
        e.previous_msgid = e.previous_msgid_plural = e.previous_msgctxt = None
if pairs:
    sys.exit(f"not in the catalogue: {list(pairs)}")
po.save()
