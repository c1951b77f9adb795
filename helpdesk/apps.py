from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    """The project package as an app: cross-app commands (seed_demo) and template tags."""

    name = "helpdesk"
    verbose_name = "Help desk"

    def ready(self):
        from helpdesk import deploy_checks  # noqa: F401 - registers the deploy system check
