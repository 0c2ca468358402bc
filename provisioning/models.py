"""Django loads an app's models from here: each capability keeps its own in its package
(the app label stays `provisioning`, so no table changed when they moved). Nothing imports
this module; code imports the capability's models directly."""

from provisioning.applications.models import Application
from provisioning.approvals.models import QuotaRequest
from provisioning.audit.models import AuditChainHead, AuditEntry
from provisioning.certificates.models import Certificate, CertificateBatch, CertificateRequest
from provisioning.imports.models import ImportBatch, ImportRow
from provisioning.mailboxes.models import FunctionalMailbox, MailboxUsage, UsageCollection
from provisioning.outbox.models import DirectoryChange
from provisioning.people.models import MailAddress, Person, PersonPeriod
from provisioning.reorg.models import PlanAlias, UnitPlan
from provisioning.reports.models import UnitSnapshot
from provisioning.scim.models import ScimUserLink
from provisioning.units.models import Unit, UnitVersion

__all__ = ["Application", "AuditChainHead", "AuditEntry", "Certificate", "CertificateBatch", "CertificateRequest",
           "DirectoryChange", "FunctionalMailbox", "ImportBatch", "ImportRow", "MailAddress", "MailboxUsage", "Person",
           "PersonPeriod", "PlanAlias", "QuotaRequest", "ScimUserLink", "Unit", "UnitPlan", "UnitSnapshot",
           "UnitVersion", "UsageCollection"]
