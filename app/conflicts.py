"""When two PCs changed the same record: a field-by-field comparison (base, ours, theirs) and a merge of
what does not overlap into a new change set that goes through review again. Nothing is overwritten
silently: a field both sides changed is left for the officer to decide."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .changeset import ChangeSet, Op, Operation


@dataclass(frozen=True)
class FieldDiff:
    record_type: str
    record_id: str
    field: str
    base: Any       # what the officer saw when they made the change
    ours: Any       # what our change set wanted
    theirs: Any     # what the central register has now

    @property
    def overlapping(self) -> bool:
        """Both sides changed it, to different values: a person has to choose."""
        return self.theirs != self.base and self.ours != self.base and self.ours != self.theirs


def compare(op: Operation, base: dict[str, Any], theirs: dict[str, Any]) -> list[FieldDiff]:
    """Every field our operation sets, and every field they changed since the base."""
    names = sorted(set(op.fields) | {k for k in theirs if theirs.get(k) != base.get(k)})
    return [FieldDiff(op.record_type, op.record_id, n, base.get(n), op.fields.get(n, base.get(n)), theirs.get(n))
            for n in names]


def merge(cs: ChangeSet, current: dict[tuple[str, str], tuple[int, dict]],
          bases: dict[tuple[str, str], dict]) -> tuple[ChangeSet | None, list[FieldDiff]]:
    """A new change set with our non-overlapping changes against the records as they are now, and the
    overlapping fields left for the officer. ``current``: (type, id) → (rev, data) from the server's answer;
    ``bases``: (type, id) → the record as we saw it (our local history at the base revision)."""
    ops: list[Operation] = []
    left: list[FieldDiff] = []
    for op in cs.operations:
        key = (op.record_type, op.record_id)
        if op.op is Op.CREATE or key not in current:
            continue  # a new record cannot conflict by revision; it was refused for another reason
        rev, theirs = current[key]
        diffs = compare(op, bases.get(key, {}), theirs)
        clash = [d for d in diffs if d.overlapping and d.field in op.fields]
        left.extend(clash)
        keep = {d.field: d.ours for d in diffs if d.field in op.fields and not d.overlapping and d.ours != d.theirs}
        if keep:
            ops.append(Operation(Op.UPDATE, op.record_type, op.record_id, keep, rev))
    if not ops:
        return None, left
    merged = ChangeSet(cs.unit_code, cs.author_cid, f"{cs.title} (รวมกับการแก้ไขจากเครื่องอื่น)", cs.kind, ops,
                       effective_on=cs.effective_on, evidence=list(cs.evidence),
                       evidence_labels=dict(cs.evidence_labels), claims=list(cs.claims))
    return merged, left
