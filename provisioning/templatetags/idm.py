from django import template

from provisioning.audit import services as audit
from provisioning.audit.services import action_label
from provisioning.common.naming import NamingRule

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    """A readable, translated name for an audit action code."""
    return action_label(action)


@register.filter
def audit_summary(entry) -> str:
    """A history line's headline ("transferred from Sở Tài chính to Sở Y tế")."""
    return audit.audit_summary(entry)


@register.filter
def audit_details(entry) -> list[str]:
    """A history line's changed position, effective date and reason, when it has them."""
    return audit.audit_details(entry)


@register.filter
def naming_rule(rule: str) -> str:
    """The translated label of an address rule code ("given_initials" -> "given name + initials
    (hoangnt)"); an unknown code is shown as it is."""
    return NamingRule(rule).label if rule in NamingRule.values else rule
