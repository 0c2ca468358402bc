"""The Vietnamese catalogue says what users call things: the LDAP directory is the "danh bạ
LDAP", never "hệ thống thư mục" (which reads as a system of folders)."""

from __future__ import annotations

from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_no_vietnamese_string_calls_the_directory_a_folder_system():
    po = polib.pofile(str(PO))
    folders = [e.msgid for e in po if not e.obsolete and "thư mục" in (e.msgstr + "".join(e.msgstr_plural.values()))
               and "folder" not in e.msgid.lower()]
    assert folders == []
    directory = [e for e in po if not e.obsolete and "directory" in e.msgid.lower()]
    assert directory and [e.msgid for e in directory if "danh bạ ldap" not in e.msgstr.lower()] == []
