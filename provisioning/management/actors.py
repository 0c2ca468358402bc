"""Who runs a management command, for the audit: `--actor USERNAME`, or the system (None)."""

from __future__ import annotations

from django.core.management.base import CommandError

from accounts.models import User

SOURCE = "command"  # recorded with the audit entries a command makes


def add_actor_argument(parser) -> None:
    parser.add_argument("--actor", metavar="USERNAME",
                        help="the user name of the person running this, for the audit (default: the system)")


def command_actor(username: str | None) -> User | None:
    """The named user, or None (the system) when no name was given; an unknown name stops the
    command before it changes anything."""
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--actor {username!r}: no such user")
    return user
