"""Code lists (SCQF levels, local authorities, stages, barriers, outcomes, ...) with editions.

Client records store the stable code (a string) and the code list keeps the label, the edition it
came from, and, for superseded codes, the code that replaced it. Codes are never deleted: a record
made against an old edition must still read back.
"""

from __future__ import annotations

from django.db import models


class CodeList(models.Model):
    key = models.SlugField(primary_key=True, max_length=50)
    name = models.CharField(max_length=200)
    edition = models.CharField(max_length=50, help_text="Edition of the source, for example CENSUS2022.")
    version = models.PositiveIntegerField(default=1, help_text="Version of Ceangal's fixture of this list.")
    source = models.TextField(blank=True)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class Code(models.Model):
    code_list = models.ForeignKey(CodeList, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    group = models.CharField(max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    superseded_by = models.CharField(
        max_length=40, blank=True, help_text="For a retired code, the code that replaces it."
    )
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["code_list", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["code_list", "code"], name="unique_code_in_list")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"
