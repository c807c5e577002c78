"""Template helpers for drawing Django form fields (allauth's pages) in the design system."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def with_class(bound_field: BoundField, css_class: str) -> SafeString:
    """The field's widget with the design system's class added, and aria-describedby for its hint."""
    attrs: dict[str, str | bool] = {"class": css_class}
    if bound_field.help_text:
        attrs["aria-describedby"] = f"{bound_field.auto_id}-hint"
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)
