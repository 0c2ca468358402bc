from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    name = "provisioning"
    verbose_name = _("Provisioning")

    def ready(self) -> None:
        from provisioning import checks  # noqa: F401  (registers the key-settings check)

        # The outbox applies directory changes through this registry, so it imports no capability.
        from provisioning.applications.directory import apply_application_changes
        from provisioning.certificates.directory import apply_certificate_changes
        from provisioning.mailboxes.directory import apply_functional_changes, apply_list_changes
        from provisioning.mailboxes.stores import request_mail_stores
        from provisioning.outbox.appliers import register
        from provisioning.people.directory import apply_person_changes
        from provisioning.units.directory import apply_unit_changes

        register("units", apply_unit_changes, order=10)
        register("people", apply_person_changes, order=20)
        register("mail stores", request_mail_stores, order=25)  # once the mail attributes are written (C-12)
        register("lists", apply_list_changes, order=30)
        register("functional mailboxes", apply_functional_changes, order=40)
        register("certificates", apply_certificate_changes, order=50)  # after the entries they sit on
        register("applications", apply_application_changes, order=60)  # after units: scopes name their DNs

        from provisioning.certificates.automatic import on_person_changed
        from provisioning.people import hooks

        hooks.register("certificates", on_person_changed)
