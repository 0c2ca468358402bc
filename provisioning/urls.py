"""Every page of provisioning, under the "provisioning" namespace; each capability lists its
own URLs next to its views."""

from provisioning.approvals import urls as approvals
from provisioning.audit import urls as audit
from provisioning.imports import urls as imports
from provisioning.mailboxes import urls as mailboxes
from provisioning.people import urls as people
from provisioning.units import urls as units

app_name = "provisioning"
urlpatterns = [*units.urlpatterns, *people.urlpatterns, *mailboxes.urlpatterns, *approvals.urlpatterns,
               *imports.urlpatterns, *audit.urlpatterns]
