"""Error pages that say what happened and what to do next (never a traceback)."""

import logging

from django.shortcuts import render
from django.utils.translation import gettext_noop

from idm.http import same_site

log = logging.getLogger("idm.access")


def _who(request) -> str:
    user = getattr(request, "user", None)
    return user.get_username() if user is not None and user.is_authenticated else "anonymous"


# Django's own message for a NUL byte in any form field (ProhibitNullCharactersValidator): its Vietnamese
# catalogue leaves it untranslated, so ours carries it (LOCALE_PATHS come before Django's catalogues)
gettext_noop("Null characters are not allowed.")


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    # AC-08: every refusal is logged with who and what, whichever view refused
    log.warning("access refused (403): %s %s %s", _who(request), request.method, request.path)
    return render(request, "errors/403.html", status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the product's page in the user's language instead of Django's English one.
    The way back is the page that held the form (same-origin Referer only), else the overview."""
    back = same_site(request, request.META.get("HTTP_REFERER", ""), "/")
    return render(request, "errors/403_csrf.html", {"back": back}, status=403)


def page_not_found(request, exception=None):
    # an object outside the user's scope answers 404 like a missing one (no hint it exists): log both
    log.info("not found (404): %s %s %s", _who(request), request.method, request.path)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
