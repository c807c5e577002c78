"""One form builder for every section, generated from its SectionSpec.

The builder turns a spec, the values to show and the errors to report into `FieldView`s that the
template `web/includes/field.html` renders in the Scottish Government Design System; `read_post`
turns a submitted form back into the plain data the client services validate. Validation itself
lives in the services (clients.validation): the web layer only parses what browsers send (an
unticked checkbox is absent, a date is typed as "27 3 2007") into the shapes the services expect.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ceangal.clients.sections import FieldSpec, Kind, SectionSpec
from ceangal.reference import lookups

# A CHOICE with more options than this is a select rather than radios.
MAX_RADIOS = 6
# "27 3 2007", "27/03/2007", "27-3-2007", "27.3.2007": day, month, year.
_DMY_RE = re.compile(r"^\s*(\d{1,2})[\s/.-]+(\d{1,2})[\s/.-]+(\d{4})\s*$")
_ISO_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class OptionGroup:
    label: str  # empty for options that belong to no group
    options: tuple[Option, ...]


@dataclass(frozen=True)
class FieldView:
    """Everything a template needs to draw one question."""

    name: str
    id: str
    label: str
    widget: str  # input, textarea, select, radios, checkboxes, checkbox, file
    value: str = ""
    hint: str = ""
    errors: tuple[str, ...] = ()
    required: bool = False
    input_type: str = "text"
    input_class: str = ""
    inputmode: str = ""
    autocomplete: str = "off"
    spellcheck: bool = True
    option_groups: tuple[OptionGroup, ...] = ()
    checked: bool = False
    # The first, empty option of a select; the template says "Choose" when this is empty.
    empty_label: str = ""

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def describedby(self) -> str:
        ids = []
        if self.hint:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def is_group(self) -> bool:
        """Radios and checkboxes sit in a fieldset whose legend is the label."""
        return self.widget in {"radios", "checkboxes"}

    @property
    def anchor(self) -> str:
        """Where the error summary links to: the first input of a group, or the input itself."""
        if self.is_group:
            return f"{self.id}-0"
        return self.id

    @property
    def options(self) -> tuple[Option, ...]:
        return tuple(option for group in self.option_groups for option in group.options)


@dataclass(frozen=True)
class ErrorLink:
    message: str
    href: str  # empty where the error belongs to no field on the page


@dataclass(frozen=True)
class FormView:
    fields: tuple[FieldView, ...]
    errors: tuple[ErrorLink, ...] = field(default=())


def field_id(name: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def format_date(value: object) -> str:
    """A stored date as a person types it: 27 3 2007."""
    if isinstance(value, dt.date):
        return f"{value.day} {value.month} {value.year}"
    return "" if value is None else str(value)


def parse_date(text: str) -> str:
    """What a person typed, as the ISO date the services read; unparseable text is passed on as it
    was typed, so the service's message about it is the one shown."""
    match = _DMY_RE.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    match = _ISO_RE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    return text.strip()


def code_groups(code_list: str, selected: set[str]) -> tuple[OptionGroup, ...]:
    groups: dict[str, list[Option]] = {}
    for choice in lookups.choices(code_list):
        groups.setdefault(choice.group, []).append(Option(choice.code, choice.label, choice.code in selected))
    return tuple(OptionGroup(label, tuple(options)) for label, options in groups.items())


type Values = Mapping[str, Any]
type Errors = Mapping[str, Sequence[str]]


def _selected(values: Values, name: str) -> set[str]:
    raw = values.get(name, "")
    return {str(v) for v in raw} if isinstance(raw, (list, tuple, set)) else {str(raw)}


def value_field(
    name: str,
    label: str,
    values: Values,
    errors: Errors,
    *,
    widget: str = "input",
    hint: str = "",
    required: bool = False,
    code_list: str = "",
    options: Sequence[tuple[str, str | Promise]] = (),
    input_class: str = "",
    input_type: str = "text",
    inputmode: str = "",
    empty_label: str = "",
) -> FieldView:
    """A field of a form that is not a client section (an agreement, a service, a filter): its
    value, or its options from a code list or a list of choices, marked as chosen from `values`."""
    groups: tuple[OptionGroup, ...] = ()
    if code_list:
        groups = code_groups(code_list, _selected(values, name))
    elif options:
        chosen = _selected(values, name)
        groups = (OptionGroup("", tuple(Option(str(v), str(text), str(v) in chosen) for v, text in options)),)
    raw = values.get(name)
    return FieldView(
        name=name,
        id=field_id(name),
        label=label,
        widget=widget,
        hint=hint,
        value="" if groups or raw is None else str(raw),
        errors=tuple(errors.get(name, ())),
        required=required,
        option_groups=groups,
        input_class=input_class,
        input_type=input_type,
        inputmode=inputmode,
        empty_label=empty_label,
    )


def filter_select(name: str, label: str, chosen: Values, code_list: str, any_label: str) -> FieldView:
    """A drop-down of a GET filter form (a list's filters), from a code list, "any" first."""
    return value_field(name, label, chosen, {}, widget="select", code_list=code_list, empty_label=any_label)


def _shown_value(spec: FieldSpec, raw: Any) -> str:
    if raw is None:
        return ""
    if spec.kind == Kind.DATE:
        return format_date(raw)
    if isinstance(raw, bool):
        return "true" if raw else ""
    return str(raw)


