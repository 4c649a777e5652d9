"""From a new text to candidate facts a person reviews: ``kg suggest``.

The text is read (``reading``), its names found against the graph's own labels
(``gazetteer``), its dates read relative to the publication day (``dates``), and the
domain's rules (``rules``) turn sentences into candidates: events with their series,
ordinal, dates, place and status; participants and who headed them; documents with their
modality; topics; bodies proposed; the next meeting announced. Each candidate keeps the
passage it rests on and its offsets. ``draft`` writes them as Turtle in the project's own
model, which ``kg add --dry-run`` checks like any hand-written file, and as a review list.

Nothing is proposed that the text does not say: no year guessed, no participant inferred
from membership. Names the graph does not know become proposed new entities, marked NEW.
Deterministic (no model, no network, no clock but the one passed in) and offline.
"""

from __future__ import annotations

from kg.suggest.model import Candidate, Draft, SourceInfo
from kg.suggest.pipeline import suggest

__all__ = ["Candidate", "Draft", "SourceInfo", "suggest"]
