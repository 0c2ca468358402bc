from django import template

from provisioning.audit.services import action_label
from provisioning.common.naming import NamingRule

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    """A readable, translated name for an audit action code."""
    return action_label(action)


@register.filter
def naming_rule(rule: str) -> str:
    """The translated label of an address rule code ("given_initials" -> "given name + initials
    (hoangnt)"); an unknown code is shown as it is."""
    return NamingRule(rule).label if rule in NamingRule.values else rule
