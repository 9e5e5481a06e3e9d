from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "招商项目"

    def ready(self):
        from . import landing_facts  # noqa: F401  (connects the receivers that keep the projects' landing columns)
