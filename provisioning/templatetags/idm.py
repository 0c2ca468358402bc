from django import template

from provisioning.audit.services import action_label

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    """A readable, translated name for an audit action code."""
    return action_label(action)
