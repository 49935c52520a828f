"""The embedded default's mail: each message as a file under var/mail/ and on the console."""

import sys

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class FileAndConsoleBackend(BaseEmailBackend):
    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently)
        self.file_backend = FileBackend(fail_silently=fail_silently, **kwargs)
        self.console_backend = ConsoleBackend(fail_silently=fail_silently, stream=sys.stdout)

    def send_messages(self, email_messages):
        sent = self.file_backend.send_messages(email_messages)
        # The file backend keeps its stream open between calls; a new file per batch.
        self.file_backend.close()
        self.console_backend.send_messages(email_messages)
        return sent
