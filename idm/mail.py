"""The development mail backend: every message a file in var/outbox-mail/, readable by its owner only.
Activation and reset mails carry codes that let someone set a password, so the folder is 0700 and
each file 0600, whatever the umask (Django's file backend leaves both to it)."""

from __future__ import annotations

import os

from django.core.mail.backends import filebased


class PrivateFileEmailBackend(filebased.EmailBackend):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        os.chmod(self.file_path, 0o700)

    def open(self) -> bool:
        if self.stream is None:
            fd = os.open(self._get_filename(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self.stream = os.fdopen(fd, "ab")
            return True
        return False
