from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.throttle import login_cooldown_minutes


class LoginForm(AuthenticationForm):
    """Login with a uid or an official address and the directory password."""

    username = forms.CharField(
        label=_("User name or official email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=settings.PASSWORD_MAX_LENGTH,  # PW-03: refused before any hashing or bind
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    # where to go after logging in; followed only when it stays on this site (the view checks)
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    error_messages = {
        # AU-04: one message for unknown user, wrong password, suspended or not yet active
        "invalid_login": _(
            "The user name or password is not correct. Check them and try again. "
            "If you have forgotten your password, reset it with a code (Forgot password? below) "
            "or ask your unit's HR officer."
        ),
        "inactive": _(
            "The user name or password is not correct. Check them and try again. "
            "If you have forgotten your password, reset it with a code (Forgot password? below) "
            "or ask your unit's HR officer."
        ),
        # AU-01/AU-02: the same words for every name, existing or not
        "throttled": _(
            "Too many failed attempts. Try again in %(minutes)s minutes, or unlock your account now "
            "with a code sent to your personal email or phone."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password"):
            minutes = login_cooldown_minutes(self.request, username)  # checked before any bind
            if minutes:
                raise ValidationError(self.error_messages["throttled"], code="throttled",
                                      params={"minutes": minutes})
        return super().clean()
