"""Every page of provisioning, under the "provisioning" namespace; each capability lists its
own URLs next to its views."""

from provisioning.applications import urls as applications
from provisioning.approvals import urls as approvals
from provisioning.audit import urls as audit
from provisioning.certificates import urls as certificates
from provisioning.imports import urls as imports
from provisioning.mailboxes import urls as mailboxes
from provisioning.people import urls as people
from provisioning.reorg import urls as reorg
from provisioning.reports import urls as reports
from provisioning.units import urls as units

app_name = "provisioning"
# reorg first: "units/plans/" would otherwise be taken for a unit code
urlpatterns = [*reorg.urlpatterns, *units.urlpatterns, *people.urlpatterns, *mailboxes.urlpatterns,
               *approvals.urlpatterns, *imports.urlpatterns, *reports.urlpatterns, *certificates.urlpatterns,
               *audit.urlpatterns, *applications.urlpatterns]
