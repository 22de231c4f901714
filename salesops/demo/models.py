from django.db import models

from salesops.core import bounded


class DemoStep(models.Model):
    """A demo builder that has run; the loader skips it next time, which makes it idempotent."""

    name = models.CharField(max_length=100, unique=True)
    done_at = bounded.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
