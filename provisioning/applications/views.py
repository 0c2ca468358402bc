"""The superadmin's page of applications that read the directory: list with last bind, register,
rotate a secret, revoke. A new secret is shown once, in the response to the POST that made it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.scopes import is_superadmin
from directory import config
from provisioning.applications.forms import RegisterForm, RevokeForm
from provisioning.applications.models import Application
from provisioning.applications.selectors import applications_with_last_bind
from provisioning.applications.services import application_register, application_revoke, application_rotate
from provisioning.common.forms import add_errors


def _superadmin(request: HttpRequest) -> None:
    if not is_superadmin(request.user):
        raise PermissionDenied


def _secret_page(request: HttpRequest, app: Application, secret: str) -> HttpResponse:
    cfg = config.current()
    return render(request, "provisioning/application_secret.html",
                  {"app": app, "secret": secret, "bind_dn": f"cn={app.account},{cfg.applications_dn}",
                   # every provider (IDM_LDAP_URLS), space separated as an LDAP URI list: failover
                   "url": " ".join(cfg.urls), "base_dn": cfg.base_dn})


@require_http_methods(["GET", "POST"])
@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    _superadmin(request)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app, secret = application_register(actor=request.user, source_ip=request.META.get("REMOTE_ADDR"),
                                               **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return _secret_page(request, app, secret)
    cfg = config.current()
    return render(request, "provisioning/application_list.html",
                  {"form": form, "rows": applications_with_last_bind(), "revoke": RevokeForm(),
                   "applications_dn": cfg.applications_dn, "url": " ".join(cfg.urls), "base_dn": cfg.base_dn},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def application_rotate_view(request: HttpRequest, pk: int) -> HttpResponse:
    _superadmin(request)
    app = get_object_or_404(Application, pk=pk)
    try:
        secret = application_rotate(actor=request.user, application=app, source_ip=request.META.get("REMOTE_ADDR"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("provisioning:applications")
    return _secret_page(request, app, secret)


@require_POST
@login_required
def application_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    _superadmin(request)
    app = get_object_or_404(Application, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("provisioning:applications")
    application_revoke(actor=request.user, application=app, reason=form.cleaned_data["reason"],
                       source_ip=request.META.get("REMOTE_ADDR"))
    messages.success(request, _("%(name)s can no longer bind to the directory.") % {"name": app.name})
    return redirect("provisioning:applications")
