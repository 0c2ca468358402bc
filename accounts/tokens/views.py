"""The tokens page: an HR officer, IT lead or the superadmin makes and revokes their own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.tokens.forms import RevokeForm, TokenForm
from accounts.tokens.services import may_hold_tokens, token_create, token_revoke, tokens_of
from provisioning.common.forms import add_errors


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The page lists the user's tokens; a POST makes one and shows its secret on this response only."""
    if not may_hold_tokens(request.user):
        raise PermissionDenied
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = token_create(actor=request.user, name=form.cleaned_data["name"],
                                         expires_on=form.cleaned_data["expires_on"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            form = TokenForm()
    response = render(request, "accounts/tokens.html", {
        "form": form, "secret": secret, "tokens": tokens_of(request.user)[:100]}, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@require_POST
@login_required
def token_revoke_view(request: HttpRequest) -> HttpResponse:
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return redirect("accounts:tokens")
    token = get_object_or_404(tokens_of(request.user), pk=form.cleaned_data["token"])
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked: it no longer works.") % {"name": token.name})
    return redirect("accounts:tokens")
