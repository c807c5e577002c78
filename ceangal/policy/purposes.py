"""Purposes are shared vocabulary and live in ceangal.reference.purposes; kept here for callers."""

from __future__ import annotations

from ceangal.reference.purposes import DPV_TERM, Purpose

__all__ = ["DPV_TERM", "Purpose"]
