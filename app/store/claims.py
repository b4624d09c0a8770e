"""The unit's claims in the working copy (step 6 of app.store.migrations): each claim kept whole as JSON with its
history (app.claims.codec), its state and dates beside it for the lists, and its receipts by key for the
double-claim check. Only app.usecases.claims writes here."""
from __future__ import annotations

import datetime as _dt
import json
from typing import Iterable

from ..claims import Claim, ClaimState, receipt_key
from ..claims.codec import from_json, to_json


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat()


class ClaimStore:
    def __init__(self, wc) -> None:
        self.wc = wc

    def save_in(self, conn, claim: Claim) -> None:
        first = min((r.issued_on for r in claim.receipts), default=None)

        def day(d):
            return d.isoformat() if d else None
        conn.execute(
            "INSERT INTO claims (id, unit_code, state, claimant_cid, patient_cid, first_receipt, updated_at, data, "
            "relation, facility, first_day, last_day, claimed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (id) DO UPDATE SET state=excluded.state, claimant_cid=excluded.claimant_cid, "
            "patient_cid=excluded.patient_cid, first_receipt=excluded.first_receipt, updated_at=excluded.updated_at, "
            "data=excluded.data, relation=excluded.relation, facility=excluded.facility, "
            "first_day=excluded.first_day, last_day=excluded.last_day, claimed=excluded.claimed",
            (claim.id, claim.unit_code, claim.state.value, claim.claimant_cid, claim.patient_cid, day(first), _now(),
             json.dumps(to_json(claim), ensure_ascii=False), claim.relation.value, claim.facility, day(claim.first_day),
             day(claim.last_day), str(claim.claimed)))
        conn.execute("DELETE FROM claim_receipts WHERE claim_id = ?", (claim.id,))
        if claim.state is not ClaimState.CANCELLED:
            conn.executemany("INSERT OR IGNORE INTO claim_receipts (receipt_key, claim_id) VALUES (?, ?)",
                             [(receipt_key(claim.facility, r.number), claim.id) for r in claim.receipts
                              if r.number.strip()])

    def get(self, claim_id: str) -> Claim | None:
        row = self.wc.conn.execute("SELECT data FROM claims WHERE id = ?", (claim_id,)).fetchone()
        return from_json(json.loads(row[0])) if row else None

    def all(self, unit_code: str, states: Iterable[ClaimState] | None = None) -> list[Claim]:
        """The unit's claims, most recently changed first."""
        sql, args = "SELECT data FROM claims WHERE unit_code = ?", [unit_code]
        if states is not None:
            states = list(states)
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args += [s.value for s in states]
        rows = self.wc.conn.execute(sql + " ORDER BY updated_at DESC", args).fetchall()
        return [from_json(json.loads(r[0])) for r in rows]

    def lines(self, unit_code: str, states: Iterable[ClaimState] | None = None) -> list[tuple]:
        """What the desk's list shows, from the columns, most recently changed first: (id, state, claimant, patient,
        relation, facility, first day, last day, claimed, oldest receipt's date, the JSON — decoded only for the
        claim the officer opens)."""
        sql = ("SELECT id, state, claimant_cid, patient_cid, relation, facility, first_day, last_day, claimed, "
               "first_receipt, data FROM claims WHERE unit_code = ?")
        args: list = [unit_code]
        if states is not None:
            states = list(states)
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args += [s.value for s in states]
        return self.wc.conn.execute(sql + " ORDER BY updated_at DESC", args).fetchall()

    def used_receipts(self, claim: Claim) -> dict[str, str]:
        """The keys of ``claim``'s receipts already held by another claim that still stands → that claim."""
        keys = [receipt_key(claim.facility, r.number) for r in claim.receipts if r.number.strip()]
        if not keys:
            return {}
        rows = self.wc.conn.execute(
            f"SELECT receipt_key, claim_id FROM claim_receipts WHERE claim_id != ? AND receipt_key IN "
            f"({','.join('?' * len(keys))})", [claim.id, *keys]).fetchall()
        return dict(rows)
