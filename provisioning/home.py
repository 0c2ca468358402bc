from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from provisioning.outbox.models import DirectoryChange
from provisioning.people.models import Person, PersonStatus
from provisioning.units.models import Unit


@require_GET
@login_required
def home(request):
    counts = {
        "units": Unit.objects.count(),
        "people": Person.objects.count(),
        "active": Person.objects.filter(status=PersonStatus.ACTIVE).count(),
        "pending": DirectoryChange.objects.filter(status__in=["pending", "running"]).count(),
        "failed": DirectoryChange.objects.filter(status="failed").count(),
    }
    return render(request, "provisioning/home.html", {"counts": counts})