def build_field(spec: FieldSpec, raw: Any, errors: Sequence[str] = (), *, prefix: str = "") -> FieldView:
    """The question for one field: `raw` is a stored value or what the person typed."""
    name = f"{prefix}{spec.name}"
    common: dict[str, Any] = {
        "name": name,
        "id": field_id(name),
        "label": spec.label,
        "hint": spec.hint,
        "errors": tuple(errors),
        "required": spec.required,
    }
    kind = spec.kind
    if kind == Kind.CODES:
        selected = {str(v) for v in (raw if isinstance(raw, (list, tuple, set)) else [raw] if raw else [])}
        return FieldView(widget="checkboxes", option_groups=code_groups(spec.code_list, selected), **common)
    value = _shown_value(spec, raw)
    if kind == Kind.CODE:
        return FieldView(widget="select", value=value, option_groups=code_groups(spec.code_list, {value}), **common)
    if kind == Kind.CHOICE:
        options = (OptionGroup("", tuple(Option(v, label, v == value) for v, label in spec.choices)),)
        widget = "radios" if len(spec.choices) <= MAX_RADIOS else "select"
        return FieldView(widget=widget, value=value, option_groups=options, **common)
    if kind == Kind.BOOLEAN:
        return FieldView(widget="checkbox", checked=value.lower() in {"true", "on", "1", "yes"}, **common)
    if kind == Kind.LONG_TEXT:
        return FieldView(widget="textarea", value=value, **common)
    if kind == Kind.DATE:
        hint = " ".join(part for part in (spec.hint, _("For example 27 3 2007.")) if part)
        common["hint"] = hint
        return FieldView(widget="input", value=value, input_class="ds_input--fixed-10", **common)
    if kind == Kind.INTEGER:
        return FieldView(widget="input", value=value, inputmode="numeric", input_class="ds_input--fixed-4", **common)
    # The person whose details these are is the client, not the signed-in user, so the browser
    # must not offer the user's own name, email or phone: autocomplete stays off (WCAG 1.3.5 asks
    # for input purposes only where the information is about the user).
    if kind == Kind.EMAIL:
        return FieldView(widget="input", value=value, input_type="email", spellcheck=False, **common)
    if kind == Kind.PHONE:
        return FieldView(widget="input", value=value, input_type="tel", input_class="ds_input--fixed-20", **common)
    if kind in {Kind.POSTCODE, Kind.NI_NUMBER}:
        return FieldView(widget="input", value=value, input_class="ds_input--fixed-10", spellcheck=False, **common)
    return FieldView(widget="input", value=value, **common)


def build_form(
    specs: Iterable[FieldSpec],
    values: Mapping[str, Any],
    errors: Mapping[str, Sequence[str]] | None = None,
    *,
    prefix: str = "",
) -> tuple[FieldView, ...]:
    errors = errors or {}
    return tuple(
        build_field(spec, values.get(spec.name), errors.get(f"{prefix}{spec.name}", ()), prefix=prefix)
        for spec in specs
    )


def section_fields(spec: SectionSpec, names: Sequence[str] | None = None) -> tuple[FieldSpec, ...]:
    if names is None:
        return spec.fields
    return tuple(spec.field(name) for name in names)


def read_post(specs: Iterable[FieldSpec], post: QueryDict, *, prefix: str = "") -> dict[str, Any]:
    """The submitted values for `specs`, in the shapes the services validate."""
    data: dict[str, Any] = {}
    for spec in specs:
        name = f"{prefix}{spec.name}"
        if spec.kind == Kind.CODES:
            data[spec.name] = [value for value in post.getlist(name) if value]
        elif spec.kind == Kind.BOOLEAN:
            data[spec.name] = name in post and post.get(name, "") not in {"", "false", "0", "off"}
        elif spec.kind == Kind.DATE:
            data[spec.name] = parse_date(post.get(name, ""))
        else:
            data[spec.name] = post.get(name, "")
    return data


def typed_values(specs: Iterable[FieldSpec], post: QueryDict, *, prefix: str = "") -> dict[str, Any]:
    """What the person typed, to show back unchanged after an error."""
    shown: dict[str, Any] = {}
    for spec in specs:
        name = f"{prefix}{spec.name}"
        if spec.kind == Kind.CODES:
            shown[spec.name] = post.getlist(name)
        elif spec.kind == Kind.BOOLEAN:
            shown[spec.name] = name in post
        else:
            shown[spec.name] = post.get(name, "")
    return shown


def error_links(fields: Sequence[FieldView], errors: Mapping[str, Sequence[str]]) -> tuple[ErrorLink, ...]:
    """The error summary: one link per field error, in the order of the form, each naming its field;
    errors that belong to no field on the page come last, without a link."""
    links: list[ErrorLink] = []
    names = set()
    for view in fields:
        names.add(view.name)
        for message in errors.get(view.name, ()):
            links.append(ErrorLink(f"{view.label}: {message}", f"#{view.anchor}"))
    for key, messages in errors.items():
        if key not in names:
            links.extend(ErrorLink(message, "") for message in messages)
    return tuple(links)


def has_any_value(data: Mapping[str, Any]) -> bool:
    return any(value not in (None, "", [], False) for value in data.values())
