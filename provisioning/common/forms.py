from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (XLSX or CSV)"))


def add_errors(form: forms.Form, exc) -> None:
    """Put a service's ValidationError on the form: field errors on their fields (the rest on the
    form), so the page shows every reason where the person typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
