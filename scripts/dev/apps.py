from django.apps import AppConfig


class DevToolsConfig(AppConfig):
    """Development only: the demo province (`manage.py seed_demo`) and the private servers that
    `make run` and the tests start. Production settings leave this app out."""

    name = "scripts.dev"
    label = "devtools"
    verbose_name = "Development tools"
