"""Error pages that say what happened and what to do next (never a traceback)."""

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the product's page in the user's language instead of Django's English one.
    The way back is the page that held the form (same-origin Referer only), else the overview."""
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    return render(request, "errors/403_csrf.html", {"back": back}, status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
