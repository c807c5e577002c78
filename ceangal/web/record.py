"""The client record as pages show it: each section the selector returned, with its items laid out
as labelled rows. Only presentation: what may be seen was decided by policy.selectors."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ceangal.clients.sections import SECTIONS_BY_KEY, SectionSpec
from ceangal.policy.selectors import ClientRecord, ItemView, SectionView
from ceangal.reference import lookups


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class ItemPanel:
    item: ItemView
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class SectionPanel:
    view: SectionView
    spec: SectionSpec
    items: tuple[ItemPanel, ...]

    @property
    def key(self) -> str:
        return self.view.key

    @property
    def anchor(self) -> str:
        return f"section-{self.view.key}"


def _rows(spec: SectionSpec, item: ItemView, extra: tuple[Row, ...] = ()) -> tuple[Row, ...]:
    return (*extra, *(Row(f.label, item.display.get(f.name, "")) for f in spec.fields))


def _panel(spec: SectionSpec, item: ItemView, week_labels: dict[str, str]) -> ItemPanel:
    first = spec.fields[0].name
    title = item.display.get(first, "") or spec.label
    extra: tuple[Row, ...] = ()
    if spec.key == "follow_ups":
        week = str(item.values.get("week", ""))
        due_on = item.values.get("due_on")
        title = week_labels.get(week, week) or spec.label
        extra = (Row(_("Due"), due_on.strftime("%-d %B %Y") if due_on else ""),)
    elif spec.key == "documents":
        size = item.values.get("size_bytes")
        extra = (Row(_("File"), f"{item.values.get('original_name', '')} ({filesizeformat(size or 0)})"),)
    if not spec.multiple:
        title = spec.label
    return ItemPanel(item=item, title=title, rows=_rows(spec, item, extra))


def section_panels(record: ClientRecord) -> list[SectionPanel]:
    week_labels = lookups.labels("follow_up_week") if any(s.key == "follow_ups" for s in record.sections) else {}
    panels = []
    for view in record.sections:
        spec = SECTIONS_BY_KEY[view.key]
        panels.append(SectionPanel(view, spec, tuple(_panel(spec, item, week_labels) for item in view.items)))
    return panels
